package export

import (
	"bytes"
	"encoding/binary"
	"math"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/dissect"
)

// spoolBytes returns a spool of three decrypted packets (frames 1-3) and
// its file's bytes.
func spoolBytes(t testing.TB) (*spool, []byte) {
	t.Helper()
	sp, err := newSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src, dst := netip.MustParseAddrPort("192.0.2.1:4000"), netip.MustParseAddrPort("192.0.2.2:5000")
	for f := uint64(1); f <= 3; f++ {
		sp.add(&dissect.MediaPacket{Frame: f, Src: src, Dst: dst, Kind: dissect.KindRTP, Data: []byte{byte(f)}}, bytes.Repeat([]byte{'p'}, 100*int(f)))
	}
	if err := sp.w.Flush(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(sp.f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return sp, b
}

// TestSpoolCorruptLength: a spool whose second record's length field is
// corrupted (past the bound, past the file, one byte past the file) gives
// a clear error when read back, allocating nothing near the length; the
// first record is still handed out.
func TestSpoolCorruptLength(t *testing.T) {
	_, intact := spoolBytes(t)
	first := spoolHeaderLen + int(binary.LittleEndian.Uint32(intact[17:]))
	left := uint32(len(intact) - first - spoolHeaderLen)
	for _, bad := range []uint32{0xffffffff, maxSpoolPlain + 1, left + 1} {
		sp, _ := spoolBytes(t)
		var field [4]byte
		binary.LittleEndian.PutUint32(field[:], bad)
		if _, err := sp.f.WriteAt(field[:], int64(first)+17); err != nil {
			t.Fatal(err)
		}
		rd, err := sp.rewind()
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rd.fill(math.MaxUint64)
		runtime.ReadMemStats(&after)
		if rd.err == nil || !strings.HasPrefix(rd.err.Error(), "corrupted: a record of ") {
			t.Errorf("length %d: error %v", bad, rd.err)
		}
		if a := after.TotalAlloc - before.TotalAlloc; a > 16<<20 {
			t.Errorf("length %d: %d bytes allocated", bad, a)
		}
		if plain, _, ok := rd.take(1, sp.hash([]byte{1})); !ok || len(plain) != 100 {
			t.Errorf("length %d: the first record is lost", bad)
		}
		sp.close()
	}
}

// FuzzSpoolReader: the decrypted-packet spool's reader on any bytes hands
// out records or stops with an error, never panics, and never holds more
// plaintext than the file has bytes.
func FuzzSpoolReader(f *testing.F) {
	sp, b := spoolBytes(f)
	sp.close()
	f.Add(b)
	f.Add(b[:len(b)-1])
	f.Add(b[:spoolHeaderLen-1])
	bad := bytes.Clone(b)
	binary.LittleEndian.PutUint32(bad[17:], 0xffffffff)
	f.Add(bad)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		rd := newSpoolReader(bytes.NewReader(b), int64(len(b)))
		rd.fill(math.MaxUint64)
		held := 0
		for _, recs := range rd.pending {
			for _, r := range recs {
				held += len(r.plain)
			}
		}
		if held > len(b) {
			t.Fatalf("%d bytes of plaintext from %d bytes", held, len(b))
		}
		if rd.err == nil && held+rd.held*spoolHeaderLen != len(b) {
			t.Fatalf("no error, but %d records of %d bytes in %d bytes", rd.held, held, len(b))
		}
	})
}
