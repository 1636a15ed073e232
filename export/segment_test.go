package export

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/dissect"
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

// FuzzSegment: the bytes of a rewritten TCP connection, cut into segments
// anywhere (some with a gap before), never panic the writer, and the bytes
// held waiting for a message end stay bounded.
func FuzzSegment(f *testing.F) {
	f.Add([]byte(crlf("INVITE sip:b@x SIP/2.0\nl: 50\n\nv=0\nc=IN IP4 192.0.2.10\nm=audio 49170 RTP/SAVP 0\na=crypto:1 X\n")), []byte{3, 0, 40, 1})
	f.Add([]byte("$\x00\x00\x04abcd$\x01\x00\x10garbage$\x00\x00\x02xyRTSP/1.0 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n"), []byte{1, 2, 3})
	f.Add([]byte(crlf("RTSP/1.0 200 OK\nContent-Length: 9223372036854775807\n\nv=0\n")), []byte{})
	src, dst := netip.MustParseAddrPort("192.0.2.10:5060"), netip.MustParseAddrPort("203.0.113.5:554")
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		var out bytes.Buffer
		w := segmentWriter(t, &out, src, dst)
		w.rw = *testRewriter()
		w.now.Time = time.Unix(1700000000, 0)
		for i := 0; len(data) > 0; i++ {
			n := len(data)
			gap := 0
			if i < len(cuts) {
				n = min(n, int(cuts[i]&0x7f)+1)
				if cuts[i]&0x80 != 0 {
					gap = 1
				}
			}
			s, d := src, dst
			if i%3 == 2 {
				s, d = dst, src
			}
			if err := w.segment(segEvent{frame: uint64(i + 1), src: s, dst: d, payload: data[:n], gap: gap}); err != nil {
				t.Fatal(err)
			}
			for _, c := range w.tcp {
				for _, b := range c.buf {
					if len(b) > maxPending+128 {
						t.Fatalf("%d bytes held", len(b))
					}
				}
			}
			data = data[n:]
		}
		if err := w.each(nil, nil); err != nil {
			t.Fatal(err)
		}
	})
}

// TestSegmentDollarAfterNonMessage: on an interleaved RTSP connection
// whose bytes start mid-frame (a capture gap), the interleaved frame
// that follows the partial one is found at its '$' and decrypted, and so
// are the frames after it, instead of the '$' being passed on as
// not-a-message text (which left every later frame encrypted until a
// frame happened to end with a line feed).
func TestSegmentDollarAfterNonMessage(t *testing.T) {
	src, dst := netip.MustParseAddrPort("203.0.113.5:554"), netip.MustParseAddrPort("192.0.2.30:51034")
	sp, err := newSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.close()
	srtpPkts := [][]byte{[]byte("\x80\x60\x00\x01srtp-one-ciphertext"), []byte("\x80\x60\x00\x02srtp-two-ciphertext")}
	for _, p := range srtpPkts {
		sp.add(&dissect.MediaPacket{Frame: 2, Kind: dissect.KindRTP, Src: src, Dst: dst, Data: p}, []byte("PLAIN:"+string(p[4:8])))
	}
	sr, err := sp.rewind()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w, err := newDecryptedWriter(&out, sp, sr, map[connKey]bool{keyOf(src, dst): true})
	if err != nil {
		t.Fatal(err)
	}
	w.now.Time = time.Unix(1700000000, 0)
	var data []byte
	data = append(data, "tail of a frame"...) // the end of a frame whose start was lost
	for _, p := range srtpPkts {
		data = append(data, '$', 0, 0, byte(len(p)))
		data = append(data, p...)
	}
	if err := w.segment(segEvent{frame: 2, src: src, dst: dst, payload: data, gap: 100}); err != nil {
		t.Fatal(err)
	}
	if err := w.each(nil, nil); err != nil {
		t.Fatal(err)
	}
	if w.stats.Decrypted != 2 {
		t.Errorf("%d interleaved frames decrypted, want 2", w.stats.Decrypted)
	}
	for _, want := range []string{"tail of a frame$\x00\x00\x0aPLAIN:srtp", "$\x00\x00\x0aPLAIN:srtp"} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("output lacks %q", want)
		}
	}
}
