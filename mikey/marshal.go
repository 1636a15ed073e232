package mikey

import "errors"

// Marshal encodes the message: the header, then the payloads with the next
// payload fields and lengths computed (RFC 3830 §6).
func (m *Message) Marshal() ([]byte, error) { return m.AppendMarshal(nil) }

// AppendMarshal appends the encoding of m to b.
func (m *Message) AppendMarshal(b []byte) ([]byte, error) {
	return b, errors.New("not yet implemented")
}

// MarshalKeyData encodes Key data sub-payloads as the plaintext of a KEMAC
// Encr data field (RFC 3830 §6.13), with next payload fields chaining them.
func MarshalKeyData(kds []*KeyData) ([]byte, error) {
	return nil, errors.New("not yet implemented")
}

// ParseKeyData decodes the Key data sub-payloads of a KEMAC Encr data field
// once decrypted (RFC 3830 §6.13). base is the offset to record in their
// spans; see KEMACPayload.
func ParseKeyData(b []byte, base int) ([]*KeyData, error) {
	return nil, errors.New("not yet implemented")
}

// Tree returns the field tree of the message: header, every payload and
// every field, with offsets in Raw.
func (m *Message) Tree() *Field { return m.TreeWith(TreeOptions{}) }

// TreeWith is Tree with options.
func (m *Message) TreeWith(opt TreeOptions) *Field { return &Field{Name: "MIKEY"} }

// KeyDataTree renders Key data sub-payloads (for example decrypted ones).
func KeyDataTree(kds []*KeyData, opt TreeOptions) *Field { return &Field{Name: "Key data"} }
