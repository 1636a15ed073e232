package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/mikeyscope/mikeyscope/mikey"
)

// TestSampleRegeneratesIdentically: the committed capture and keys files
// are what the generator writes, byte for byte (the KMS, the SSV, the
// ECCSI ephemeral and the SRTP are all deterministic), and stay small.
func TestSampleRegeneratesIdentically(t *testing.T) {
	files, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range files {
		want, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatalf("%s: %v (run go run ./samples/sakke/gen)", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the committed file (%d vs %d bytes)", name, len(got), len(want))
		}
		if len(got) > 200<<10 {
			t.Errorf("%s is %d bytes", name, len(got))
		}
	}
}

// TestMessageOpens: the I_MESSAGE verifies and decapsulates with bob's
// November RSK (mikey.OpenSAKKE), giving the SSV that was sent; with the
// October RSK it does not.
func TestMessageOpens(t *testing.T) {
	kms, err := NewKMS("mikeyscope samples/sakke KMS")
	if err != nil {
		t.Fatal(err)
	}
	m, ssv, err := kms.Message()
	if err != nil {
		t.Fatal(err)
	}
	k := mikey.SAKKEKeys{RSKs: []mikey.Secret{kms.RSKBob}, Zs: [][]byte{kms.Z}, KPAKs: [][]byte{kms.KPAK}}
	res, err := mikey.OpenSAKKE(m, k, mikey.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Signature.Status != mikey.AuthVerified || res.Decap != mikey.SAKKEDecapsulated || !bytes.Equal(res.SSV, ssv) || len(res.Sessions) != 2 {
		t.Fatalf("open: signature %v, decap %v, %d sessions", res.Signature.Status, res.Decap, len(res.Sessions))
	}
	k.RSKs = []mikey.Secret{kms.RSKBobOct}
	if res, _ = mikey.OpenSAKKE(m, k, mikey.OpenOptions{}); res.Decap != mikey.SAKKERSKInvalid || res.RSKMonth != "2026-10" {
		t.Fatalf("October RSK: decap %v, RSK month %q", res.Decap, res.RSKMonth)
	}
}
