package srtp

import (
	"bytes"
	"crypto/aes"
	"testing"
	"time"
)

// TestHeaderExtVectors checks RFC 6904 A.1 (header key derivation, labels
// 6 and 7) and A.2 (encryption of the elements with IDs 1, 3 and 4) through
// a whole SRTP packet keyed by the RFC 3711 B.3 master key.
func TestHeaderExtVectors(t *testing.T) {
	mk := unhex(t, "E1F97A0D3E018BE0D64FA32C06DE4139")
	ms := unhex(t, "0EC675AD498AFEEBB6960B3AABE6")
	prf, _ := aes.NewCipher(mk)
	key, salt := make([]byte, 16), make([]byte, 14)
	prfOutput(prf, ms, labelHeaderKey, 0, key)
	prfOutput(prf, ms, labelHeaderSalt, 0, salt)
	if want := unhex(t, "549752054D6FB708622C4A2E596A1B93"); !bytes.Equal(key, want) {
		t.Fatalf("header key %x, want %x", key, want)
	}
	if want := unhex(t, "AB01818174C40D39A3781F7C2D27"); !bytes.Equal(salt, want) {
		t.Fatalf("header salt %x, want %x", salt, want)
	}

	p := DefaultPolicy()
	for _, id := range []uint8{1, 3, 4} {
		p.HeaderExtIDs.Add(id)
	}
	c := mustContext(t, p, MasterKey{Key: mk, Salt: ms})
	ext := unhex(t, "17 414273A475262748 22 0000C8 30 8E 46 55996386B395FB 00")
	want := unhex(t, "17588A9270F4E15E1C220000C8309546 A994F0BC54789700")
	plain := append(unhex(t, "90 60 1234 00000000 CAFEBABE BEDE 0006"), ext...)
	plain = append(plain, []byte("payload")...)
	pkt, err := c.SealRTP(nil, plain, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := pkt[16:40]; !bytes.Equal(got, want) {
		t.Fatalf("encrypted extension\n got %x\nwant %x", got, want)
	}
	out, res, err := c.DecryptRTP(nil, pkt, NewStream(0), time.Time{})
	if err != nil || !res.Authenticated {
		t.Fatal(err)
	}
	if !bytes.Equal(out, plain) {
		t.Fatalf("decrypted\n got %x\nwant %x", out, plain)
	}
	// Two-byte elements round-trip and leave unlisted IDs alone.
	plain2 := append(unhex(t, "90 60 0001 00000000 CAFEBABE 1000 0002 01 02 aaaa 02 01 bb 00"), 1, 2, 3)
	pkt2, err := c.SealRTP(nil, plain2, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(pkt2[18:20], plain2[18:20]) || pkt2[22] != 0xbb {
		t.Fatalf("two-byte elements: %x", pkt2[:24])
	}
	out2, _, err := c.DecryptRTP(nil, pkt2, NewStream(0), time.Time{})
	if err != nil || !bytes.Equal(out2, plain2) {
		t.Fatalf("two-byte round trip: %v", err)
	}
}
