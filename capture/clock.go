package capture

import (
	"math"
	"net/netip"
	"time"
)

// Clock is the steady clock that timeouts run on (session retirement,
// tombstones, the dissector's forgetting), made from the timestamps of the
// frames, which may lie: a single frame from the far future (a corrupted
// record, a HEP agent's clock), a step back (captures merged by
// concatenation, an NTP step), a HEP agent whose clock is a day off.
//
// The capture's own frames (and a live capture's wall clock, Wall) make
// the clock; a HEP packet counts at the time of the frame that carried it,
// and its agent's timestamps are only checked (Observe). A frame that steps
// more than Gap forward or more than ClockTolerance back from the previous
// one is held: it counts no time until the next frame tells what it was.
//   - The next frame continues from it: a step forward is a quiet spell or
//     a clock step (it counts as CountGaps says; JumpGap when it does not
//     count), a step back a clock step or a merge (JumpBack; it counts
//     nothing).
//   - The next frame is back in line with the frames before it: the held
//     frame was out of line (JumpAhead, JumpBehind) and counted nothing.
//
// A HEP agent whose timestamps are more than Gap from the time its packets
// were captured is reported (JumpSkew). The clock never goes back; on a
// capture without jumps it is the capture time itself.
type Clock struct {
	// Gap is the longest step forward between two frames of a source that
	// counts as time passing at once.
	Gap time.Duration
	// CountGaps: a confirmed step forward longer than Gap counts as time
	// passed (the dissector forgets state across a quiet spell); otherwise
	// it counts nothing (sessions are as fresh after it as before).
	CountGaps bool
	// OnJump, when set, is told of each jump (every kind, JumpGap too).
	OnJump func(Jump)

	now    time.Time
	nowNS  int64 // now in Unix nanoseconds, for Observe's common case
	wire   clockSource
	wall   clockSource   // a live capture's wall clock while it is quiet
	agents []clockSource // HEP agents, at most maxClockAgents
	used   uint64        // counts observations, for replacing agents
}

// ClockTolerance is how far a frame may come before its source's
// previous one without being a jump (frames of several interfaces or
// agent threads interleaved a little out of order).
const ClockTolerance = time.Second

// maxClockAgents bounds the HEP agents whose timelines are kept; past it
// the least recently seen is replaced.
const maxClockAgents = 64

// JumpKind tells the jumps of a capture's clock apart.
type JumpKind uint8

const (
	// JumpAhead: one frame's timestamp is ahead of its neighbours'.
	JumpAhead JumpKind = iota + 1
	// JumpBehind: one frame's timestamp is behind its neighbours'.
	JumpBehind
	// JumpBack: the timestamps step back at a frame and go on from there.
	JumpBack
	// JumpSkew: a HEP agent's clock is far ahead of or behind the
	// capture's (at its first packet, or after its clock stepped forward);
	// or a live capture's first frame is far from the wall clock.
	JumpSkew
	// JumpGap: the timestamps step forward by more than Gap and go on
	// from there (a quiet spell, or a clock step forward).
	JumpGap
)

// Jump is one jump of a source's timestamps.
type Jump struct {
	Kind JumpKind
	// Frame is the frame out of line, the first after a step, or a
	// source's first frame; Time its timestamp.
	Frame uint64
	Time  time.Time
	// PrevFrame and Prev are the frame before it on its timeline (for
	// JumpSkew: the capture's time then, PrevFrame 0: when the frame that
	// carried the HEP packet was captured, or the wall clock); NextFrame
	// and Next the frame that told what it was (0 for a JumpSkew at a
	// first frame).
	PrevFrame, NextFrame uint64
	Prev, Next           time.Time
	// By is how far Time is from where its timeline was (for a HEP
	// agent's JumpSkew: its lead over the capture's clock): positive
	// ahead, negative behind.
	By time.Duration
	// Agent is the HEP agent whose timestamp it was; nil for the
	// capture's own frames.
	Agent *HEPOrigin
}

type clockKey struct {
	sender   netip.AddrPort
	agent    uint32
	hasAgent bool
	node     string
}

// clockSource is one source's timeline: its latest frame in line, the
// offset that maps its timestamps onto the clock, and a frame held. For a
// HEP agent, offset is the agent's lead over the capture's clock (its
// timestamp less the time its packet was captured) and last its latest
// timestamp in line.
type clockSource struct {
	key       clockKey
	origin    *HEPOrigin
	seen      bool
	last      time.Time
	lastNS    int64 // last in Unix nanoseconds (the wire's, for Observe)
	lastFrame uint64
	offset    time.Duration
	used      uint64
	held      bool
	heldFrame uint64
	heldTime  time.Time
	heldLead  time.Duration // a HEP agent's: its lead at the frame held
}

// Now is the clock: the latest steady time of a frame in line.
func (c *Clock) Now() time.Time { return c.now }

// Latest is the capture time of the latest frame of the capture's own
// that was in line (zero before the first): what "the last 30 s of
// capture time" is measured back from, which one frame from the far future
// does not move.
func (c *Clock) Latest() time.Time { return c.wire.last }

// Observe notes frame's timestamp t and returns the frame's time on the
// clock: t moved by its timeline's offset, or, for a frame held, the clock
// (it counts no time). The result may be a little before Now (within
// ClockTolerance).
//
// A HEP agent's packet (agent not nil) is placed by the frame that carried
// it (agent.Received, the capture's own clock); its timestamp t only tells
// whether the agent's clock is off (JumpSkew at its first packet), jumps
// (JumpBack, or JumpSkew again for a step forward) or has one timestamp
// out of line (JumpAhead, JumpBehind). An agent's quiet spell is no jump.
func (c *Clock) Observe(agent *HEPOrigin, frame uint64, t time.Time) time.Time {
	if agent == nil || agent.Received.IsZero() {
		// The common case first: the capture's own frame in order, on a
		// timeline that never jumped (a few integer operations).
		if s := &c.wire; s.offset == 0 && !s.held && s.seen {
			ns := unixNanos(t)
			if d := ns - s.lastNS; d >= 0 && d <= int64(c.Gap) && ns >= c.nowNS && ns != math.MaxInt64 {
				s.last, s.lastNS, s.lastFrame = t, ns, frame
				c.now, c.nowNS = t, ns
				return t
			}
		}
		return c.observe(&c.wire, frame, t)
	}
	at := c.Observe(nil, frame, agent.Received) // the frame, by the common case too
	c.observeAgent(c.agent(agent), frame, t, agent.Received)
	return at
}

// observeAgent follows a HEP agent's lead over the capture's clock: the
// lead may drift, not jump by more than Gap.
func (c *Clock) observeAgent(s *clockSource, frame uint64, t, received time.Time) {
	lead := t.Sub(received)
	if !s.seen {
		s.seen = true
		s.last, s.lastFrame, s.offset = t, frame, lead
		if lead > c.Gap || lead < -c.Gap {
			c.jump(Jump{Kind: JumpSkew, Frame: frame, Time: t, Prev: received, By: lead, Agent: s.origin})
		}
		return
	}
	off := func(l time.Duration) bool { d := l - s.offset; return d > c.Gap || d < -c.Gap }
	if s.held {
		s.held = false
		j := Jump{Frame: s.heldFrame, Time: s.heldTime, PrevFrame: s.lastFrame, Prev: s.last, NextFrame: frame, Next: t,
			By: s.heldLead - s.offset, Agent: s.origin}
		if d := lead - s.heldLead; d <= c.Gap && d >= -c.Gap {
			// It goes on from the frame held: the agent's clock stepped.
			j.Kind = JumpBack
			if j.By > 0 {
				j.Kind, j.Prev, j.By = JumpSkew, s.heldTime.Add(-s.heldLead), s.heldLead
			}
			s.offset, s.last, s.lastFrame = s.heldLead, s.heldTime, s.heldFrame
		} else {
			j.Kind = JumpAhead
			if j.By < 0 {
				j.Kind = JumpBehind
			}
		}
		c.jump(j)
	}
	if off(lead) {
		s.held, s.heldFrame, s.heldTime, s.heldLead = true, frame, t, lead
		return
	}
	s.offset, s.last, s.lastFrame = lead, t, frame
}

// observe notes frame's timestamp t on the timeline s.
func (c *Clock) observe(s *clockSource, frame uint64, t time.Time) time.Time {
	if !s.seen {
		s.seen = true
		s.last, s.lastNS, s.lastFrame = t, unixNanos(t), frame
		switch {
		case c.now.IsZero():
			c.now, c.nowNS = t, unixNanos(t)
		case t.Sub(c.now) > c.Gap || c.now.Sub(t) > c.Gap:
			// The capture's frames far from a live capture's wall clock.
			s.offset = c.now.Sub(t)
			c.jump(Jump{Kind: JumpSkew, Frame: frame, Time: t, Prev: c.now, By: -s.offset})
		}
		return c.stamp(s, t)
	}
	if s.held {
		s.held = false
		switch {
		case s.heldTime.After(s.last) && !t.Before(s.heldTime.Add(-ClockTolerance)):
			// The timeline goes on from the frame held: a step forward.
			// When nothing else kept the clock going meanwhile (a quiet
			// spell of the whole capture, or the clock stepped forward),
			// it counts as CountGaps says.
			if !c.CountGaps && s.heldTime.Add(s.offset).Sub(c.now) > c.Gap {
				s.offset = c.now.Sub(s.heldTime)
				c.jump(Jump{Kind: JumpGap, Frame: s.heldFrame, Time: s.heldTime, PrevFrame: s.lastFrame, Prev: s.last,
					NextFrame: frame, Next: t, By: s.heldTime.Sub(s.last)})
			}
			s.last, s.lastNS, s.lastFrame = s.heldTime, unixNanos(s.heldTime), s.heldFrame
			c.stamp(s, s.heldTime)
		case s.heldTime.Before(s.last) && t.Before(s.last.Add(-ClockTolerance)):
			// A step back, and the timeline goes on from there: it counts
			// nothing.
			s.offset = c.now.Sub(s.heldTime)
			c.jump(Jump{Kind: JumpBack, Frame: s.heldFrame, Time: s.heldTime, PrevFrame: s.lastFrame, Prev: s.last,
				NextFrame: frame, Next: t, By: s.heldTime.Sub(s.last)})
			s.last, s.lastNS, s.lastFrame = s.heldTime, unixNanos(s.heldTime), s.heldFrame
		default:
			// Back in line: the frame held was out of line alone.
			k := JumpAhead
			if s.heldTime.Before(s.last) {
				k = JumpBehind
			}
			c.jump(Jump{Kind: k, Frame: s.heldFrame, Time: s.heldTime, PrevFrame: s.lastFrame, Prev: s.last,
				NextFrame: frame, Next: t, By: s.heldTime.Sub(s.last)})
		}
	}
	d := t.Sub(s.last)
	if d < -ClockTolerance || d > c.Gap {
		// Out of line with the timeline's previous frame: held, unless it
		// is in line with the clock that other timelines kept going (a
		// live capture's frames after a quiet spell the wall clock
		// counted).
		if at := t.Add(s.offset).Sub(c.now); d < 0 || at > c.Gap || at < -ClockTolerance {
			s.held, s.heldFrame, s.heldTime = true, frame, t
			return c.now
		}
	}
	if d > 0 {
		s.last, s.lastNS = t, unixNanos(t)
	}
	s.lastFrame = frame
	return c.stamp(s, t)
}

// Wall notes the wall clock's time t, which a live capture reports while
// it is quiet (and once when it starts): a timeline of its own, that
// moves the clock on while no frame comes and that the capture's frames
// and HEP agents are measured against. It returns t on the clock.
func (c *Clock) Wall(t time.Time) time.Time {
	return c.observe(&c.wall, 0, t)
}

// stamp maps t of s onto the clock and moves the clock on to it.
func (c *Clock) stamp(s *clockSource, t time.Time) time.Time {
	at := t.Add(s.offset)
	if at.After(c.now) {
		c.now, c.nowNS = at, unixNanos(at)
	}
	return at
}

// unixNanos is t in Unix nanoseconds, or math.MaxInt64 when t is out of
// their range (years before 1678 or after 2261: a damaged timestamp), so
// that Observe's common case never takes it.
func unixNanos(t time.Time) int64 {
	const maxSec = math.MaxInt64/int64(time.Second) - 1
	sec := t.Unix()
	if sec <= -maxSec || sec >= maxSec {
		return math.MaxInt64
	}
	return sec*1e9 + int64(t.Nanosecond())
}

func (c *Clock) jump(j Jump) {
	if c.OnJump != nil {
		c.OnJump(j)
	}
}

// agent finds (or makes) the timeline of a HEP agent.
func (c *Clock) agent(o *HEPOrigin) *clockSource {
	c.used++
	k := clockKey{sender: o.Sender, agent: o.Agent, hasAgent: o.HasAgent, node: o.Node}
	for i := range c.agents {
		if c.agents[i].key == k {
			c.agents[i].used = c.used
			return &c.agents[i]
		}
	}
	if len(c.agents) < maxClockAgents {
		c.agents = append(c.agents, clockSource{})
	} else {
		oldest := 0
		for i := range c.agents {
			if c.agents[i].used < c.agents[oldest].used {
				oldest = i
			}
		}
		c.agents[oldest], c.agents[len(c.agents)-1] = c.agents[len(c.agents)-1], c.agents[oldest]
	}
	s := &c.agents[len(c.agents)-1]
	*s = clockSource{key: k, origin: o, used: c.used}
	return s
}
