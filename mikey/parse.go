package mikey

import "errors"

// Parse decodes a MIKEY message (RFC 3830 §6). On error it returns the part
// that decoded, together with a *ParseError naming the offset and payload.
// The Message aliases b (see Message).
func Parse(b []byte) (*Message, error) {
	m := new(Message)
	err := m.Unmarshal(b)
	return m, err
}

// Unmarshal decodes b into m, reusing m's memory: pointers obtained from a
// previous decode into m become invalid.
func (m *Message) Unmarshal(b []byte) error {
	return errors.New("not yet implemented")
}
