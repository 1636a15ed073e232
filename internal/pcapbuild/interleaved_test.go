package pcapbuild

import (
	"bytes"
	"testing"
)

func TestAppendInterleaved(t *testing.T) {
	got, err := AppendInterleaved([]byte("x"), 2, []byte{0x80, 0x60, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{'x', '$', 2, 0, 4, 0x80, 0x60, 0, 1}; !bytes.Equal(got, want) {
		t.Fatalf("got %x want %x", got, want)
	}
	if _, err := AppendInterleaved(nil, 0, make([]byte, 0x10000)); err == nil {
		t.Fatal("65536-byte packet accepted")
	}
}
