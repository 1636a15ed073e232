package mikey

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mikeyscope/mikeyscope/mikey/eccsi"
	"github.com/mikeyscope/mikeyscope/mikey/sakke"
)

// SAKKEKeys is the key material for opening MIKEY-SAKKE I_MESSAGEs
// (RFC 6509): the responder's SAKKE keys and the initiator's KMS public
// authentication key. All points are uncompressed, 0x04 || x || y.
type SAKKEKeys struct {
	// RSKs are Receiver Secret Keys of the responder (RFC 6508 §2.2).
	// Devices hold two key periods' keys (RFC 6509 §3.3); each is checked
	// against the Identifier of the message (RFC 6508 §6.1.2).
	RSKs []Secret
	// Zs are KMS Public Keys (RFC 6508 §2.2); each is tried as the
	// responder's KMS key.
	Zs [][]byte
	// KPAKs are KMS Public Authentication Keys (RFC 6507 §4.2), P-256
	// points; each is tried for the initiator's signature.
	KPAKs [][]byte
	// ResponderID and InitiatorID, when set, are used verbatim as the
	// Identifiers instead of "YYYY-MM\0uri\0" (for identifier schemes
	// other than RFC 6509 §3.2, such as a 3GPP hashed UID).
	ResponderID, InitiatorID []byte
	// KMS are the supplied KMS certificates (TS 33.180 §D.3.2.2): their
	// UserIdFormat chooses the identifier scheme tried first and their key
	// period numbers UIDs (§F.2.1).
	KMS []SAKKEKMS
	// Users are the supplied users' key sets: a UID they name gives its
	// user's URI. RSKUsers[i], when set, is the user of RSKs[i].
	Users    []SAKKEUser
	RSKUsers []SAKKEUser
	// Source says where the keys came from ("--sakke-keys", "keys.txt:7").
	Source string
}

// Supplied reports whether any MIKEY-SAKKE key material is given: an RSK,
// a KMS public key (Z or KPAK, RFC 6508 §2.2, RFC 6507 §4.2) or a user's
// key set (TS 33.180 §D.3.2.2).
func (k SAKKEKeys) Supplied() bool { return len(k.RSKs)+len(k.Zs)+len(k.KPAKs)+len(k.Users) > 0 }

// RSKFingerprint returns "sakke:" and the fingerprint of RSK i.
func (k SAKKEKeys) RSKFingerprint(i int) string { return KindFingerprint("sakke", k.RSKs[i]) }

// SAKKEDecap is the verdict on the SAKKE payload of a message.
type SAKKEDecap uint8

// SAKKE payload verdicts.
const (
	// SAKKENoPayload: the message has no SAKKE payload.
	SAKKENoPayload SAKKEDecap = iota
	// SAKKEDecapsulated: the SSV was recovered and the RFC 6508 §6.2.2
	// step 5 check passed.
	SAKKEDecapsulated
	// SAKKEOtherIdentity: an RSK valid for the Identifier opened the
	// payload, but the §6.2.2 check failed: the data was formed for another
	// identity, key period or KMS, or altered in transit.
	SAKKEOtherIdentity
	// SAKKERSKInvalid: no supplied RSK passes the §6.1.2 check for the
	// message's Identifier under Z (wrong month, wrong user, wrong KMS).
	SAKKERSKInvalid
	// SAKKENoKey: no usable RSK or KMS public key Z was supplied (missing,
	// or not a point on the curve).
	SAKKENoKey
	// SAKKENoIdentity: the responder's Identifier cannot be formed (no
	// IDRr and no responder URI, or no usable timestamp).
	SAKKENoIdentity
	// SAKKEMalformed: the SAKKE payload does not decode (unknown
	// parameter set, wrong length, R not on the curve).
	SAKKEMalformed
)

// String names the verdict.
func (d SAKKEDecap) String() string {
	switch d {
	case SAKKENoPayload:
		return "no SAKKE payload"
	case SAKKEDecapsulated:
		return "decapsulated"
	case SAKKEOtherIdentity:
		return "for another identity (RFC 6508 §6.2.2 check failed)"
	case SAKKERSKInvalid:
		return "RSK not valid for this identifier (RFC 6508 §6.1.2 check failed)"
	case SAKKENoKey:
		return "no usable key (RSK or KMS public key missing)"
	case SAKKENoIdentity:
		return "responder identifier unknown"
	case SAKKEMalformed:
		return "malformed"
	}
	return "unknown"
}

// MarshalText makes the verdict readable in JSON.
func (d SAKKEDecap) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// SAKKEResult is what OpenSAKKE found in one MIKEY-SAKKE I_MESSAGE.
type SAKKEResult struct {
	// Month is the key period "YYYY-MM" taken from the T payload
	// (RFC 6509 §3.2).
	Month string `json:",omitempty"`
	// ResponderURI and InitiatorURI come from the IDRr and IDRi payloads
	// or the signalling; ResponderKMS and InitiatorKMS from IDRkmsr and
	// IDRkmsi (RFC 6509 §4.4).
	ResponderURI, InitiatorURI string `json:",omitempty"`
	ResponderKMS, InitiatorKMS string `json:",omitempty"`
	// ResponderID and InitiatorID are the Identifiers used for SAKKE and
	// ECCSI (public values).
	ResponderID, InitiatorID []byte `json:",omitempty"`
	// Signature is the ECCSI verdict on the SIGN payload (RFC 6507 §5.2.2)
	// over the message up to the Signature field (RFC 3830 §5.2).
	Signature SignatureVerdict
	// Decap is the verdict on the SAKKE payload.
	Decap SAKKEDecap
	// ToSelf is the verdict on a SAKKE-to-self general extension (3GPP
	// TS 33.180 §E.5, encapsulated for the initiator), tried with the
	// initiator's Identifier when the SAKKE payload does not open;
	// SAKKENoPayload when there is none or it was not needed.
	ToSelf SAKKEDecap `json:",omitempty"`
	// RSKRef names the RSK that opened the payload ("sakke:…"), ZRef
	// ("kms-z:…") the KMS public key it opened under, and KPAKRef
	// ("kms-kpak:…") the KPAK the signature verified with.
	RSKRef string `json:",omitempty"`
	// RSKSource says where the RSK that opened the payload came from.
	RSKSource string `json:",omitempty"`
	ZRef      string `json:",omitempty"`
	KPAKRef   string `json:",omitempty"`
	// RSKMonth is set when an RSK failed for the message's key period but
	// is the responder's key for the month before or after; RSKPeriod too,
	// and for a UID also when it is the key of the UID's neighbouring key
	// period ("period 235").
	RSKMonth  string `json:",omitempty"`
	RSKPeriod string `json:",omitempty"`
	// KMSURI, UserIDFormat and KeyPeriodNo describe the responder's KMS
	// when one was supplied (TS 33.180 §D.3.2.2) and the message's key
	// period number under it.
	KMSURI       string       `json:",omitempty"`
	UserIDFormat UserIDFormat `json:",omitempty"`
	KeyPeriodNo  *uint64      `json:",omitempty"`
	// ResponderScheme and InitiatorScheme name the identifier scheme that
	// opened the SAKKE payload and verified the signature ("uid",
	// "rfc6509", "supplied"); ResponderIDFrom and InitiatorIDFrom what
	// the identifier was ("UID in the IDR payload ...").
	ResponderScheme, InitiatorScheme string `json:",omitempty"`
	ResponderIDFrom, InitiatorIDFrom string `json:",omitempty"`
	// ResponderUID and InitiatorUID are the UIDs of the IDR payloads with
	// the 3GPP roles 8 and 9.
	ResponderUID, InitiatorUID []byte `json:",omitempty"`
	// PeriodDelta is the key period the SSV was encapsulated for relative
	// to the message's (T) when an RSK of a neighbouring period was needed;
	// SignPeriodDelta the same for the signature.
	PeriodDelta, SignPeriodDelta int `json:",omitempty"`
	// SchemeMismatch says where an identifier matched in a scheme other
	// than the KMS's UserIdFormat.
	SchemeMismatch []string `json:",omitempty"`
	// MC is what the message carries as a mission-critical key
	// distribution (TS 33.180): purpose, key ids, GUK-ID check.
	MC *MCKey `json:",omitempty"`
	// SSV is the shared secret value, used as the TGK (RFC 6509 §3.1),
	// from the SAKKE payload or, when ToSelf is SAKKEDecapsulated, from
	// the SAKKE-to-self extension.
	SSV Secret `json:",omitempty"`
	// Sessions are the crypto session keys derived from the SSV
	// (RFC 3830 §4.1.3 with the message's PRF).
	Sessions []SessionKeys `json:",omitempty"`
	Notes    []string      `json:",omitempty"`
}

func (r *SAKKEResult) note(s string) { r.Notes = append(r.Notes, s) }

// OpenSAKKE opens a MIKEY-SAKKE I_MESSAGE (RFC 6509 §2.2): it forms the
// Identifiers from the IDRr/IDRi payloads (or opts.ResponderID and
// opts.InitiatorID as URIs) and the month of the T payload (RFC 6509
// §3.2), verifies the ECCSI signature with the KPAK, checks each RSK
// (RFC 6508 §6.1.2), decapsulates the SSV (§6.2.2) and derives the crypto
// session keys from it as the TGK. opts.CaptureTime stands in for a missing
// timestamp. Verdicts are in the result; the error is reserved for a nil
// message. OpenExchange calls it for a SAKKE message; callers that open
// whatever a capture carries use OpenExchange.
func OpenSAKKE(m *Message, k SAKKEKeys, opts OpenOptions) (*SAKKEResult, error) {
	if m == nil {
		return nil, errors.New("mikey: OpenSAKKE: nil message")
	}
	res := &SAKKEResult{}
	if m.Header.DataType != DataTypeSAKKE {
		res.note(fmt.Sprintf("data type is %v, not SAKKE (26)", m.Header.DataType))
	}
	if m.Header.V {
		res.note("V flag set; RFC 6509 §4.1 requires 0 in a SAKKE message")
	}
	month, ok := sakkeMonth(m, opts.CaptureTime, res)
	if ok {
		res.Month = month.UTC().Format("2006-01")
	}
	resp := resolveParty(m, k, opts, month, ok, true, res)
	init := resolveParty(m, k, opts, month, ok, false, res)
	res.ResponderURI, res.InitiatorURI = resp.uri, init.uri
	res.ResponderKMS, res.InitiatorKMS = resp.kmsURI, init.kmsURI
	res.ResponderUID, res.InitiatorUID = resp.uid, init.uid
	if resp.kms != nil {
		res.KMSURI, res.UserIDFormat = resp.kms.URI, resp.kms.Format
		if n, ok := resp.periodNo(month, ok); ok {
			res.KeyPeriodNo = &n
		}
	}
	res.ResponderID, res.InitiatorID = resp.primary(), init.primary()
	for _, pt := range []*sakkeParty{resp, init} {
		if pt.uri != "" && len(pt.uid) == 0 && (pt.kms == nil || pt.kms.Format != UserIDFormatUID) {
			if err := sakke.CheckTelURI(pt.uri); err != nil {
				res.note("identifier URI does not follow RFC 6509 §3.2: " + err.Error())
			}
		}
	}
	res.Signature = verifySAKKESign(m, k, init, res)
	openSAKKEPayloads(m, k, resp, init, res)
	if len(res.SSV) > 0 {
		if res.Signature.Status != AuthVerified {
			res.note("the SSV was recovered but the signature is not verified: the initiator is not authenticated (RFC 6509 §2.2.2)")
		}
		deriveSAKKESessions(m, res)
	}
	if isMC(m, resp, init) {
		res.MC = mcKeyInfo(m, res)
	}
	return res, nil
}

// sakkeMonth returns the time whose month keys the message: the T
// payload (NTP-UTC or NTP, RFC 6509 §2.2.1), else the capture time.
func sakkeMonth(m *Message, capture time.Time, res *SAKKEResult) (time.Time, bool) {
	if t := m.Timestamp(); t != nil {
		if t.TSType == TSTypeNTPUTC || t.TSType == TSTypeNTP {
			return NTPTime(t.Value), true
		}
		res.note(fmt.Sprintf("T payload has TS type %v; RFC 6509 §2.2.1 requires NTP-UTC or NTP", t.TSType))
	} else {
		res.note("no T payload: RFC 6509 §2.2.1 requires one to fix the key period")
	}
	if !capture.IsZero() {
		res.note("key period taken from the capture time")
		return capture, true
	}
	return time.Time{}, false
}

// verifySAKKESign verifies the SIGN payload as ECCSI (RFC 6509 §4.3,
// RFC 6507 §5.2.2) over Raw[:SignatureOffset] (RFC 3830 §5.2).
func verifySAKKESign(m *Message, k SAKKEKeys, init *sakkeParty, res *SAKKEResult) SignatureVerdict {
	s := m.SIGN()
	switch {
	case s == nil:
		res.note("no SIGN payload: the message is not authenticated (RFC 6509 §2.2.1 requires a signature)")
		return SignatureVerdict{Status: AuthNotApplicable}
	case s.SType != SignECCSI:
		return SignatureVerdict{Status: AuthNotApplicable, Scheme: SignatureScheme(s.SType.String() + " (not ECCSI; verify with the certificate)")}
	}
	v := SignatureVerdict{Status: AuthNoKey, Scheme: "ECCSI P-256 SHA-256 (RFC 6507)"}
	var kpaks []eccsi.Point
	var refs []string
	for _, raw := range k.KPAKs {
		ref := KindFingerprint("kms-kpak", raw)
		kpak, err := eccsi.ParsePoint(raw)
		if err != nil {
			res.note("KPAK " + ref + " does not decode: " + err.Error())
			continue
		}
		kpaks, refs = append(kpaks, kpak), append(refs, ref)
	}
	if len(kpaks) == 0 {
		res.note("no usable KPAK supplied: the ECCSI signature cannot be verified")
		return v
	}
	if len(init.cands) == 0 {
		res.note("initiator identifier unknown (no IDRi payload, no initiator URI or UID, or no key period): the signature cannot be verified")
		return v
	}
	v.Status = AuthFailed
	if s.SignatureOffset < 0 || s.SignatureOffset > len(m.Raw) {
		res.note("SIGN payload has no position in the message bytes")
		return v
	}
	sig, err := eccsi.ParseSignature(s.Signature)
	if err != nil {
		res.note(fmt.Sprintf("ECCSI signature at offset %d: %v", s.SignatureOffset, err))
		return v
	}
	// RFC 3830 §5.2: everything before the Signature field, so the S type
	// and length octets are signed. Some stacks leave those two octets out;
	// that layout is tried second and named in Variant.
	layouts := []struct {
		name   string
		signed []byte
	}{{"", m.Raw[:s.SignatureOffset]}}
	if hdr := s.SignatureOffset - 2; hdr >= 0 && hdr == s.Offset {
		layouts = append(layouts, struct {
			name   string
			signed []byte
		}{VariantSIGNWithoutHeader, m.Raw[:hdr]})
	}
	for i, kpak := range kpaks {
		v.Tried++
		for _, c := range init.cands {
			for _, l := range layouts {
				if eccsi.Verify(kpak, c.id, l.signed, sig) != nil {
					continue
				}
				signer := res.InitiatorURI
				if signer == "" {
					signer = "UID " + shortHex(c.id)
				}
				v.Status, v.Signer, v.CertSource, v.Variant = AuthVerified, signer+" "+refs[i], k.Source, l.name
				res.KPAKRef = refs[i]
				res.InitiatorID, res.InitiatorScheme, res.InitiatorIDFrom, res.SignPeriodDelta = c.id, schemeName(c), c.label, c.delta
				if c.delta != 0 {
					res.note(fmt.Sprintf("the signature verifies with the initiator's identifier of another key period (%s), not the message's", c.label))
				}
				schemeCheck(init, c, "the ECCSI signature", res)
				return v
			}
		}
	}
	res.note(fmt.Sprintf("ECCSI signature does not verify for %q in %s under %d KPAK(s): wrong KPAK, wrong initiator identity or month, or altered message", res.InitiatorURI, res.Month, len(kpaks)))
	return v
}

// VariantSIGNWithoutHeader names an ECCSI signature computed over the
// message up to the SIGN payload, without its S type and length octets.
const VariantSIGNWithoutHeader = "message up to the SIGN payload, without its S type/length octets"

// deriveSAKKESessions derives the crypto session keys with the SSV as the
// TGK (RFC 6509 §3.1, RFC 3830 §4.1.3).
func deriveSAKKESessions(m *Message, res *SAKKEResult) {
	var rnd []byte
	if r := m.RAND(); r != nil {
		rnd = r.Rand
	} else {
		res.note("no RAND payload (RFC 6509 §2.2.1 requires one): keys derived with an empty RAND")
	}
	tgk := RecoveredKey{Index: 0, Type: KeyTGK, Key: res.SSV}
	ss, err := DeriveSessions(&m.Header, nil, m.SP(), rnd, []RecoveredKey{tgk}, "SAKKE SSV opened with "+res.RSKRef)
	res.Sessions = ss
	if err != nil {
		res.note("deriving crypto session keys: " + err.Error())
	}
}

// fill gives the message's result the SAKKE verdicts in the shape
// OpenExchange returns for the other modes: the SIGN verdict as its
// authentication, the SSV as its TGK, and the notes.
func (r *SAKKEResult) fill(mr *MessageResult) {
	mr.Signature, mr.Auth, mr.Tried = r.Signature, r.Signature.Status, r.Signature.Tried
	if r.Decap == SAKKEDecapsulated {
		mr.KeyRef = r.RSKRef
		mr.Keys = []RecoveredKey{{Index: 0, Type: KeyTGK, Key: r.SSV}}
	}
	mr.Notes = append(mr.Notes, "SAKKE: "+r.Decap.String())
	mr.Notes = append(mr.Notes, r.Notes...)
}

// Details says in words what opening the MIKEY-SAKKE message found, as
// reports and decode give it: the key period (RFC 6509 §3.2), the
// responder, the ECCSI signature verdict (RFC 6507), the SAKKE
// decapsulation verdict (RFC 6508), then the notes.
func (r *SAKKEResult) Details() []string {
	var d []string
	if p := r.PeriodText(); p != "" {
		d = append(d, p)
	}
	if r.ResponderURI != "" {
		d = append(d, "to "+r.ResponderURI)
	}
	d = append(d, "signature "+r.Signature.Status.String(), "SAKKE "+r.Decap.String())
	return append(d, r.Notes...)
}

// ResponderName names the responder for findings: its URI, else "the
// responder".
func (r *SAKKEResult) ResponderName() string {
	if r.ResponderURI != "" {
		return r.ResponderURI
	}
	return "the responder"
}

// MessageKeyPeriod names the message's key period for findings: "period
// 1544" (TS 33.180 §F.2.1) when the responder's KMS numbers its periods
// and neither the identifier that opened the payload nor the RSK found
// (RSKPeriod "2026-10") is an RFC 6509 §3.2 month, else "period 2026-11".
func (r *SAKKEResult) MessageKeyPeriod() string {
	if r.KeyPeriodNo != nil && r.UserIDFormat != UserIDFormatRFC6509 && r.ResponderScheme != "rfc6509" && !strings.Contains(r.RSKPeriod, "-") {
		return fmt.Sprintf("period %d", *r.KeyPeriodNo)
	}
	return "period " + r.Month
}

// periodText names the message's key period: "key period 1544 of
// kms.example.org" under a UID KMS, else the month "2026-11".
func (r *SAKKEResult) periodText() string {
	if r.KeyPeriodNo != nil && r.UserIDFormat != UserIDFormatRFC6509 {
		return fmt.Sprintf("key period %d of %s", *r.KeyPeriodNo, r.KMSURI)
	}
	return r.Month
}

// PeriodText names the message's key period for reports: "key period
// 1544 of kms.example.org" under a UID KMS, else "key period 2026-11".
func (r *SAKKEResult) PeriodText() string {
	if r.KeyPeriodNo != nil && r.UserIDFormat != UserIDFormatRFC6509 {
		return r.periodText()
	}
	if r.Month == "" {
		return ""
	}
	return "key period " + r.Month
}
