package analysis

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/keys"
)

// tuiOptions are the analysis options the TUI runs with (cmd/mikeyscope).
func tuiOptions(t testing.TB, keyFile string) Options {
	o := Options{Trees: true, SignalText: true}
	if keyFile != "" {
		// Line by line: a series of 40,000 calls has a keys file larger
		// than a keys file may be.
		b, err := os.ReadFile(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		st := &keys.Store{}
		for _, line := range strings.Split(string(b), "\n") {
			if kind, value, ok := keys.SplitLine(line); ok && value != "" {
				if _, err := st.AddWithWarnings(kind, value, keyFile); err != nil {
					t.Fatal(err)
				}
			}
		}
		o.Keys = st
	}
	return o
}

func startFileJob(t testing.TB, pcap string, opts Options) *Job {
	t.Helper()
	open := func() (capture.Source, error) { return capture.OpenFiles(pcap) }
	j, err := StartJob(open, []string{pcap}, 0, false, opts, dissect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func waitJob(t testing.TB, j *Job) {
	t.Helper()
	deadline := time.After(5 * time.Minute)
	for !j.Progress().Done {
		select {
		case <-j.Updates():
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatal("analysis did not finish")
		}
	}
}

// sessionCodes lists each session's finding codes, each once, by ID.
func sessionCodes(r *Report) map[int][]string {
	codes := map[int][]string{}
	for _, f := range r.Findings {
		if f.Session != 0 && !slices.Contains(codes[f.Session], f.Code) {
			codes[f.Session] = append(codes[f.Session], f.Code)
		}
	}
	return codes
}

// fullText is a session's JSON with what JSON leaves out (raw signals
// and MIKEY messages, the decoded MIKEY message's tree).
func fullText(t testing.TB, s *Session) string {
	var b bytes.Buffer
	b.WriteString(jsonText(t, s))
	for _, sg := range s.Signals {
		fmt.Fprintf(&b, "\nsignal %d %q", sg.Frame, sg.Raw)
	}
	for _, m := range s.MIKEY {
		fmt.Fprintf(&b, "\nmikey %d %x decoded=%v %v %v %v", m.Frame, m.Raw, m.decoded, m.dataType, m.inRequest, m.overTLS)
		if p := m.Parsed(); p != nil {
			fmt.Fprintf(&b, " tree %s", jsonText(t, p.Tree()))
		}
	}
	for _, st := range s.Streams {
		fmt.Fprintf(&b, "\nstream %d %d", st.ssrc, st.firstFrame)
	}
	for _, cs := range s.CryptoSessions {
		fmt.Fprintf(&b, "\ncs %d", cs.ssrc)
	}
	return b.String()
}

// TestJobRetiresFinishedSessions: a TUI job over a series of calls that
// end one after the other writes the finished ones to its spool; every
// session is still listed, its row (the list's fields, streams by status,
// finding codes) is the session's, and the session loaded back is, field
// for field and byte for byte, the session of a pass that keeps every
// session in memory. With and without keys (without, every call has
// findings, whose codes the rows keep).
func TestJobRetiresFinishedSessions(t *testing.T) {
	const n = 300
	pcap, keyFile := writeSeries(t, n, scenario.SeriesShape{Packets: 3, Spacing: time.Second, Name: "tui"})
	for _, kf := range []string{"", keyFile} {
		t.Run(fmt.Sprintf("keys=%v", kf != ""), func(t *testing.T) {
			ref := tuiOptions(t, kf)
			ref.MaxSessions = 10 * n
			want := runFile(t, pcap, "", ref)
			if len(want.Sessions) != n {
				t.Fatalf("%d sessions without retirement", len(want.Sessions))
			}
			j := startFileJob(t, pcap, tuiOptions(t, kf))
			defer j.Close()
			waitJob(t, j)
			r := j.Snapshot()
			if len(r.Sessions) != n || r.Summary.Sessions != n {
				t.Fatalf("%d sessions listed (summary %d), want %d", len(r.Sessions), r.Summary.Sessions, n)
			}
			if p := j.Progress(); p.Retired < n-10 {
				t.Errorf("%d sessions retired", p.Retired)
			}
			codes := sessionCodes(want)
			withCodes := 0
			for i, row := range r.Sessions {
				w := want.Sessions[i]
				if row.ID != w.ID {
					t.Fatalf("row %d is session %d, want %d", i, row.ID, w.ID)
				}
				if row.Retired == nil {
					if g, ws := fullText(t, row), fullText(t, w); g != ws {
						t.Errorf("session %d in memory differs:\n got %s\nwant %s", w.ID, g, ws)
					}
					continue
				}
				// The row: what the list shows and filters on.
				if row.Carrier != w.Carrier || row.Key != w.Key || !row.Start.Equal(w.Start) || !row.End.Equal(w.End) ||
					row.From != w.From || row.To != w.To || row.URL != w.URL || row.Mode != w.Mode || row.Keying != w.Keying ||
					row.KeyStatus != w.KeyStatus || row.FinalStatus != w.FinalStatus || row.Transport != w.Transport ||
					row.FindingCounts != w.FindingCounts || row.Start.Location() != w.Start.Location() {
					t.Errorf("row of session %d: %+v\nwant %+v", w.ID, row, w)
				}
				if row.Signals != nil || row.Streams != nil || row.MIKEY != nil {
					t.Errorf("row of session %d holds its model", w.ID)
				}
				dec, fail := 0, 0
				for _, st := range w.Streams {
					switch st.KeyStatus {
					case "decrypting":
						dec++
					case "failing":
						fail++
					}
				}
				if rr := row.Retired; rr.Streams != len(w.Streams) || rr.Decrypting != dec || rr.Failing != fail || !slices.Equal(rr.Codes, codes[w.ID]) {
					t.Errorf("row of session %d: %+v, want %d streams %d decrypting %d failing, codes %v", w.ID, rr, len(w.Streams), dec, fail, codes[w.ID])
				}
				if len(row.Retired.Codes) > 0 {
					withCodes++
				}
				// Every 7th session opened: its full model from the spool.
				if i%7 != 0 && i != len(r.Sessions)-1 {
					continue
				}
				s, err := j.Session(row.ID)
				if err != nil || s == nil {
					t.Fatalf("session %d: %v", row.ID, err)
				}
				if g, ws := fullText(t, s), fullText(t, w); g != ws {
					t.Errorf("session %d loaded differs:\n got %s\nwant %s", w.ID, g, ws)
				}
			}
			if kf == "" && withCodes < n-10 {
				t.Errorf("only %d rows have finding codes", withCodes)
			}
			if kf != "" && withCodes != 0 {
				t.Errorf("%d rows have finding codes with keys", withCodes)
			}
			if g, w := jsonText(t, r.Findings), jsonText(t, want.Findings); g != w {
				t.Errorf("findings differ")
			}
			if _, err := j.Session(n + 1); err == nil {
				t.Error("a session that does not exist was loaded")
			}
		})
	}
}

// TestJobAddKeyRebuildsRetired: adding the key at run time reads the file
// again with a new spool: the retired sessions' rows and models are those
// of a pass with the key from the start.
func TestJobAddKeyRebuildsRetired(t *testing.T) {
	const n = 60
	pcap, keyFile := writeSeries(t, n, scenario.SeriesShape{Packets: 3, Spacing: time.Second, Name: "tui"})
	want := runFile(t, pcap, keyFile, Options{Trees: true, SignalText: true})
	kb, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	j := startFileJob(t, pcap, Options{Trees: true, SignalText: true})
	defer j.Close()
	waitJob(t, j)
	if r := j.Snapshot(); r.Sessions[0].Retired == nil || r.Sessions[0].KeyStatus != "no-key" {
		t.Fatalf("before: %+v", r.Sessions[0])
	}
	added := 0
	for _, line := range strings.Split(string(kb), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := j.AddKey(line); err != nil {
			t.Fatal(err)
		}
		added++
		if added%20 == 0 {
			waitJob(t, j) // each key restarts the pass
		}
	}
	if added != n {
		t.Fatalf("%d keys added", added)
	}
	waitJob(t, j)
	r := j.Snapshot()
	if len(r.Sessions) != n {
		t.Fatalf("%d sessions after adding keys", len(r.Sessions))
	}
	for i, row := range r.Sessions {
		if row.KeyStatus != "verified" || (row.Retired != nil && (row.Retired.Decrypting != 4 || len(row.Retired.Codes) != 0)) {
			t.Errorf("session %d after the key: %s %+v", row.ID, row.KeyStatus, row.Retired)
		}
		if i%10 == 0 {
			s, err := j.Session(row.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range s.Streams {
				if st.Decrypted != st.Packets || st.Packets == 0 {
					t.Errorf("session %d stream %s: decrypted %d of %d", s.ID, st.SSRC, st.Decrypted, st.Packets)
				}
			}
			w := want.Sessions[i]
			// The keys' sources differ ("added in the UI"): compare the rest.
			if len(s.Streams) != len(w.Streams) || s.KeyStatus != w.KeyStatus || len(s.MIKEY) != len(w.MIKEY) || s.MIKEY[0].Auth != w.MIKEY[0].Auth {
				t.Errorf("session %d: %s, want %s", s.ID, jsonText(t, s), jsonText(t, w))
			}
		}
	}
}

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestJobMemoryFlatInCalls: a TUI job's live heap after a pass over
// bench/gen's short calls (4 SRTP packets, BYE answered) at 10,000 and
// 40,000 calls. The finished calls are in the spool, their models and
// their rows on disk; what the job keeps beyond the report path's
// analysis (retirement handing sessions to a writer that keeps nothing) is
// the spool's write buffers and the JSON encoder's type cache: nothing a
// call (at most 16 bytes a call of noise; the report path's own growth is
// mostly this test's one key per call: their use and the keys
// themselves), where the model of a call is ~11 KB. Every session is
// listed and opens with its signals and decrypted streams.
//
// By default it runs 2,500 and 10,000 calls (the same fourfold step);
// MIKEYSCOPE_MEMORY_TEST=full runs 10,000 and 40,000 (minutes on a loaded
// machine).
func TestJobMemoryFlatInCalls(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads 12,500 calls")
	}
	small, big := 2500, 10000
	if os.Getenv("MIKEYSCOPE_MEMORY_TEST") == "full" {
		small, big = 10000, 40000
	}
	shape := scenario.SeriesShape{Packets: 2, Spacing: 100 * time.Millisecond, Name: "short-calls"}
	job, rep := map[int]float64{}, map[int]float64{}
	for _, n := range []int{small, big} {
		pcap, keyFile := writeSeries(t, n, shape)
		opts := tuiOptions(t, keyFile) // the keys (one per call) are the test's

		// The report path: sessions handed out and forgotten.
		before := liveHeap()
		ro := opts
		ro.Retire = func(*Session) {}
		src, err := capture.OpenFiles(pcap)
		if err != nil {
			t.Fatal(err)
		}
		a := New(ro)
		if err := Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
			t.Fatal(err)
		}
		src.Close()
		rep[n] = float64(liveHeap()) - float64(before)
		runtime.KeepAlive(a)
		a = nil

		before = liveHeap()
		j := startFileJob(t, pcap, opts)
		waitJob(t, j)
		job[n] = float64(liveHeap()) - float64(before)
		if p := os.Getenv("MIKEYSCOPE_HEAPPROFILE"); p != "" {
			f, _ := os.Create(fmt.Sprintf("%s.%d", p, n))
			pprof.WriteHeapProfile(f)
			f.Close()
		}
		r := j.Snapshot()
		if len(r.Sessions) != n {
			t.Errorf("%d calls: %d listed", n, len(r.Sessions))
		}
		id := r.Sessions[n-1000].ID
		r = nil
		s, err := j.Session(id)
		if err != nil || len(s.Signals) != 7 || len(s.MIKEY) != 2 || len(s.Streams) != 4 || s.KeyStatus != "verified" {
			t.Fatalf("%d calls: session %d: %v %s", n, id, err, jsonText(t, s))
		}
		for _, st := range s.Streams {
			if st.KeyStatus != "decrypting" || st.Decrypted != st.Packets || st.Packets == 0 {
				t.Errorf("%d calls: session %d: stream %s %s decrypted %d of %d", n, id, st.Kind, st.SSRC, st.Decrypted, st.Packets)
			}
		}
		t.Logf("%d calls: live heap %.1f MiB after the pass (report path's analysis %.1f MiB; %d sessions retired)", n, job[n]/(1<<20), rep[n]/(1<<20), j.Progress().Retired)
		j.Close()
	}
	t.Logf("job's live heap at %d calls %.2fx that at %d; the report path's %.2fx", big, job[big]/job[small], small, rep[big]/rep[small])
	for _, n := range []int{small, big} {
		// The spool's write buffers (128, 32 and 4 KiB) and the JSON
		// encoder's type cache.
		if extra := job[n] - rep[n]; extra > float64(16*n+512<<10) {
			t.Errorf("%d calls: the job keeps %.0f bytes a call more than the report path", n, extra/float64(n))
		}
	}
	if grow := (job[big] - job[small]) / float64(big-small); grow > 32+(rep[big]-rep[small])/float64(big-small) {
		t.Errorf("the job's heap grows %.0f bytes a call", grow)
	}
}

// TestSpoolRowSize: the fixed part of a retired session's row on disk,
// written and read back.
func TestSpoolRowSize(t *testing.T) {
	r := spoolRow{start: -5, end: math.MinInt64, off: 1 << 40, n: 77, id: 123456,
		errors: 1, warnings: 2, notes: 3, streams: 4, decrypting: 5, failed: 6}
	for i := range r.fields {
		r.fields[i] = uint32(i) | isInterned
	}
	b := r.put(nil)
	if len(b) != rowHeaderSize || rowHeaderSize != 100 {
		t.Fatalf("row header %d bytes (want rowHeaderSize %d = 100)", len(b), rowHeaderSize)
	}
	var got spoolRow
	got.get(b)
	if got != r {
		t.Errorf("read back %+v, wrote %+v", got, r)
	}
}

// TestJobLiveKeyLeavesRetired: in a live capture a key added at run time
// reopens the exchanges of the sessions in progress; the sessions already
// retired stay as they were written out (their packets are gone), as
// docs/pipeline.md says.
func TestJobLiveKeyLeavesRetired(t *testing.T) {
	const n = 40
	pcap, keyFile := writeSeries(t, n, scenario.SeriesShape{Packets: 3, Spacing: time.Second, Name: "tui"})
	kb, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	open := func() (capture.Source, error) { return capture.OpenFiles(pcap) }
	j, err := StartJob(open, []string{"live:test"}, 0, true, Options{Trees: true, SignalText: true}, dissect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	waitJob(t, j)
	for _, line := range strings.Split(string(kb), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			if err := j.AddKey(line); err != nil {
				t.Fatal(err)
			}
		}
	}
	r := j.Snapshot()
	if len(r.Sessions) != n {
		t.Fatalf("%d sessions listed", len(r.Sessions))
	}
	retired, inProgress := 0, 0
	for _, row := range r.Sessions {
		if row.Retired != nil {
			retired++
			s, err := j.Session(row.ID)
			if err != nil || row.KeyStatus != "no-key" || s.KeyStatus != "no-key" {
				t.Errorf("retired session %d: %s / %v %v", row.ID, row.KeyStatus, s, err)
			}
			continue
		}
		inProgress++
		if row.KeyStatus != "verified" || len(row.CryptoSessions) != 2 {
			t.Errorf("session %d in progress: %s, %d crypto sessions", row.ID, row.KeyStatus, len(row.CryptoSessions))
		}
	}
	if retired < n-10 || inProgress == 0 {
		t.Errorf("%d retired, %d in progress", retired, inProgress)
	}
}

// TestSessionSpoolError: a spool whose file fails says so, and lists and
// loads nothing it could not write.
func TestSessionSpoolError(t *testing.T) {
	sp, err := NewSessionSpool()
	if err != nil {
		t.Skip(err)
	}
	s := &Session{ID: 1, Carrier: "sip", Key: "a@b", Start: time.Unix(10, 0).UTC(), End: time.Unix(11, 0).UTC(), KeyStatus: "none"}
	sp.Add(s, []string{"sip.x"})
	if got, err := sp.Load(1); err != nil || got.Key != "a@b" || !got.Start.Equal(s.Start) {
		t.Fatalf("load: %+v %v", got, err)
	}
	if rows := sp.Rows(5); len(rows) != 1 || rows[0].Retired == nil || rows[0].Retired.Codes[0] != "sip.x" {
		t.Fatalf("rows %+v", rows)
	}
	sp.f.Close() // the file fails under the spool
	big := &Session{ID: 2, Carrier: "sip", Key: strings.Repeat("k", 200<<10), KeyStatus: "none"}
	sp.Add(big, nil) // larger than the write buffer: written at once, and fails
	if sp.Err() == nil {
		t.Fatal("no error from a closed file")
	}
	if sp.Len() != 1 {
		t.Errorf("%d rows after the failure", sp.Len())
	}
	if _, err := sp.Load(1); err == nil {
		t.Error("a failed spool loads")
	}
}

// TestSessionSpoolRowsBounded: a retired session's row (on disk; the
// interned values in memory) holds at most maxRowText bytes of each wire
// field (Call-ID, From, To, URL, the final status's reason phrase),
// whatever their length; the spool's model holds them whole. Found in
// review when rows were in memory: a hostile capture of one-packet
// sessions with 200 KB Call-IDs and reason phrases kept them all in the
// TUI's rows (and up to 4,096 distinct reason phrases in the interned
// values); rows read back for a page of the list stay small too.
func TestSessionSpoolRowsBounded(t *testing.T) {
	sp, err := NewSessionSpool()
	if err != nil {
		t.Skip(err)
	}
	defer sp.Close()
	long := func(c string) string { return strings.Repeat(c, 200<<10) + "é" }
	for i := 1; i <= 20; i++ {
		s := &Session{ID: i, Carrier: "sip", Key: long("k") + fmt.Sprint(i), From: long("f"), To: long("t"), URL: long("u"),
			FinalStatus: "486 " + long("r") + fmt.Sprint(i), KeyStatus: "none"}
		sp.Add(s, []string{"sip.x"})
	}
	held := 0
	for _, v := range sp.values {
		held += len(v)
	}
	if held > 20*maxRowText+64 {
		t.Fatalf("%d bytes of interned values held for 20 sessions", held)
	}
	if sp.rowsOff > 20*(rowHeaderSize+5*maxRowText) {
		t.Fatalf("%d bytes of rows written for 20 sessions", sp.rowsOff)
	}
	rows := sp.Rows(20)
	if r := rows[0]; len(r.Key) > maxRowText || !strings.HasPrefix(r.Key, "kkkk") || len(r.FinalStatus) > maxRowText || !utf8.ValidString(r.Key) {
		t.Fatalf("row key %d bytes, status %d bytes", len(r.Key), len(r.FinalStatus))
	}
	s, err := sp.Load(3)
	if err != nil || s.Key != long("k")+"3" || s.FinalStatus != "486 "+long("r")+"3" {
		t.Fatalf("load: %v", err)
	}
}

// TestJobSnapshotRows: SnapshotRows lists the sessions in progress in the
// report and the retired ones as rows on disk, together every session
// once, the rows the same as Snapshot's and each loading by its place the
// model Session loads by ID. A view frozen (paused) before a key restarts
// the pass keeps its rows readable until it thaws; then its spool is
// closed and the new pass's rows are listed.
func TestJobSnapshotRows(t *testing.T) {
	const n = 40
	pcap, keyFile := writeSeries(t, n, scenario.SeriesShape{Packets: 3, Spacing: time.Second, Name: "rows"})
	kb, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	j := startFileJob(t, pcap, Options{Trees: true, SignalText: true})
	defer j.Close()
	waitJob(t, j)
	r, rows := j.SnapshotRows()
	all := j.Snapshot()
	if rows.Len() < n/2 || len(r.Sessions)+rows.Len() != n || len(all.Sessions) != n {
		t.Fatalf("%d in progress, %d rows, Snapshot %d", len(r.Sessions), rows.Len(), len(all.Sessions))
	}
	for _, s := range r.Sessions {
		if s.Retired != nil {
			t.Errorf("session %d in progress is a row", s.ID)
		}
	}
	got, err := rows.Rows(0, rows.Len())
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int]*Session{}
	for _, s := range all.Sessions {
		byID[s.ID] = s
	}
	for i, row := range got {
		want := byID[row.ID]
		if want == nil || want.Retired == nil || row.Retired.Index != i || row.From != want.From || row.KeyStatus != want.KeyStatus ||
			!row.Start.Equal(want.Start) || row.Retired.Streams != want.Retired.Streams || !slices.Equal(row.Retired.Codes, want.Retired.Codes) {
			t.Fatalf("row %d: %+v, Snapshot's %+v", i, row, want)
		}
		delete(byID, row.ID)
		if i%7 == 0 {
			s, err := rows.Load(i)
			byIDModel, err2 := j.Session(row.ID)
			if err != nil || err2 != nil || s.ID != row.ID || len(s.Signals) != len(byIDModel.Signals) || len(s.Signals) == 0 {
				t.Fatalf("row %d: load %v %v", i, err, err2)
			}
		}
	}
	if len(byID) != len(r.Sessions) {
		t.Errorf("%d sessions neither retired nor in progress", len(byID)-len(r.Sessions))
	}
	// Scan reads the same rows, into one reused Session.
	k := 3
	err = rows.Scan(3, rows.Len(), func(s *Session) {
		want := got[k]
		if s.ID != want.ID || s.Retired.Index != k || s.From != want.From || !slices.Equal(s.Retired.Codes, want.Retired.Codes) || s.FindingCounts != want.FindingCounts {
			t.Errorf("scan row %d: %+v, want %+v", k, s, want)
		}
		k++
	})
	if err != nil || k != rows.Len() {
		t.Errorf("scan: %d rows, %v", k-3, err)
	}

	j.SetPaused(true)
	added := false
	for _, line := range strings.Split(string(kb), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			if err := j.AddKey(line); err != nil {
				t.Fatal(err)
			}
			added = true
			break
		}
	}
	if !added {
		t.Fatal("no key in the keys file")
	}
	waitJob(t, j)
	fr, frows := j.SnapshotRows()
	if len(fr.Sessions) != len(r.Sessions) || !frows.Same(rows) || frows.Len() != rows.Len() {
		t.Fatalf("frozen view: %d rows, was %d", frows.Len(), rows.Len())
	}
	if _, err := frows.Rows(0, frows.Len()); err != nil {
		t.Fatalf("frozen rows after the new pass: %v", err)
	}
	j.SetPaused(false)
	if _, err := frows.Rows(0, 1); err == nil {
		t.Error("the thawed view's old spool is still open")
	}
	_, nrows := j.SnapshotRows()
	if nrows.Same(frows) || nrows.Len() == 0 {
		t.Fatalf("after thawing: %d rows of the same spool %v", nrows.Len(), nrows.Same(frows))
	}
	if _, err := nrows.Rows(0, nrows.Len()); err != nil {
		t.Fatal(err)
	}
}

// TestSessionSpoolCorruptRows: offsets and lengths read back from the
// TUI spool's index and rows files are checked before they size anything
// (docs/hardening.md, spool files): an index entry overwritten with a huge,
// a decreasing or a past-the-end offset, a row whose model range is past
// the models written, and a field length of 2^31-1 are errors or cut to
// the row, never a large allocation or a panic.
func TestSessionSpoolCorruptRows(t *testing.T) {
	fresh := func() *SessionSpool {
		sp, err := NewSessionSpool()
		if err != nil {
			t.Skip(err)
		}
		t.Cleanup(func() { sp.Close() })
		for i := 1; i <= 5; i++ {
			sp.Add(&Session{ID: i, Carrier: "sip", Key: fmt.Sprintf("call%d@x", i), From: "sip:a@b", KeyStatus: "none"}, []string{"sip.x"})
		}
		if _, err := sp.RowsRange(0, 5); err != nil { // flushed
			t.Fatal(err)
		}
		return sp
	}
	putU64 := func(f *os.File, off int64, v uint64) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], v)
		if _, err := f.WriteAt(b[:], off); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		v    uint64
	}{{"huge", 1 << 62}, {"negative", 1 << 63}, {"past the end", 1 << 20}, {"decreasing", 0}} {
		sp := fresh()
		putU64(sp.ixF, 8*3, tc.v) // row 3's offset
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := sp.RowsRange(0, 5); err == nil || !strings.Contains(err.Error(), "session spool: corrupted index") {
			t.Errorf("%s offset: rows read: %v", tc.name, err)
		}
		if _, err := sp.LoadAt(3); err == nil {
			t.Errorf("%s offset: row 3 loaded", tc.name)
		}
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
			t.Errorf("%s offset: %d bytes allocated", tc.name, grew)
		}
	}
	// A row's model range past the models written.
	sp := fresh()
	rows, _ := sp.RowsRange(0, 5)
	off := int64(binary.LittleEndian.Uint64(readAt(t, sp.ixF, 8*2, 8)))
	putU64(sp.rowsF, off+16, 1<<40) // row 2's model offset
	if _, err := sp.LoadAt(2); err == nil || !strings.Contains(err.Error(), "beyond the") {
		t.Errorf("model past the end: %v", err)
	}
	if s, err := sp.LoadAt(1); err != nil || s.Key != rows[1].Key {
		t.Errorf("row 1 after row 2's corruption: %v", err)
	}
	// A field length of 2^31-1 (not interned): cut to the row's bytes.
	sp = fresh()
	off = int64(binary.LittleEndian.Uint64(readAt(t, sp.ixF, 8*4, 8)))
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], 1<<31-1)
	if _, err := sp.rowsF.WriteAt(b[:], off+32+4*rowKey); err != nil {
		t.Fatal(err)
	}
	got, err := sp.RowsRange(4, 5)
	if err != nil || len(got) != 1 || len(got[0].Key) > 64 {
		t.Errorf("long field: %v %d rows", err, len(got))
	}
}

func readAt(t *testing.T, f *os.File, off int64, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	return b
}
