// Package analysis is mikeyscope's model: it consumes the dissector's events
// in one pass and builds sessions (SIP dialogs and RTSP sessions), their MIKEY
// messages and exchanges, the crypto sessions those key, the media streams and
// their SRTP health, and the findings that explain what went wrong.
//
// The model is plain data; views (report, TUI, export) read it. The Analyzer
// that fills it runs on the pipeline goroutine.
package analysis

import (
	"time"

	"github.com/mikeyscope/mikeyscope/mikey"
	"github.com/mikeyscope/mikeyscope/srtp"
)

// Schema is the identifier of the JSON report document.
const Schema = "mikeyscope.report/v1"

// Report is the whole result of an analysis.
type Report struct {
	Schema   string     `json:"schema"`
	Inputs   []string   `json:"inputs"`
	Summary  Summary    `json:"summary"`
	Sessions []*Session `json:"sessions"`
	Streams  []*Stream  `json:"unassociated_streams,omitempty"` // media not tied to any session
	Findings []*Finding `json:"findings"`
	Keys     []KeyUse   `json:"keys,omitempty"` // supplied keys and what they opened
	// MCKeys are the mission-critical keys distributed in the capture
	// (the latest 256; see mcgroup.go).
	MCKeys []MCKeyEntry `json:"mc_keys,omitempty"`
	// Retired tallies, per code, the findings of sessions retired with
	// Options.RetiredFindings, which Findings does not list (their
	// receiver keeps them); Summary counts them.
	Retired map[string]CodeTally `json:"-"`
}

// CodeTally counts the findings of one code.
type CodeTally struct {
	Findings int      // findings (a folded one counts once)
	Severity Severity // the highest severity among them
	Sessions int      // distinct sessions they belong to
}

// Summary counts what the pass saw.
type Summary struct {
	Frames        uint64    `json:"frames"`
	Bytes         uint64    `json:"bytes"`
	First         time.Time `json:"first_time,omitempty"`
	Last          time.Time `json:"last_time,omitempty"`
	Sessions      int       `json:"sessions"`
	MIKEYMessages int       `json:"mikey_messages"`
	Streams       int       `json:"streams"`
	Errors        int       `json:"errors"`
	Warnings      int       `json:"warnings"`
	Notes         int       `json:"notes"`
	ReadError     string    `json:"read_error,omitempty"` // the capture could not be read to its end
	// Live holds the kernel's counters of a live capture (absent for files).
	Live *LiveCounters `json:"live_capture,omitempty"`
	// Write counts what a live capture wrote to its -w files; absent
	// without -w.
	Write *WriteCounters `json:"capture_write,omitempty"`
	// RecordedDrops counts the packets the capturing tool recorded as
	// dropped in a file (pcapng interface statistics isb_ifdrop and
	// isb_osdrop, the last ones of each interface, summed).
	RecordedDrops uint64 `json:"recorded_drops,omitempty"`
	// HEP counts the HEP packets decoded (hep.go); absent when none.
	HEP *HEPSummary `json:"hep,omitempty"`
	// LatePackets counts the signalling messages and media packets that
	// came for a session after it had ended and been written out (see
	// Options.Retire); they are tied to it and not analysed.
	LatePackets uint64 `json:"late_packets,omitempty"`
}

// LiveCounters are a live capture's kernel counters, read during and at
// the end of the capture.
type LiveCounters struct {
	Received      uint64 `json:"kernel_received"` // frames the kernel's filter passed, dropped ones included
	Dropped       uint64 `json:"kernel_dropped"`  // frames the kernel dropped: the ring was full
	RingFreezes   uint64 `json:"ring_freezes"`    // times the ring was found full
	FilterRemoved uint64 `json:"filter_removed"`  // frames the kernel passed that the exact filter removed
}

// WriteCounters count the frames of a live capture written to its -w
// files and those lost when writing failed (writing stops at the first
// failure; the capture and its analysis go on).
type WriteCounters struct {
	FramesWritten    uint64 `json:"frames_written"`
	FramesNotWritten uint64 `json:"frames_not_written"`
	// Failure names the file and the error of the first failure (a full
	// disk, an I/O error, a ring file that could not be created).
	Failure string `json:"failure,omitempty"`
	// FirstFrameNotWritten is the first frame the failure lost (0: none,
	// only the closing statistics block).
	FirstFrameNotWritten uint64 `json:"first_frame_not_written,omitempty"`
}

// KeyUse records a supplied key (by fingerprint only) and the messages it
// verified (for an SRTP key: the first packet it authenticated).
// VerifiedNothing marks a supplied PSK, SRTP key or SAKKE RSK that
// verified nothing in the capture; other kinds are listed only when they
// verified something.
type KeyUse struct {
	Fingerprint     string   `json:"fingerprint"`
	Kind            string   `json:"kind"`
	Source          string   `json:"source"`
	Verified        []uint64 `json:"verified_frames,omitempty"`
	VerifiedNothing bool     `json:"verified_nothing,omitempty"`
}

// Session is a SIP dialog or an RTSP session.
type Session struct {
	ID        int       `json:"id"`
	Carrier   string    `json:"carrier"` // "sip" or "rtsp"
	Key       string    `json:"key"`     // Call-ID or RTSP session id
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
	URL       string    `json:"url,omitempty"`
	Transport string    `json:"transport,omitempty"` // udp, tcp, tls
	Mode      string    `json:"mode,omitempty"`      // MIKEY mode: PSK, PK, DH, DHHMAC, RSA-R, TICKET, SAKKE, NULL
	// Keying says how the session's media is keyed: "MIKEY <mode>",
	// "SDES <suite> tag <n>" (RFC 4568), or "supplied" (--srtp keys only).
	Keying    string    `json:"keying,omitempty"`
	KeyStatus KeyStatus `json:"key_status"` // the worst of its messages' Auth, KeyNone without one
	// Path is the signalling path of a dialog relayed by SIP proxies, as
	// the capture shows it: the caller, each proxy, the callee (the
	// addresses of the INVITE's legs); empty when no message was relayed.
	Path []string `json:"path,omitempty"`
	// FinalStatus is the SIP dialog's final response to its latest INVITE
	// ("200 OK", "488 Not Acceptable Here"); empty without one (RTSP, or
	// no final response in the capture).
	FinalStatus string `json:"final_status,omitempty"`

	Signals        []*Signal        `json:"signals"`
	MIKEY          []*MIKEYMessage  `json:"mikey"`
	CryptoSessions []*CryptoSession `json:"crypto_sessions"`
	// SDES lists the a=crypto attributes (RFC 4568) of the session's SDPs.
	SDES          []*SDESAttribute `json:"sdes,omitempty"`
	Streams       []*Stream        `json:"streams"`
	FindingCounts FindingCounts    `json:"finding_counts"`
	// Retired is set on the compact row of a session an interactive view's
	// analysis (Job) has retired: only the fields above Signals are set,
	// and Job.Session loads the full model. Nil in the reports.
	Retired *RetiredRow `json:"-"`
}

// FindingCounts counts a session's findings by severity.
type FindingCounts struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Notes    int `json:"notes"`
}

// Signal is one SIP or RTSP message of a session, for the ladder.
type Signal struct {
	Frame   uint64    `json:"frame"`
	Time    time.Time `json:"time"`
	Src     string    `json:"src"`
	Dst     string    `json:"dst"`
	Summary string    `json:"summary"` // "INVITE sip:bob@...", "200 OK"
	MIKEY   int       `json:"mikey"`   // number of MIKEY messages carried
	// RelayOf is the frame of the same message on the previous leg when a
	// proxy relayed it (same CSeq, one Via more or less, sent by the
	// address the earlier copy went to); 0 otherwise.
	RelayOf uint64 `json:"relay_of,omitempty"`
	// Via names the HEP agent that mirrored the message ("hep agent
	// 2002"); empty when it was captured itself.
	Via string `json:"via,omitempty"`
	// AlsoSeen lists the other copies of the message (seen by HEP and on
	// the capture, or by several agents), folded into this one.
	AlsoSeen []SignalCopy `json:"also_seen,omitempty"`
	Raw      []byte       `json:"-"` // message text for the detail view (with Options.SignalText)
}

// MIKEYMessage is one decoded MIKEY message and what the keys made of it.
type MIKEYMessage struct {
	Frame    uint64    `json:"frame"`
	Time     time.Time `json:"time"`
	Src      string    `json:"src"`
	Dst      string    `json:"dst"`
	Where    string    `json:"where"` // sdp-session, sdp-media, rtsp-keymgmt-header, mikey-body, rtsp-parameter
	Length   int       `json:"length"`
	DataType string    `json:"data_type"`
	Role     string    `json:"role"` // initiator, response, error
	CSBID    string    `json:"csb_id"`
	Auth     KeyStatus `json:"auth"`          // the verdict on its keys
	KeyFP    string    `json:"key,omitempty"` // fingerprint of the key that verified it
	Detail   string    `json:"auth_detail,omitempty"`
	Error    string    `json:"decode_error,omitempty"`
	// RelayOf is the frame of the same MIKEY message on the previous leg
	// when a proxy relayed the signal carrying it; the message is then not
	// checked again (not a replay) and carries that message's verdict.
	RelayOf uint64       `json:"relay_of,omitempty"`
	Tree    *mikey.Field `json:"tree,omitempty"` // every field, with offsets (JSON only with --tree)
	// MC is the mission-critical key a MIKEY-SAKKE message distributes
	// (3GPP TS 33.180): purpose, key id, GUK-ID, identities.
	MC *mikey.MCReport `json:"mc,omitempty"`

	Raw []byte `json:"-"`
	// msg is the decoded message; the analyzer drops it when the session
	// has been idle a while (see dropIdleMessages) and Parsed decodes Raw
	// again. decoded and dataType remember what the checks need of it.
	msg      *mikey.Message
	decoded  bool // Parse returned a message (at least its header)
	dataType mikey.DataType

	inRequest bool // carried in a request (SIP INVITE, RTSP SETUP) rather than a response
	overTLS   bool // carried in a TLS connection (RTSPS, SIPS)
}

// CryptoSession is one MIKEY crypto session (RFC 3830 §1.3) and its keys.
type CryptoSession struct {
	CSID      uint8  `json:"cs_id"`
	SSRC      string `json:"ssrc"` // "0x%08x"
	ROC       uint32 `json:"roc"`
	PolicyNo  uint8  `json:"policy_no"`
	Policy    string `json:"policy"`
	MKI       string `json:"mki,omitempty"`
	KeyFP     string `json:"master_key,omitempty"` // fingerprint; the key itself only with --show-keys
	SaltFP    string `json:"master_salt,omitempty"`
	KeyHex    string `json:"master_key_hex,omitempty"` // only with --show-keys
	SaltHex   string `json:"master_salt_hex,omitempty"`
	FromFrame uint64 `json:"from_frame"` // the MIKEY message (or SDP) that keyed it
	Source    string `json:"source"`     // "mikey", "sdes", "--srtp", "keys file"
	// Tag and Media are an SDES crypto session's a=crypto tag and SDP
	// media index (Source "sdes").
	Tag   uint32 `json:"sdes_tag,omitempty"`
	Media *int   `json:"sdes_media,omitempty"`

	ssrc uint32
}

// SDESAttribute is one a=crypto attribute of an SDP, as read.
type SDESAttribute struct {
	Frame uint64 `json:"frame"`
	Role  string `json:"role"` // offer, answer, rtsp (a server's SDP)
	Media int    `json:"media"`
	// Offset and Length locate the attribute value (after "a=crypto:")
	// in the signalling message; Offset -1 when not found.
	Offset   int       `json:"offset"`
	Length   int       `json:"length"`
	Tag      uint32    `json:"tag"`
	Suite    string    `json:"suite"`
	Known    bool      `json:"known_suite"`
	Keys     []SDESKey `json:"keys,omitempty"`
	Params   []string  `json:"session_params,omitempty"`
	Selected bool      `json:"selected"` // it keys a direction of the media (the answer chose its tag)
	Error    string    `json:"error,omitempty"`
	// Tree is the attribute field by field with offsets in the message
	// (JSON only with --tree).
	Tree *mikey.Field `json:"tree,omitempty"`
}

// SDESKey is one key-param of an attribute, by fingerprint.
type SDESKey struct {
	KeyFP     string `json:"master_key"`
	SaltFP    string `json:"master_salt"`
	KeyHex    string `json:"master_key_hex,omitempty"` // only with --show-keys
	SaltHex   string `json:"master_salt_hex,omitempty"`
	Lifetime  uint64 `json:"lifetime,omitempty"`
	MKI       string `json:"mki,omitempty"`
	MKILength int    `json:"mki_length,omitempty"`
	Offset    int    `json:"offset"` // of the key-param in the message; -1 when not found
}

// Stream is one RTP or RTCP stream (one SSRC in one direction).
type Stream struct {
	SSRC          string       `json:"ssrc"` // "0x%08x"
	Kind          string       `json:"kind"` // rtp, rtcp
	Src           string       `json:"src"`
	Dst           string       `json:"dst"`
	Media         int          `json:"media"` // SDP media index, -1 unknown
	Packets       uint64       `json:"packets"`
	Authenticated uint64       `json:"authenticated"`
	AuthFailed    uint64       `json:"auth_failed"`
	Decrypted     uint64       `json:"decrypted"`
	KeyStatus     StreamStatus `json:"key_status"`
	CryptoFrom    uint64       `json:"keyed_by_frame,omitempty"`
	// MCSender is, for mission-critical group media keyed by a distributed
	// GMK, the identity whose GUK-ID the packets' MKI carries.
	MCSender string     `json:"mc_sender,omitempty"`
	Health   srtp.Stats `json:"health"`
	// ClockRate is the RTP clock rate the jitter is measured with (the
	// payload type's a=rtpmap, else RFC 3551's static types); 0, and no
	// jitter, when unknown or for RTCP.
	ClockRate uint32 `json:"clock_rate,omitempty"`
	// JitterMS is the interarrival jitter at the end of the stream and
	// MaxJitterMS its largest value (RFC 3550 §6.4.1), in milliseconds.
	JitterMS    float64 `json:"jitter_ms,omitempty"`
	MaxJitterMS float64 `json:"max_jitter_ms,omitempty"`

	ssrc       uint32
	firstFrame uint64
}

// Parsed returns the decoded message: nil when not even its header decoded
// (Error says why). The analyzer keeps the decoded form while the session
// is active and decodes Raw again afterwards (mikey.Parse is pure, so the
// result is the same), which keeps ~2 KB per message out of memory for the
// sessions that are over.
func (m *MIKEYMessage) Parsed() *mikey.Message {
	if m.msg != nil || !m.decoded {
		return m.msg
	}
	msg, _ := mikey.Parse(m.Raw)
	return msg
}

// dropIdleMessages forgets the decoded form of the MIKEY messages of the
// sessions whose signalling has been idle since before limit; Parsed
// decodes them again if a late answer or a key added in the TUI needs
// them. Caller holds a.mu.
func (a *Analyzer) dropIdleMessages(limit time.Time) {
	for _, st := range a.sessions {
		if !st.s.End.Before(limit) {
			continue
		}
		st.recent = nil // a relayed copy comes within relayWindow
		if st.msgsDropped {
			continue
		}
		for _, mm := range st.s.MIKEY {
			mm.msg = nil
		}
		st.msgsDropped = true
	}
}
