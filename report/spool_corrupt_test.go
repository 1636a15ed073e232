package report

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
)

// spoolWithRun returns a JSON spool holding one run of n findings of a
// retired session, written to its file, and the run's bytes.
func spoolWithRun(t testing.TB, n int) (*Spool, []byte) {
	t.Helper()
	sp, err := NewJSONSpool(JSONOptions{})
	if err != nil {
		t.Skip(err)
	}
	s := &analysis.Session{ID: 1, Carrier: "sip", Key: "retired@x", KeyStatus: "none"}
	var fs []*analysis.Finding
	for i := range n {
		fs = append(fs, analysis.KindSRTPAuthFailed.New(uint64(10+i), 1, strings.Repeat("x", i)))
	}
	sp.AddFindings(s, fs)
	sp.Add(s)
	sp.writeRun()
	if err := sp.w.Flush(); err != nil || len(sp.runs) != 1 {
		t.Fatalf("spool: %v, %d runs", err, len(sp.runs))
	}
	r := sp.runs[0]
	b := make([]byte, r.n)
	if _, err := sp.f.ReadAt(b, r.off); err != nil {
		t.Fatal(err)
	}
	return sp, b
}

// TestSpoolCorruptLength: a findings run whose second record's length
// field is corrupted (past any finding, past the run, one byte past the
// run) makes the JSON report fail with a clear error, allocating nothing
// near the claimed length; the intact spool reads back whole.
func TestSpoolCorruptLength(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	report := func(sp *Spool) (string, error) {
		r := &analysis.Report{}
		r.Summary.First, r.Summary.Last = t0, t0
		var out bytes.Buffer
		err := WriteJSON(&out, r, JSONOptions{Spool: sp})
		return out.String(), err
	}
	sp, run := spoolWithRun(t, 3)
	out, err := report(sp)
	if err != nil || strings.Count(out, `"srtp.auth-failed"`) != 3 {
		t.Fatalf("intact spool: %v\n%s", err, out)
	}
	sp.Close()
	// The second record's length field: after the first record.
	first := findingHeaderLen + int(run[17]) + int(binary.LittleEndian.Uint32(run[18:]))
	left := uint32(len(run) - first - findingHeaderLen - int(run[first+17]))
	for _, bad := range []uint32{0xffffffff, maxSpooledFinding + 1, 1 << 29, left + 1} {
		sp, _ := spoolWithRun(t, 3)
		var field [4]byte
		binary.LittleEndian.PutUint32(field[:], bad)
		if _, err := sp.f.WriteAt(field[:], sp.runs[0].off+int64(first)+18); err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := report(sp)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "spool: corrupted findings run") {
			t.Errorf("length %d: error %v", bad, err)
		}
		if a := after.TotalAlloc - before.TotalAlloc; a > 16<<20 {
			t.Errorf("length %d: %d bytes allocated", bad, a)
		}
		sp.Close()
	}
}

// FuzzSpoolRun: the findings-run reader on any bytes returns records or
// an error, never panics, and never allocates more than the run holds.
func FuzzSpoolRun(f *testing.F) {
	sp, run := spoolWithRun(f, 3)
	sp.Close()
	f.Add(run)
	f.Add(run[:len(run)-1])
	f.Add(run[:findingHeaderLen+3])
	bad := bytes.Clone(run)
	binary.LittleEndian.PutUint32(bad[18:], 0xffffffff)
	f.Add(bad)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		c := &runCursor{r: bytes.NewReader(b), left: int64(len(b))}
		codes := map[string]string{}
		for i := 0; ; i++ {
			ok, err := c.next(codes)
			if cap(c.buf) > len(b) {
				t.Fatalf("allocated %d bytes for a run of %d", cap(c.buf), len(b))
			}
			if err != nil || !ok {
				break
			}
			if i > len(b)/findingHeaderLen {
				t.Fatalf("%d records in %d bytes", i+1, len(b))
			}
		}
	})
}
