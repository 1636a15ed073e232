package mikey

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func findField(f *Field, name string) *Field {
	if f.Name == name {
		return f
	}
	for _, c := range f.Children {
		if g := findField(c, name); g != nil {
			return g
		}
	}
	return nil
}

// TestTreeDecryptedKeyData shows how the key schedule adds decrypted Key
// data to the tree: it decodes the plaintext with ParseKeyData at the Encr
// data offset and sets KEMAC.KeyData.
func TestTreeDecryptedKeyData(t *testing.T) {
	km, err := ParseKeyMgmtAttribute("a=key-mgmt:mikey AQAFgM0XflABAAAAAAAAAAAAAAsAyONQ6gAAAAAGEEoo2pee4hp2UaDX8ZE22YwKAAAPZG9uYWxkQGR1Y2suY29tAQAAAAAAAQAk0JKpgaVkDaawi9whVBtBt0KZ14ymNuu62+Nv3ozPLygwK/GbAV9iemnGUIZ19fWQUOSrzKTAv9zV")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(km.Data)
	if err != nil {
		t.Fatal(err)
	}
	k := m.KEMAC()
	before := findField(m.Tree(), "Encr data")
	if before.Value != hex.EncodeToString(k.EncrData) || len(before.Children) != 0 || !strings.Contains(before.Meaning, "not decrypted") {
		t.Fatalf("encrypted Encr data field %+v", before)
	}
	// A stand-in plaintext of the same 36 bytes: TEK+SALT, 16-byte key,
	// 14-byte salt, KV Null (4 + 16 + 2 + 14 = 36).
	key, salt := bytes.Repeat([]byte{0x11}, 16), bytes.Repeat([]byte{0x22}, 14)
	plain, err := MarshalKeyData([]*KeyData{{Type: KeyTEKSalt, Key: key, Salt: salt}})
	if err != nil || len(plain) != len(k.EncrData) {
		t.Fatalf("%d bytes, %v", len(plain), err)
	}
	kds, err := ParseKeyData(plain, k.EncrDataOffset)
	if err != nil {
		t.Fatal(err)
	}
	k.KeyData, k.Decrypted = kds, true
	tree := m.Tree()
	ed := findField(tree, "Encr data")
	if len(ed.Children) != 1 || !strings.Contains(ed.Meaning, "decrypted") {
		t.Fatalf("%+v", ed)
	}
	kf := findField(ed, "Key data")
	keyField := kf.Children[4]
	if keyField.Name != "Key data" || keyField.Offset != k.EncrDataOffset+4 || keyField.Length != 16 || keyField.Value != "" ||
		!strings.Contains(keyField.Meaning, Fingerprint(key)) {
		t.Errorf("key field %+v", keyField)
	}
	checkTree(t, m)
	shown := findField(findField(m.TreeWith(TreeOptions{ShowSecrets: true}), "Encr data"), "Salt data")
	if shown.Value != hex.EncodeToString(salt) {
		t.Errorf("ShowSecrets salt field %+v", shown)
	}
	var sb strings.Builder
	if err := WriteTree(&sb, tree); err != nil || strings.Contains(sb.String(), hex.EncodeToString(key)) ||
		!strings.Contains(sb.String(), "      Key data: TEK+SALT, KV Null [75 +36]") {
		t.Errorf("text tree:\n%s", sb.String())
	}
}
