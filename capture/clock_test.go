package capture

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// TestClock feeds timelines to the steady clock and checks the time each
// frame gets on it and the jumps it reports.
func TestClock(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	const day = 24 * time.Hour
	type obs struct {
		src   string        // "wire", "wall", or an agent's name
		at    time.Duration // the frame's timestamp, from t0
		recv  time.Duration // an agent's packet: when its frame was captured
		stamp time.Duration // the time it gets on the clock, from t0
	}
	s := time.Second
	ms := time.Millisecond
	cases := []struct {
		name      string
		countGaps bool
		obs       []obs
		jumps     string // kind@frame(by) of each jump, in order
	}{
		{"in order", false, []obs{{"wire", 0, 0, 0}, {"wire", 20 * ms, 0, 20 * ms}, {"wire", 5 * s, 0, 5 * s}, {"wire", 35 * s, 0, 35 * s}}, ""},
		{"a little out of order", false, []obs{{"wire", 0, 0, 0}, {"wire", 2 * s, 0, 2 * s}, {"wire", 1500 * ms, 0, 1500 * ms}, {"wire", 2500 * ms, 0, 2500 * ms}}, ""},
		{"one frame a day ahead", false, []obs{{"wire", 0, 0, 0}, {"wire", 1 * s, 0, 1 * s}, {"wire", day + 1*s, 0, 1 * s}, {"wire", 2 * s, 0, 2 * s}, {"wire", 3 * s, 0, 3 * s}},
			"ahead@3(24h0m0s)"},
		{"one frame behind", false, []obs{{"wire", 10 * s, 0, 10 * s}, {"wire", 11 * s, 0, 11 * s}, {"wire", -day, 0, 11 * s}, {"wire", 12 * s, 0, 12 * s}},
			"behind@3(-24h0m11s)"},
		{"a step back", false, []obs{{"wire", 0, 0, 0}, {"wire", 10 * s, 0, 10 * s}, {"wire", 10*s - time.Hour, 0, 10 * s}, {"wire", 11*s - time.Hour, 0, 11 * s}, {"wire", 12*s - time.Hour, 0, 12 * s}},
			"back@3(-1h0m0s)"},
		{"a step back and forward again", false, []obs{{"wire", 0, 0, 0}, {"wire", -time.Hour, 0, 0}, {"wire", 1*s - time.Hour, 0, 1 * s}, {"wire", 2 * s, 0, 1 * s}, {"wire", 3 * s, 0, 2 * s}},
			"back@2(-1h0m0s) gap@4(1h0m1s)"},
		{"a quiet spell does not count", false, []obs{{"wire", 0, 0, 0}, {"wire", 10 * time.Minute, 0, 0}, {"wire", 10*time.Minute + s, 0, 1 * s}},
			"gap@2(10m0s)"},
		{"a quiet spell counts", true, []obs{{"wire", 0, 0, 0}, {"wire", 10 * time.Minute, 0, 0}, {"wire", 10*time.Minute + s, 0, 10*time.Minute + s}}, ""},
		{"two frames ahead are a step", false, []obs{{"wire", 0, 0, 0}, {"wire", day, 0, 0}, {"wire", day + s, 0, 1 * s}, {"wire", 2 * s, 0, 1 * s}, {"wire", 3 * s, 0, 2 * s}},
			"gap@2(24h0m0s) back@4(-23h59m59s)"},
		{"a HEP agent a day ahead", false, []obs{{"wire", 0, 0, 0}, {"a", day + s, 1 * s, 1 * s}, {"wire", 2 * s, 0, 2 * s}, {"a", day + 3*s, 3 * s, 3 * s}},
			"skew@2(24h0m0s)"},
		{"a HEP agent in step, quiet while the wire goes on", false, []obs{{"wire", 0, 0, 0}, {"a", 1 * s, 1 * s, 1 * s}, {"wire", 2 * time.Minute, 0, 1 * s}, {"wire", 2*time.Minute + s, 0, 2 * s},
			{"a", 2*time.Minute + 2*s, 2*time.Minute + 2*s, 3 * s}, {"a", 2*time.Minute + 3*s, 2*time.Minute + 3*s, 4 * s}},
			"gap@3(1m59s)"},
		{"a HEP agent's clock steps back", false, []obs{{"a", 0, 0, 0}, {"a", s - time.Hour, s, s}, {"a", 2*s - time.Hour, 2 * s, 2 * s}, {"a", 3*s - time.Hour, 3 * s, 3 * s}},
			"back@2(-1h0m0s)"},
		{"a HEP agent's clock steps forward", false, []obs{{"a", 0, 0, 0}, {"a", s + time.Hour, s, s}, {"a", 2*s + time.Hour, 2 * s, 2 * s}}, "skew@2(1h0m0s)"},
		{"one HEP timestamp a day ahead", false, []obs{{"a", 0, 0, 0}, {"a", day + s, s, s}, {"a", 2 * s, 2 * s, 2 * s}}, "ahead@2(24h0m0s)"},
		{"two HEP agents, one a day behind", false, []obs{{"a", s, s, s}, {"b", s - day, s, s}, {"a", 2 * s, 2 * s, 2 * s}, {"b", 2*s - day, 2 * s, 2 * s}}, "skew@2(-24h0m0s)"},
		{"live: the wall clock goes on while quiet", false, []obs{{"wall", 0, 0, 0}, {"wire", 200 * ms, 0, 200 * ms}, {"wall", 10 * s, 0, 10 * s}, {"wall", 40 * s, 0, 40 * s}, {"wire", 41 * s, 0, 41 * s}}, ""},
		{"live: an agent a day ahead of the wall clock", false, []obs{{"wall", 0, 0, 0}, {"a", day + s, s, s}, {"wall", 2 * s, 0, 2 * s}, {"a", day + 3*s, 3 * s, 3 * s}}, "skew@2(24h0m0s)"},
	}
	agents := map[string]*HEPOrigin{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var jumps string
			c := Clock{Gap: 31 * time.Second, CountGaps: tc.countGaps, OnJump: func(j Jump) {
				name := map[JumpKind]string{JumpAhead: "ahead", JumpBehind: "behind", JumpBack: "back", JumpSkew: "skew", JumpGap: "gap"}[j.Kind]
				if jumps != "" {
					jumps += " "
				}
				jumps += fmt.Sprintf("%s@%d(%v)", name, j.Frame, j.By)
			}}
			for i, o := range tc.obs {
				frame := uint64(i + 1)
				var got time.Time
				switch o.src {
				case "wire":
					got = c.Observe(nil, frame, t0.Add(o.at))
				case "wall":
					got = c.Wall(t0.Add(o.at))
				default:
					a := agents[o.src]
					if a == nil {
						a = &HEPOrigin{Agent: uint32(len(agents) + 1), HasAgent: true}
						agents[o.src] = a
					}
					a.Received = t0.Add(o.recv)
					got = c.Observe(a, frame, t0.Add(o.at))
				}
				if want := t0.Add(o.stamp); !got.Equal(want) {
					t.Errorf("frame %d (%s at %v): on the clock at %v, want %v", frame, o.src, o.at, got.Sub(t0), o.stamp)
				}
				if c.Now().Before(got) {
					t.Errorf("frame %d: the clock %v is behind the frame's %v", frame, c.Now().Sub(t0), got.Sub(t0))
				}
			}
			if jumps != tc.jumps {
				t.Errorf("jumps %q, want %q", jumps, tc.jumps)
			}
		})
	}
}

// TestClockAgentsBounded: a flood of HEP agents keeps at most
// maxClockAgents timelines.
func TestClockAgentsBounded(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	var c Clock
	c.Gap = 31 * time.Second
	for i := 0; i < 10*maxClockAgents; i++ {
		o := &HEPOrigin{Sender: netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), 9060), Received: t0.Add(time.Duration(i) * time.Millisecond)}
		c.Observe(o, uint64(i+1), o.Received)
	}
	if len(c.agents) != maxClockAgents {
		t.Fatalf("%d agent timelines", len(c.agents))
	}
}

// BenchmarkClockObserve: the cost per frame of the capture's own frames
// in order (the common case).
func BenchmarkClockObserve(b *testing.B) {
	c := Clock{Gap: 31 * time.Second}
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Observe(nil, uint64(i+1), t0.Add(time.Duration(i)*20*time.Microsecond))
	}
}

// BenchmarkClockObserveHEP: a HEP packet (its frame and its agent's
// timeline), with 8 agents.
func BenchmarkClockObserveHEP(b *testing.B) {
	c := Clock{Gap: 31 * time.Second}
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	var agents [8]HEPOrigin
	for i := range agents {
		agents[i] = HEPOrigin{Agent: uint32(i), HasAgent: true}
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		o := &agents[i%len(agents)]
		o.Received = t0.Add(time.Duration(i) * 20 * time.Microsecond)
		c.Observe(o, uint64(i+1), o.Received.Add(time.Millisecond))
	}
}

// TestClockFarTimestamps: timestamps out of the range of Unix nanoseconds
// (a damaged pcapng block gives year 9999) are out of line like any other.
func TestClockFarTimestamps(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	for _, far := range []time.Time{time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2262, 4, 12, 0, 0, 0, 0, time.UTC)} {
		var jumps []Jump
		c := Clock{Gap: 31 * time.Second, OnJump: func(j Jump) { jumps = append(jumps, j) }}
		c.Observe(nil, 1, t0)
		c.Observe(nil, 2, t0.Add(time.Second))
		if got := c.Observe(nil, 3, far); !got.Equal(t0.Add(time.Second)) {
			t.Errorf("%v: on the clock at %v", far, got)
		}
		c.Observe(nil, 4, t0.Add(2*time.Second))
		if !c.Now().Equal(t0.Add(2*time.Second)) || len(jumps) != 1 || jumps[0].Frame != 3 {
			t.Errorf("%v: clock %v, jumps %+v", far, c.Now(), jumps)
		}
		// A capture that is all in such a year still runs.
		c = Clock{Gap: 31 * time.Second}
		c.Observe(nil, 1, far)
		if got := c.Observe(nil, 2, far.Add(time.Second)); !got.Equal(far.Add(time.Second)) {
			t.Errorf("%v: second frame on the clock at %v", far, got)
		}
	}
}
