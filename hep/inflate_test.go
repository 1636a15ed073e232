package hep

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/internal/heptest"
)

// sipPayload is the SIP INVITE (with its MIKEY) that sngrep 1.6 sent in
// testdata/sngrep-v3-id4660-pass.bin.
func sipPayload(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/sngrep-v3-id4660-pass.bin")
	if err != nil {
		t.Fatal(err)
	}
	var p Packet
	if err := Parse(b, &p); err != nil {
		t.Fatal(err)
	}
	return p.Payload
}

// TestInflateIndependent: payloads compressed by python3's zlib as
// captagent and OpenSIPS compress them inflate to the SIP message, with the
// format told from the bytes.
func TestInflateIndependent(t *testing.T) {
	sip := sipPayload(t)
	var z Inflater
	for _, tc := range []struct {
		how  string
		want Format
	}{
		{"captagent", FormatZlib}, {"opensips", FormatGzip}, {"gzipname", FormatGzip}, {"deflate", FormatDeflate},
	} {
		c := heptest.Compress(t, tc.how, sip)
		if len(c) >= len(sip) {
			t.Errorf("%s: %d compressed bytes for %d", tc.how, len(c), len(sip))
		}
		out, f, err := z.Inflate(c)
		if err != nil || f != tc.want || !bytes.Equal(out, sip) {
			t.Errorf("%s: format %s err %v, %d bytes (want %s, %d)", tc.how, f, err, len(out), tc.want, len(sip))
		}
	}
}

// TestInflatePacket: a HEP3 packet whose payload is in chunk 0x0010
// parses with the payload still compressed, and Packet.Inflate gives the
// SIP message; an error's offset is within the packet.
func TestInflatePacket(t *testing.T) {
	sip := sipPayload(t)
	p := samplePacket(false)
	p.Payload, p.Compressed = heptest.Compress(t, "opensips", sip), true
	b, err := Append(nil, &p)
	if err != nil {
		t.Fatal(err)
	}
	var q Packet
	if err := Parse(b, &q); err != nil {
		t.Fatal(err)
	}
	if !q.Compressed || q.Format != FormatNone || !bytes.Equal(q.Payload, p.Payload) {
		t.Fatalf("parsed: compressed %v format %s", q.Compressed, q.Format)
	}
	var z Inflater
	if err := q.Inflate(&z); err != nil || q.Format != FormatGzip || !bytes.Equal(q.Payload, sip) {
		t.Fatalf("inflate: %v, format %s", err, q.Format)
	}
	if err := q.Inflate(&z); err != nil || !bytes.Equal(q.Payload, sip) {
		t.Fatal("a second Inflate changed the payload")
	}
	// Corrupt the CRC (the member's last 8 bytes are CRC32 and size).
	b[len(b)-8-len(p.NodeName)-6-len(p.CorrelationID)-6] ^= 1
	if err := Parse(b, &q); err != nil {
		t.Fatal(err)
	}
	err = q.Inflate(&z)
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Msg, "checksum mismatch") || e.Offset <= q.PayloadOffset || e.Offset > len(b) {
		t.Fatalf("corrupt CRC: %v", err)
	}
	// A later uncompressed payload chunk replaces the compressed one.
	b = chunk(b, ChunkPayload, []byte("OPTIONS sip:x SIP/2.0\r\n\r\n"))
	b[4], b[5] = byte(len(b)>>8), byte(len(b))
	if err := Parse(b, &q); err != nil || q.Compressed || string(q.Payload) != "OPTIONS sip:x SIP/2.0\r\n\r\n" {
		t.Fatalf("two payload chunks: %v, compressed %v", err, q.Compressed)
	}
}

// TestInflateBomb: a payload that inflates past MaxInflated is cut there
// and an error, after reading a small part of its input, with the memory
// of the bound only. The bombs are zeros: ~1 KB of deflate makes 1 MB
// (deflate cannot do better than ~1032:1, so 100 MB takes ~100 KB of
// input, more than a HEP packet holds; the largest bomb a packet can
// carry inflates to ~67 MB).
func TestInflateBomb(t *testing.T) {
	// Zeros through Go's fastest deflate (~824:1; cheap under the race
	// detector, which CI runs this package under), wrapped by hand as zlib
	// and gzip with their real trailers: Adler-32 of n zeros is a=1,
	// b=n mod 65521; CRC-32 by hash/crc32.
	deflated := func(n int) []byte {
		var b bytes.Buffer
		w, _ := flate.NewWriter(&b, flate.BestSpeed)
		zero := make([]byte, 1<<20)
		for range n >> 20 {
			w.Write(zero)
		}
		w.Close()
		return b.Bytes()
	}
	asZlib := func(body []byte, n int) []byte {
		b := append([]byte{0x78, 0x01}, body...)
		return binary.BigEndian.AppendUint32(b, uint32(n%65521)<<16|1)
	}
	asGzip := func(body []byte, n int) []byte {
		b := append([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}, body...)
		crc := uint32(0)
		zero := make([]byte, 1<<20)
		for range n >> 20 {
			crc = crc32.Update(crc, crc32.IEEETable, zero)
		}
		b = binary.LittleEndian.AppendUint32(b, crc)
		return binary.LittleEndian.AppendUint32(b, uint32(n))
	}
	const mb = 1 << 20
	small, big, packet := deflated(mb), deflated(100*mb), deflated(50*mb)
	// The wrapping is right: the standard library reads the small bomb
	// to its end, checksum included.
	for _, c := range [][]byte{asZlib(small, mb), asGzip(small, mb)} {
		var r io.Reader
		if c[0] == 0x78 {
			r, _ = zlib.NewReader(bytes.NewReader(c))
		} else {
			r, _ = gzip.NewReader(bytes.NewReader(c))
		}
		if n, err := io.Copy(io.Discard, r); err != nil || n != mb {
			t.Fatalf("bomb of %d bytes: %d bytes, %v", len(c), n, err)
		}
	}
	var z Inflater
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"1MB zlib (1.3 KB)", asZlib(small, mb)},
		{"100MB zlib", asZlib(big, 100*mb)},
		{"100MB gzip", asGzip(big, 100*mb)},
		{"100MB deflate", big},
		{"50MB zlib, packet-sized", asZlib(packet, 50*mb)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := z.Inflate(tc.b)
			var e *Error
			if out != nil || !errors.As(err, &e) || !strings.Contains(e.Msg, "inflates past 65507 bytes") {
				t.Fatalf("%d bytes: %v", len(tc.b), err)
			}
			// Cut after the input that made 65,508 bytes: at ~1000:1,
			// well under a tenth of a 100 MB bomb's ~100 KB.
			if len(tc.b) > 50000 && e.Offset > len(tc.b)/10 {
				t.Errorf("read %d of %d bytes before cutting", e.Offset, len(tc.b))
			}
			t.Logf("%d compressed bytes: cut after reading %d", len(tc.b), e.Offset)
		})
	}
	// Memory: the Inflater's buffer and decompressors only.
	b := asZlib(big, 100*mb)
	z.Inflate(b)
	if d := bytesAllocated(10, func() { z.Inflate(b) }); d > 64<<10 {
		t.Errorf("10 bombs allocated %d bytes after the first", d)
	}
}

// bytesAllocated is how many bytes runs calls of f allocate in all.
func bytesAllocated(runs int, f func()) uint64 {
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&m1)
	return m1.TotalAlloc - m0.TotalAlloc
}

// compressedThreeWays is data compressed by Go's zlib, gzip and raw
// deflate (level 6) writers, in that order.
func compressedThreeWays(data []byte) [][]byte {
	var out [][]byte
	for _, w := range []func(io.Writer) io.WriteCloser{
		func(w io.Writer) io.WriteCloser { return zlib.NewWriter(w) },
		func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
		func(w io.Writer) io.WriteCloser { f, _ := flate.NewWriter(w, 6); return f },
	} {
		var b bytes.Buffer
		zw := w(&b)
		zw.Write(data)
		zw.Close()
		out = append(out, b.Bytes())
	}
	return out
}

// TestInflateAllocs: after its first payload of a format, an Inflater
// allocates little per payload (the standard library's Huffman link tables
// of a dynamic block, zlib's Adler-32 state), never its output.
func TestInflateAllocs(t *testing.T) {
	sip := sipPayload(t)
	var z Inflater
	for _, c := range compressedThreeWays(sip) {
		if out, _, err := z.Inflate(c); err != nil || !bytes.Equal(out, sip) {
			t.Fatal(err)
		}
		if per := bytesAllocated(100, func() { z.Inflate(c) }) / 100; per > 2048 {
			t.Errorf("%s: %d bytes allocated per payload", Sniff(c), per)
		} else {
			t.Logf("%s: %d bytes allocated per payload of %d", Sniff(c), per, len(sip))
		}
	}
}

// TestInflateDamaged: every truncation of a stream is an error, so is a
// stream followed by other bytes, and no single damaged byte gives other
// bytes than the original without an error (zlib's Adler-32 and gzip's
// CRC-32 catch what deflate itself does not; raw deflate has no check, so
// only its truncations are tested).
func TestInflateDamaged(t *testing.T) {
	sip := sipPayload(t)
	var z Inflater
	for _, how := range []string{"captagent", "opensips", "deflate"} {
		c := heptest.Compress(t, how, sip)
		for n := range len(c) {
			if out, _, err := z.Inflate(c[:n]); err == nil {
				t.Fatalf("%s: %d of %d bytes inflate (%d bytes)", how, n, len(c), len(out))
			}
		}
		_, _, err := z.Inflate(append(c[:len(c):len(c)], 0, 0))
		if err == nil || !strings.Contains(err.Error(), "followed by 2 other bytes") {
			t.Errorf("%s with trailing bytes: %v", how, err)
		}
		if how == "deflate" {
			continue
		}
		d := append([]byte(nil), c...)
		for i := range d {
			for _, x := range []byte{0x01, 0x80, 0xff} {
				d[i] ^= x
				out, _, err := z.Inflate(d)
				if err == nil && !bytes.Equal(out, sip) {
					t.Fatalf("%s: byte %d ^ %#x inflates to other bytes without an error", how, i, x)
				}
				d[i] ^= x
			}
		}
	}
	for _, tc := range []struct {
		b    []byte
		want string
	}{
		{nil, "truncated"},
		{[]byte{0x1f, 0x8b}, "truncated"},
		{[]byte{0x1f, 0x8b, 9, 0, 0, 0, 0, 0, 0, 0}, "bad header"},
		{[]byte{0x78, 0x9c}, "truncated"},
		{[]byte{0x78, 0x9c, 0xff, 0xff}, "corrupt"},
		{[]byte{0x78, 0xbb, 0, 0, 0, 0, 0}, "preset dictionary"},
		{[]byte{0x07}, "corrupt"},
	} {
		if _, _, err := z.Inflate(tc.b); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("% x: %v, want %q", tc.b, err, tc.want)
		}
	}
}

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		b    []byte
		want Format
	}{
		{[]byte{0x1f, 0x8b, 8}, FormatGzip},
		{[]byte{0x78, 0x9c}, FormatZlib},
		{[]byte{0x78, 0x01}, FormatZlib},
		{[]byte{0x78, 0xda}, FormatZlib},
		{[]byte{0x08, 0x1d}, FormatZlib}, // 256-byte window
		{[]byte{0x78, 0x9d}, FormatDeflate},
		{[]byte{0x88, 0x98}, FormatDeflate}, // window over 32 KiB
		{[]byte("INVITE"), FormatDeflate},
		{nil, FormatDeflate},
	} {
		if got := Sniff(tc.b); got != tc.want {
			t.Errorf("% x: %s, want %s", tc.b, got, tc.want)
		}
	}
}

// TestInflateWholePacket: heplify 2 with payload_zip gzips the whole HEP
// packet; InflatePacket gives it back within MaxPacket bytes.
func TestInflateWholePacket(t *testing.T) {
	p := samplePacket(false)
	p.Payload = sipPayload(t)
	b, _ := Append(nil, &p)
	var z Inflater
	pkt, err := z.InflatePacket(heptest.Compress(t, "gzipname", b))
	if err != nil || !bytes.Equal(pkt, b) {
		t.Fatalf("%v", err)
	}
	if _, err := z.InflatePacket(heptest.Compress(t, "captagent", b)); err == nil {
		t.Error("a zlib stream taken as a gzipped packet")
	}
}

// FuzzInflate: no panic, never more than the bound, and the same verdict
// and bytes as the standard library's reader read without a bound.
func FuzzInflate(f *testing.F) {
	for _, c := range compressedThreeWays([]byte("INVITE sip:bob@example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n")) {
		f.Add(c)
	}
	f.Add([]byte{0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0, 0xff, 0xff})
	var z Inflater // one for all inputs: each must be read as if it were the first
	f.Fuzz(func(t *testing.T, b []byte) {
		out, format, err := z.Inflate(b)
		if len(out) > MaxInflated {
			t.Fatalf("%d bytes", len(out))
		}
		var r io.Reader
		var rerr error
		switch format {
		case FormatGzip:
			var g *gzip.Reader
			if g, rerr = gzip.NewReader(bytes.NewReader(b)); rerr == nil {
				g.Multistream(false)
				r = g
			}
		case FormatZlib:
			r, rerr = zlib.NewReader(bytes.NewReader(b))
		default:
			r = flate.NewReader(bytes.NewReader(b))
		}
		if rerr != nil {
			if err == nil {
				t.Fatalf("inflated what the library refuses: %v", rerr)
			}
			return
		}
		src := b
		want, rerr := io.ReadAll(io.LimitReader(r, MaxInflated+1))
		if rerr == nil && len(want) <= MaxInflated {
			// The library stopped at the end of the stream; whether bytes
			// follow is the Inflater's own check.
			if err == nil && !bytes.Equal(out, want) {
				t.Fatalf("inflated %d bytes, the library %d", len(out), len(want))
			}
			if err != nil && !strings.Contains(err.Error(), "other bytes") {
				t.Fatalf("error %v where the library reads %d bytes of %d", err, len(want), len(src))
			}
			return
		}
		if err == nil {
			t.Fatalf("inflated %d bytes where the library fails: %v (%d bytes)", len(out), rerr, len(want))
		}
	})
}

// compressedSeeds are HEP3 packets with payloads compressed by python3's
// zlib as the agents compress them, for the fuzz corpora: the INVITE as
// captagent and OpenSIPS send it, a 1 MB bomb of zeros (~1 KB), and a
// truncated stream.
func compressedSeeds(t testing.TB) map[string][]byte {
	sip := sipPayload(t)
	seeds := map[string][]byte{}
	for name, payload := range map[string][]byte{
		"captagent-zlib": heptest.Compress(t, "captagent", sip),
		"opensips-gzip":  heptest.Compress(t, "opensips", sip),
		"bomb-zlib":      heptest.Compress(t, "captagent", make([]byte, 1<<20)),
		"truncated-gzip": heptest.Compress(t, "opensips", sip)[:200],
		"raw-deflate":    heptest.Compress(t, "deflate", sip),
	} {
		p := samplePacket(false)
		p.Payload, p.Compressed = payload, true
		b, err := Append(nil, &p)
		if err != nil {
			t.Fatal(err)
		}
		seeds[name] = b
	}
	return seeds
}

// TestFuzzParseCorpus: the compressed seeds in testdata/fuzz/FuzzParse are
// what python3's zlib makes (MIKEYSCOPE_UPDATE_CORPUS=1 writes them), and
// each parses and inflates (or fails) as its name says.
func TestFuzzParseCorpus(t *testing.T) {
	for name, b := range compressedSeeds(t) {
		file := "testdata/fuzz/FuzzParse/" + name
		want := "go test fuzz v1\n[]byte(" + strconv.Quote(string(b)) + ")\n"
		if os.Getenv("MIKEYSCOPE_UPDATE_CORPUS") != "" {
			if err := os.WriteFile(file, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(file)
		if err != nil || string(got) != want {
			t.Errorf("%s: not what python3's zlib makes (%v); MIKEYSCOPE_UPDATE_CORPUS=1 rewrites it", file, err)
		}
		var p Packet
		if err := Parse(b, &p); err != nil || !p.Compressed {
			t.Fatalf("%s: %v", name, err)
		}
		var z Inflater
		err = p.Inflate(&z)
		switch name {
		case "bomb-zlib":
			if err == nil || !strings.Contains(err.Error(), "inflates past") {
				t.Errorf("%s: %v", name, err)
			}
		case "truncated-gzip":
			if err == nil || !strings.Contains(err.Error(), "truncated") {
				t.Errorf("%s: %v", name, err)
			}
		default:
			if err != nil || !bytes.HasPrefix(p.Payload, []byte("INVITE ")) {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
}

// BenchmarkInflate: the cost of inflating the INVITE as each agent sends
// it, with a warm Inflater (as the HEPHandler holds one).
func BenchmarkInflate(b *testing.B) {
	sip := sipPayload(b)
	for _, agent := range []string{"captagent", "opensips"} {
		c := heptest.Compress(b, agent, sip)
		b.Run(agent, func(b *testing.B) {
			var z Inflater
			b.SetBytes(int64(len(sip)))
			b.ReportAllocs()
			for range b.N {
				if _, _, err := z.Inflate(c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
