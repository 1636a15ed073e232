package main

import (
	"io"
	"strings"
	"testing"
)

// FuzzDecodeInput checks the input recogniser and the whole decode path on
// arbitrary text: no panic, and exit status 0 or 2 only.
func FuzzDecodeInput(f *testing.F) {
	f.Add(onvifSetup)
	f.Add("a=key-mgmt:mikey " + onvifSetup)
	f.Add(`KeyMgmt: prot=mikey;uri="";data="` + onvifSetup + `"`)
	f.Add(milestoneHex)
	f.Add("01000500123456780001 1e00c8e350ea00000000")
	f.Fuzz(func(t *testing.T, s string) {
		decodeInput(s)
		if code := run([]string{"decode", "--json", s}, strings.NewReader(s), io.Discard, io.Discard); code != 0 && code != 2 {
			t.Fatalf("exit %d", code)
		}
	})
}
