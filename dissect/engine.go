package dissect

import (
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
)

// Default limits of Options.
const (
	DefaultMaxSessions    = 4096
	DefaultMaxFlows       = 16384
	DefaultMaxConns       = 4096
	DefaultMaxMessageSize = 256 << 10
)

// maxInterleavedFrame is the largest RTSP interleaved frame: '$', channel,
// 16-bit length and the data (RFC 2326 §10.12).
const maxInterleavedFrame = 4 + 0xffff

// Port classes of portClass.
const (
	portSIP  = 1
	portRTSP = 2
)

// Engine dissects the network events of one pass. It implements
// capture.Handler and is driven from a single goroutine.
type Engine struct {
	sink Sink
	opts Options

	sipPorts  []uint16 // SIP ports (5060, 5061 and Options.SIPPorts)
	rtspPorts []uint16 // RTSP ports (554, 322, 8554 and Options.RTSPPorts)

	flows    flowMap
	conns    map[connKey]*conn
	sessions map[string]*session
	// lastSessionID numbers session objects (MediaPacket.SessionID).
	lastSessionID uint64

	pkt   MediaPacket  // reused for every Media call, unless the sink has slots
	slots MediaSlotter // the sink, when it builds media packets in place

	limitSessions, limitFlows, limitConns bool // a limit Problem was reported

	// Idle expiry (Options.SessionIdle) runs on clock (the frames'
	// timestamps made steady: capture.Clock): the next sweep, and the
	// frame read at each earlier sweep with its time, oldest first.
	clock    capture.Clock
	idleNext time.Time
	marks    []frameMark
	// idleSkip counts down the packets until idleCheck looks at the time.
	idleSkip int
}

// frameMark is the frame being read at a capture time.
type frameMark struct {
	frame uint64
	time  time.Time
}

var _ capture.Handler = (*Engine)(nil)

// NewEngine returns an Engine reporting to sink. Zero fields of opts take
// their defaults.
func NewEngine(sink Sink, opts Options) *Engine {
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = DefaultMaxSessions
	}
	if opts.MaxFlows <= 0 {
		opts.MaxFlows = DefaultMaxFlows
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = DefaultMaxConns
	}
	if opts.MaxMessageSize <= 0 {
		opts.MaxMessageSize = DefaultMaxMessageSize
	}
	e := &Engine{
		sink:     sink,
		opts:     opts,
		flows:    newFlowMap(),
		conns:    make(map[connKey]*conn),
		sessions: make(map[string]*session),
		// A quiet spell counts: after it, what it kept is forgotten.
		clock: capture.Clock{Gap: opts.SessionIdle, CountGaps: true},
	}
	e.slots, _ = sink.(MediaSlotter)
	e.sipPorts = append([]uint16{5060, 5061}, opts.SIPPorts...)
	e.rtspPorts = append([]uint16{554, 322, 8554}, opts.RTSPPorts...)
	return e
}

// mediaPacket returns where to build the next media packet, with n bytes
// of data.
func (e *Engine) mediaPacket(n int) *MediaPacket {
	if e.slots != nil {
		return e.slots.MediaSlot(n)
	}
	return &e.pkt
}

// portClass tells whether p is a configured SIP or RTSP port (0: neither).
func (e *Engine) portClass(p uint16) uint8 {
	for _, q := range e.sipPorts {
		if p == q {
			return portSIP
		}
	}
	for _, q := range e.rtspPorts {
		if p == q {
			return portRTSP
		}
	}
	return 0
}

// Problem passes a network-layer problem from capture through to the Sink.
func (e *Engine) Problem(p *capture.Problem) {
	e.sink.Problem(&Problem{
		Frame:   p.Frame,
		Time:    p.Time,
		Src:     p.Src,
		Dst:     p.Dst,
		Kind:    ProblemNetwork,
		Offset:  p.Offset,
		Detail:  p.Detail,
		Network: p.Kind,
	})
}
