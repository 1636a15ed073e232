package mikey

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// GenExtMCKeyParams is the 3GPP general extension carrying the key
// parameters of a mission-critical key (TS 33.180 §E.6): a payload
// protected with a key derived from the distributed key.
const GenExtMCKeyParams GenExtType = 7

// MCKey is what a MIKEY-SAKKE I_MESSAGE distributes as a mission-critical
// key (TS 33.180): its purpose, identifiers and checks.
type MCKey struct {
	// Purpose is the purpose tag of the CSB ID ("GMK", "PCK", "CSK", ...,
	// Annex G) and Role what the message is for ("group", "private",
	// "client-server", ...).
	Purpose string
	Role    string
	// CSBID is the message's CSB ID: the key id for a PCK or CSK, the
	// member's GUK-ID for a GMK (§5.2.4).
	CSBID uint32
	// KeyID is the distributed key's identifier (GMK-ID, PCK-ID, CSK-ID)
	// and KeyIDFrom where it was found ("CSB ID", "MKI", "GUK-ID").
	KeyID     uint32
	HaveKeyID bool
	KeyIDFrom string `json:",omitempty"`
	// GUKCheck is, for a GMK, the verdict on the GUK-ID: "matches",
	// "does not match" or why it was not checked; MemberURI the member it
	// was computed for.
	GUKCheck  string `json:",omitempty"`
	MemberURI string `json:",omitempty"`
	// SSVRef names the distributed key by fingerprint ("gmk:…").
	SSVRef string `json:",omitempty"`
	// Params are the decoded key parameters of the §E.6 extension.
	Params *MCKeyParams `json:",omitempty"`
	// Problems are what does not fit: a key id whose purpose is not the
	// message's, a GUK-ID that does not match, crypto sessions of another
	// kind of key (§E.1.3). Their codes are the NoteMC* codes.
	Problems []Note `json:",omitempty"`
}

// Notes on a mission-critical key distribution (TS 33.180), in
// MCKey.Problems.
const (
	// NoteMCUnknownPurpose: the purpose tag of the CSB ID is not one
	// TS 33.180 Annex G defines.
	NoteMCUnknownPurpose NoteCode = "mc-unknown-purpose"
	// NoteMCCryptoSession: a crypto session ID is not one of the key's
	// kind (§E.1.3).
	NoteMCCryptoSession NoteCode = "mc-crypto-session"
	// NoteMCMKICSBID: the MKI of a crypto session does not end in the CSB
	// ID (§E.1.3).
	NoteMCMKICSBID NoteCode = "mc-mki-csb-id"
	// NoteMCKeyIDPurpose: the key id's purpose tag is not the CSB ID's.
	NoteMCKeyIDPurpose NoteCode = "mc-key-id-purpose"
	// NoteMCGUKID: the CSB ID of a GMK is not the member's GUK-ID (§5.2.4).
	NoteMCGUKID NoteCode = "mc-guk-id"
	// NoteMCKeyType: the key parameters' key type is not the CSB ID's
	// purpose (§E.6).
	NoteMCKeyType NoteCode = "mc-key-type"
	// NoteMCDPPKID: the key parameters' DPPK-ID is not the CSB ID (§E.6).
	NoteMCDPPKID NoteCode = "mc-dppk-id"
)

// problem records what does not fit, with its code.
func (k *MCKey) problem(code NoteCode, text string) {
	k.Problems = append(k.Problems, Note{Code: code, Offset: -1, Text: text})
}

// MCKeyParams is the 3GPP key parameters extension (TS 33.180 §E.6):
// the protected payload's header and, decrypted, the key parameters.
type MCKeyParams struct {
	MessageType uint8
	DateTime    uint64
	PayloadID   uint32
	PayloadSeq  uint8
	Algorithm   uint8
	DPPKID      uint32
	// Decrypted is set when the payload opened with the distributed key.
	Decrypted bool
	// KeyType is the purpose of the key the parameters describe; Status
	// its status bits (1: not revoked, 2: shared with a gateway).
	KeyType    KeyPurpose
	Status     uint32
	Activation uint64
	Expiry     uint64
	Text       string `json:",omitempty"`
	GroupIDs   int    // number of MC group IDs
	// Legacy: the key parameters were in clear in an older layout (key
	// type counted from 1, no protected payload header).
	Legacy         bool   `json:",omitempty"`
	Error          string `json:",omitempty"`
	ciphertext, ad []byte
	iv             []byte
}

func (p *MCKeyParams) String() string {
	s := fmt.Sprintf("message type 0x%02x, payload algorithm %d, DPPK-ID 0x%08x", p.MessageType, p.Algorithm, p.DPPKID)
	if p.Legacy {
		s = "legacy layout in clear (key type counted from 1)"
	}
	if p.Decrypted {
		s += fmt.Sprintf("; key type %v, status %d", p.KeyType, p.Status)
		if p.Activation != 0 || p.Expiry != 0 {
			s += fmt.Sprintf(", activation %d, expiry %d", p.Activation, p.Expiry)
		}
		if p.Text != "" {
			s += fmt.Sprintf(", text %q", p.Text)
		}
		s += fmt.Sprintf(", %d group ID(s)", p.GroupIDs)
	}
	if p.Error != "" {
		s += "; " + p.Error
	}
	return s
}

// ParseMCKeyParams decodes the header of the key parameters extension:
// message type (1), date and time (5), payload ID (4), payload sequence
// number (1), payload algorithm (1), IV (16), DPPK-ID (4), then the
// protected payload as type (1), length (2) and data (TS 33.180 §E.6,
// §8.5.4.1 and TS 24.282 §15.2).
func ParseMCKeyParams(data []byte) (*MCKeyParams, error) {
	const hdr = 1 + 5 + 4 + 1 + 1 + 16 + 4
	if len(data) < hdr+3 && len(data) >= 17 && data[0] >= 1 && data[0] <= 3 {
		// An older layout a published implementation wrote (Streamwide
		// libmikey up to 1.1.13): the key parameters in clear, the key type
		// counted from 1.
		p := &MCKeyParams{Legacy: true}
		if err := p.decode(data); err != nil {
			return p, err
		}
		p.KeyType--
		return p, nil
	}
	if len(data) < hdr+3 {
		return nil, fmt.Errorf("%w: key parameters of %d octets (at least %d)", ErrTruncated, len(data), hdr+3)
	}
	p := &MCKeyParams{
		MessageType: data[0],
		DateTime:    uint64(data[1])<<32 | uint64(binary.BigEndian.Uint32(data[2:6])),
		PayloadID:   binary.BigEndian.Uint32(data[6:10]),
		PayloadSeq:  data[10],
		Algorithm:   data[11],
		iv:          data[12:28],
		DPPKID:      binary.BigEndian.Uint32(data[28:32]),
	}
	n := int(binary.BigEndian.Uint16(data[33:35]))
	if 35+n > len(data) {
		return p, fmt.Errorf("%w: protected payload of %d octets, %d present", ErrTruncated, n, len(data)-35)
	}
	p.ciphertext = data[35 : 35+n]
	p.ad = append(append(append([]byte(nil), data[:12]...), data[12:28]...), data[28:32]...)
	return p, nil
}

// dpck derives the payload cipher key from the distributed key
// (TS 33.180 §F.1.5: KDF of TS 33.220 with FC 0x53, P0 the DPPK-ID),
// keeping the least significant octets when the key is shorter than the
// HMAC-SHA-256 output.
func dpck(key []byte, dppkID uint32) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte{0x53})
	m.Write(binary.BigEndian.AppendUint32(nil, dppkID))
	m.Write([]byte{0, 4})
	sum := m.Sum(nil)
	if len(key) < len(sum) && len(key) > 0 {
		return sum[len(sum)-len(key):]
	}
	return sum
}

// Decrypt opens the protected payload with the distributed key
// (AEAD_AES_128_GCM with a 16-octet IV; the associated data is the header
// without the payload's type and length) and decodes the key parameters:
// key type (1), status (4), activation time (5), expiry time (5), text
// (2-octet length), then for a GMK, MKFC or MuSiK the MC group IDs.
func (p *MCKeyParams) Decrypt(key []byte) error {
	if p.Legacy {
		return nil
	}
	if p.MessageType&0x40 == 0 {
		return p.decode(p.ciphertext)
	}
	block, err := aes.NewCipher(dpck(key, p.DPPKID))
	if err != nil {
		return err
	}
	g, err := cipher.NewGCMWithNonceSize(block, len(p.iv))
	if err != nil {
		return err
	}
	clear, err := g.Open(nil, p.iv, p.ciphertext, p.ad)
	if err != nil {
		return errors.New("the protected key parameters do not open with the distributed key (AES-GCM tag check failed)")
	}
	return p.decode(clear)
}

func (p *MCKeyParams) decode(b []byte) error {
	if len(b) < 17 {
		return fmt.Errorf("%w: key parameters of %d octets", ErrTruncated, len(b))
	}
	p.KeyType = KeyPurpose(b[0])
	p.Status = binary.BigEndian.Uint32(b[1:5])
	p.Activation = uint64(b[5])<<32 | uint64(binary.BigEndian.Uint32(b[6:10]))
	p.Expiry = uint64(b[10])<<32 | uint64(binary.BigEndian.Uint32(b[11:15]))
	n := int(binary.BigEndian.Uint16(b[15:17]))
	if 17+n > len(b) {
		return fmt.Errorf("%w: text of %d octets", ErrTruncated, n)
	}
	p.Text = string(b[17 : 17+n])
	rest := b[17+n:]
	if len(rest) >= 3 {
		p.GroupIDs = int(rest[2])
	}
	p.Decrypted = true
	return nil
}

// mcCSIDs are the crypto session IDs of TS 33.180 §E.1.3 by purpose.
var mcCSIDs = map[KeyPurpose][]uint8{
	PurposePCK:   {0, 1, 2, 3},
	PurposeGMK:   {4, 5},
	PurposeCSK:   {6, 8},
	PurposeMuSiK: {7, 9},
}

// isMC says whether a MIKEY-SAKKE message is a mission-critical key
// distribution: UIDs in IDR payloads, the UID ID scheme, a UID KMS, or
// the key parameters extension.
func isMC(m *Message, resp, init *sakkeParty) bool {
	if len(resp.uid) > 0 || len(init.uid) > 0 || resp.kms != nil && resp.kms.Format == UserIDFormatUID {
		return true
	}
	if p := m.SAKKE(); p != nil && p.IDScheme == 2 {
		return true
	}
	for _, g := range m.GenExts() {
		if g.ExtType == GenExtMCKeyParams {
			return true
		}
	}
	return false
}

// mcKeyInfo describes the key a mission-critical I_MESSAGE distributes.
func mcKeyInfo(m *Message, res *SAKKEResult) *MCKey {
	h := &m.Header
	p := h.KeyPurpose()
	k := &MCKey{Purpose: p.String(), Role: p.Role(), CSBID: h.CSBID}
	if int(p) > int(PurposeMuSiK) {
		k.problem(NoteMCUnknownPurpose, fmt.Sprintf("purpose tag %d of CSB ID 0x%08x is not one TS 33.180 defines", p, h.CSBID))
	}
	if len(res.SSV) > 0 {
		kind := strings.ToLower(p.String())
		if int(p) > int(PurposeMuSiK) {
			kind = "ssv"
		}
		k.SSVRef = KindFingerprint(kind, res.SSV)
	}
	// The MKI of the crypto sessions: GMK-ID ‖ GUK-ID for a group key,
	// the key id otherwise (§7.4.2, §E.1.3).
	for _, cs := range h.GenericMap {
		ok := false
		for _, id := range mcCSIDs[p] {
			ok = ok || cs.CSID == id
		}
		if _, known := mcCSIDs[p]; known && !ok {
			k.problem(NoteMCCryptoSession, fmt.Sprintf("crypto session %d is not one of a %s (TS 33.180 §E.1.3: %v)", cs.CSID, p, mcCSIDs[p]))
		}
		switch len(cs.SPI) {
		case 8:
			if !k.HaveKeyID {
				k.KeyID, k.HaveKeyID, k.KeyIDFrom = binary.BigEndian.Uint32(cs.SPI), true, "MKI"
			}
			if g := binary.BigEndian.Uint32(cs.SPI[4:]); g != h.CSBID {
				k.problem(NoteMCMKICSBID, fmt.Sprintf("the MKI of crypto session %d ends in 0x%08x, not the CSB ID 0x%08x", cs.CSID, g, h.CSBID))
			}
		case 4:
			if !k.HaveKeyID {
				k.KeyID, k.HaveKeyID, k.KeyIDFrom = binary.BigEndian.Uint32(cs.SPI), true, "MKI"
			}
		}
	}
	if p != PurposeGMK && !k.HaveKeyID {
		k.KeyID, k.HaveKeyID, k.KeyIDFrom = h.CSBID, true, "CSB ID"
	}
	if k.HaveKeyID && PurposeOf(k.KeyID) != p {
		k.problem(NoteMCKeyIDPurpose, fmt.Sprintf("key id 0x%08x (%s) has purpose %v, but the CSB ID says %v", k.KeyID, k.KeyIDFrom, PurposeOf(k.KeyID), p))
	}
	if p == PurposeGMK {
		k.MemberURI = res.ResponderURI
		switch {
		case len(res.SSV) == 0:
			k.GUKCheck = "not checked: the GMK is not recovered"
		case k.MemberURI == "":
			k.GUKCheck = "not checked: the member's URI is unknown"
		case !k.HaveKeyID:
			k.KeyID, k.HaveKeyID, k.KeyIDFrom = GMKIDFromGUKID(res.SSV, k.MemberURI, h.CSBID), true, "GUK-ID"
			k.GUKCheck = "not checked: no GMK-ID in the message; recovered from the GUK-ID"
		case GUKID(res.SSV, k.MemberURI, k.KeyID) == h.CSBID:
			k.GUKCheck = "matches"
		default:
			k.GUKCheck = "does not match"
			k.problem(NoteMCGUKID, fmt.Sprintf("the CSB ID 0x%08x is not the GUK-ID of %q for GMK-ID 0x%08x (expected 0x%08x, TS 33.180 §5.2.4)",
				h.CSBID, k.MemberURI, k.KeyID, GUKID(res.SSV, k.MemberURI, k.KeyID)))
		}
	}
	for _, g := range m.GenExts() {
		if g.ExtType != GenExtMCKeyParams {
			continue
		}
		kp, err := ParseMCKeyParams(g.Data)
		if kp == nil {
			k.Params = &MCKeyParams{Error: err.Error()}
			break
		}
		k.Params = kp
		if err != nil {
			kp.Error = err.Error()
			break
		}
		if len(res.SSV) > 0 {
			if err := kp.Decrypt(res.SSV); err != nil {
				kp.Error = err.Error()
			} else if kp.KeyType != p {
				k.problem(NoteMCKeyType, fmt.Sprintf("the key parameters say key type %v, but the CSB ID says %v", kp.KeyType, p))
			}
		}
		if kp.DPPKID != h.CSBID && !kp.Legacy {
			k.problem(NoteMCDPPKID, fmt.Sprintf("the key parameters' DPPK-ID 0x%08x is not the CSB ID 0x%08x", kp.DPPKID, h.CSBID))
		}
		break
	}
	return k
}

// SealMCKeyParams builds the data of a key parameters extension
// (TS 33.180 §E.6) as the published implementation writes it: message
// type 0x43 (encrypted), date and time 1, payload ID 0, sequence 0,
// algorithm 1 (AEAD_AES_128_GCM), the 16-octet IV, the DPPK-ID, then the
// protected key parameters (key type, status 1 "not revoked", no times,
// no text, no group IDs) as type 0, length and AES-GCM ciphertext with
// the tag. For tests and samples.
func SealMCKeyParams(key []byte, dppkID uint32, keyType KeyPurpose, iv []byte) ([]byte, error) {
	if len(iv) != 16 {
		return nil, errors.New("mikey: SealMCKeyParams: the IV is 16 octets")
	}
	hdr := []byte{0x43, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}
	hdr = append(hdr, iv...)
	hdr = binary.BigEndian.AppendUint32(hdr, dppkID)
	clear := []byte{byte(keyType), 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	if keyType == PurposeGMK || keyType == PurposeMKFC || keyType == PurposeMuSiK {
		clear = append(clear, 0, 1, 0)
	}
	block, err := aes.NewCipher(dpck(key, dppkID))
	if err != nil {
		return nil, err
	}
	g, err := cipher.NewGCMWithNonceSize(block, len(iv))
	if err != nil {
		return nil, err
	}
	ct := g.Seal(nil, iv, clear, hdr)
	out := append(hdr, 0)
	out = binary.BigEndian.AppendUint16(out, uint16(len(ct)))
	return append(out, ct...), nil
}

// MCReport is the mission-critical part of a SAKKE result as reports show
// it: the key's purpose, role and ids, the GUK-ID check, the identities
// and the distributed key by fingerprint (in hex only when asked).
type MCReport struct {
	Purpose      string   `json:"purpose"`
	Role         string   `json:"role"`
	KeyID        string   `json:"key_id,omitempty"`
	KeyIDFrom    string   `json:"key_id_from,omitempty"`
	GUKID        string   `json:"guk_id,omitempty"`
	GUKCheck     string   `json:"guk_check,omitempty"`
	Key          string   `json:"key,omitempty"`
	KeyHex       string   `json:"key_hex,omitempty"`
	IDScheme     string   `json:"id_scheme,omitempty"`
	KMS          string   `json:"kms,omitempty"`
	KeyPeriod    *uint64  `json:"key_period,omitempty"`
	Initiator    string   `json:"initiator,omitempty"`
	Responder    string   `json:"responder,omitempty"`
	InitiatorUID string   `json:"initiator_uid,omitempty"`
	ResponderUID string   `json:"responder_uid,omitempty"`
	KeyParams    string   `json:"key_params,omitempty"`
	Problems     []string `json:"problems,omitempty"`
}

// MCReport returns the report of a mission-critical message, nil for
// another; showKeys adds the distributed key in hex.
func (r *SAKKEResult) MCReport(showKeys bool) *MCReport {
	k := r.MC
	if k == nil {
		return nil
	}
	out := &MCReport{Purpose: k.Purpose, Role: k.Role, KeyIDFrom: k.KeyIDFrom, GUKCheck: k.GUKCheck, Key: k.SSVRef,
		IDScheme: r.ResponderScheme, KMS: r.KMSURI, KeyPeriod: r.KeyPeriodNo, Initiator: r.InitiatorURI, Responder: r.ResponderURI,
		InitiatorUID: hexOrEmpty(r.InitiatorUID), ResponderUID: hexOrEmpty(r.ResponderUID)}
	for _, p := range k.Problems {
		out.Problems = append(out.Problems, p.Text)
	}
	if out.IDScheme == "" {
		out.IDScheme = r.InitiatorScheme
	}
	if k.HaveKeyID {
		out.KeyID = fmt.Sprintf("0x%08x", k.KeyID)
	}
	if k.Purpose == PurposeGMK.String() {
		out.GUKID = fmt.Sprintf("0x%08x", k.CSBID)
	}
	if showKeys && len(r.SSV) > 0 {
		out.KeyHex = hex.EncodeToString(r.SSV)
	}
	if k.Params != nil {
		out.KeyParams = k.Params.String()
	}
	return out
}

func hexOrEmpty(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return hex.EncodeToString(b)
}

// String is the report's one-line text: "GMK (group) key id 0x…, GUK-ID
// 0x… matches, key gmk:…, UID scheme, period 236".
func (m *MCReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)", m.Purpose, m.Role)
	if m.KeyID != "" {
		fmt.Fprintf(&b, " key id %s", m.KeyID)
	}
	if m.GUKID != "" {
		fmt.Fprintf(&b, ", GUK-ID %s", m.GUKID)
		if m.GUKCheck != "" {
			b.WriteString(" " + m.GUKCheck)
		}
	}
	if m.Key != "" {
		b.WriteString(", key " + m.Key)
	}
	if m.KeyHex != "" {
		b.WriteString(" = " + m.KeyHex)
	}
	if m.IDScheme != "" {
		b.WriteString(", identifiers " + m.IDScheme)
	}
	if m.KeyPeriod != nil {
		fmt.Fprintf(&b, ", key period %d of %s", *m.KeyPeriod, m.KMS)
	}
	if m.Initiator != "" || m.Responder != "" {
		fmt.Fprintf(&b, ", %s -> %s", orUnknown(m.Initiator), orUnknown(m.Responder))
	}
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "?"
	}
	return s
}
