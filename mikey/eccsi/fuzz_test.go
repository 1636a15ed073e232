package eccsi

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzVerifyBytes feeds junk signatures, messages and KPAKs to parsing and
// verification: no panic, and nothing but the RFC vector verifies for the
// RFC identity and message.
func FuzzVerifyBytes(f *testing.F) {
	good := unhex(f, vecSig)
	f.Add(good, unhex(f, vecM), unhex(f, vecKPAK))
	f.Add(good[:64], []byte{}, []byte{4})
	f.Add(make([]byte, SignatureLen), []byte("x"), make([]byte, 65))
	id := unhex(f, vecID)
	msg := unhex(f, vecM)
	kpakBytes := unhex(f, vecKPAK)
	f.Fuzz(func(t *testing.T, sig, m, kpakIn []byte) {
		kpak, err := ParsePoint(kpakIn)
		if err != nil {
			return
		}
		err = VerifyBytes(kpak, id, m, sig)
		if err == nil {
			// Only the vector verifies, up to s <-> q-s (RFC 6507 §5.2.1 step 6).
			if !bytes.Equal(m, msg) || !bytes.Equal(kpakIn, kpakBytes) ||
				!bytes.Equal(sig[:N], good[:N]) || !bytes.Equal(sig[2*N:], good[2*N:]) {
				t.Fatalf("verified a forged input: sig %x msg %x", sig, m)
			}
			return
		}
		if len(sig) == SignatureLen && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrNotOnCurve) && !errors.Is(err, ErrPointFormat) {
			t.Fatalf("unexpected error class: %v", err)
		}
	})
}
