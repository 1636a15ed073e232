package analysis

import (
	"fmt"
	"sort"
	"strings"
)

// Severity ranks a finding. The zero value is invalid.
type Severity uint8

const (
	SeverityNote Severity = iota + 1
	SeverityWarning
	SeverityError
)

func (s Severity) String() string {
	switch s {
	case SeverityNote:
		return "note"
	case SeverityWarning:
		return "warning"
	case SeverityError:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", uint8(s))
}

// MarshalText makes severities appear as words in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ParseSeverity reads "note", "warning", "error" (and "none", which never
// matches, for --fail-on none).
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "note", "info":
		return SeverityNote, nil
	case "warning", "warn":
		return SeverityWarning, nil
	case "error":
		return SeverityError, nil
	case "none", "never":
		return SeverityError + 1, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want note, warning, error or none)", s)
}

// Finding is one diagnosis about the traffic: what went wrong, where, the
// likely cause and what to do. Codes are stable identifiers documented in the
// catalogue (README "Findings").
type Finding struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Frame    uint64   `json:"frame,omitempty"`   // 1-based frame number, 0 when not tied to a frame
	Session  int      `json:"session,omitempty"` // session ID, 0 when not tied to a session
	Summary  string   `json:"summary"`
	Cause    string   `json:"cause"`
	Fix      string   `json:"fix"`
	// Count is how many times the same finding (code, session, key) occurred;
	// repeated per-packet findings are folded into the first one.
	Count int `json:"count,omitempty"`
	// seq is the order in which the analyzer raised it (see Seq).
	seq uint64
}

// Seq is the order in which the analyzer raised the finding: the report
// lists findings of the same frame, severity and code in that order.
func (f *Finding) Seq() uint64 { return f.seq }

// CompareFindings orders findings as SortFindings does (by frame, then
// severity, highest first, then code), findings equal in all three by
// Seq, so that sorted lists of findings merge into the report's order.
func CompareFindings(a, b *Finding) int {
	return CompareFindingKeys(a.Frame, a.Severity, a.Code, a.seq, b.Frame, b.Severity, b.Code, b.seq)
}

// CompareFindingKeys is CompareFindings of findings given by their keys.
func CompareFindingKeys(fa uint64, sa Severity, ca string, qa uint64, fb uint64, sb Severity, cb string, qb uint64) int {
	switch {
	case fa != fb:
		if fa < fb {
			return -1
		}
		return 1
	case sa != sb:
		if sa > sb {
			return -1
		}
		return 1
	case ca != cb:
		return strings.Compare(ca, cb)
	case qa != qb:
		if qa < qb {
			return -1
		}
		return 1
	}
	return 0
}

// Kind is an entry of the findings catalogue: the fixed part of a finding.
type Kind struct {
	Code     string
	Severity Severity
	Title    string // what the finding means, for the catalogue
	Cause    string // the likely cause
	Fix      string // what to do
}

// The findings catalogue. Every finding mikeyscope produces is one of these.
var (
	// MIKEY decoding and structure.
	KindDecodeError = Kind{"mikey.decode-error", SeverityError,
		"A MIKEY message could not be decoded",
		"the sender built a malformed message (a wrong length field, a truncated payload) or the signalling was damaged in transit or by the capture",
		"compare the offset with the payload layout in RFC 3830 §6; if the capture is truncated (snaplen), capture again with full packets"}
	KindTrailingBytes = Kind{"mikey.trailing-bytes", SeverityNote,
		"Bytes follow the last MIKEY payload",
		"some clients (for example Milestone XProtect) pad the message; strict peers such as libmikey reject it",
		"usually harmless; if the peer rejects the message, remove the padding in the sender"}
	KindUnknownKeyMgmt = Kind{"sdp.keymgmt-not-mikey", SeverityNote,
		"A key-mgmt attribute names a protocol other than MIKEY",
		"the peer offers another key management protocol",
		"nothing to do unless MIKEY was expected; check the peer's key management configuration"}
	KindBadKeyMgmt = Kind{"sdp.keymgmt-malformed", SeverityError,
		"A key-mgmt attribute or KeyMgmt header could not be read",
		"the base64 data or the header syntax of RFC 4567 §3 is broken",
		"check the sender's RFC 4567 encoding (base64 without line breaks, quoted data parameter)"}
	KindRANDMissing = Kind{"mikey.rand-missing", SeverityNote,
		"The initiator's first message has no RAND payload",
		"RFC 3830 §3 requires RAND in the Initiator's first message; some cameras and VMS clients (Genetec Omnicast) omit it",
		"keys sent directly as TEKs still work; a TGK-based exchange needs RAND to derive TEKs, so fix the sender"}
	KindTimestampNotNTP = Kind{"mikey.timestamp-not-ntp", SeverityNote,
		"The T payload does not hold an NTP time",
		"the sender writes another clock format (the value fits a Windows FILETIME, as Genetec Omnicast sends) into the NTP-UTC field",
		"peers that check the timestamp will reject the message as outside the allowed clock skew; fix the sender's timestamp encoding"}

	// Keys and authentication.
	KindMACMismatch = Kind{"mikey.mac-mismatch", SeverityError,
		"The MIKEY MAC does not verify with the supplied key that was meant for it",
		"the summary names the evidence that a key was meant for this message (a PSK bound to an identity it names, the other message of the exchange verifying with a supplied key, or the peer's Auth failure error): the peers' keys differ, or the key given to mikeyscope for it is wrong",
		"check that both peers are configured with the same pre-shared key; give mikeyscope that key with --psk or a keys file"}
	KindVMismatch = Kind{"mikey.v-mismatch", SeverityError,
		"The verification (V) payload does not verify with the supplied key that was meant for it",
		"the responder used another key, or computed the MAC over different bytes than RFC 3830 §5.2 prescribes",
		"check the pre-shared key on both sides; if the key is right, the responder's V computation is non-standard"}
	KindNonStandardMAC = Kind{"mikey.nonstandard-mac", SeverityWarning,
		"The MAC, V payload or signature verifies only over other bytes than RFC 3830 prescribes",
		"the sender computes it over a non-standard input (for example the V payload without the identities, as minisip and other early implementations do); mikeyscope tries such layouts, a peer following RFC 3830 (§5.2 for V and signatures, §4.2.4 for the KEMAC MAC) does not and rejects the message",
		"make the sender compute it as the RFC says (V: the verification message up to the MAC || IDi || IDr || T, RFC 3830 §5.2); until then it works only with peers that share the quirk"}
	KindNoKeyFits = Kind{"mikey.no-key-fits", SeverityWarning,
		"No supplied key verifies the MIKEY message, and nothing shows that one was meant for it",
		"the key of this call was not supplied (the keys given belong to other calls), or the key supplied for it is mistyped; nothing in the capture shows the peers' keys differ",
		"supply this call's key; bind a PSK to the identity it is for (psk sip:alice@example.com=KEY) so that a wrong key is reported as a mismatch"}
	KindNoKey = Kind{"mikey.no-key", SeverityWarning,
		"The KEMAC is encrypted and no supplied key opens it",
		"mikeyscope was given no key for this exchange",
		"supply the pre-shared key (--psk), the RSA private key (--rsa-key), the DH private value (--dh-key) or the TGK (--tgk)"}
	KindKeysInClear = Kind{"mikey.keys-in-clear", SeverityWarning,
		"Keys are sent in the clear (NULL KEMAC encryption)",
		"the sender relies on the transport (RTSPS/SIPS TLS) to protect the keys, as GStreamer and ONVIF devices do; anyone who sees the signalling can decrypt the media",
		"carry the signalling over TLS, or use MIKEY-PSK/PK with KEMAC encryption"}
	KindNoIntegrity = Kind{"mikey.no-integrity", SeverityWarning,
		"The MIKEY message has no integrity protection (NULL MAC)",
		"the sender does not authenticate the message; a man in the middle can replace the keys",
		"carry the signalling over TLS, or enable HMAC-SHA-1 in the MIKEY configuration"}
	KindSignatureInvalid = Kind{"mikey.signature-invalid", SeverityError,
		"The SIGN payload does not verify",
		"the message was altered, signed with another key, or the certificate/KPAK supplied is not the signer's",
		"check the signer's certificate (or KMS public key and identity for MIKEY-SAKKE)"}
	KindErrorPayload = Kind{"mikey.error-payload", SeverityError,
		"The peer answered with a MIKEY error payload",
		"see the error code",
		"see the error code"}
	KindClockSkew = Kind{"mikey.clock-skew", SeverityWarning,
		"The MIKEY timestamp is outside the allowed clock skew",
		"the sender's clock is wrong (no NTP), the message is old (a replay), or the capturing host's clock is off: the capture time is the reference",
		"synchronise the sender's clock with NTP; peers reject such messages with an 'Invalid TS' error"}
	KindReplay = Kind{"mikey.replay", SeverityWarning,
		"A MIKEY message was seen again (replay)",
		"the same message (or the same CSB ID, timestamp and RAND) was sent twice: a retransmission of the signalling, or a replay attack",
		"if it is a SIP retransmission, nothing to do; otherwise a receiver that keeps a replay cache will reject it"}
	KindNoResponse = Kind{"mikey.no-response", SeverityWarning,
		"The initiator asked for verification (V flag) but no response was seen",
		"the responder did not answer, rejected the message silently, or the answer is not in the capture",
		"look for a SIP/RTSP error response; check that the responder supports the offered mode and keys"}
	KindOrphanResponse = Kind{"mikey.orphan-response", SeverityWarning,
		"A MIKEY response has no matching initiator message",
		"the capture started after the initiator's message, or the CSB ID does not match any initiator message",
		"capture from the start of the call; check the CSB ID of both messages"}
	KindResponseMismatch = Kind{"mikey.response-mismatch", SeverityError,
		"The MIKEY response does not match the initiator's message",
		"the responder changed the CSB ID or the crypto sessions; it is answering another exchange or is non-compliant",
		"check the responder's MIKEY implementation; RFC 3830 §5 requires the same CSB ID"}
	KindPolicyUnsupported = Kind{"mikey.policy-unsupported", SeverityWarning,
		"The SRTP policy asks for something common implementations do not support",
		"the policy selects a transform (AES-f8, a non-zero key derivation rate, RCC modes) that libsrtp, pion and most phones do not implement",
		"use AES-CM-128 with HMAC-SHA-1-80 (or AES-GCM) and a key derivation rate of 0"}
	KindPolicyConflict = Kind{"mikey.policy-conflict", SeverityError,
		"Offer and answer carry conflicting SRTP policies",
		"the two peers have different SRTP settings (cipher, key length, tag length)",
		"align the SRTP crypto suite configuration on both peers"}
	KindTagLenAsAuthKeyLen = Kind{"mikey.tag-length-as-auth-key-length", SeverityWarning,
		"SRTP policy parameter 3 (auth key length) holds a tag length",
		"the sender (GStreamer style) puts the 80-bit tag length (10) or 32-bit (4) in the session auth key length field; RFC 3830 §6.10.1 has it as parameter 11",
		"mikeyscope uses a 20-byte auth key and the given value as the tag length; strict peers derive a wrong key: fix the sender to send 3=20 and 11=10"}
	KindPolicyParameter = Kind{"mikey.policy-parameter", SeverityWarning,
		"An SRTP policy parameter is not as RFC 3830 defines it",
		"the SP payload has a parameter of an unregistered type, one given twice, a value that is not an integer or out of range, an on/off switch other than 0 or 1, a FEC order other than FEC-SRTP, or an HMAC with AES-GCM (RFC 7714 §14.3); the summary says how mikeyscope read it",
		"fix the sender's SP payload (RFC 3830 §6.10.1, RFC 4771 §4, RFC 7714 §12); a strict peer may refuse it or read it otherwise"}
	KindTEKKeyAndSalt = Kind{"mikey.tek-key-and-salt", SeverityNote,
		"A TEK Key Data carries the master key and salt together",
		"the sender (ONVIF style) concatenates the 16-byte master key and 14-byte salt in the key field of a TEK (type 2) instead of using TEK+SALT",
		"mikeyscope splits it; peers that follow RFC 3830 strictly will take a 30-byte key; prefer Key Data type 3 (TEK+SALT)"}
	KindSSRCZero = Kind{"mikey.ssrc-zero", SeverityNote,
		"The CS ID map holds an SSRC of 0",
		"the sender did not know the SSRC when it built the message (a placeholder, as in the RFC 4567 examples); the key applies to whichever stream comes",
		"nothing to do if one stream per crypto session; mikeyscope binds the first unmapped SSRC seen on the flow"}

	// SRTP media.
	KindSRTPAuthFailed = Kind{"srtp.auth-failed", SeverityError,
		"SRTP packets fail authentication with the derived keys",
		"the key or salt used by the sender differs from the one in the key exchange (a wrong PSK, a re-key not captured, a different crypto session)",
		"check which MIKEY exchange keys this SSRC; supply the right key; capture the re-key"}
	KindSRTPROC = Kind{"srtp.roc-mismatch", SeverityWarning,
		"SRTP packets authenticate only with another ROC",
		"the roll-over counter in the CS ID map does not match the sender's (a stream that ran before the key exchange, or a receiver that reset its ROC)",
		"signal the current ROC in the CS ID map when re-keying; receivers should follow RFC 3711 §3.3.1"}
	KindSRTPUnknownSSRC = Kind{"srtp.unknown-ssrc", SeverityWarning,
		"An SRTP stream's SSRC is not in the CS ID map",
		"the sender changed its SSRC after the key exchange, or the CS ID map lists other SSRCs",
		"make the sender announce its SSRC in the CS ID map (or use the SSRC it announced)"}
	KindSRTPUnknownMKI = Kind{"srtp.unknown-mki", SeverityError,
		"SRTP packets carry an MKI that no key exchange announced",
		"the sender re-keyed and the new MIKEY message is not in the capture, or it uses another MKI than the Key Data's SPI",
		"capture the re-key (SET_PARAMETER / re-INVITE); check the sender's MKI handling"}
	KindSRTPNoKeyExchange = Kind{"srtp.no-key-exchange", SeverityWarning,
		"SRTP-like media on a flow with no key exchange",
		"the signalling that keyed this flow is not in the capture (started mid-call, or carried over TLS without keys)",
		"capture from the start of the call, or give the SRTP key directly with --srtp SSRC=KEY:SALT"}
	KindSRTPUndecryptable = Kind{"srtp.no-key", SeverityNote,
		"SRTP packets cannot be checked: the key exchange is not opened",
		"the MIKEY exchange keying this stream could not be opened with the supplied keys",
		"supply the key for the MIKEY exchange"}
	KindNATDummy = Kind{"rtsp.nat-dummy", SeverityNote,
		"The RTSP client sent NAT hole-punching datagrams, not media",
		"GStreamer's rtspsrc (nat-method=dummy, its default) sends five 200-byte datagrams of random data from its RTP port to the server's RTP port at PLAY to open a NAT pinhole; some look like RTP by chance",
		"nothing to do; they are not streams (set nat-method=none on rtspsrc to stop them)"}
	KindSAVPWithoutKeying = Kind{"sdp.savp-without-keying", SeverityWarning,
		"RTP/SAVP media with no key-mgmt or crypto attribute",
		"the offer asks for SRTP but carries no keys; the peer cannot decrypt",
		"add a=key-mgmt:mikey (RFC 4567) or a=crypto (SDES) to the media description"}
	KindCryptoAndKeyMgmt = Kind{"sdp.crypto-and-key-mgmt", SeverityNote,
		"Both a=crypto (SDES) and a=key-mgmt are present",
		"the offer proposes two key management methods; the answer decides which one is used",
		"check which one the answer accepted; keys from SDES are visible to any SIP proxy"}

	// SDES (RFC 4568 a=crypto).
	KindSDESMalformed = Kind{"sdes.malformed", SeverityError,
		"An a=crypto attribute could not be read",
		"the attribute does not follow RFC 4568 §9.1 (tag, crypto-suite, inline key||salt of the suite's length, lifetime, MKI:length, session parameters)",
		"fix the sender's SDP; the summary names the byte where reading stopped"}
	KindSDESUnknownSuite = Kind{"sdes.unknown-suite", SeverityWarning,
		"An a=crypto attribute names a crypto-suite mikeyscope does not know",
		"the sender offers a suite outside RFC 4568, RFC 6188 and RFC 7714 (a vendor or newer suite); its key lengths are unknown",
		"if the peer accepts it, give the stream's key with --srtp SSRC=KEY:SALT; otherwise offer a registered suite"}
	KindSDESKeysInClear = Kind{"sdes.keys-in-clear", SeverityWarning,
		"SDES keys are sent in the signalling",
		"a=crypto carries the SRTP master keys in the clear (RFC 4568 §8.1): anyone who sees the signalling, or a proxy on its path, can decrypt the media; TLS protects them only hop by hop",
		"carry SIP over TLS end to end (SIPS) at least, or key with MIKEY or DTLS-SRTP"}
	KindSDESAnswerNotOffered = Kind{"sdes.answer-not-offered", SeverityError,
		"The answer's a=crypto picks a tag or suite the offer did not offer",
		"the answerer answered with a tag that is not among the offer's a=crypto tags, or changed its suite (RFC 4568 §7.1.2 requires the tag and suite of an offered attribute)",
		"check the answerer's SDES implementation; the offerer will reject the answer or fail to decrypt"}
	KindSDESKeyChanged = Kind{"sdes.key-changed", SeverityNote,
		"The SDES key of a direction changed mid-call",
		"a re-INVITE or UPDATE declared a new a=crypto key; packets sent before the switch use the old key",
		"nothing if the media follows; if packets fail after the change, the sender did not switch to the key it declared"}
	KindSDESLifetime = Kind{"sdes.lifetime-exhausted", SeverityWarning,
		"A stream used an SDES key beyond its a=crypto lifetime",
		"the sender kept the master key for more packets than the lifetime its attribute declared (RFC 4568 §6.1)",
		"the sender should re-key (a new offer with a new key) before the lifetime ends"}
	KindSDESOtherKeying = Kind{"sdes.other-keying", SeverityWarning,
		"SRTP packets authenticate with the keys of the other key management",
		"the offer carried both MIKEY and SDES; the media follows the one the answer did not keep (or the only one in the capture), so the peers disagree on the keying",
		"make both ends use the keying the answer selected; check which one each end's configuration prefers"}
	KindSDESMKILength = Kind{"sdes.mki-length-mismatch", SeverityError,
		"The MKIs of an a=crypto attribute are missing or of different lengths",
		"with several key-params every one needs an MKI, all of the same length (RFC 4568 §6.1); a receiver cannot tell the keys apart otherwise",
		"give every key-param an MKI of the same length"}

	// Capture and transport.
	KindTCPGap = Kind{"capture.tcp-gap", SeverityWarning,
		"TCP bytes are missing (lost segment)",
		"the capture dropped packets (a busy interface, a small buffer) or captured only one direction",
		"capture with a larger buffer (-B), on the host itself, or with a mirror port that sees both directions"}
	KindFragmentLost = Kind{"capture.fragment-lost", SeverityWarning,
		"An IP datagram is missing fragments",
		"a fragment was dropped by the network or the capture; a fragmented SIP INVITE is lost as a whole",
		"use SIP over TCP for large messages, or fix the path MTU; capture with a larger buffer"}
	KindMalformedFrame = Kind{"capture.malformed-frame", SeverityNote,
		"A frame could not be decoded",
		"the frame is damaged, truncated by the snap length, or of a link type mikeyscope does not decode",
		"capture with full packets (snaplen 0)"}
	KindCaptureLimit = Kind{"capture.limit", SeverityWarning,
		"A resource limit was reached; some traffic was not analysed",
		"the capture has more sessions, streams, fragments or buffered TCP bytes than the limits allow (hostile or unusually busy traffic)",
		"raise the limit if the traffic is legitimate, or filter the capture to the calls of interest"}
	KindFileDamaged = Kind{"capture.file-damaged", SeverityError,
		"The capture file is damaged or truncated",
		"the file was cut short (copy interrupted, capture killed) or corrupted",
		"everything before the damage is reported; recapture or repair the file (e.g. with pcapfix)"}
	KindKernelDrops = Kind{"capture.kernel-drops", SeverityWarning,
		"The kernel dropped packets of the live capture: the analysis never saw them",
		"mikeyscope did not empty the kernel's capture ring fast enough (a burst, a busy CPU, a ring too small for the traffic); calls, MIKEY messages and SRTP packets may be missing and counted as lost",
		"capture with a bigger ring (-B, in MiB) or a narrower filter (-f) so that fewer packets reach the ring; or write the traffic with dumpcap first and analyse the file"}
	KindRecordedDrops = Kind{"capture.recorded-drops", SeverityWarning,
		"The capturing tool recorded packets it dropped",
		"the program that wrote the file (dumpcap, tcpdump) could not keep up: its interface statistics (pcapng isb_ifdrop, isb_osdrop) count packets that are not in the file",
		"capture again with a bigger buffer (dumpcap -B) or a narrower capture filter"}
	KindWriteFailed = Kind{"capture.write-failed", SeverityError,
		"Writing the live capture to the -w files failed: later frames are not in them",
		"the file system of the -w files is full (ENOSPC) or failed (EIO), or the next ring file could not be created (permissions, a removed directory, no inodes left); writing stops at the first failure, the capture and its analysis go on",
		"free space or write elsewhere (-w), bound the files with -b filesize:kB -b files:N, and capture again: this report covers every frame, the -w files only those before the frame named"}
	KindTimeJump = Kind{"capture.time-jump", SeverityWarning,
		"The capture's timestamps jump",
		"a frame's timestamp is far out of line with its neighbours', the time steps back (captures concatenated, an NTP step, a HEP agent's clock reset), or a HEP agent's clock is far from the capture's: times and durations across the jump are wrong by its size",
		"merge captures in time order (mergecap without -a); check the clocks of the capture host and of the HEP agents (NTP); session retirement does not count the jump as time passing"}
	KindMidCall = Kind{"capture.mid-call", SeverityNote,
		"The capture starts in the middle of a call or connection",
		"the capture was started after the call was set up",
		"start the capture before the call; give the SRTP keys directly with --srtp if the key exchange was missed"}
	KindSignalError = Kind{"dissect.malformed", SeverityWarning,
		"A SIP, RTSP or SDP message could not be fully parsed",
		"the message does not follow the grammar (RFC 3261, RFC 2326, RFC 4566) or was damaged",
		"check the sender; mikeyscope keeps what it could read"}

	// HEP.
	KindHEPAuthFailed = Kind{"hep.auth-failed", SeverityWarning,
		"A HEP packet does not carry the expected auth key",
		"a capture agent is configured with another (or no) auth key than --hep-auth, or an unknown sender is writing to the collector port",
		"set the same key on the agent (Kamailio siptrace hep_capture_id/auth, sngrep eep.send.pass) or firewall the HEP port"}

	// TLS.
	KindTLSNoKey = Kind{"tls.no-key", SeverityWarning,
		"TLS-protected signalling with no key to decrypt it",
		"the key log does not have the secrets of this TLS session; the MIKEY messages inside cannot be seen",
		"give a key log with --tls-keylog (SSLKEYLOGFILE) that contains this session's client random"}
	KindTLSWrongKey = Kind{"tls.wrong-key", SeverityError,
		"The TLS key in the key log does not decrypt this session",
		"the key log belongs to another run, or the secret lines are damaged",
		"export the key log from the same run as the capture"}
	KindTLSAfterHandshake = Kind{"tls.after-handshake", SeverityWarning,
		"The capture starts after the TLS handshake",
		"without the handshake the session's client random and cipher suite are unknown",
		"start the capture before the connection is opened"}

	// MIKEY-SAKKE.
	KindSAKKEWrongIdentity = Kind{"sakke.wrong-identity", SeverityError,
		"The SAKKE key is for another identity",
		"the message is encrypted to another user's identity (or month) than the RSK supplied",
		"supply the RSK of the receiving identity for the month of the message's timestamp"}
	KindSAKKERSKInvalid = Kind{"sakke.rsk-invalid", SeverityError,
		"The supplied RSK does not validate against the KMS public key",
		"the RSK is for another month or another KMS, or was mistyped",
		"fetch the RSK for the month of the message from the KMS"}
	KindSAKKEMissingKMS = Kind{"sakke.missing-kms-key", SeverityWarning,
		"A MIKEY-SAKKE message cannot be opened or verified: a KMS key is missing",
		"the KMS public key (Z) or authentication key (KPAK) was not supplied",
		"supply --kms-z and --kms-kpak from the KMS certificate"}
	KindSAKKEKeyPeriod = Kind{"sakke.key-period", SeverityWarning,
		"An RSK of another key period than the message's",
		"the sender's or the receiver's clock is off around a key period change, or the receiver holds only another period's key set",
		"check both clocks and supply the key set (KmsKeySet) of the message's key period"}
	KindSAKKEIDScheme = Kind{"sakke.id-scheme", SeverityWarning,
		"A MIKEY-SAKKE identifier of another scheme than the KMS's",
		"the message is signed or encrypted with RFC 6509 identifiers under a KMS of 3GPP UIDs (UserIdFormat 2), or the other way round, or its SAKKE ID scheme field says otherwise",
		"configure the client for the KMS's UserIdFormat (TS 33.180 §F.2.1)"}
	KindMCKeyPurpose = Kind{"mc.key-purpose", SeverityWarning,
		"A mission-critical key id does not fit the message",
		"the purpose tag (4 most significant bits) of the key id, MKI or key parameters differs from the CSB ID's, or the crypto sessions are of another kind of key (TS 33.180 §E.1.3)",
		"check the key id the sender allocated (GMK 0, PCK 1, CSK 2, TS 33.180 Annex G)"}
	KindMCGUKID = Kind{"mc.guk-id", SeverityError,
		"The GUK-ID of a group key does not match",
		"the CSB ID is not the GMK-ID XORed with the member's salt (TS 33.180 §5.2.4): a GMK for another member or altered",
		"check the member URI the group management server used"}
	KindMCSignerNotGMS = Kind{"mc.signer-not-gms", SeverityWarning,
		"A group key is not signed by the group management server that sent it",
		"the ECCSI signer of the GMK message is not the identity of the SIP sender",
		"check which server distributes the group's keys and its key set"}
	KindMCGroupKeyUnknown = Kind{"mc.group-key-unknown", SeverityWarning,
		"Mission-critical group media names no distributed group key",
		"the MKI of SRTP in a MC call without keys of its own names a GMK-ID that no GMK distribution opened in the capture carried, or one whose GUK-ID checks failed",
		"supply the key set (KmsKeySet) of a group member, or capture the group management server's GMK distribution (SIP MESSAGE)"}
)

// Catalogue lists every kind of finding, in the order of the README.
var Catalogue = []Kind{
	KindDecodeError, KindTrailingBytes, KindBadKeyMgmt, KindUnknownKeyMgmt, KindRANDMissing, KindTimestampNotNTP,
	KindMACMismatch, KindVMismatch, KindNoKeyFits, KindNonStandardMAC, KindNoKey, KindKeysInClear, KindNoIntegrity, KindSignatureInvalid,
	KindErrorPayload, KindClockSkew, KindReplay, KindNoResponse, KindOrphanResponse, KindResponseMismatch,
	KindPolicyUnsupported, KindPolicyConflict, KindTagLenAsAuthKeyLen, KindPolicyParameter, KindTEKKeyAndSalt, KindSSRCZero,
	KindSRTPAuthFailed, KindSRTPROC, KindSRTPUnknownSSRC, KindSRTPUnknownMKI, KindSRTPNoKeyExchange, KindSRTPUndecryptable,
	KindNATDummy, KindSAVPWithoutKeying, KindCryptoAndKeyMgmt,
	KindSDESMalformed, KindSDESUnknownSuite, KindSDESKeysInClear, KindSDESAnswerNotOffered, KindSDESKeyChanged, KindSDESLifetime, KindSDESOtherKeying, KindSDESMKILength,
	KindTCPGap, KindFragmentLost, KindMalformedFrame, KindCaptureLimit, KindFileDamaged, KindKernelDrops, KindRecordedDrops, KindWriteFailed, KindTimeJump, KindMidCall, KindSignalError,
	KindHEPAuthFailed,
	KindTLSNoKey, KindTLSWrongKey, KindTLSAfterHandshake,
	KindSAKKEWrongIdentity, KindSAKKERSKInvalid, KindSAKKEMissingKMS, KindSAKKEKeyPeriod, KindSAKKEIDScheme,
	KindMCKeyPurpose, KindMCGUKID, KindMCSignerNotGMS, KindMCGroupKeyUnknown,
}

// New makes a finding of this kind with a specific summary.
func (k Kind) New(frame uint64, session int, summary string) *Finding {
	if summary == "" {
		summary = k.Title
	}
	return &Finding{Code: k.Code, Severity: k.Severity, Frame: frame, Session: session,
		Summary: summary, Cause: k.Cause, Fix: k.Fix, Count: 1}
}

// errorCodeHelp explains each MIKEY ERR code (RFC 3830 §6.12, RFC 4738,
// RFC 6043) with the mismatch that usually lies behind it.
var errorCodeHelp = map[uint8][2]string{
	0:  {"Authentication failure: the peer could not verify the MAC or signature", "the peers use different pre-shared keys or certificates; align the keys"},
	1:  {"Invalid timestamp: the peer found the timestamp outside its clock skew window or replayed", "synchronise both clocks with NTP; check the timestamp type the sender uses"},
	2:  {"PRF function not supported", "the initiator asked for a PRF the peer lacks (e.g. PRF-HMAC-SHA-256); use MIKEY-1"},
	3:  {"MAC algorithm not supported", "use HMAC-SHA-1-160, the mandatory MAC"},
	4:  {"Encryption algorithm not supported", "use AES-CM-128 (or NULL over TLS) for the KEMAC"},
	5:  {"Hash function not supported", "use SHA-1 for CHASH"},
	6:  {"DH group not supported", "use OAKLEY 5 (1536 bit), the mandatory group"},
	7:  {"ID not supported: the peer does not recognise the identity or has no key for it", "check the identities (ID/IDR payloads) and the key provisioned for them"},
	8:  {"Certificate not supported", "check the certificate type and chain the peer accepts"},
	9:  {"SP type not supported: the security policy protocol is not SRTP or not supported", "send an SRTP security policy (prot type 0)"},
	10: {"SP parameters not supported: the peer refuses the SRTP policy", "align the SRTP crypto suite (cipher, key length, tag length, KDR) with what the peer supports"},
	11: {"Data type not supported: the peer does not implement this MIKEY mode", "use a mode the peer supports (PSK is the most widely implemented)"},
	12: {"Unspecified error", "look at the peer's logs; the MIKEY message gives no detail"},
	13: {"Unsupported message type (RSA-R)", "the peer does not implement MIKEY-RSA-R; use PK or PSK"},
	14: {"Invalid TICKET", "the ticket is not valid for this peer; request a new one from the KMS"},
	15: {"Invalid TP parameters", "align the ticket policy with the KMS"},
}

// ErrorPayloadFinding builds the finding for a received ERR payload code.
func ErrorPayloadFinding(frame uint64, session int, code uint8, name string) *Finding {
	f := KindErrorPayload.New(frame, session, "")
	help, ok := errorCodeHelp[code]
	if !ok {
		help = [2]string{fmt.Sprintf("error code %d (%s)", code, name), "look at the peer's logs"}
	}
	f.Summary = fmt.Sprintf("peer answered with MIKEY error %d (%s)", code, name)
	f.Cause = help[0]
	f.Fix = help[1]
	return f
}

// SortFindings orders findings by frame, then severity (highest first), then code.
func SortFindings(fs []*Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Frame != b.Frame {
			return a.Frame < b.Frame
		}
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		return a.Code < b.Code
	})
}
