package mikey

import (
	"errors"
	"fmt"
)

// SealOptions adjusts SealKEMAC.
type SealOptions struct {
	// EncryptedID, when set, is placed as an ID payload before the Key data
	// inside the encrypted part (PK mode IDi, RFC 3830 §3.2; RSA-R IDr,
	// RFC 4738 §3.6), and the MAC then covers the KEMAC payload only with
	// its Next payload zeroed (RFC 3830 §5.2, §6.2).
	EncryptedID *IDPayload
	// RAND overrides the RAND payload of the message for the key
	// derivation (RSA-R with the RAND in the initiator's message; updates).
	RAND []byte
	// TS overrides the timestamp (when the message carries no T payload).
	TS *uint64
}

// SealKEMAC builds the protected KEMAC payload of m from a pre-shared or
// envelope key: it derives encr_key, auth_key and salt (RFC 3830 §4.1.4)
// with m's PRF, CSB ID and RAND, encrypts the marshalled Key data (§4.2.3)
// with the KEMAC's EncrAlg, marshals m, computes the MAC with the KEMAC's
// MACAlg over the bytes §5.2 prescribes, and leaves the final encoding in
// m.Raw with the KEMAC's EncrData and MAC set. m must contain a KEMAC
// payload with EncrAlg and MACAlg chosen; payloads that follow the KEMAC
// (PKE, SIGN) must be in place, and a SIGN must be sealed afterwards with
// SealSIGN.
func SealKEMAC(m *Message, inkey []byte, keyData []*KeyData, opts SealOptions) error {
	idx, k := kemacIndex(m)
	if k == nil {
		return errors.New("seal KEMAC: the message has no KEMAC payload")
	}
	encLen, saltLen, err := EncrKeyLengths(k.EncrAlg)
	if err != nil {
		return fmt.Errorf("seal KEMAC: %w", err)
	}
	authLen, macLen, err := MACLengths(k.MACAlg)
	if err != nil {
		return fmt.Errorf("seal KEMAC: %w", err)
	}
	rand := opts.RAND
	if rand == nil {
		if r := m.RAND(); r != nil {
			rand = r.Rand
		}
	}
	var ts uint64
	switch {
	case opts.TS != nil:
		ts = *opts.TS
	case m.Timestamp() != nil:
		if ts, err = Timestamp64(m.Timestamp()); err != nil {
			return fmt.Errorf("seal KEMAC: %w", err)
		}
	case k.EncrAlg == EncrAESCM128 || k.EncrAlg == EncrAESCM256:
		return errors.New("seal KEMAC: AES-CM needs a T payload for its IV")
	}
	var keys MessageKeys
	if encLen+authLen > 0 {
		if keys, err = DeriveMessageKeys(m.Header.PRF, inkey, m.Header.CSBID, rand, encLen, authLen, saltLen); err != nil {
			return fmt.Errorf("seal KEMAC: %w", err)
		}
	}
	var plain []byte
	if opts.EncryptedID != nil {
		if plain, err = opts.EncryptedID.AppendMarshal(nil, PayloadKeyData); err != nil {
			return fmt.Errorf("seal KEMAC: encrypted ID: %w", err)
		}
		if len(keyData) == 0 {
			plain[0] = byte(PayloadLast)
		}
	}
	if len(keyData) > 0 {
		kd, err := MarshalKeyData(keyData)
		if err != nil {
			return fmt.Errorf("seal KEMAC: %w", err)
		}
		plain = append(plain, kd...)
	}
	if k.EncrAlg == EncrAESKW128 {
		// RFC 3394 wraps whole 64-bit blocks of at least 128 bits; MIKEY
		// defines no padding, so zero bytes follow the last Key data (a
		// parser reads them as padding after the Last payload).
		for len(plain)%8 != 0 || len(plain) < 16 {
			plain = append(plain, 0)
		}
	}
	if k.EncrData, err = KEMACEncrypt(k.EncrAlg, keys.Encr, keys.Salt, m.Header.CSBID, ts, plain); err != nil {
		return fmt.Errorf("seal KEMAC: %w", err)
	}
	k.KeyData = nil
	k.MAC = make([]byte, macLen)
	raw, err := m.Marshal()
	if err != nil {
		return fmt.Errorf("seal KEMAC: %w", err)
	}
	end, err := payloadEnd(m, idx)
	if err != nil {
		return err
	}
	macOff := end - macLen
	start := macOff - 1 - len(k.EncrData) - 4
	if start < 0 || end > len(raw) {
		return fmt.Errorf("seal KEMAC: KEMAC at %d..%d outside the %d-byte encoding", start, end, len(raw))
	}
	if k.MACAlg != MACNULL {
		var parts [][]byte
		if opts.EncryptedID != nil {
			parts = [][]byte{{0}, raw[start+1 : macOff]}
		} else {
			parts = [][]byte{raw[:macOff]}
		}
		mac, err := ComputeMAC(k.MACAlg, keys.Auth, parts...)
		if err != nil {
			return fmt.Errorf("seal KEMAC: %w", err)
		}
		copy(raw[macOff:end], mac)
		k.MAC = mac
	}
	m.Raw = raw
	return nil
}

// kemacIndex finds the KEMAC payload and its index in m.Payloads.
func kemacIndex(m *Message) (int, *KEMACPayload) {
	for i, p := range m.Payloads {
		if k, ok := p.(*KEMACPayload); ok {
			return i, k
		}
	}
	return -1, nil
}

// payloadEnd returns the offset just past payload idx in the encoding of
// m: the length of the encoding of the message cut after that payload
// (only Next payload values differ between the two encodings).
func payloadEnd(m *Message, idx int) (int, error) {
	prefix := &Message{Header: m.Header, Payloads: m.Payloads[:idx+1]}
	b, err := prefix.Marshal()
	if err != nil {
		return 0, fmt.Errorf("seal: %w", err)
	}
	return len(b), nil
}
