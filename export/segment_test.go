package export

import (
	"bytes"
	"net/netip"
	"testing"
	"time"
)

// segmentWriter is a decryptedWriter with one rewritten TCP connection
// from src to dst and nothing decrypted, writing to out.
func segmentWriter(t testing.TB, out *bytes.Buffer, src, dst netip.AddrPort) *decryptedWriter {
	t.Helper()
	sp, err := newSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sp.close)
	sr, err := sp.rewind()
	if err != nil {
		t.Fatal(err)
	}
	w, err := newDecryptedWriter(out, sp, sr, map[connKey]bool{keyOf(src, dst): true})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestSegmentHugeContentLength: a message on a rewritten TCP connection
// whose Content-Length is near the largest int (the header section's
// length plus it overflows) waits for its body like any other instead of
// panicking (slice bounds out of range), and its bytes are written
// unchanged when the connection ends.
func TestSegmentHugeContentLength(t *testing.T) {
	src, dst := netip.MustParseAddrPort("192.0.2.10:5060"), netip.MustParseAddrPort("203.0.113.5:5060")
	for _, cl := range []string{"9223372036854775807", "9223372036854775800", "4611686018427387904"} {
		var out bytes.Buffer
		w := segmentWriter(t, &out, src, dst)
		w.now.Time = time.Unix(1700000000, 0)
		msg := []byte("INVITE sip:b@x SIP/2.0\r\nContent-Length: " + cl + "\r\n\r\nv=0\r\n")
		if err := w.segment(segEvent{frame: 1, src: src, dst: dst, payload: msg}); err != nil {
			t.Fatal(err)
		}
		if err := w.each(nil, nil); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(out.Bytes(), msg) {
			t.Errorf("Content-Length %s: the message was not written unchanged", cl)
		}
	}
}
