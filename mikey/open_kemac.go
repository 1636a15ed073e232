package mikey

import (
	"errors"
	"fmt"
)

// MAC coverage variants for a KEMAC MAC.
const (
	// VariantRFC is the layout the RFC prescribes: the whole message up to
	// the MAC for PSK and DHHMAC (RFC 3830 §5.2, RFC 4650 §4.2); the KEMAC
	// payload up to the MAC with its Next payload set to zero for PK and
	// RSA-R (RFC 3830 §5.2, §6.2).
	VariantRFC = "RFC"
	// VariantKEMACAsSent: PK mode, the KEMAC payload with its Next payload
	// field as sent (not zeroed).
	VariantKEMACAsSent = "KEMAC payload with Next payload not zeroed"
	// VariantWholeMessage: PK mode, the whole message up to the MAC, as in
	// the PSK mode.
	VariantWholeMessage = "whole message up to the MAC (PSK layout)"
	// VariantKEMACNoNext: PK mode, the KEMAC payload without its Next
	// payload byte (libmikey's layout).
	VariantKEMACNoNext = "KEMAC payload without its Next payload byte (libmikey)"
)

// errKeyDataGarbage is returned when decrypted Key data does not parse: with
// no MAC, the sign of a wrong key.
var errKeyDataGarbage = errors.New("decrypted key data does not parse")

// macInput is one candidate layout of the bytes a MAC covers.
type macInput struct {
	name  string
	parts [][]byte
}

// kemacMACInputs returns the candidate MAC inputs of a KEMAC in m. pkStyle
// selects the PK/RSA-R coverage (the KEMAC payload only).
func kemacMACInputs(m *Message, k *KEMACPayload, pkStyle bool) ([]macInput, error) {
	if k.MACOffset < 0 || k.MACOffset > len(m.Raw) || k.Offset < 0 || k.Offset >= k.MACOffset {
		return nil, fmt.Errorf("KEMAC MAC offset %d outside the %d-byte message", k.MACOffset, len(m.Raw))
	}
	whole := m.Raw[:k.MACOffset]
	if !pkStyle {
		return []macInput{{VariantRFC, [][]byte{whole}}}, nil
	}
	payload := m.Raw[k.Offset:k.MACOffset]
	return []macInput{
		{VariantRFC, [][]byte{{0}, payload[1:]}},
		{VariantKEMACAsSent, [][]byte{payload}},
		{VariantWholeMessage, [][]byte{whole}},
		{VariantKEMACNoNext, [][]byte{payload[1:]}},
	}, nil
}

// kemacOpening is the result of opening a KEMAC with one key.
type kemacOpening struct {
	macVariant string
	keyData    []*KeyData
	id         []byte // encrypted identity (PK, RSA-R)
	keys       MessageKeys
}

// openKEMAC opens a KEMAC with a pre-shared or envelope key (RFC 3830
// §4.1.4, §4.2.3, §5.2). It verifies the MAC first when there is one and
// returns errMACMismatch if no layout verifies; then it decrypts and parses
// the Key data (after an encrypted ID payload when withID is set).
func openKEMAC(m *Message, k *KEMACPayload, prf PRFFunc, inkey []byte, csbID uint32, rand []byte, ts uint64, pkStyle, withID bool) (*kemacOpening, error) {
	encLen, saltLen, err := EncrKeyLengths(k.EncrAlg)
	if err != nil {
		return nil, err
	}
	authLen, macLen, err := MACLengths(k.MACAlg)
	if err != nil {
		return nil, err
	}
	if len(k.MAC) != macLen {
		return nil, fmt.Errorf("KEMAC MAC is %d bytes, %v needs %d", len(k.MAC), k.MACAlg, macLen)
	}
	keys, err := DeriveMessageKeys(prf, inkey, csbID, rand, encLen, authLen, saltLen)
	if err != nil {
		return nil, err
	}
	o := &kemacOpening{keys: keys}
	if k.MACAlg != MACNULL {
		inputs, err := kemacMACInputs(m, k, pkStyle)
		if err != nil {
			return nil, err
		}
		for _, in := range inputs {
			ok, err := VerifyMAC(k.MACAlg, keys.Auth, k.MAC, in.parts...)
			if err != nil {
				return nil, err
			}
			if ok {
				o.macVariant = in.name
				break
			}
		}
		if o.macVariant == "" {
			return nil, errMACMismatch
		}
	}
	plain, err := KEMACDecrypt(k.EncrAlg, keys.Encr, keys.Salt, csbID, ts, k.EncrData)
	if err != nil {
		return nil, err
	}
	if withID {
		o.id, plain, err = splitEncryptedID(plain)
		if err != nil {
			return nil, err
		}
	}
	if len(plain) > 0 {
		o.keyData, err = ParseKeyData(plain, 0)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errKeyDataGarbage, err)
		}
	}
	return o, nil
}

// errMACMismatch is returned when a key's derived auth_key does not
// reproduce the MAC.
var errMACMismatch = errors.New("MAC mismatch")

// splitEncryptedID splits the ID payload that heads the decrypted KEMAC of
// the PK and RSA-R modes (RFC 3830 §3.2 "E(encr_key, IDi || {TGK})",
// RFC 4738 §3.6) from the Key data that follows: Next payload (1), ID type
// (1), ID len (2), ID data.
func splitEncryptedID(plain []byte) (id, rest []byte, err error) {
	if len(plain) < 4 {
		return nil, nil, fmt.Errorf("%w: encrypted ID payload truncated at offset 0", errKeyDataGarbage)
	}
	next := PayloadType(plain[0])
	n := int(plain[2])<<8 | int(plain[3])
	if 4+n > len(plain) {
		return nil, nil, fmt.Errorf("%w: encrypted ID of %d bytes at offset 4 exceeds the %d decrypted bytes", errKeyDataGarbage, n, len(plain))
	}
	if next != PayloadKeyData && next != PayloadLast {
		return nil, nil, fmt.Errorf("%w: encrypted ID is followed by payload %d, want Key data", errKeyDataGarbage, next)
	}
	return plain[4 : 4+n], plain[4+n:], nil
}
