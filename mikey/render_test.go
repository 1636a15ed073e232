package mikey

import (
	"strings"
	"testing"
)

func TestFieldLabel(t *testing.T) {
	for _, tc := range []struct {
		f    Field
		want string
	}{
		{Field{Name: "HDR", Offset: 0, Length: 10}, "HDR [0 +10]"},
		{Field{Name: "version", Value: "1", Offset: 0, Length: 1}, "version: 1 [0 +1]"},
		{Field{Name: "data type", Value: "0", Meaning: "Pre-shared", Offset: 1, Length: 1}, "data type: 0 (Pre-shared) [1 +1]"},
		{Field{Name: "KEMAC", Meaning: "encrypted", Offset: 30, Length: 42}, "KEMAC: encrypted [30 +42]"},
		{Field{Name: "raw \x1b", Value: "\u202e", Offset: -1}, "raw \x1b: \u202e [-1 +0]"}, // raw: the views escape
	} {
		if got := tc.f.Label(); got != tc.want {
			t.Errorf("Label(%+v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

func TestWriteTreeLabels(t *testing.T) {
	tree := &Field{Name: "MIKEY", Length: 3, Children: []*Field{
		{Name: "HDR", Length: 2, Children: []*Field{{Name: "version", Value: "1", Length: 1}}},
		{Name: "T", Value: "0x01", Meaning: "NTP-UTC", Offset: 2, Length: 1},
	}}
	var b strings.Builder
	if err := WriteTree(&b, tree); err != nil {
		t.Fatal(err)
	}
	want := "MIKEY [0 +3]\n  HDR [0 +2]\n    version: 1 [0 +1]\n  T: 0x01 (NTP-UTC) [2 +1]\n"
	if b.String() != want {
		t.Errorf("WriteTree:\n%s\nwant\n%s", b.String(), want)
	}
}
