package mikey

import "fmt"

// Marshal encodes the message (RFC 3830 §6): the header, then the payloads
// in order, with every Next payload field and every length computed from
// the payloads themselves (PayloadBase.Next and Span are ignored). Trailing
// bytes are not written. A KEMAC, V or SIGN whose MAC/signature is empty is
// written with a zero placeholder of the algorithm's length, to be
// overwritten once computed over the encoding (see Message.AuthField).
func (m *Message) Marshal() ([]byte, error) { return m.AppendMarshal(nil) }

// AppendMarshal appends the encoding of m to b.
func (m *Message) AppendMarshal(b []byte) ([]byte, error) {
	first := PayloadLast
	if len(m.Payloads) > 0 {
		first = m.Payloads[0].Type()
	}
	b, err := m.Header.appendMarshal(b, first)
	if err != nil {
		return b, err
	}
	return appendPayloads(b, m.Payloads)
}

// appendPayloads encodes a payload chain, each pointing at the next.
func appendPayloads(b []byte, ps []Payload) ([]byte, error) {
	for i, p := range ps {
		next := PayloadLast
		if i+1 < len(ps) {
			next = ps[i+1].Type()
		}
		if p.Type() == PayloadSIGN && i+1 < len(ps) {
			return b, fmt.Errorf("mikey: SIGN payload must be last (RFC 3830 §6.5), %d payloads follow", len(ps)-i-1)
		}
		var err error
		if b, err = p.AppendMarshal(b, next); err != nil {
			return b, err
		}
	}
	return b, nil
}

// Build marshals the message and then parses the encoding back into m, so
// that Raw, every offset and the field tree are those of the encoding.
func (m *Message) Build() ([]byte, error) {
	b, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	if err := m.Unmarshal(b); err != nil {
		return b, fmt.Errorf("mikey: Build: the encoding does not decode: %w", err)
	}
	return b, nil
}
