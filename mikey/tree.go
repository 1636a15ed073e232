package mikey

import (
	"encoding/hex"
	"strconv"
)

// TreeOptions controls how the field tree is rendered.
type TreeOptions struct {
	// ShowSecrets prints the key and salt bytes of Key data sub-payloads.
	// By default the Value is empty and the Meaning gives the length and
	// fingerprint (see Fingerprint).
	ShowSecrets bool
}

// treeBuilder renders payloads into Fields.
type treeBuilder struct {
	opt TreeOptions
}

// Tree returns the field tree of the message: the header, every payload
// and every field, with offsets and lengths in Raw. Key data sub-payloads
// are included when KEMAC.KeyData is set (NULL encryption, or after
// decryption). Secrets are hidden; see TreeWith.
func (m *Message) Tree() *Field { return m.TreeWith(TreeOptions{}) }

// TreeWith is Tree with options.
func (m *Message) TreeWith(opt TreeOptions) *Field {
	t := &treeBuilder{opt: opt}
	root := &Field{Name: "MIKEY message", Offset: 0, Length: len(m.Raw),
		Meaning: m.Header.DataType.String()}
	end := 0
	if m.Header.Length > 0 {
		root.Add(m.Header.tree(t))
		end = m.Header.End()
	}
	for _, p := range m.Payloads {
		root.Add(p.tree(t))
		end = p.Extent().End()
	}
	if len(m.Trailing) > 0 {
		root.Add(bytesField("Trailing bytes", m.Trailing, m.TrailingOffset, "not part of any payload"))
	} else if end < len(m.Raw) {
		root.Add(bytesField("Undecoded bytes", m.Raw[end:], end, "not decoded because of an error"))
	}
	return root
}

// KeyDataTree renders Key data sub-payloads, for example those decrypted
// from an encrypted KEMAC and decoded with ParseKeyData; their offsets are
// those recorded by ParseKeyData.
func KeyDataTree(kds []*KeyData, opt TreeOptions) *Field {
	t := &treeBuilder{opt: opt}
	f := &Field{Name: "Key data sub-payloads"}
	if len(kds) > 0 {
		f.Offset = kds[0].Offset
		last := kds[len(kds)-1]
		f.Length = last.Offset + last.Length - f.Offset
	}
	for _, kd := range kds {
		f.Add(kd.tree(t))
	}
	return f
}

// payloadNode is the node of a payload with its Next payload child.
func payloadNode(p Payload, meaning string) *Field {
	b := p.base()
	f := &Field{Name: p.Type().String(), Meaning: meaning, Offset: b.Offset, Length: b.Length}
	if p.Type() != PayloadSIGN {
		f.Add(enumField("Next payload", uint64(b.Next), b.Next.String(), b.Offset, 1))
	}
	return f
}

func enumField(name string, v uint64, meaning string, off, n int) *Field {
	return &Field{Name: name, Value: strconv.FormatUint(v, 10), Meaning: meaning, Offset: off, Length: n}
}

func numField(name string, v uint64, off, n int) *Field {
	return &Field{Name: name, Value: strconv.FormatUint(v, 10), Offset: off, Length: n}
}

func hexNumField(name string, v uint64, digits int, off, n int) *Field {
	s := strconv.FormatUint(v, 16)
	for len(s) < digits {
		s = "0" + s
	}
	return &Field{Name: name, Value: "0x" + s, Offset: off, Length: n}
}

func bytesField(name string, b []byte, off int, meaning string) *Field {
	return &Field{Name: name, Value: hex.EncodeToString(b), Meaning: meaning, Offset: off, Length: len(b)}
}

// textField shows bytes that are normally text (identities, URIs).
func textField(name string, b []byte, off int) *Field {
	f := bytesField(name, b, off, "")
	if printable(b) {
		f.Meaning = strconv.Quote(string(b))
	}
	return f
}

// secretField shows key material only when asked.
func (t *treeBuilder) secretField(name string, b []byte, off int) *Field {
	meaning := strconv.Itoa(len(b)) + " bytes, fingerprint " + Fingerprint(b)
	if len(b) == 0 {
		meaning = "empty"
	}
	f := &Field{Name: name, Meaning: meaning, Offset: off, Length: len(b)}
	if t.opt.ShowSecrets {
		f.Value = hex.EncodeToString(b)
	}
	return f
}

func flagField(name string, set bool, off int, on, off2 string) *Field {
	if set {
		return &Field{Name: name, Value: "1", Meaning: on, Offset: off, Length: 1}
	}
	return &Field{Name: name, Value: "0", Meaning: off2, Offset: off, Length: 1}
}

func printable(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + one + "s"
}

func hexString(b []byte) string { return hex.EncodeToString(b) }
