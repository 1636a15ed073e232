package scenario

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"sort"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapbuild"
)

// ProxyGen puts a SIP call through a stateful proxy (RFC 3261 §16) and
// yields what a capture beside the proxy sees: every SIP message of the
// call twice, once on each leg. A request is received from its sender and
// forwarded 1 ms later with the proxy's Via on top (a branch of its own),
// Max-Forwards decremented and, on the INVITE, a Record-Route; a response
// arrives with the proxy's Via on top and is forwarded without it. The
// bodies (the SDP and its MIKEY message) pass unchanged. The proxy answers
// the INVITE with its own 100 Trying; the callee's 100 Trying stops at the
// proxy. Media frames pass through unchanged (the proxy does not anchor
// media). Only SIP over UDP/IPv4 is handled.
type ProxyGen struct {
	g       Generator
	call    Call
	proxy   netip.AddrPort
	b       *framebuild.Builder
	pending []Frame
	frame   Frame
	err     error
}

// NewProxyGen wraps the frames of g, a call between call.Caller and
// call.Callee, with the proxy at proxy; b numbers the new frames.
func NewProxyGen(g Generator, call Call, proxy netip.AddrPort, b *framebuild.Builder) *ProxyGen {
	return &ProxyGen{g: g, call: call, proxy: proxy, b: b}
}

// PeekTime returns the time of the next frame; ok is false at the end.
func (p *ProxyGen) PeekTime() (time.Time, bool) {
	t, ok := p.g.PeekTime()
	if len(p.pending) > 0 && (!ok || !t.Before(p.pending[0].Time)) {
		return p.pending[0].Time, true
	}
	return t, ok
}

// Next returns the next frame in time order.
func (p *ProxyGen) Next() (*Frame, bool, error) {
	for {
		t, ok := p.g.PeekTime()
		if len(p.pending) > 0 && (!ok || !t.Before(p.pending[0].Time)) {
			p.frame = p.pending[0]
			p.pending = p.pending[1:]
			return &p.frame, true, nil
		}
		f, ok, err := p.g.Next()
		if err != nil || !ok {
			return f, ok, err
		}
		if f.Kind != KindSignal {
			return f, true, nil
		}
		if err := p.relay(f); err != nil {
			return nil, false, err
		}
	}
}

// udpPayload returns the addresses and payload of an Ethernet/IPv4/UDP frame.
func udpPayload(frame []byte) (src, dst netip.AddrPort, payload []byte, err error) {
	ip := pcapbuild.IPPacket(frame)
	if len(ip) < 20 || ip[0]>>4 != 4 || ip[9] != 17 {
		return src, dst, nil, fmt.Errorf("scenario: proxy: not a UDP/IPv4 frame")
	}
	ihl := int(ip[0]&0x0f) * 4
	if len(ip) < ihl+8 {
		return src, dst, nil, fmt.Errorf("scenario: proxy: short UDP frame")
	}
	udp := ip[ihl:]
	src = netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip[12:16])), binary.BigEndian.Uint16(udp[0:]))
	dst = netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip[16:20])), binary.BigEndian.Uint16(udp[2:]))
	return src, dst, udp[8:], nil
}

// relay turns one SIP message of the call into the frames of its legs.
func (p *ProxyGen) relay(f *Frame) error {
	src, _, msg, err := udpPayload(f.Data)
	if err != nil {
		return err
	}
	msg = bytes.Clone(msg)
	fromCaller := src == p.call.Caller
	peer, other := p.call.Callee, p.call.Caller
	if fromCaller {
		peer, other = p.call.Caller, p.call.Callee
	}
	request := !bytes.HasPrefix(msg, []byte("SIP/2.0 "))
	invite := bytes.HasPrefix(msg, []byte("INVITE ")) || bytes.Contains(msg, []byte(" INVITE\r\n")) && !request
	var legA, legB []byte
	switch {
	case request:
		legA = msg
		legB = p.addVia(msg)
		legB = bytes.Replace(legB, []byte("\r\nMax-Forwards: 70\r\n"), []byte("\r\nMax-Forwards: 69\r\n"), 1)
		if invite {
			legB = p.recordRoute(legB)
		}
	default:
		legA = p.addVia(msg)
		legB = msg
		if invite && !bytes.HasPrefix(msg, []byte("SIP/2.0 100 ")) {
			legA, legB = p.recordRoute(legA), p.recordRoute(legB)
		}
	}
	add := func(t time.Time, from, to netip.AddrPort, data []byte, name string, mikey int) error {
		fr, err := p.b.UDP(from, to, data)
		if err != nil {
			return err
		}
		p.pending = append(p.pending, Frame{Time: t, Data: fr, Kind: KindSignal, Message: name, MIKEY: mikey})
		return nil
	}
	if err := add(f.Time, peer, p.proxy, legA, f.Message, f.MIKEY); err != nil {
		return err
	}
	switch {
	case bytes.HasPrefix(msg, []byte("SIP/2.0 100 ")):
		// The callee's 100 Trying ends at the proxy.
	default:
		if err := add(f.Time.Add(time.Millisecond), p.proxy, other, legB, f.Message, f.MIKEY); err != nil {
			return err
		}
	}
	if request && invite && fromCaller {
		// The proxy's own 100 Trying (RFC 3261 §16.2).
		if err := add(f.Time.Add(500*time.Microsecond), p.proxy, p.call.Caller, p.call.Trying(), "100 Trying (proxy)", 0); err != nil {
			return err
		}
	}
	sort.SliceStable(p.pending, func(i, j int) bool { return p.pending[i].Time.Before(p.pending[j].Time) })
	return nil
}

// addVia inserts the proxy's Via above the top Via of msg, with a branch
// derived from the top Via's (one client transaction per server
// transaction, RFC 3261 §16.6 step 8).
func (p *ProxyGen) addVia(msg []byte) []byte {
	i := bytes.Index(msg, []byte("\r\nVia: "))
	if i < 0 {
		return msg
	}
	branch := ""
	if j := bytes.Index(msg[i:], []byte(";branch=")); j >= 0 {
		rest := msg[i+j+len(";branch="):]
		if k := bytes.IndexAny(rest, ";\r"); k >= 0 {
			branch = string(rest[:k])
		}
	}
	via := "\r\nVia: SIP/2.0/UDP " + p.proxy.String() + ";branch=z9hG4bKpx" + branch
	out := make([]byte, 0, len(msg)+len(via))
	out = append(out, msg[:i]...)
	out = append(out, via...)
	return append(out, msg[i:]...)
}

// recordRoute adds the proxy's Record-Route before the Call-ID header.
func (p *ProxyGen) recordRoute(msg []byte) []byte {
	i := bytes.Index(msg, []byte("\r\nCall-ID: "))
	if i < 0 {
		return msg
	}
	rr := "\r\nRecord-Route: <sip:" + p.proxy.String() + ";lr>"
	out := make([]byte, 0, len(msg)+len(rr))
	out = append(out, msg[:i]...)
	out = append(out, rr...)
	return append(out, msg[i:]...)
}
