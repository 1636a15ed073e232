// Package hostile writes captures built to exhaust mikeyscope's resource
// limits (issue #8): tens of thousands of SIP Call-IDs each announcing its
// own media flow, tens of thousands of SSRCs on one flow, IPv4 datagrams
// whose last fragment never comes, TCP connections with a hole at their
// start and data waiting beyond it, connections that open and never finish
// a SIP message, SYN floods, and SIP messages over the size limit. The
// output is deterministic and streamed. bench/exhaust writes it to a file;
// analysis/limits_test.go streams smaller ones through the pipeline.
package hostile

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapbuild"
)

// Config sets how much of each kind of hostile traffic to write.
type Config struct {
	Calls        int // INVITEs with distinct Call-IDs, each with its own SDP media flow
	SSRCs        int // RTP packets with distinct SSRCs on the first call's media flow
	Fragments    int // small IPv4 datagrams whose last fragment is missing
	BigFragments int // 60 KB IPv4 datagrams whose last fragment is missing
	TCPHoles     int // TCP connections to port 5060 with ~252 KB waiting beyond a hole
	TCPPartial   int // TCP connections to port 5060 with an unfinished SIP header
	TCPSyns      int // TCP connections that only send a SYN
	Oversized    int // SIP messages over TCP larger than the 256 KiB message limit
}

// Scaled returns the default hostile mix times s.
func Scaled(s int) Config {
	return Config{
		Calls: 40000 * s, SSRCs: 100000 * s, Fragments: 20000 * s, BigFragments: 300 * s,
		TCPHoles: 400 * s, TCPPartial: 8000 * s, TCPSyns: 80000 * s, Oversized: 4 * s,
	}
}

// hostileWriter emits frames with timestamps 10 µs apart, so the whole
// capture stays within the fragment and TCP hole timeouts and everything
// it opens stays open.
type hostileWriter struct {
	b    framebuild.Builder
	emit func(time.Time, []byte) error
	now  time.Time
	buf  []byte
	err  error
}

func (h *hostileWriter) frame(f []byte, err error) {
	if h.err != nil {
		return
	}
	if err != nil {
		h.err = err
		return
	}
	h.now = h.now.Add(10 * time.Microsecond)
	h.err = h.emit(h.now, f)
}

// host returns the IPv4 address net.(i>>8).(i&255).
func host(net byte, i int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, net, byte(i >> 8), byte(i)})
}

var sipServer = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, 1}), 5060)

// invite is a SIP INVITE (RFC 3261 §8.1.1) with an SDP offer (RFC 4566)
// whose audio goes to media and whose key-mgmt attribute (RFC 4567) carries
// a MIKEY header cut short, so each call also makes a finding.
func invite(i int, from, media netip.AddrPort) []byte {
	sdp := fmt.Sprintf("v=0\r\no=- %d 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"+
		"a=key-mgmt:mikey AQAFAAAA\r\nm=audio %d RTP/SAVP 0\r\n",
		i, from.Addr(), media.Addr(), media.Port())
	return []byte(fmt.Sprintf("INVITE sip:bob@example.net SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK%d\r\nMax-Forwards: 70\r\n"+
		"From: <sip:caller%d@example.org>;tag=%d\r\nTo: <sip:bob@example.net>\r\n"+
		"Call-ID: hostile-%d@example.org\r\nCSeq: 1 INVITE\r\n"+
		"Contact: <sip:caller%d@%s>\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
		from, i, i, i, i, i, from, len(sdp), sdp))
}

// Write writes the hostile mix of cfg through emit.
func Write(cfg Config, emit func(time.Time, []byte) error) error {
	h := &hostileWriter{emit: emit, now: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}

	// Call 0, then SSRCs on its media flow (RFC 3550 §5.1 header, version 2).
	media0 := netip.AddrPortFrom(host(1, 0), 20000)
	caller0 := netip.AddrPortFrom(host(1, 0), 5060)
	h.frame(h.b.UDP(caller0, sipServer, invite(0, caller0, media0)))
	rtp := make([]byte, 12+20)
	for i := 0; i < cfg.SSRCs && h.err == nil; i++ {
		rtp[0], rtp[1] = 0x80, 0
		binary.BigEndian.PutUint16(rtp[2:], uint16(i))
		binary.BigEndian.PutUint32(rtp[4:], uint32(i)*160)
		binary.BigEndian.PutUint32(rtp[8:], 0x10000000+uint32(i))
		h.buf, h.err = h.b.AppendUDP(h.buf[:0], netip.AddrPortFrom(host(3, 0), 30000), media0, rtp)
		h.frame(h.buf, h.err)
	}

	// Many Call-IDs, each with its own media flow.
	for i := 1; i < cfg.Calls && h.err == nil; i++ {
		from := netip.AddrPortFrom(host(1, i), 5060)
		h.frame(h.b.UDP(from, sipServer, invite(i, from, netip.AddrPortFrom(host(2, i), uint16(20000+2*(i%20000))))))
	}

	// Endless fragments: every datagram but its last fragment.
	small := make([]byte, 1400)
	for i := 0; i < cfg.Fragments && h.err == nil; i++ {
		frags, err := h.b.UDPFragments(netip.AddrPortFrom(host(4, i), 7000), netip.AddrPortFrom(host(5, 1), 7000), small, 2)
		if err != nil {
			return err
		}
		h.frame(frags[0], nil)
	}
	big := make([]byte, 60000)
	for i := 0; i < cfg.BigFragments && h.err == nil; i++ {
		frags, err := h.b.UDPFragments(netip.AddrPortFrom(host(6, i), 7000), netip.AddrPortFrom(host(5, 2), 7000), big, 41)
		if err != nil {
			return err
		}
		for _, f := range frags[:len(frags)-1] {
			h.frame(f, nil)
		}
	}

	// TCP connections with a 1400-byte hole after the SYN and 180 segments
	// of 1400 bytes waiting beyond it (under the per-connection gap limit,
	// over the global buffer limit together).
	seg := []byte(strings.Repeat("X", 1400))
	for i := 0; i < cfg.TCPHoles && h.err == nil; i++ {
		cli := netip.AddrPortFrom(host(7, i), 40000)
		isn := uint32(i) * 7919
		h.frame(h.b.TCP(cli, sipServer, framebuild.TCPHeader{Seq: isn, Flags: framebuild.FlagSYN, MSS: 1460}, nil))
		for s := 0; s < 180 && h.err == nil; s++ {
			h.buf, h.err = h.b.AppendTCP(h.buf[:0], cli, sipServer,
				framebuild.TCPHeader{Seq: isn + 1 + 1400 + uint32(s)*1400, Flags: framebuild.FlagACK | framebuild.FlagPSH}, seg)
			h.frame(h.buf, h.err)
		}
	}

	// Connections that start a SIP message and never finish its header.
	partial := []byte("OPTIONS sip:probe@example.net SIP/2.0\r\nVia: SIP/2.0/TCP 10.8.0.1;branch=z9hG4bK1\r\nX-Filler: " + strings.Repeat("a", 150))
	for i := 0; i < cfg.TCPPartial && h.err == nil; i++ {
		c := pcapbuild.NewTCPConn(&h.b, netip.AddrPortFrom(host(8, i), 41000), sipServer, uint32(i), 1)
		hs, err := c.Handshake()
		if err != nil {
			return err
		}
		for _, f := range hs {
			h.frame(f, nil)
		}
		h.frame(c.AppendData(nil, true, partial))
	}

	// SYN floods beyond the TCP connection table.
	for i := 0; i < cfg.TCPSyns && h.err == nil; i++ {
		cli := netip.AddrPortFrom(host(9, i), uint16(1024+i%60000))
		h.buf, h.err = h.b.AppendTCP(h.buf[:0], cli, sipServer, framebuild.TCPHeader{Seq: uint32(i), Flags: framebuild.FlagSYN}, nil)
		h.frame(h.buf, h.err)
	}

	// Oversized SIP messages: a 400 KB body announced by Content-Length,
	// and a header section that never ends.
	for i := 0; i < cfg.Oversized && h.err == nil; i++ {
		c := pcapbuild.NewTCPConn(&h.b, netip.AddrPortFrom(host(10, i), 42000), sipServer, 1000, 2000)
		hs, err := c.Handshake()
		if err != nil {
			return err
		}
		for _, f := range hs {
			h.frame(f, nil)
		}
		var msg []byte
		if i%2 == 0 {
			body := strings.Repeat("b", 400<<10)
			msg = []byte(fmt.Sprintf("MESSAGE sip:bob@example.net SIP/2.0\r\nVia: SIP/2.0/TCP 10.10.0.1;branch=z9hG4bK%d\r\n"+
				"Call-ID: big-%d@example.org\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", i, i, len(body), body))
		} else {
			msg = []byte("MESSAGE sip:bob@example.net SIP/2.0\r\n" + strings.Repeat("X-Endless: header line that never ends the section\r\n", 8000))
		}
		for off := 0; off < len(msg) && h.err == nil; off += 1400 {
			h.frame(c.AppendData(nil, true, msg[off:min(off+1400, len(msg))]))
		}
	}
	return h.err
}
