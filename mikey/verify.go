package mikey

import (
	"fmt"
)

// V payload input variants (RFC 3830 §5.2, §6.9).
const (
	// VVariantRFC: the responder's message up to Ver data, then
	// Identity_i || Identity_r || Timestamp (RFC 3830 §5.2).
	VVariantRFC = "RFC 3830 §5.2: message || IDi || IDr || T"
	// VVariantNoIDs: the identities left out (message || T), as
	// implementations do when no ID payload is sent.
	VVariantNoIDs = "message || T (identities left out)"
	// VVariantSwapped: the identities in the wrong order.
	VVariantSwapped = "message || IDr || IDi || T (identities swapped)"
	// VVariantMessageOnly: the message alone.
	VVariantMessageOnly = "message only"
	// VVariantTS64: RFC layout with a 32-bit timestamp padded to 64 bits.
	VVariantTS64 = "message || IDi || IDr || T padded to 64 bits"
)

// VInput is what a V payload's MAC covers besides the message: the two
// identities and the timestamp value as carried in the T payload.
type VInput struct {
	IDi, IDr []byte
	// TS is the TS value bytes of the T payload (8 bytes for NTP-UTC and
	// NTP, 4 for COUNTER and NTP-UTC-32).
	TS []byte
}

// tsBytes returns the TS value bytes of a T payload as they appear in raw.
func tsBytes(raw []byte, t *TPayload) []byte {
	if t == nil {
		return nil
	}
	start, end := t.Offset+2, t.End()
	if start < 0 || end > len(raw) || start > end {
		return nil
	}
	return raw[start:end]
}

func vVariants(msg []byte, in VInput) []macInput {
	vs := []macInput{{VVariantRFC, [][]byte{msg, in.IDi, in.IDr, in.TS}}}
	if len(in.IDi)+len(in.IDr) > 0 {
		vs = append(vs, macInput{VVariantNoIDs, [][]byte{msg, in.TS}})
		vs = append(vs, macInput{VVariantSwapped, [][]byte{msg, in.IDr, in.IDi, in.TS}})
	}
	vs = append(vs, macInput{VVariantMessageOnly, [][]byte{msg}})
	if len(in.TS) == 4 {
		ts64 := append(make([]byte, 4), in.TS...)
		vs = append(vs, macInput{VVariantTS64, [][]byte{msg, in.IDi, in.IDr, ts64}})
	}
	return vs
}

// VerifyV checks the V payload of a verification message m with auth_key
// (derived from the PSK or envelope key, RFC 3830 §4.1.4) over the layouts
// of vVariants, the RFC one first. It returns the variant that verified, or
// "" when none did.
func VerifyV(m *Message, v *VPayload, authKey []byte, in VInput) (string, error) {
	if v.VerDataOffset < 0 || v.VerDataOffset > len(m.Raw) {
		return "", fmt.Errorf("V payload Ver data offset %d outside the %d-byte message", v.VerDataOffset, len(m.Raw))
	}
	for _, c := range vVariants(m.Raw[:v.VerDataOffset], in) {
		ok, err := VerifyMAC(v.AuthAlg, authKey, v.VerData, c.parts...)
		if err != nil {
			return "", err
		}
		if ok {
			return c.name, nil
		}
	}
	return "", nil
}

// exchangeIdentities finds Identity_i and Identity_r for the V payload and
// RSA-R signatures: options first, then IDR payloads with roles, then ID
// payloads (the initiator's message lists IDi then IDr, RFC 3830 §3.1; the
// responder's message carries IDr, and IDi too in DH modes).
func exchangeIdentities(init, resp *Message, opts OpenOptions) (idi, idr []byte) {
	idi, idr = opts.InitiatorID, opts.ResponderID
	for _, m := range []*Message{init, resp} {
		if m == nil {
			continue
		}
		if p := m.IDR(RoleInitiator); p != nil && idi == nil {
			idi = p.Data
		}
		if p := m.IDR(RoleResponder); p != nil && idr == nil {
			idr = p.Data
		}
	}
	if init != nil {
		ids := init.IDs()
		if len(ids) == 1 && len(init.CERTs()) > 0 {
			// [IDi|CERTi], [IDr] (RFC 3830 §3.2): with CERTi, the only ID
			// payload is IDr.
			if idr == nil {
				idr = ids[0].Data
			}
			ids = nil
		}
		if len(ids) > 0 && idi == nil {
			idi = ids[0].Data
		}
		if len(ids) > 1 && idr == nil {
			idr = ids[1].Data
		}
	}
	if resp != nil && idr == nil {
		if ids := resp.IDs(); len(ids) > 0 {
			idr = ids[0].Data
		}
	}
	return idi, idr
}
