package mikey

import (
	"bytes"
	"testing"
)

// seedMessages returns every test message: the published vectors, the
// hand-written payload cases, the parse error cases and the built messages.
func seedMessages(t testing.TB) [][]byte {
	var out [][]byte
	for _, v := range loadVectors(t) {
		out = append(out, v.bytes(t))
	}
	for _, c := range payloadCases {
		out = append(out, hx(t, c.in))
	}
	for _, c := range errCases {
		out = append(out, hx(t, c.in))
	}
	for _, m := range builtMessages() {
		b, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzParse checks that Parse never panics, that the tree of whatever
// decoded stays inside the message, and that a message that decodes without
// error encodes back to the same bytes (less trailing bytes, which Marshal
// does not write).
func FuzzParse(f *testing.F) {
	for _, b := range seedMessages(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if m == nil {
			t.Fatal("nil message")
		}
		checkTreeBounds(t, m.Tree(), len(b))
		if err != nil {
			return
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a decoded message: %v", err)
		}
		want := b
		if len(m.Trailing) > 0 {
			want = b[:m.TrailingOffset]
		}
		if !bytes.Equal(out, want) {
			t.Fatalf("Marshal(Parse(b)) != b\n got %x\nwant %x", out, want)
		}
		// Reusing a Message gives the same result.
		var again Message
		again.Unmarshal(out)
		if again.Unmarshal(b) != nil || len(again.Payloads) != len(m.Payloads) {
			t.Fatal("Unmarshal into a reused Message differs")
		}
	})
}

func checkTreeBounds(t *testing.T, f *Field, n int) {
	if f.Offset < 0 || f.Length < 0 || f.Offset+f.Length > n {
		t.Fatalf("field %q [%d +%d] outside the %d-byte message", f.Name, f.Offset, f.Length, n)
	}
	for _, c := range f.Children {
		checkTreeBounds(t, c, n)
	}
}

// FuzzParseKeyData checks the Key data sub-payload decoder on its own, as
// used on decrypted KEMAC data: no panic, and a round trip for valid input.
func FuzzParseKeyData(f *testing.F) {
	for _, b := range seedMessages(f) {
		if m, err := Parse(b); err == nil && m.KEMAC() != nil {
			f.Add(m.KEMAC().EncrData)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		kds, err := ParseKeyData(b, 0)
		if err != nil {
			return
		}
		out, err := MarshalKeyData(kds)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, b[:len(out)]) || !allZero(b[len(out):]) {
			t.Fatalf("MarshalKeyData(ParseKeyData(b)) = %x, b = %x", out, b)
		}
	})
}

// FuzzKeyMgmt checks the RFC 4567 carriers: no panic, and the data of a
// mikey item decodes without panicking.
func FuzzKeyMgmt(f *testing.F) {
	f.Add(`a=key-mgmt:mikey AQAFgM0XflABAAAAAAAAAAAAAAsAyONQ6gAAAAAGEEoo2pee4hp2`)
	f.Add(`prot=mikey; uri="rtsp://movie.example.com/action"; data="AQEFgM0XflABAAAAAAAAAAAAAAYAyONQ6g=="`)
	f.Add(`prot=mikey;uri="";data="AQAFAP1td9ABAADCD1Uc", prot=other;data="eA"`)
	f.Add(`key-mgmt:mikey AQAB`)
	f.Fuzz(func(t *testing.T, s string) {
		if km, err := ParseKeyMgmtAttribute(s); err == nil {
			if len(km.Data) > len(s) {
				t.Fatalf("%d bytes decoded from %d characters", len(km.Data), len(s))
			}
			Parse(km.Data)
		}
		kms, err := ParseKeyMgmtHeader(s)
		if err == nil && len(kms) == 0 {
			t.Fatal("no items and no error")
		}
		for _, km := range kms {
			if len(km.Data) > len(s) {
				t.Fatalf("%d bytes decoded from %d characters", len(km.Data), len(s))
			}
			Parse(km.Data)
		}
	})
}
