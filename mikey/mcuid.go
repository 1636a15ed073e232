package mikey

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Mission-critical (3GPP TS 33.180, TS 33.179 Annex F) identities and key
// identifiers for MIKEY-SAKKE.

// UserIDFormat is the KMS's UserIdFormat (TS 33.180 §D.3.2.2): how the
// SAKKE and ECCSI identifiers of its users are formed.
type UserIDFormat uint8

// User identifier formats.
const (
	// UserIDFormatUnknown: no KMS certificate says; both schemes are tried.
	UserIDFormatUnknown UserIDFormat = 0
	// UserIDFormatRFC6509: "YYYY-MM\0uri\0" (RFC 6509 §3.2).
	UserIDFormatRFC6509 UserIDFormat = 1
	// UserIDFormatUID: the SHA-256 UID of TS 33.180 §F.2.1.
	UserIDFormatUID UserIDFormat = 2
)

func (f UserIDFormat) String() string {
	return lookup([]string{"unknown", "RFC 6509 (YYYY-MM\\0uri\\0)", "3GPP UID (SHA-256, TS 33.180 §F.2.1)"}, int(f))
}

// Scheme names an identifier scheme in results ("rfc6509", "uid").
func (f UserIDFormat) Scheme() string {
	switch f {
	case UserIDFormatRFC6509:
		return "rfc6509"
	case UserIDFormatUID:
		return "uid"
	}
	return ""
}

// NTPEpoch is 0h 1 January 1900 UTC, the origin of the key period
// number's T (TS 33.180 §F.2.1) as of the MIKEY timestamp.
var NTPEpoch = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// KeyPeriod is a KMS's user key period: its length and offset in seconds
// (KmsCertificate UserKeyPeriod and UserKeyOffset, TS 33.180 §D.3.2.2).
type KeyPeriod struct {
	Length, Offset uint64
}

// ErrKeyPeriod reports a key period that cannot number T.
var ErrKeyPeriod = errors.New("mikey: key period")

// NumberNTP returns the key period number ⌊(T − offset) / length⌋ for T in
// seconds since the NTP epoch (TS 33.180 §F.2.1).
func (p KeyPeriod) NumberNTP(t uint64) (uint64, error) {
	if p.Length == 0 {
		return 0, fmt.Errorf("%w: length 0", ErrKeyPeriod)
	}
	if t < p.Offset {
		return 0, fmt.Errorf("%w: T %d is before the offset %d", ErrKeyPeriod, t, p.Offset)
	}
	return (t - p.Offset) / p.Length, nil
}

// Number returns the key period number of t.
func (p KeyPeriod) Number(t time.Time) (uint64, error) {
	if t.Before(NTPEpoch) {
		return 0, fmt.Errorf("%w: %s is before the NTP epoch", ErrKeyPeriod, t.UTC().Format(time.RFC3339))
	}
	return p.NumberNTP(uint64(t.Unix() - NTPEpoch.Unix()))
}

// Start returns the first second of key period n.
func (p KeyPeriod) Start(n uint64) time.Time {
	return NTPEpoch.Add(time.Duration(p.Offset+n*p.Length) * time.Second)
}

func (p KeyPeriod) String() string {
	if p.Offset == 0 {
		return fmt.Sprintf("%d s", p.Length)
	}
	return fmt.Sprintf("%d s, offset %d s", p.Length, p.Offset)
}

// MCUID returns the MIKEY-SAKKE UID of a user (TS 33.180 §F.2.1):
// SHA-256(FC ‖ P0 ‖ L0 ‖ … ‖ P5 ‖ L5) with FC 0x00, P0 "MIKEY-SAKKE-UID",
// P1 the user's URI, P2 the KMS URI, P3 the key period length, P4 its
// offset and P5 the key period number; each Li is Pi's length in two
// octets, integers are their shortest big-endian encoding (one octet at
// least). All 256 bits are the identifier.
func MCUID(userURI, kmsURI string, p KeyPeriod, n uint64) []byte {
	h := sha256.New()
	h.Write([]byte{0x00})
	param := func(b []byte) {
		h.Write(b)
		h.Write(binary.BigEndian.AppendUint16(nil, uint16(len(b))))
	}
	param([]byte("MIKEY-SAKKE-UID"))
	param([]byte(userURI))
	param([]byte(kmsURI))
	param(minimalUint(p.Length))
	param(minimalUint(p.Offset))
	param(minimalUint(n))
	return h.Sum(nil)
}

// minimalUint is v in the fewest big-endian octets, at least one.
func minimalUint(v uint64) []byte {
	b := binary.BigEndian.AppendUint64(nil, v)
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

// GUKIDSalt returns the user salt of a group member: the 28 least
// significant bits of HMAC-SHA-256 keyed with the GMK over FC 0x50 ‖ P0 ‖
// L0, P0 the member's MC identity URI (TS 33.180 §F.1.3).
func GUKIDSalt(gmk []byte, memberURI string) uint32 {
	m := hmac.New(sha256.New, gmk)
	m.Write([]byte{0x50})
	m.Write([]byte(memberURI))
	m.Write(binary.BigEndian.AppendUint16(nil, uint16(len(memberURI))))
	sum := m.Sum(nil)
	return binary.BigEndian.Uint32(sum[len(sum)-4:]) & 0x0fffffff
}

// GUKID returns the member's GUK-ID for a GMK-ID: the GMK-ID's purpose
// tag with its 28-bit identifier XORed with the member's salt
// (TS 33.180 §5.2.4, §F.1.3).
func GUKID(gmk []byte, memberURI string, gmkID uint32) uint32 {
	return gmkID ^ GUKIDSalt(gmk, memberURI)
}

// GMKIDFromGUKID inverts GUKID: the GMK-ID a GUK-ID was made from.
func GMKIDFromGUKID(gmk []byte, memberURI string, gukID uint32) uint32 {
	return gukID ^ GUKIDSalt(gmk, memberURI)
}

// Key purpose tags (TS 33.180 Annex G): the top four bits of a key's
// 32-bit identifier and of the CSB ID of the MIKEY-SAKKE message that
// carries it.
const (
	PurposeGMK   KeyPurpose = 0 // group master key
	PurposePCK   KeyPurpose = 1 // private call key
	PurposeCSK   KeyPurpose = 2 // client-server key
	PurposeSPK   KeyPurpose = 3 // signalling protection key
	PurposeMKFC  KeyPurpose = 4 // MBMS key for control
	PurposeMSCCK KeyPurpose = 5 // MBMS subchannel control key
	PurposeMuSiK KeyPurpose = 6 // multicast signalling key
)

// PurposeOf returns the purpose tag of a 32-bit key identifier.
func PurposeOf(id uint32) KeyPurpose { return KeyPurpose(id >> 28) }

// Role names what a key of this purpose is for: "group", "private",
// "client-server", ... (the message's role in an MC system).
func (k KeyPurpose) Role() string {
	return lookup([]string{"group", "private", "client-server", "signalling", "MBMS control", "MBMS subchannel control", "multicast signalling"}, int(k))
}
