package analysis

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/fuzzcap"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/keys"
)

// writeSeries writes a series of n calls to a pcap file and its keys file
// and returns their paths.
func writeSeries(t testing.TB, n int, shape scenario.SeriesShape) (pcap, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := scenario.WriteSeriesFiles(dir, "series", n, shape); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "series.pcap"), filepath.Join(dir, "series.keys")
}

// runFile analyses a capture with opts (and the keys of keyFile when not
// empty) and returns the report.
func runFile(t testing.TB, pcap, keyFile string, opts Options) *Report {
	t.Helper()
	if keyFile != "" {
		st, _, err := keys.ParseFile(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		opts.Keys = st
	}
	src, err := capture.OpenFiles(pcap)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a := New(opts)
	a.SetInputs([]string{pcap})
	if err := Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	return a.Finish()
}

func jsonText(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRetiredSessionsAreTheFinishedOnes runs calls that end one after the
// other through the analyzer with and without retirement: the sessions
// handed out during the pass, with those Finish still holds, are the
// sessions of the report without retirement, field for field (streams,
// verdicts, finding counts), and the summary and findings are the same.
func TestRetiredSessionsAreTheFinishedOnes(t *testing.T) {
	pcap, keyFile := writeSeries(t, 40, scenario.SeriesShape{Packets: 5, Spacing: time.Second, Name: "retire"})
	for _, kf := range []string{"", keyFile} {
		t.Run(fmt.Sprintf("keys=%v", kf != ""), func(t *testing.T) {
			want := runFile(t, pcap, kf, Options{})
			var retired []*Session
			var raised int
			got := runFile(t, pcap, kf, Options{
				Retire:  func(s *Session) { retired = append(retired, s) },
				Finding: func(*Finding) { raised++ },
			})
			// Calls end 1 s apart and linger 5 s: all but the last few
			// leave during the pass.
			if len(retired) < 30 || len(got.Sessions)+len(retired) != 40 {
				t.Fatalf("%d sessions retired, %d left at the end", len(retired), len(got.Sessions))
			}
			all := append(append([]*Session(nil), retired...), got.Sessions...)
			sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
			if len(want.Sessions) != 40 {
				t.Fatalf("%d sessions without retirement", len(want.Sessions))
			}
			for i, s := range all {
				if g, w := jsonText(t, s), jsonText(t, want.Sessions[i]); g != w {
					t.Errorf("session %d differs:\n got %s\nwant %s", s.ID, g, w)
				}
			}
			if g, w := jsonText(t, got.Summary), jsonText(t, want.Summary); g != w {
				t.Errorf("summary %s, want %s", g, w)
			}
			if g, w := jsonText(t, got.Findings), jsonText(t, want.Findings); g != w {
				t.Errorf("findings differ:\n got %s\nwant %s", g, w)
			}
			if raised != len(want.Findings) {
				t.Errorf("%d findings raised, the report has %d", raised, len(want.Findings))
			}
			if kf != "" && want.Summary.Errors+want.Summary.Warnings != 0 {
				t.Errorf("with keys the calls are clean: %+v", want.Summary)
			}
			for _, s := range retired {
				if len(s.Streams) != 4 || s.FindingCounts != (FindingCounts{}) && kf != "" {
					t.Errorf("session %d: %d streams, counts %+v", s.ID, len(s.Streams), s.FindingCounts)
				}
				if kf != "" && s.Streams[2].Decrypted != 5 {
					t.Errorf("session %d: stream %+v", s.ID, s.Streams[2])
				}
			}
		})
	}
}

// retireCase feeds signalling (and media) messages to an analyzer with
// retirement and says which sessions were retired when.
type retireHarness struct {
	t       *testing.T
	a       *Analyzer
	t0      time.Time
	frame   uint64
	retired []string // keys, in retirement order
}

func newRetireHarness(t *testing.T, opts Options) *retireHarness {
	h := &retireHarness{t: t, t0: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}
	opts.Retire = func(s *Session) { h.retired = append(h.retired, s.Key) }
	h.a = New(opts)
	return h
}

var (
	rhCaller = netip.MustParseAddrPort("192.0.2.1:5060")
	rhCallee = netip.MustParseAddrPort("192.0.2.2:5060")
)

// sip sends a SIP message of dialog key at offset at: "INVITE", "BYE" or a
// response "200 INVITE", "487 INVITE", ...
func (h *retireHarness) sip(key string, at time.Duration, what string) {
	h.frame++
	m := &dissect.SignalMessage{Frame: h.frame, Time: h.t0.Add(at), Carrier: dissect.CarrierSIP, SessionKey: key, CallID: key,
		Src: rhCaller, Dst: rhCallee, Transport: "udp", MediaIndex: -1}
	var status int
	var method string
	if n, _ := fmt.Sscanf(what, "%d %s", &status, &method); n == 2 {
		m.Status, m.Method, m.CSeqMethod, m.Reason = status, method, method, "Reason"
		m.ToTag = "t"
	} else {
		m.Request, m.Method, m.CSeqMethod, m.URI = true, what, what, "sip:bob@example.com"
		if what != "INVITE" {
			m.ToTag = "t"
		}
	}
	h.a.Signal(m)
}

// rtsp sends an RTSP message of session key.
func (h *retireHarness) rtsp(key string, at time.Duration, what string) {
	h.frame++
	m := &dissect.SignalMessage{Frame: h.frame, Time: h.t0.Add(at), Carrier: dissect.CarrierRTSP, SessionKey: key, Session: key,
		Src: rhCaller, Dst: rhCallee, Transport: "tcp", MediaIndex: -1}
	var status int
	var method string
	if n, _ := fmt.Sscanf(what, "%d %s", &status, &method); n == 2 {
		m.Status, m.Method, m.Reason = status, method, "OK"
	} else {
		m.Request, m.Method, m.URI = true, what, "rtsp://example.com/s"
	}
	h.a.Signal(m)
}

func (h *retireHarness) want(step string, keys ...string) {
	h.t.Helper()
	if fmt.Sprint(h.retired) != fmt.Sprint(keys) {
		h.t.Fatalf("%s: retired %v, want %v", step, h.retired, keys)
	}
}

// TestSessionEnds checks when a session has ended, table by table: a
// session is retired Linger after the packet that ended it (or IdleTimeout
// after its last packet), not before.
func TestSessionEnds(t *testing.T) {
	for _, tc := range []struct {
		name string
		msgs []string // SIP messages 100 ms apart
		// endsAfter is when the session is over, after its last message:
		// Linger when the messages end it, else the idle timeout.
		endsAfter time.Duration
	}{
		{"bye answered", []string{"INVITE", "200 INVITE", "ACK", "BYE", "200 BYE"}, Linger},
		{"bye answered 481", []string{"INVITE", "200 INVITE", "ACK", "BYE", "481 BYE"}, Linger},
		{"cancelled", []string{"INVITE", "180 INVITE", "CANCEL", "200 CANCEL", "487 INVITE"}, Linger},
		{"rejected", []string{"INVITE", "100 INVITE", "486 INVITE"}, Linger},
		{"redirected", []string{"INVITE", "302 INVITE"}, Linger},
		{"bye unanswered", []string{"INVITE", "200 INVITE", "ACK", "BYE"}, SignallingOnlyIdle},
		{"re-invite refused", []string{"INVITE", "200 INVITE", "ACK", "INVITE", "491 INVITE"}, SignallingOnlyIdle},
		{"cancel answered only", []string{"INVITE", "CANCEL", "200 CANCEL"}, 30 * time.Second},
		{"ringing", []string{"INVITE", "180 INVITE"}, 30 * time.Second},
		{"challenged", []string{"INVITE", "407 INVITE", "ACK", "INVITE", "200 INVITE", "ACK"}, SignallingOnlyIdle},
		{"challenged, given up", []string{"INVITE", "401 INVITE", "ACK"}, 30 * time.Second},
		{"challenged, then rejected", []string{"INVITE", "407 INVITE", "ACK", "INVITE", "486 INVITE"}, Linger},
		{"redirected, followed", []string{"INVITE", "302 INVITE", "ACK", "INVITE", "200 INVITE", "ACK"}, SignallingOnlyIdle},
		{"bye challenged", []string{"INVITE", "200 INVITE", "ACK", "BYE", "407 BYE"}, SignallingOnlyIdle},
		{"bye challenged, answered", []string{"INVITE", "200 INVITE", "ACK", "BYE", "407 BYE", "BYE", "200 BYE"}, Linger},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newRetireHarness(t, Options{})
			var at time.Duration
			for _, m := range tc.msgs {
				h.sip("call@x", at, m)
				at += 100 * time.Millisecond
			}
			last := at - 100*time.Millisecond
			// A keepalive every second moves the capture clock on (a
			// gap longer than the idle timeout would not count).
			ping := last
			for ping+time.Second < last+tc.endsAfter {
				ping += time.Second
				h.sip("ping@x", ping, "OPTIONS")
			}
			h.want("before the end")
			h.sip("ping@x", last+tc.endsAfter+10*time.Millisecond, "OPTIONS")
			h.want("after the end", "call@x")
		})
	}
	t.Run("teardown answered", func(t *testing.T) {
		h := newRetireHarness(t, Options{})
		for i, m := range []string{"SETUP", "200 SETUP", "PLAY", "200 PLAY", "TEARDOWN", "200 TEARDOWN"} {
			h.rtsp("ABCD", time.Duration(i)*100*time.Millisecond, m)
		}
		h.sip("other@x", 500*time.Millisecond+Linger-1200*time.Millisecond, "INVITE")
		h.want("lingering")
		h.sip("other@x", 500*time.Millisecond+Linger+10*time.Millisecond, "180 INVITE")
		h.want("after", "ABCD")
	})
	t.Run("signalling only", func(t *testing.T) {
		// An established call whose media is not in the capture waits an
		// hour for its BYE; other traffic (a keepalive every 10 s) moves
		// the capture clock on without gaps.
		h := newRetireHarness(t, Options{})
		for i, m := range []string{"INVITE", "200 INVITE", "ACK"} {
			h.sip("call@x", time.Duration(i)*100*time.Millisecond, m)
		}
		h.sip("short@x", time.Second, "INVITE") // never answered: 30 s
		at := time.Duration(0)
		ping := func(until time.Duration) {
			for at+10*time.Second <= until {
				at += 10 * time.Second
				h.sip("ping@x", at, "OPTIONS")
			}
		}
		ping(30 * time.Minute)
		h.want("half an hour on", "short@x")
		h.sip("call@x", at+time.Second, "BYE")
		h.sip("call@x", at+time.Second+50*time.Millisecond, "200 BYE")
		ping(at + 10*time.Second)
		h.want("after its BYE", "short@x", "call@x")
		h2 := newRetireHarness(t, Options{})
		h2.sip("call@x", 0, "INVITE")
		h2.sip("call@x", 100*time.Millisecond, "200 INVITE")
		for at := 10 * time.Second; at <= SignallingOnlyIdle+10*time.Second; at += 10 * time.Second {
			h2.sip("ping@x", at, "OPTIONS")
			if at == SignallingOnlyIdle-10*time.Second {
				h2.want("before the hour")
			}
		}
		h2.want("after the hour", "call@x")
	})
	t.Run("idle timeout option", func(t *testing.T) {
		h := newRetireHarness(t, Options{IdleTimeout: 3 * time.Second})
		h.sip("call@x", 0, "INVITE")
		h.sip("other@x", 2*time.Second, "INVITE")
		h.want("before")
		h.sip("other@x", 3100*time.Millisecond, "180 INVITE")
		h.want("after", "call@x")
	})
}

// TestLatePacketsTiedToTheirSession: a message of a retired dialog within
// TombstoneFor of its end is counted as late, not made a new session (with
// a mid-call finding); after that the Call-ID makes a new session.
func TestLatePacketsTiedToTheirSession(t *testing.T) {
	h := newRetireHarness(t, Options{})
	for i, m := range []string{"INVITE", "200 INVITE", "ACK", "BYE", "200 BYE"} {
		h.sip("call@x", time.Duration(i)*100*time.Millisecond, m)
	}
	h.sip("other@x", 6*time.Second, "INVITE")
	h.want("ended", "call@x")
	h.sip("call@x", 7*time.Second, "200 BYE") // a retransmission
	h.a.Media(&dissect.MediaPacket{Frame: 99, Time: h.t0.Add(8 * time.Second), Src: netip.MustParseAddrPort("192.0.2.1:4000"),
		Dst: netip.MustParseAddrPort("192.0.2.2:4000"), Interleaved: -1, SessionKey: "call@x", SessionID: 1, Kind: dissect.KindRTP,
		SSRC: 1, Data: make([]byte, 20)})
	r := h.a.Snapshot()
	if r.Summary.LatePackets != 2 || len(r.Sessions) != 1 || len(r.Streams) != 0 {
		t.Fatalf("late %d, sessions %d, unassociated streams %d", r.Summary.LatePackets, len(r.Sessions), len(r.Streams))
	}
	for _, f := range r.Findings {
		if f.Code == KindMidCall.Code {
			t.Errorf("late message reported as a new dialog: %s", f.Summary)
		}
	}
	// Past the tombstone: the same Call-ID is a new session (0.4 s is
	// when the first one ended; it was over Linger later). The quiet
	// spell before it is longer than the idle timeout: the steady clock
	// holds the first frame after it until the next one goes on from it
	// (capture.Clock), and the tombstones expire then.
	h.sip("third@x", 400*time.Millisecond+Linger+TombstoneFor, "INVITE")
	h.sip("call@x", 400*time.Millisecond+Linger+TombstoneFor+time.Second, "INVITE")
	r = h.a.Snapshot()
	if r.Summary.LatePackets != 2 || r.Summary.Sessions != 4 {
		t.Fatalf("after the tombstone: late %d, sessions %d", r.Summary.LatePackets, r.Summary.Sessions)
	}
	if _, ok := h.a.tombs.lookup(sessionKey{dissect.CarrierSIP, "call@x"}); ok {
		t.Error("the tombstone of call@x outlived TombstoneFor")
	}
}

// TestMaxSessionsBoundsCallsInProgress: past MaxSessions sessions in
// progress the least recently active are written out early, and nothing is
// lost: every session reaches the report, and a capture.limit finding says
// how many went early.
func TestMaxSessionsBoundsCallsInProgress(t *testing.T) {
	var retired []*Session
	a := New(Options{MaxSessions: 10, Retire: func(s *Session) { retired = append(retired, s) }})
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 100; i++ {
		key := fmt.Sprintf("call%d@x", i)
		a.Signal(&dissect.SignalMessage{Frame: uint64(i + 1), Time: t0.Add(time.Duration(i) * time.Millisecond), Carrier: dissect.CarrierSIP,
			SessionKey: key, CallID: key, Request: true, Method: "INVITE", URI: "sip:b@x", Src: rhCaller, Dst: rhCallee, Transport: "udp", MediaIndex: -1})
		if len(a.sessions) > 10 {
			t.Fatalf("%d sessions in progress after %d calls", len(a.sessions), i+1)
		}
	}
	r := a.Finish()
	if len(retired)+len(r.Sessions) != 100 || r.Summary.Sessions != 100 {
		t.Fatalf("%d retired + %d left, summary %d", len(retired), len(r.Sessions), r.Summary.Sessions)
	}
	seen := map[int]bool{}
	for _, s := range append(retired, r.Sessions...) {
		seen[s.ID] = true
	}
	if len(seen) != 100 {
		t.Errorf("%d distinct session IDs", len(seen))
	}
	var limit *Finding
	for _, f := range r.Findings {
		if f.Code == KindCaptureLimit.Code {
			limit = f
		}
	}
	if limit == nil || limit.Count != len(retired) {
		t.Fatalf("limit finding %+v for %d retired early", limit, len(retired))
	}
}

// TestTombstonesExpire checks the tombstone queue on its own.
func TestTombstonesExpire(t *testing.T) {
	var ts tombstones
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 100; i++ {
		ts.add(sessionKey{dissect.CarrierSIP, fmt.Sprint(i)}, i+1, t0.Add(time.Duration(i)*time.Second), 1000)
	}
	ts.expire(t0.Add(49 * time.Second))
	if ts.len() != 50 {
		t.Fatalf("%d left, want 50", ts.len())
	}
	if id, ok := ts.lookup(sessionKey{dissect.CarrierSIP, "50"}); !ok || id != 51 {
		t.Fatalf("lookup 50: %d %v", id, ok)
	}
	if _, ok := ts.lookup(sessionKey{dissect.CarrierSIP, "49"}); ok {
		t.Fatal("expired key found")
	}
	ts.expire(t0.Add(time.Hour))
	if ts.len() != 0 || len(ts.queue) != 0 {
		t.Fatalf("%d left, queue %d", ts.len(), len(ts.queue))
	}
}

// TestGapDoesNotEndSessions: a gap in the whole capture longer than the
// idle timeout (or a clock jump between two sources: HEP timestamps of a
// replayed file, media from an interface a month later) does not count as
// idle time: a dialog's packets after the gap still join it.
func TestGapDoesNotEndSessions(t *testing.T) {
	h := newRetireHarness(t, Options{})
	h.sip("call@x", 0, "INVITE")
	h.sip("call@x", 100*time.Millisecond, "200 INVITE")
	jump := 30 * 24 * time.Hour
	for i := 0; i < 3; i++ {
		h.a.Media(&dissect.MediaPacket{Frame: uint64(100 + i), Time: h.t0.Add(jump + time.Duration(i)*20*time.Millisecond), Src: netip.MustParseAddrPort("192.0.2.1:4000"),
			Dst: netip.MustParseAddrPort("192.0.2.2:4000"), Interleaved: -1, SessionKey: "call@x", SessionID: 1, Kind: dissect.KindRTP,
			SSRC: 1, Seq: uint16(i), Data: make([]byte, 20)})
	}
	h.want("after the jump")
	r := h.a.Snapshot()
	if len(r.Sessions) != 1 || len(r.Sessions[0].Streams) != 1 || r.Sessions[0].Streams[0].Packets != 3 || r.Summary.LatePackets != 0 {
		t.Fatalf("sessions %d, late %d, streams %+v", len(r.Sessions), r.Summary.LatePackets, r.Sessions[0].Streams)
	}
	// Idle time after the gap counts.
	h.sip("other@x", jump+31*time.Second, "INVITE")
	h.want("idle after the jump", "call@x")
}

// TestCountersKeepRetiredSessions: the metrics' counters (sessions by
// status, MIKEY verdicts, SRTP packets, findings, sessions seen) count the
// retired sessions as if they were still in the model, also when their
// findings leave with them (Options.RetiredFindings); so do the report's
// summary and its tally of findings per code.
func TestCountersKeepRetiredSessions(t *testing.T) {
	pcap, keyFile := writeSeries(t, 20, scenario.SeriesShape{Packets: 5, Spacing: time.Second, Name: "counters"})
	type pass struct {
		c        Counters
		r        *Report
		retired  int
		findings int // handed to RetiredFindings
	}
	run := func(kf string, retire, spoolFindings bool) pass {
		var opts Options
		if kf != "" {
			st, _, err := keys.ParseFile(kf)
			if err != nil {
				t.Fatal(err)
			}
			opts.Keys = st
		}
		var p pass
		if retire {
			opts.Retire = func(*Session) { p.retired++ }
		}
		if spoolFindings {
			opts.RetiredFindings = func(s *Session, fs []*Finding) {
				for i, f := range fs {
					if f.Session != s.ID || (i > 0 && CompareFindings(fs[i-1], f) >= 0) {
						t.Fatalf("finding %+v of session %d out of place", f, s.ID)
					}
				}
				p.findings += len(fs)
			}
		}
		src, err := capture.OpenFiles(pcap)
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		a := New(opts)
		if err := Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
			t.Fatal(err)
		}
		p.r = a.Finish()
		p.c = a.Counters()
		return p
	}
	tally := func(r *Report) map[string]CodeTally {
		out := map[string]CodeTally{}
		for code, t := range r.Retired {
			out[code] = t
		}
		seen := map[string]map[int]bool{}
		for _, f := range r.Findings {
			t := out[f.Code]
			t.Findings++
			t.Severity = max(t.Severity, f.Severity)
			if seen[f.Code] == nil {
				seen[f.Code] = map[int]bool{}
			}
			if f.Session != 0 && !seen[f.Code][f.Session] {
				seen[f.Code][f.Session] = true
				t.Sessions++
			}
			out[f.Code] = t
		}
		return out
	}
	for _, kf := range []string{"", keyFile} {
		want := run(kf, false, false)
		for _, spoolFindings := range []bool{false, true} {
			got := run(kf, true, spoolFindings)
			name := fmt.Sprintf("keys=%v findings spooled=%v", kf != "", spoolFindings)
			if got.retired < 10 {
				t.Fatalf("%s: only %d sessions retired", name, got.retired)
			}
			got.c.SessionsActive, got.c.StreamsActive, want.c.SessionsActive, want.c.StreamsActive = 0, 0, 0, 0
			if g, w := jsonText(t, fmt.Sprint(got.c)), jsonText(t, fmt.Sprint(want.c)); g != w {
				t.Errorf("%s: counters with retirement %s, without %s", name, g, w)
			}
			if kf != "" && (got.c.Packets[[2]string{"srtp", "decrypted"}] != 20*2*5 || got.c.SessionsSeen != 20) {
				t.Errorf("%s: counters %+v", name, got.c)
			}
			if got.r.Summary != want.r.Summary {
				t.Errorf("%s: summary %+v, want %+v", name, got.r.Summary, want.r.Summary)
			}
			if g, w := fmt.Sprint(tally(got.r)), fmt.Sprint(tally(want.r)); g != w {
				t.Errorf("%s: findings per code %s, want %s", name, g, w)
			}
			if spoolFindings && kf == "" && got.findings < got.retired {
				t.Errorf("%s: only %d findings of %d sessions handed out", name, got.findings, got.retired)
			}
			if spoolFindings && len(got.r.Findings)+got.findings != len(want.r.Findings) {
				t.Errorf("%s: %d findings held and %d handed out, want %d", name, len(got.r.Findings), got.findings, len(want.r.Findings))
			}
		}
		if kf == "" && want.r.Summary.Warnings == 0 {
			t.Fatal("no findings without keys: nothing tested")
		}
	}
}

// quietLiveSource plays packets as a live capture would (wall-clock times,
// Stats) and then reports itself idle until done is closed.
type quietLiveSource struct {
	pkts []capture.Packet
	next int
	done chan struct{}
}

func (s *quietLiveSource) Next(p *capture.Packet) error {
	if s.next < len(s.pkts) {
		*p = s.pkts[s.next]
		s.next++
		return nil
	}
	select {
	case <-s.done:
		return io.EOF
	case <-time.After(20 * time.Millisecond):
		return capture.ErrIdle
	}
}
func (s *quietLiveSource) Close() error             { return nil }
func (s *quietLiveSource) ReportIdle(time.Duration) {}
func (s *quietLiveSource) Stats() capture.LiveStats { return capture.LiveStats{} }

// runQuietLive analyses pkts played by a quietLiveSource, which stays idle
// after them until the first session is retired (or 10 s have passed),
// and returns the sessions retired and the report of the rest.
func runQuietLive(t *testing.T, pkts []capture.Packet, opts Options) ([]*Session, *Report) {
	t.Helper()
	live := &quietLiveSource{pkts: pkts, done: make(chan struct{})}
	var retired []*Session
	opts.Retire = func(s *Session) {
		retired = append(retired, s)
		close(live.done)
	}
	a := New(opts)
	go func() { // the test's own deadline
		time.Sleep(10 * time.Second)
		select {
		case <-live.done:
		default:
			close(live.done)
		}
	}()
	if err := Run(context.Background(), live, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	return retired, a.Finish()
}

// TestQuietLiveCaptureRetires: a live capture that falls quiet after a call
// ended still writes the call out: the wall clock moves the analysis on
// while the source is idle.
func TestQuietLiveCaptureRetires(t *testing.T) {
	pkts, err := fuzzcap.ReadPackets(filepath.Join("..", "samples", "sip-udp-psk.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	// The call ended 20 s ago by the wall clock.
	shift := time.Now().Add(-20 * time.Second).Sub(pkts[len(pkts)-1].Time)
	for i := range pkts {
		pkts[i].Time = pkts[i].Time.Add(shift)
	}
	retired, r := runQuietLive(t, pkts, Options{})
	if len(retired) != 1 || len(r.Sessions) != 0 || retired[0].Streams == nil {
		t.Fatalf("%d sessions retired while the source was quiet, %d left at the end", len(retired), len(r.Sessions))
	}
}

// TestTombstonesBoundedByMaxSessions: a hostile capture of one-packet
// sessions, each with a Call-ID of its own, packed into less than
// TombstoneFor of capture time, left a tombstone (with its Call-ID) for
// every session retired early: memory grew with the capture, not with
// --max-sessions (found in review). The tombstones are now as many as
// --max-sessions at most, the oldest given up first; the latest still tie
// late packets to their session.
func TestTombstonesBoundedByMaxSessions(t *testing.T) {
	h := newRetireHarness(t, Options{MaxSessions: 10})
	const n = 5000
	for i := 0; i < n; i++ {
		h.sip(fmt.Sprintf("flood%d@x", i), time.Duration(i)*100*time.Microsecond, "INVITE")
		if len(h.a.sessions) > 10 || h.a.tombs.len() > 10 || len(h.a.tombs.queue) > 2*10+1 {
			t.Fatalf("after %d sessions: %d in progress, %d tombstones, queue %d", i+1, len(h.a.sessions), h.a.tombs.len(), len(h.a.tombs.queue))
		}
	}
	if len(h.retired) < n-10 {
		t.Fatalf("%d retired", len(h.retired))
	}
	// The latest retired session's key is still a tombstone.
	late := h.retired[len(h.retired)-1]
	h.sip(late, time.Duration(n)*100*time.Microsecond, "200 INVITE")
	if got := h.a.Snapshot().Summary.LatePackets; got != 1 {
		t.Fatalf("late packets %d, want 1 (%s)", got, late)
	}
}
