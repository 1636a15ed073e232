package mikey

import (
	"errors"
	"fmt"
)

// SealV builds the V payload of a verification message m (RFC 3830 §5.2,
// §6.9): auth_key is derived from inkey (the PSK, or the envelope key in
// PK mode) with m's PRF and CSB ID and the initiator's RAND; the MAC covers
// the encoding of m up to Ver data followed by in.IDi || in.IDr || in.TS.
// The V payload must be the last payload and have its AuthAlg set; the
// final encoding is left in m.Raw.
func SealV(m *Message, inkey, rand []byte, in VInput) error {
	if len(m.Payloads) == 0 {
		return errors.New("seal V: no payloads")
	}
	v, ok := m.Payloads[len(m.Payloads)-1].(*VPayload)
	if !ok {
		return errors.New("seal V: the last payload is not V")
	}
	authLen, macLen, err := MACLengths(v.AuthAlg)
	if err != nil {
		return fmt.Errorf("seal V: %w", err)
	}
	keys, err := DeriveMessageKeys(m.Header.PRF, inkey, m.Header.CSBID, rand, 0, authLen, 0)
	if err != nil {
		return fmt.Errorf("seal V: %w", err)
	}
	v.VerData = make([]byte, macLen)
	raw, err := m.Marshal()
	if err != nil {
		return fmt.Errorf("seal V: %w", err)
	}
	off := len(raw) - macLen
	mac, err := ComputeMAC(v.AuthAlg, keys.Auth, raw[:off], in.IDi, in.IDr, in.TS)
	if err != nil {
		return fmt.Errorf("seal V: %w", err)
	}
	copy(raw[off:], mac)
	v.VerData = mac
	m.Raw = raw
	return nil
}
