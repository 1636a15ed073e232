package report

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
)

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestSpoolFirstWriteFails: a spool whose first write fails (disk full
// before any session was written out, the session larger than the write
// buffer) holds no session; the report must fail with the spool's error,
// not leave the session out silently (found in review: the empty index
// was taken for "nothing spooled" before the error was looked at).
func TestSpoolFirstWriteFails(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	for _, kind := range []string{"json", "text"} {
		var sp *Spool
		var err error
		if kind == "json" {
			sp, err = NewJSONSpool(JSONOptions{})
		} else {
			sp, err = NewTextSpool(TextOptions{})
		}
		if err != nil {
			t.Skip(err)
		}
		sp.w = bufio.NewWriterSize(failWriter{}, 16)
		s := &analysis.Session{ID: 1, Carrier: "sip", Key: "retired@x", Start: t0, End: t0, KeyStatus: "none"}
		sp.AddFindings(s, []*analysis.Finding{})
		sp.Add(s)
		if sp.Len() != 0 {
			t.Fatalf("%s: %d sessions indexed after a failed write", kind, sp.Len())
		}
		r := &analysis.Report{Sessions: []*analysis.Session{{ID: 2, Carrier: "sip", Key: "live@x", Start: t0, End: t0, KeyStatus: "none"}}}
		r.Summary.First, r.Summary.Last = t0, t0
		var out bytes.Buffer
		if kind == "json" {
			err = WriteJSON(&out, r, JSONOptions{Spool: sp})
		} else {
			err = WriteText(&out, r, TextOptions{Spool: sp})
		}
		if err == nil || !strings.Contains(err.Error(), "no space left") {
			t.Errorf("%s: report written without the retired session, error %v", kind, err)
		}
		sp.Close()
	}
}
