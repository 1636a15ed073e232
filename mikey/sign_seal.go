package mikey

import (
	"crypto"
	"crypto/rsa"
	"errors"
	"fmt"
)

// SealSIGN signs m with an RSA private key: it marshals m with a
// placeholder signature in its SIGN payload (which must be the last
// payload, RFC 3830 §6.5), signs the encoding up to the Signature field
// followed by extra (RFC 4738 §3.6 appends IDi || IDr || T for RSA-R;
// nothing for RFC 3830), and leaves the final encoding in m.Raw. For RSA-R
// pass withoutHeader to sign the message without the SIGN payload's first
// two bytes, as RFC 4738 §3.6 words it.
func SealSIGN(m *Message, priv *rsa.PrivateKey, stype SignType, h crypto.Hash, withoutHeader bool, extra ...[]byte) error {
	if priv == nil {
		return errors.New("seal SIGN: no RSA private key")
	}
	if len(m.Payloads) == 0 {
		return errors.New("seal SIGN: no payloads")
	}
	s, ok := m.Payloads[len(m.Payloads)-1].(*SIGNPayload)
	if !ok {
		return errors.New("seal SIGN: the last payload is not SIGN")
	}
	s.SType = stype
	s.Signature = make([]byte, priv.Size())
	raw, err := m.Marshal()
	if err != nil {
		return fmt.Errorf("seal SIGN: %w", err)
	}
	sigOff := len(raw) - priv.Size()
	cut := sigOff
	if withoutHeader {
		cut -= 2
	}
	sig, err := SignRSA(priv, stype, h, concat(append([][]byte{raw[:cut]}, extra...)...))
	if err != nil {
		return fmt.Errorf("seal SIGN: %w", err)
	}
	copy(raw[sigOff:], sig)
	s.Signature = sig
	m.Raw = raw
	return nil
}
