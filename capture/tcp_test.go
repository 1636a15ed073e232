package capture

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	cliAddr = "10.1.1.1:40000"
	srvAddr = "10.2.2.2:5061"
)

// tcpSeg describes one test segment; fromServer selects the direction and
// seq is relative to that direction's ISN.
type tcpSeg struct {
	fromServer bool
	seq        uint32
	o          tcpOpts
	data       string
	delay      time.Duration // added to the packet time
}

// runTCP turns segments into frames (1, 2, ...) and decodes them.
func runTCP(t *testing.T, opts DecoderOptions, cliISN, srvISN uint32, segs ...tcpSeg) *recorder {
	t.Helper()
	var pkts []*Packet
	var extra time.Duration
	for i, s := range segs {
		var b []byte
		if s.fromServer {
			b = ipTCP(t, "10.2.2.2", 5061, "10.1.1.1", 40000, srvISN+s.seq, s.o, []byte(s.data))
		} else {
			b = ipTCP(t, "10.1.1.1", 40000, "10.2.2.2", 5061, cliISN+s.seq, s.o, []byte(s.data))
		}
		p := pkt(uint64(i+1), LinkTypeEthernet, ethernet(b))
		extra += s.delay
		p.Time = p.Time.Add(extra)
		pkts = append(pkts, p)
	}
	return decodeAll(opts, pkts...)
}

var ack = tcpOpts{ack: true}

func handshake() []tcpSeg {
	return []tcpSeg{
		{false, 0, tcpOpts{syn: true}, "", 0},
		{true, 0, tcpOpts{syn: true, ack: true}, "", 0},
		{false, 1, ack, "", 0},
	}
}

func TestTCPReassembly(t *testing.T) {
	tests := []struct {
		name         string
		cliISN       uint32
		opts         DecoderOptions
		segs         []tcpSeg
		wantCli      string
		wantSrv      string
		wantGaps     []int // GapBefore of client segments with a gap
		wantProblems map[ProblemKind]int
		checkFrames  []uint64 // frames of the client Segment events, when set
	}{
		{
			name: "in order with handshake and close",
			segs: append(handshake(),
				tcpSeg{false, 1, ack, "REGISTER ", 0}, tcpSeg{false, 10, ack, "sip:a SIP/2.0\r\n", 0},
				tcpSeg{true, 1, ack, "SIP/2.0 200 OK\r\n", 0},
				tcpSeg{false, 25, tcpOpts{ack: true, fin: true}, "", 0}, tcpSeg{true, 17, tcpOpts{ack: true, fin: true}, "", 0}),
			wantCli:     "REGISTER sip:a SIP/2.0\r\n",
			wantSrv:     "SIP/2.0 200 OK\r\n",
			checkFrames: []uint64{4, 5},
		},
		{
			name: "out of order",
			segs: append(handshake(),
				tcpSeg{false, 6, ack, "world", 0}, tcpSeg{false, 11, ack, "!", 0}, tcpSeg{false, 1, ack, "hello", 0}),
			wantCli:     "helloworld!",
			checkFrames: []uint64{6, 6, 6},
		},
		{
			name: "retransmission dropped",
			segs: append(handshake(),
				tcpSeg{false, 1, ack, "hello", 0}, tcpSeg{false, 1, ack, "hello", 0}, tcpSeg{false, 6, ack, "world", 0}, tcpSeg{false, 6, ack, "world", 0}),
			wantCli: "helloworld",
		},
		{
			name: "overlap keeps first copy",
			segs: append(handshake(),
				tcpSeg{false, 1, ack, "hello", 0}, tcpSeg{false, 4, ack, "XXworld", 0}),
			wantCli: "helloworld",
		},
		{
			name: "buffered overlap keeps first copy",
			segs: append(handshake(),
				tcpSeg{false, 11, ack, "world", 0}, tcpSeg{false, 8, ack, "XXXwoXXX!", 0}, tcpSeg{false, 1, ack, "hello, ", 0}),
			wantCli: "hello, XXXworld!",
		},
		{
			name: "lost segment becomes a gap at flush",
			segs: append(handshake(),
				tcpSeg{false, 1, ack, "hello", 0}, tcpSeg{false, 11, ack, "again", 0}),
			wantCli:      "helloagain",
			wantGaps:     []int{5},
			wantProblems: map[ProblemKind]int{ProblemTCPGap: 1},
		},
		{
			name: "lost segment declared after TCPGapBytes",
			opts: DecoderOptions{TCPGapBytes: 8},
			segs: append(handshake(),
				tcpSeg{false, 1, ack, "aaaa", 0}, tcpSeg{false, 9, ack, "cccc", 0}, tcpSeg{false, 13, ack, "dddd", 0},
				tcpSeg{false, 17, ack, "eeee", 0}),
			wantCli:      "aaaaccccddddeeee",
			wantGaps:     []int{4},
			wantProblems: map[ProblemKind]int{ProblemTCPGap: 1},
			checkFrames:  []uint64{4, 7, 7, 7},
		},
		{
			name: "lost segment declared after TCPGapTimeout",
			segs: append(handshake(),
				tcpSeg{false, 1, ack, "aaaa", 0}, tcpSeg{false, 9, ack, "cccc", 0},
				tcpSeg{true, 1, ack, "later", 11 * time.Second}),
			wantCli:      "aaaacccc",
			wantSrv:      "later",
			wantGaps:     []int{4},
			wantProblems: map[ProblemKind]int{ProblemTCPGap: 1},
			checkFrames:  []uint64{4, 6},
		},
		{
			name: "mid-stream start",
			segs: []tcpSeg{
				{false, 1000, ack, "ACK sip:x SIP/2.0\r\n", 0}, {true, 77, ack, "SIP/2.0 100 Trying\r\n", 0},
				{false, 1019, ack, "more", 0}},
			wantCli:      "ACK sip:x SIP/2.0\r\nmore",
			wantSrv:      "SIP/2.0 100 Trying\r\n",
			wantProblems: map[ProblemKind]int{ProblemMidStream: 1},
		},
		{
			name:   "sequence wraparound",
			cliISN: 0xfffffff0,
			segs: append(handshake(),
				tcpSeg{false, 1, ack, "0123456789", 0}, tcpSeg{false, 21, ack, "KLMNOPQRST", 0}, tcpSeg{false, 11, ack, "ABCDEFGHIJ", 0}),
			wantCli: "0123456789ABCDEFGHIJKLMNOPQRST",
		},
		{
			name: "reset delivers buffered data with its gap",
			segs: append(handshake(),
				tcpSeg{false, 1, ack, "ab", 0}, tcpSeg{false, 5, ack, "ef", 0}, tcpSeg{true, 1, tcpOpts{rst: true}, "", 0},
				tcpSeg{false, 7, ack, "gh", 0}),
			wantCli:      "abefgh",
			wantGaps:     []int{2},
			wantProblems: map[ProblemKind]int{ProblemTCPGap: 1, ProblemMidStream: 1},
		},
		{
			name: "bytes missing before FIN",
			segs: append(handshake(),
				tcpSeg{false, 1, ack, "ab", 0}, tcpSeg{false, 5, tcpOpts{ack: true, fin: true}, "", 0}),
			wantCli:      "ab",
			wantProblems: map[ProblemKind]int{ProblemTCPGap: 1},
		},
		{
			name:    "SYN with data",
			segs:    []tcpSeg{{false, 0, tcpOpts{syn: true}, "fast", 0}, {false, 5, ack, "open", 0}},
			wantCli: "fastopen",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := runTCP(t, tc.opts, tc.cliISN, 0x10000000, tc.segs...)
			if got := rec.stream(cliAddr); got != tc.wantCli {
				t.Errorf("client stream = %q, want %q", got, tc.wantCli)
			}
			if got := rec.stream(srvAddr); got != tc.wantSrv {
				t.Errorf("server stream = %q, want %q", got, tc.wantSrv)
			}
			var gaps []int
			var frames []uint64
			for _, e := range rec.of("tcp") {
				if e.Src == cliAddr {
					frames = append(frames, e.Frame)
					if e.Gap != 0 {
						gaps = append(gaps, e.Gap)
					}
				}
			}
			if !slices.Equal(gaps, tc.wantGaps) {
				t.Errorf("gaps = %v, want %v", gaps, tc.wantGaps)
			}
			if tc.checkFrames != nil && !slices.Equal(frames, tc.checkFrames) {
				t.Errorf("segment frames = %v, want %v", frames, tc.checkFrames)
			}
			counts := map[ProblemKind]int{}
			for _, p := range rec.of("problem") {
				counts[p.Problem]++
			}
			for k := ProblemMalformed; k <= ProblemMidStream; k++ {
				if counts[k] != tc.wantProblems[k] {
					t.Errorf("problems of kind %d = %d, want %d (events %v)", k, counts[k], tc.wantProblems[k], rec.events)
				}
			}
		})
	}
}

func TestTCPConnectionLimit(t *testing.T) {
	var pkts []*Packet
	for i := range 3 {
		b := ipTCP(t, "10.1.1.1", uint16(40000+i), "10.2.2.2", 5061, 1, tcpOpts{syn: true}, nil)
		pkts = append(pkts, pkt(uint64(2*i+1), LinkTypeRaw, b))
		b = ipTCP(t, "10.1.1.1", uint16(40000+i), "10.2.2.2", 5061, 2, ack, []byte("data"))
		pkts = append(pkts, pkt(uint64(2*i+2), LinkTypeRaw, b))
	}
	// Port 40000 comes back after eviction: it is followed again, mid-stream.
	pkts = append(pkts, pkt(7, LinkTypeRaw, ipTCP(t, "10.1.1.1", 40000, "10.2.2.2", 5061, 6, ack, []byte("more"))))
	rec := decodeAll(DecoderOptions{MaxTCPConnections: 2}, pkts...)
	limit := rec.problems(ProblemLimit)
	if len(limit) != 2 || limit[0].Frame != 5 || limit[0].Src != "10.1.1.1:40000" || limit[1].Src != "10.1.1.1:40001" {
		t.Errorf("limit problems = %v, want connection 40000 evicted at frame 5, then 40001", limit)
	}
	if n := len(rec.problems(ProblemMidStream)); n != 1 {
		t.Errorf("mid-stream problems = %d, want 1", n)
	}
	if got := rec.stream("10.1.1.1:40000"); got != "datamore" {
		t.Errorf("stream 40000 = %q", got)
	}
}

func TestTCPTotalBufferLimit(t *testing.T) {
	segs := append(handshake(), tcpSeg{false, 1, ack, "a", 0}, tcpSeg{false, 3, ack, strings.Repeat("b", 100), 0})
	rec := runTCP(t, DecoderOptions{MaxTCPBufferedBytes: 50}, 0, 0, segs...)
	if len(rec.problems(ProblemLimit)) != 1 || len(rec.problems(ProblemTCPGap)) != 1 {
		t.Errorf("events = %v, want one ProblemLimit and one gap", rec.events)
	}
	if got := rec.stream(cliAddr); got != "a"+strings.Repeat("b", 100) {
		t.Errorf("stream = %q", got)
	}
}
