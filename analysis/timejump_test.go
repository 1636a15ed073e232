package analysis

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/hep"
	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/keys"
)

// tframe is one frame of a capture being rewritten.
type tframe struct {
	t    time.Time
	data []byte
}

// seriesFrames returns the frames of a series of n calls (scenario's
// benchmark calls: UDP, TCP and fragmented INVITEs, SRTP both ways) and
// the path of its keys file.
func seriesFrames(t *testing.T, n int, shape scenario.SeriesShape) ([]tframe, string) {
	t.Helper()
	pcap, keyFile := writeSeries(t, n, shape)
	src, err := capture.OpenFiles(pcap)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out []tframe
	var p capture.Packet
	for {
		if err := src.Next(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		out = append(out, tframe{p.Time, bytes.Clone(p.Data)})
	}
	return out, keyFile
}

func writeFrames(t *testing.T, name string, frames []tframe) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := pcapwrite.NewWriter(&buf, pcapwrite.FormatPcap)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range frames {
		if err := w.WriteFrame(f.t, f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// retireRun is what a pass with retirement gave: every session (retired
// during the pass or left at the end), how many were retired during the
// pass, the most sessions in progress at once, and the report.
type retireRun struct {
	sessions []*Session
	retired  int
	peak     int
	active   int // Counters().SessionsActive at the end of the pass
	cached   int // media packets' sessions cached at the end (emptied by the idle sweep every 10 s)
	replays  int // MIKEY messages in the replay cache at the end
	r        *Report
}

func runRetiring(t *testing.T, pcap, keyFile string) retireRun {
	return runRetiringWith(t, pcap, keyFile, Options{})
}

func runRetiringWith(t *testing.T, pcap, keyFile string, opts Options) retireRun {
	t.Helper()
	var run retireRun
	var a *Analyzer
	opts = Options{
		ClockSkew: opts.ClockSkew,
		Retire:    func(s *Session) { run.sessions = append(run.sessions, s); run.retired++ },
		// Called with the analyzer's lock held, once per media packet.
		Hook: func(*Stream, *dissect.MediaPacket, []byte) { run.peak = max(run.peak, len(a.sessions)) },
	}
	st, _, err := keys.ParseFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	opts.Keys = st
	src, err := capture.OpenFiles(pcap)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a = New(opts)
	if err := Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	run.active = a.Counters().SessionsActive
	run.cached = len(a.mediaSessions)
	run.replays = a.replay.Len()
	run.r = a.Finish()
	run.sessions = append(run.sessions, run.r.Sessions...)
	sort.Slice(run.sessions, func(i, j int) bool { return run.sessions[i].ID < run.sessions[j].ID })
	return run
}

// callShape sums up a session for comparing two runs: its key, signals,
// MIKEY verdict, and per stream the packets and how many decrypted.
func callShape(s *Session) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s signals=%d key=%s", s.Key, len(s.Signals), s.KeyStatus)
	for _, st := range s.Streams {
		fmt.Fprintf(&b, " %s:%d/%d", st.SSRC, st.Decrypted, st.Packets)
	}
	return b.String()
}

func callShapes(ss []*Session) []string {
	var out []string
	for _, s := range ss {
		out = append(out, callShape(s))
	}
	sort.Strings(out)
	return out
}

func timeJumps(r *Report) []*Finding {
	var out []*Finding
	for _, f := range r.Findings {
		if f.Code == KindTimeJump.Code {
			out = append(out, f)
		}
	}
	return out
}

// TestTimeJumpsKeepRetirement: 120 calls, one starting every second
// (each ~2 s long), with one frame from the far future amid them, or the
// capture's time stepping back an hour (two captures concatenated): every
// call is reported whole as in the capture without the jump (none split,
// none lost, every stream decrypts), sessions are still retired during the
// pass so that the calls in progress stay a handful (memory bounded by
// what is in progress), and the jump is one capture.time-jump warning at
// its frame. Before the steady clock, the far-future frame stopped
// time-based retirement for the rest of the capture (every later call
// stayed in memory) and the step back did the same for an hour of capture
// time.
func TestTimeJumpsKeepRetirement(t *testing.T) {
	const n = 120
	frames, keyFile := seriesFrames(t, n, scenario.SeriesShape{Packets: 5, Spacing: time.Second, Name: "jump"})
	base := runRetiring(t, writeFrames(t, "base.pcap", frames), keyFile)
	if len(base.sessions) != n || base.retired < n-10 || base.peak > 10 {
		t.Fatalf("without a jump: %d sessions, %d retired during the pass, peak %d in progress", len(base.sessions), base.retired, base.peak)
	}
	for _, s := range base.sessions {
		if s.KeyStatus != "verified" || len(s.Streams) != 4 {
			t.Fatalf("without a jump: %s", callShape(s))
		}
	}
	if js := timeJumps(base.r); len(js) != 0 {
		t.Fatalf("without a jump: %s", js[0].Summary)
	}
	mid := len(frames) / 2
	cases := []struct {
		name   string
		change func(fs []tframe)
		frame  uint64 // the finding's frame
		words  string // in its summary
	}{
		{"one frame a day ahead", func(fs []tframe) { fs[mid].t = fs[mid].t.Add(24 * time.Hour) }, uint64(mid + 1), "is 1d 0h 0m 0s ahead of its neighbours"},
		{"one frame ten years ahead", func(fs []tframe) { fs[mid].t = fs[mid].t.AddDate(10, 0, 0) }, uint64(mid + 1), "ahead of its neighbours"},
		{"one frame at the epoch", func(fs []tframe) { fs[mid].t = time.Unix(0, 0) }, uint64(mid + 1), "behind its neighbours"},
		{"a step back of an hour", func(fs []tframe) {
			for i := mid; i < len(fs); i++ {
				fs[i].t = fs[i].t.Add(-time.Hour)
			}
		}, uint64(mid + 1), "steps back 59m59.999s at frame"},
		{"a step back of a day", func(fs []tframe) {
			for i := mid; i < len(fs); i++ {
				fs[i].t = fs[i].t.Add(-24 * time.Hour)
			}
		}, uint64(mid + 1), "steps back 1d 0h 0m 0s at frame"},
	}
	want := callShapes(base.sessions)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := append([]tframe(nil), frames...)
			tc.change(fs)
			got := runRetiring(t, writeFrames(t, "jump.pcap", fs), keyFile)
			if g := callShapes(got.sessions); strings.Join(g, "\n") != strings.Join(want, "\n") {
				t.Errorf("%d sessions, want %d as without the jump; first differences:", len(g), len(want))
				for i := 0; i < len(g) && i < len(want); i++ {
					if g[i] != want[i] {
						t.Errorf("got  %s\nwant %s", g[i], want[i])
						break
					}
				}
			}
			if got.r.Summary.LatePackets != base.r.Summary.LatePackets {
				t.Errorf("%d late packets, %d without the jump", got.r.Summary.LatePackets, base.r.Summary.LatePackets)
			}
			if got.retired < n-10 || got.peak > base.peak+2 {
				t.Errorf("%d of %d sessions retired during the pass, peak %d in progress (%d without the jump)", got.retired, n, got.peak, base.peak)
			}
			if got.cached > base.cached+4 {
				t.Errorf("%d media sessions cached at the end, %d without the jump: the idle sweep stopped", got.cached, base.cached)
			}
			if got.active != base.active || base.active == 0 {
				t.Errorf("the metrics' sessions in progress at the end: %d, %d without the jump", got.active, base.active)
			}
			t.Logf("%d sessions, %d retired during the pass, peak %d in progress, %d cached (without the jump: %d, %d, %d, %d)", len(got.sessions), got.retired, got.peak, got.cached, len(base.sessions), base.retired, base.peak, base.cached)
			js := timeJumps(got.r)
			if len(js) != 1 || js[0].Frame != tc.frame || js[0].Severity != SeverityWarning || !strings.Contains(js[0].Summary, tc.words) {
				for _, f := range js {
					t.Logf("frame %d: %s", f.Frame, f.Summary)
				}
				t.Fatalf("%d time-jump findings, want one at frame %d saying %q", len(js), tc.frame, tc.words)
			}
			t.Logf("%s", js[0].Summary)
		})
	}
}

// TestMIKEYMessageADayAheadKeepsReplayWindow: one INVITE (with its
// MIKEY message) a day ahead early in 120 calls, the replay window at
// 62 s (--clock-skew 1s): the replay cache keeps the messages of the last
// 62 s as without the jump. Before, the message emptied the cache and then
// held every later message (the window runs from the oldest entry).
func TestMIKEYMessageADayAheadKeepsReplayWindow(t *testing.T) {
	const n = 120
	frames, keyFile := seriesFrames(t, n, scenario.SeriesShape{Packets: 5, Spacing: time.Second, Name: "replay"})
	opts := Options{ClockSkew: time.Second}
	base := runRetiringWith(t, writeFrames(t, "base.pcap", frames), keyFile, opts)
	at := -1
	for i := len(frames) / 10; i < len(frames); i++ {
		if _, dst, payload, ok := plainUDP(frames[i].data); ok && dst.Port() == 5060 && bytes.HasPrefix(payload, []byte("INVITE ")) {
			at = i
			break
		}
	}
	if at < 0 {
		t.Fatal("no INVITE over UDP")
	}
	fs := append([]tframe(nil), frames...)
	fs[at].t = fs[at].t.Add(24 * time.Hour)
	got := runRetiringWith(t, writeFrames(t, "jump.pcap", fs), keyFile, opts)
	if len(got.sessions) != n || got.retired < n-10 {
		t.Fatalf("%d sessions, %d retired during the pass", len(got.sessions), got.retired)
	}
	if base.replays < 100 || got.replays > base.replays+2 {
		t.Errorf("%d MIKEY messages in the replay cache at the end, %d without the jump", got.replays, base.replays)
	}
	if js := timeJumps(got.r); len(js) != 1 || js[0].Frame != uint64(at+1) {
		t.Errorf("time jumps %+v", js)
	}
	t.Logf("replay cache: %d entries, %d without the jump", got.replays, base.replays)
}

// TestHEPAgentClockADayAhead: the same calls with their SIP over UDP
// mirrored by a HEP agent whose clock is a day ahead (its timestamps are
// the signalling's), the media on the wire with the capture's own times:
// no call is split, every stream decrypts, sessions retire during the
// pass, and one capture.time-jump names the agent and its lead.
func TestHEPAgentClockADayAhead(t *testing.T) {
	const n = 60
	frames, keyFile := seriesFrames(t, n, scenario.SeriesShape{Packets: 5, Spacing: time.Second, Name: "hep-ahead"})
	base := runRetiring(t, writeFrames(t, "base.pcap", frames), keyFile)
	agent := netip.MustParseAddrPort("10.30.0.1:41234")
	collector := netip.MustParseAddrPort("10.30.0.9:9060")
	var b framebuild.Builder
	mirrored := 0
	out := make([]tframe, 0, len(frames))
	for _, f := range frames {
		src, dst, payload, ok := plainUDP(f.data)
		if !ok || (src.Port() != 5060 && dst.Port() != 5060) {
			out = append(out, f)
			continue
		}
		hp := hep.Packet{Version: 3, Src: src, Dst: dst, IPProto: 17, Time: f.t.Add(24 * time.Hour), ProtoType: hep.ProtoSIP,
			Agent: 2002, HasAgent: true, Payload: payload}
		enc, err := hep.Append(nil, &hp)
		if err != nil {
			t.Fatal(err)
		}
		frame, err := b.UDP(agent, collector, enc)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tframe{f.t, frame})
		mirrored++
	}
	if mirrored < 4*n {
		t.Fatalf("%d SIP datagrams mirrored", mirrored)
	}
	got := runRetiring(t, writeFrames(t, "hep.pcap", out), keyFile)
	if g, w := callShapes(got.sessions), callShapes(base.sessions); strings.Join(g, "\n") != strings.Join(w, "\n") {
		t.Fatalf("%d sessions, want %d as on the wire:\n%s", len(g), len(w), strings.Join(g, "\n"))
	}
	if got.r.Summary.HEP == nil || got.r.Summary.HEP.SIP != uint64(mirrored) {
		t.Fatalf("summary.hep %+v, %d mirrored", got.r.Summary.HEP, mirrored)
	}
	if got.retired < n-10 || got.peak > base.peak+2 {
		t.Errorf("%d of %d sessions retired during the pass, peak %d in progress (%d on the wire)", got.retired, n, got.peak, base.peak)
	}
	js := timeJumps(got.r)
	if len(js) != 1 || !strings.Contains(js[0].Summary, "agent 2002") || !strings.Contains(js[0].Summary, "(agent 2002's clock) is 1d 0h 0m 0s ahead of the capture's time") {
		for _, f := range js {
			t.Logf("frame %d: %s", f.Frame, f.Summary)
		}
		t.Fatalf("%d time-jump findings, want one for agent 2002", len(js))
	}
	t.Logf("%s", js[0].Summary)
}

// plainUDP reads an Ethernet/IPv4/UDP frame that is not a fragment.
func plainUDP(f []byte) (src, dst netip.AddrPort, payload []byte, ok bool) {
	if len(f) < 14+20+8 || binary.BigEndian.Uint16(f[12:]) != 0x0800 {
		return
	}
	ip := f[14:]
	ihl := int(ip[0]&0x0f) * 4
	if ip[9] != 17 || binary.BigEndian.Uint16(ip[6:])&0x3fff != 0 || len(ip) < ihl+8 {
		return
	}
	u := ip[ihl:]
	src = netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip[12:16])), binary.BigEndian.Uint16(u[0:]))
	dst = netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip[16:20])), binary.BigEndian.Uint16(u[2:]))
	return src, dst, u[8:binary.BigEndian.Uint16(u[4:])], true
}

// TestLiveHEPAgentADayAhead: a live capture (wall-clock times, idle
// reports) of a call whose SIP comes from a HEP agent with its clock a day
// ahead and whose media is on the wire: once the capture falls quiet the
// wall clock retires the call (Linger after its BYE), and the agent's lead
// is one capture.time-jump. Before the steady clock the agent's timestamps
// set the retirement clock a day ahead of the wall clock's idle reports,
// and the call stayed until the end.
func TestLiveHEPAgentADayAhead(t *testing.T) {
	src, err := capture.OpenFiles(filepath.Join("..", "samples", "sip-hep-psk.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	var pkts []capture.Packet
	var p capture.Packet
	for src.Next(&p) == nil {
		c := p
		c.Data = bytes.Clone(p.Data)
		pkts = append(pkts, c)
	}
	src.Close()
	// The call (3 s long) ended 4 s ago by the wall clock; the agent's
	// clock is a day ahead of it.
	shift := time.Now().Add(-4 * time.Second).Sub(pkts[len(pkts)-1].Time)
	var b framebuild.Builder
	for i := range pkts {
		c := &pkts[i]
		c.Time = c.Time.Add(shift)
		if s, d, payload, ok := plainUDP(c.Data); ok && d.Port() == capture.HEPPort {
			var hp hep.Packet
			if err := hep.Parse(payload, &hp); err != nil {
				t.Fatal(err)
			}
			hp.Time = hp.Time.Add(shift + 24*time.Hour)
			enc, err := hep.Append(nil, &hp)
			if err != nil {
				t.Fatal(err)
			}
			if c.Data, err = b.UDP(s, d, enc); err != nil {
				t.Fatal(err)
			}
			c.OrigLen = len(c.Data)
		}
	}
	ks, _, err := keys.ParseFile(filepath.Join("..", "samples", "sip-hep-psk.keys"))
	if err != nil {
		t.Fatal(err)
	}
	retired, r := runQuietLive(t, pkts, Options{Keys: ks})
	if len(retired) != 1 || len(r.Sessions) != 0 || len(retired[0].Signals) != 7 || len(retired[0].Streams) != 4 {
		t.Fatalf("%d sessions retired while the source was quiet, %d left at the end", len(retired), len(r.Sessions))
	}
	for _, st := range retired[0].Streams {
		if st.Decrypted != st.Packets || st.Packets == 0 {
			t.Errorf("stream %s: %d of %d decrypted", st.SSRC, st.Decrypted, st.Packets)
		}
	}
	js := timeJumps(r)
	if len(js) != 1 || js[0].Frame != 1 || !strings.Contains(js[0].Summary, "agent 2002's clock) is 1d 0h 0m 0s ahead of the capture's time") {
		for _, f := range js {
			t.Logf("frame %d: %s", f.Frame, f.Summary)
		}
		t.Fatalf("%d time-jump findings, want one for agent 2002 at frame 1", len(js))
	}
}
