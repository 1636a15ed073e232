package mikey

import (
	"crypto/hmac"
	"crypto/sha256"
	"testing"
)

func TestComputeMAC(t *testing.T) {
	key := seq(32, 1)
	// HMAC-SHA-1 RFC 2202 test case 2: key "Jefe", data "what do ya want for nothing?".
	got, err := ComputeMAC(MACHMACSHA1160, []byte("Jefe"), []byte("what do ya want "), []byte("for nothing?"))
	if err != nil || len(got) != 20 {
		t.Fatal(err)
	}
	if h := mustHex(t, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"); !hmac.Equal(got, h) {
		t.Fatalf("HMAC-SHA-1 %x", got)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("abc"))
	got, _ = ComputeMAC(MACHMACSHA256256, key, []byte("a"), []byte("bc"))
	if !hmac.Equal(got, m.Sum(nil)) {
		t.Fatal("HMAC-SHA-256 mismatch")
	}
	ok, err := VerifyMAC(MACHMACSHA256256, key, got, []byte("abc"))
	if !ok || err != nil {
		t.Fatal("verify failed")
	}
	got[0] ^= 1
	if ok, _ := VerifyMAC(MACHMACSHA256256, key, got, []byte("abc")); ok {
		t.Fatal("bad MAC verified")
	}
	if _, err := ComputeMAC(7, key); err == nil {
		t.Fatal("unknown MAC alg accepted")
	}
	if n, l, _ := MACLengths(MACHMACSHA1160); n != 20 || l != 20 {
		t.Fatal("lengths")
	}
}
