package analysis_test

// Findings about the capture itself: crafted captures built with
// internal/pcapbuild and read by analysis.Run through the real capture
// reader, network decoder and dissector.

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapbuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
)

// capBuilder writes frames 1 ms apart into an in-memory pcap.
type capBuilder struct {
	b   framebuild.Builder
	buf bytes.Buffer
	w   *pcapwrite.Writer
	n   int
}

func newCap(t *testing.T) *capBuilder {
	t.Helper()
	c := &capBuilder{}
	w, err := pcapwrite.NewWriter(&c.buf, pcapwrite.FormatPcap)
	if err != nil {
		t.Fatal(err)
	}
	c.w = w
	return c
}

// frame writes one frame and returns its 1-based number.
func (c *capBuilder) frame(t *testing.T, data []byte) uint64 {
	t.Helper()
	if err := c.w.WriteFrame(caseT0.Add(time.Duration(c.n)*time.Millisecond), data); err != nil {
		t.Fatal(err)
	}
	c.n++
	return uint64(c.n)
}

func (c *capBuilder) frames(t *testing.T) func(fs [][]byte, err error) {
	return func(fs [][]byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			c.frame(t, f)
		}
	}
}

// runCapture analyses pcap bytes with the whole pipeline.
func runCapture(t *testing.T, data []byte, opts analysis.Options) *analysis.Report {
	t.Helper()
	src, err := capture.OpenReader("case.pcap", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a := analysis.New(opts)
	if err := analysis.Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	return a.Finish()
}

// caseCall is the SIP dialog of the capture cases.
func caseCall(transport string) *scenario.Call {
	return &scenario.Call{CallID: caseCallID, Transport: transport, Caller: caseCaller, Callee: caseCallee,
		CallerUser: "alice", CalleeUser: "bob", Domain: "example.org", FromTag: "a1", ToTag: "b2",
		Branch: "z9hG4bK6", CallerRTP: caseCallerM, CalleeRTP: caseCalleeM, SessionID: 6, InviteCSeq: 1, ByeSeq: 1}
}

// nullInvite is an INVITE whose SDP carries a MIKEY-NULL message (sizes:
// the INVITE is about 700 bytes).
func nullInvite(t *testing.T, c *scenario.Call) []byte {
	return c.Invite("application/sdp", scenario.SDP("alice", 6, caseCallerM, base64.StdEncoding.EncodeToString(nullMessage(t, nil))))
}

// statsSource is a capture read from memory that reports kernel counters
// as a live capture does.
type statsSource struct {
	capture.Source
	st capture.LiveStats
}

func (s *statsSource) Stats() capture.LiveStats { return s.st }

func captureFindingCases() []findingCase {
	return append(append(captureLossCases(), captureFindingCases1()...), timeJumpCases()...)
}

// timeJumpCases: the capture's timestamps jump (analysis/timejump_test.go
// checks what the jumps do to session retirement on a series of calls).
func timeJumpCases() []findingCase {
	// A call without media, its frames at the given offsets from caseT0.
	call := func(t *testing.T, at ...time.Duration) []byte {
		var buf bytes.Buffer
		w, err := pcapwrite.NewWriter(&buf, pcapwrite.FormatPcap)
		if err != nil {
			t.Fatal(err)
		}
		c := caseCall("UDP")
		var b framebuild.Builder
		for i, m := range [][]byte{c.Invite("", nil), c.Trying(), c.Ringing(), c.OK("", nil), c.Ack(), c.Bye(), c.ByeOK()} {
			src, dst := caseCaller, caseCallee
			if m[0] == 'S' { // a response
				src, dst = dst, src
			}
			f, err := b.UDP(src, dst, m)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.WriteFrame(caseT0.Add(at[i]), f); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	ms := time.Millisecond
	return []findingCase{
		{name: "one frame a day ahead", code: analysis.KindTimeJump.Code, frame: 3,
			run: func(t *testing.T) *analysis.Report {
				return runCapture(t, call(t, 0, 10*ms, 24*time.Hour+20*ms, 30*ms, 40*ms, 50*ms, 60*ms), analysis.Options{})
			},
			summary: []string{"the timestamp of frame 3 (2026-", "is 1d 0h 0m 0s ahead of its neighbours (frame 2 at ", "frame 4 at ", "session retirement does not count it"}},
		{name: "the time steps back an hour", code: analysis.KindTimeJump.Code, frame: 4,
			run: func(t *testing.T) *analysis.Report {
				h := -time.Hour
				return runCapture(t, call(t, 0, 10*ms, 20*ms, h+30*ms, h+40*ms, h+50*ms, h+60*ms), analysis.Options{})
			},
			summary: []string{"the capture's time steps back 59m59.99s at frame 4 (frame 3 at ", "then frame 4 at ", "frame 5 at ", "captures concatenated"}},
	}
}

// captureLossCases: packets lost before the analysis, as the kernel's
// counters (live) or the capturing tool's statistics (pcapng ISB) say.
func captureLossCases() []findingCase {
	return []findingCase{
		{name: "kernel dropped packets of a live capture", code: analysis.KindKernelDrops.Code, frame: 0,
			run: func(t *testing.T) *analysis.Report {
				c := newCap(t)
				f, err := c.b.UDP(netip.MustParseAddrPort("192.0.2.1:7000"), netip.MustParseAddrPort("192.0.2.2:7001"), []byte("hello"))
				if err != nil {
					t.Fatal(err)
				}
				c.frame(t, f)
				src, err := capture.OpenReader("live", bytes.NewReader(c.buf.Bytes()))
				if err != nil {
					t.Fatal(err)
				}
				a := analysis.New(analysis.Options{})
				if err := analysis.Run(context.Background(), &statsSource{src, capture.LiveStats{Received: 1000, Dropped: 37, Freezes: 2}}, a, dissect.Options{}, nil); err != nil {
					t.Fatal(err)
				}
				r := a.Finish()
				if l := r.Summary.Live; l == nil || l.Received != 1000 || l.Dropped != 37 || l.RingFreezes != 2 {
					t.Errorf("summary counters %+v", l)
				}
				return r
			},
			summary: []string{"dropped 37 of the 1000 packets", "3.70 %", "full 2 times", "-B", "-f"}},
		{name: "pcapng interface statistics record drops", code: analysis.KindRecordedDrops.Code, frame: 0,
			run: func(t *testing.T) *analysis.Report {
				var buf bytes.Buffer
				w, err := pcapgo.NewNgWriter(&buf, layers.LinkTypeEthernet)
				if err != nil {
					t.Fatal(err)
				}
				var b framebuild.Builder
				f, err := b.UDP(netip.MustParseAddrPort("192.0.2.1:7000"), netip.MustParseAddrPort("192.0.2.2:7001"), []byte("hello"))
				if err != nil {
					t.Fatal(err)
				}
				w.WritePacket(gopacket.CaptureInfo{Timestamp: caseT0, CaptureLength: len(f), Length: len(f)}, f)
				w.WriteInterfaceStats(0, pcapgo.NgInterfaceStatistics{LastUpdate: caseT0, PacketsReceived: 50, PacketsDropped: 12})
				if err := w.Flush(); err != nil {
					t.Fatal(err)
				}
				r := runCapture(t, buf.Bytes(), analysis.Options{})
				if r.Summary.RecordedDrops != 12 || r.Summary.Live != nil {
					t.Errorf("summary: recorded drops %d, live %+v", r.Summary.RecordedDrops, r.Summary.Live)
				}
				return r
			},
			summary: []string{"recorded 12 packets"}},
		{name: "-w onto a full device (/dev/full)", code: analysis.KindWriteFailed.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				c := newCap(t)
				for i := range 3 {
					f, err := c.b.UDP(netip.MustParseAddrPort("192.0.2.1:7000"), netip.MustParseAddrPort("192.0.2.2:7001"), []byte{byte(i)})
					if err != nil {
						t.Fatal(err)
					}
					c.frame(t, f)
				}
				src, err := capture.OpenReader("live", bytes.NewReader(c.buf.Bytes()))
				if err != nil {
					t.Fatal(err)
				}
				w, err := capture.CreatePcapng("/dev/full", capture.RingOptions{}, nil)
				if err != nil {
					t.Skipf("no /dev/full: %v", err)
				}
				tee := capture.Tee(src, w)
				defer tee.Close()
				a := analysis.New(analysis.Options{})
				if err := analysis.Run(context.Background(), tee, a, dissect.Options{}, nil); err != nil {
					t.Fatal(err)
				}
				r := a.Finish()
				if wc := r.Summary.Write; wc == nil || wc.FramesWritten != 0 || wc.FramesNotWritten != 3 || wc.FirstFrameNotWritten != 1 {
					t.Errorf("summary.capture_write %+v", wc)
				}
				return r
			},
			summary: []string{"-w /dev/full: no space left on device", "frame 1 and every later frame are not in the -w files", "analysis go on"}},
	}
}

func captureFindingCases1() []findingCase {
	return []findingCase{
		{name: "lost SIP segment", code: analysis.KindTCPGap.Code, frame: 6,
			run: func(t *testing.T) *analysis.Report {
				c := newCap(t)
				call := caseCall("TCP")
				conn := pcapbuild.NewTCPConn(&c.b, caseCaller, caseCallee, 1000, 5000)
				c.frames(t)(conn.Handshake())
				segs, err := conn.Data(true, nullInvite(t, call), 200, 400)
				if err != nil {
					t.Fatal(err)
				}
				c.frame(t, segs[0]) // frame 4
				// segs[1] (bytes 200..400) is lost.
				c.frame(t, segs[2])                      // frame 5: the gap shows here
				c.frames(t)(conn.Data(true, call.Ack())) // frame 6: the dialog goes on
				return runCapture(t, c.buf.Bytes(), analysis.Options{})
			},
			// Reported at the end of the capture (the last frame), naming
			// the hole: INVITE bytes 200..400 are relative sequence 201..400.
			summary: []string{"192.0.2.10:5060 -> 198.51.100.20:5060: 200 bytes missing from the TCP stream before relative sequence 401", "data waiting since frame 5"},
			// The INVITE cut by the gap cannot be parsed; the ACK is then the
			// dialog's first message.
			also: []string{analysis.KindSignalError.Code, analysis.KindMidCall.Code}},
		{name: "fragment missing", code: analysis.KindFragmentLost.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				c := newCap(t)
				frags, err := c.b.UDPFragments(caseCaller, caseCallee, nullInvite(t, caseCall("UDP")), 3)
				if err != nil {
					t.Fatal(err)
				}
				c.frame(t, frags[0])
				c.frame(t, frags[2]) // the middle fragment never comes
				return runCapture(t, c.buf.Bytes(), analysis.Options{})
			},
			summary: []string{"192.0.2.10", "198.51.100.20", "IPv4 datagram id 0x1: 2 fragments", "received (first fragment frame 1)"}},
		{name: "truncated IPv4 header", code: analysis.KindMalformedFrame.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				c := newCap(t)
				f, err := c.b.UDP(netip.MustParseAddrPort("192.0.2.1:7000"), netip.MustParseAddrPort("192.0.2.2:7001"), []byte("hello"))
				if err != nil {
					t.Fatal(err)
				}
				c.frame(t, f)
				c.frame(t, append([]byte(nil), f[:14+10]...)) // Ethernet + 10 bytes of IPv4
				return runCapture(t, c.buf.Bytes(), analysis.Options{})
			},
			summary: []string{"IPv4 header needs 20 bytes"}},
		{name: "pcap cut inside a record", code: analysis.KindFileDamaged.Code, frame: 3,
			run: func(t *testing.T) *analysis.Report {
				c := newCap(t)
				call := caseCall("UDP")
				f, err := c.b.UDP(caseCaller, caseCallee, nullInvite(t, call))
				if err != nil {
					t.Fatal(err)
				}
				c.frame(t, f)
				for _, p := range srtpPackets(t, caseKey, caseSalt, nil, ssrcA, 1, 2, 0) {
					rf, err := c.b.UDP(caseCallerM, caseCalleeM, p)
					if err != nil {
						t.Fatal(err)
					}
					c.frame(t, rf)
				}
				data := c.buf.Bytes()
				data = data[:len(data)-40] // the last record loses its end
				r := runCapture(t, data, analysis.Options{})
				// Everything before the damage is reported: the INVITE's MIKEY
				// message and the packet before the cut, decrypted.
				if len(r.Sessions) != 1 || len(r.Sessions[0].MIKEY) != 1 || r.Sessions[0].MIKEY[0].Frame != 1 {
					t.Fatalf("sessions before the damage: %+v", r.Sessions)
				}
				if s := r.Sessions[0].Streams; len(s) != 1 || s[0].Authenticated != 1 {
					t.Errorf("streams before the damage: %+v", s)
				}
				if r.Summary.Frames != 2 || r.Summary.ReadError == "" {
					t.Errorf("summary: %d frames, read error %q", r.Summary.Frames, r.Summary.ReadError)
				}
				return r
			},
			summary: []string{"capture read stopped at frame 3", "frame 3 at offset 1044: file truncated"}, also: nullFindings},
		{name: "more SIP dialogs than the dissector tracks", code: analysis.KindCaptureLimit.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				c := newCap(t)
				for i, id := range []string{"first@example.org", "second@example.org"} {
					call := caseCall("UDP")
					call.CallID = id
					call.Caller = netip.AddrPortFrom(caseCaller.Addr(), uint16(5070+i))
					f, err := c.b.UDP(call.Caller, caseCallee, call.Invite("", nil))
					if err != nil {
						t.Fatal(err)
					}
					c.frame(t, f)
				}
				src, err := capture.OpenReader("case.pcap", bytes.NewReader(c.buf.Bytes()))
				if err != nil {
					t.Fatal(err)
				}
				defer src.Close()
				a := analysis.New(analysis.Options{})
				if err := analysis.Run(context.Background(), src, a, dissect.Options{MaxSessions: 1}, nil); err != nil {
					t.Fatal(err)
				}
				return a.Finish()
			},
			summary: []string{"192.0.2.10:5071 -> 198.51.100.20:5060: session limit 1 reached"}},
		{name: "a=key-mgmt with broken base64 on the wire", code: analysis.KindBadKeyMgmt.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				c := newCap(t)
				call := caseCall("UDP")
				f, err := c.b.UDP(caseCaller, caseCallee, call.Invite("application/sdp", scenario.SDP("alice", 6, caseCallerM, "AQID!!!!")))
				if err != nil {
					t.Fatal(err)
				}
				c.frame(t, f)
				return runCapture(t, c.buf.Bytes(), analysis.Options{})
			},
			summary: []string{"sdp-session: key-mgmt attribute: key management data is not base64: illegal base64 data at input byte 4"}},
		{name: "SIP header line without a colon on the wire", code: analysis.KindSignalError.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				c := newCap(t)
				msg := "OPTIONS sip:bob@example.org SIP/2.0\r\nCall-ID: broken@example.org\r\nCSeq: 1 OPTIONS\r\nthis line has no colon\r\n\r\n"
				f, err := c.b.UDP(caseCaller, caseCallee, []byte(msg))
				if err != nil {
					t.Fatal(err)
				}
				c.frame(t, f)
				return runCapture(t, c.buf.Bytes(), analysis.Options{})
			},
			// Start line 37 bytes, Call-ID 29, CSeq 17: the bad line is at 83.
			summary: []string{"192.0.2.10:5060 -> 198.51.100.20:5060: 22-byte header line without a name and colon", "(offset 83)"}},
		{name: "TCP data without the connection start", code: analysis.KindMidCall.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				c := newCap(t)
				conn := pcapbuild.NewTCPConn(&c.b, netip.MustParseAddrPort("192.0.2.50:51000"), netip.MustParseAddrPort("198.51.100.7:554"), 7000, 9000)
				c.frames(t)(conn.Data(false, []byte("RTSP/1.0 200 OK\r\nCSeq: 7\r\nSession: 4711\r\n\r\n")))
				return runCapture(t, c.buf.Bytes(), analysis.Options{})
			},
			summary: []string{"198.51.100.7:554 -> 192.0.2.50:51000: TCP connection seen without its SYN"}},
	}
}
