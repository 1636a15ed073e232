package mikey

import (
	"encoding/binary"
	"fmt"
)

// Label constants for keys derived from a TGK (RFC 3830 §4.1.3 Table 4.1.3).
const (
	ConstTEK     uint32 = 0x2AD01C64 // TEK (SRTP master key)
	ConstTEKAuth uint32 = 0x1B5C7973 // authentication key for the security protocol
	ConstTEKEncr uint32 = 0x15798CEF // encryption key for the security protocol
	ConstTEKSalt uint32 = 0x39A2C14B // salting key (SRTP master salt)
	ConstMsgEncr uint32 = 0x150533E1 // KEMAC encr_key from PSK/envelope key (§4.1.4)
	ConstMsgAuth uint32 = 0x2D22AC75 // KEMAC/V auth_key from PSK/envelope key (§4.1.4)
	ConstMsgSalt uint32 = 0x29B88916 // KEMAC salt key from PSK/envelope key (§4.1.4)
	maxLabelRAND        = 255        // RAND len is an 8-bit field (§6.11)
)

// TGKLabel builds the label of RFC 3830 §4.1.3:
// constant || cs_id || csb_id || RAND.
func TGKLabel(constant uint32, csID uint8, csbID uint32, rand []byte) []byte {
	l := make([]byte, 9, 9+len(rand))
	binary.BigEndian.PutUint32(l[0:4], constant)
	l[4] = csID
	binary.BigEndian.PutUint32(l[5:9], csbID)
	return append(l, rand...)
}

// MessageKeyLabel builds the label of RFC 3830 §4.1.4:
// constant || 0xFF || csb_id || RAND.
func MessageKeyLabel(constant uint32, csbID uint32, rand []byte) []byte {
	l := make([]byte, 9, 9+len(rand))
	binary.BigEndian.PutUint32(l[0:4], constant)
	l[4] = 0xFF
	binary.BigEndian.PutUint32(l[5:9], csbID)
	return append(l, rand...)
}

// DeriveFromTGK derives keyLen bytes from a TGK with the given constant
// (RFC 3830 §4.1.3): PRF(TGK, constant || cs_id || csb_id || RAND).
func DeriveFromTGK(f PRFFunc, constant uint32, tgk []byte, csID uint8, csbID uint32, rand []byte, keyLen int) ([]byte, error) {
	out, err := PRF(f, tgk, TGKLabel(constant, csID, csbID, rand), keyLen)
	if err != nil {
		return nil, fmt.Errorf("derive key 0x%08X from TGK: %w", constant, err)
	}
	return out, nil
}

// DeriveTEK derives the TEK (the SRTP master key) of crypto session csID
// from a TGK (RFC 3830 §4.1.3, constant 0x2AD01C64).
func DeriveTEK(f PRFFunc, tgk []byte, csID uint8, csbID uint32, rand []byte, keyLen int) ([]byte, error) {
	return DeriveFromTGK(f, ConstTEK, tgk, csID, csbID, rand, keyLen)
}

// DeriveTEKSalt derives the salting key (the SRTP master salt) of crypto
// session csID from a TGK (RFC 3830 §4.1.3, constant 0x39A2C14B). A salt
// carried in the Key data sub-payload takes precedence (§4.1.3).
func DeriveTEKSalt(f PRFFunc, tgk []byte, csID uint8, csbID uint32, rand []byte, saltLen int) ([]byte, error) {
	return DeriveFromTGK(f, ConstTEKSalt, tgk, csID, csbID, rand, saltLen)
}

// MessageKeys are the keys protecting a MIKEY message, derived from a
// pre-shared or envelope key (RFC 3830 §4.1.4).
type MessageKeys struct {
	Encr Secret // encr_key for the KEMAC Encr data
	Auth Secret // auth_key for the KEMAC MAC and the V payload
	Salt Secret // salt key for the AES-CM IV or AES-KW IV
}

// DeriveMessageKeys derives encr_key, auth_key and salt key from a
// pre-shared or envelope key (RFC 3830 §4.1.4: label constant || 0xFF ||
// csb_id || RAND with the constants 0x150533E1, 0x2D22AC75, 0x29B88916).
// A zero length skips that key.
func DeriveMessageKeys(f PRFFunc, inkey []byte, csbID uint32, rand []byte, encrLen, authLen, saltLen int) (MessageKeys, error) {
	var k MessageKeys
	var err error
	derive := func(c uint32, n int) Secret {
		if n == 0 || err != nil {
			return nil
		}
		var out []byte
		out, err = PRF(f, inkey, MessageKeyLabel(c, csbID, rand), n)
		return Secret(out)
	}
	k.Encr = derive(ConstMsgEncr, encrLen)
	k.Auth = derive(ConstMsgAuth, authLen)
	k.Salt = derive(ConstMsgSalt, saltLen)
	if err != nil {
		return MessageKeys{}, fmt.Errorf("derive MIKEY message keys: %w", err)
	}
	return k, nil
}
