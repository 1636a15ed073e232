package capture

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/hep"
	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/heptest"
)

var (
	hepFrom = netip.MustParseAddrPort("203.0.113.5:40000")
	hepTo   = netip.MustParseAddrPort("203.0.113.9:9060")
	sipA    = netip.MustParseAddrPort("192.0.2.10:5060")
	sipB    = netip.MustParseAddrPort("198.51.100.20:5060")
	hepT    = time.Date(2026, 11, 2, 10, 0, 0, 250000000, time.UTC)
)

// hepRecorder records datagrams with their HEP origin.
type hepRecorder struct {
	recorder
	origins []*HEPOrigin
	times   []time.Time
}

func (r *hepRecorder) Datagram(d *Datagram) {
	r.recorder.Datagram(d)
	r.origins = append(r.origins, d.HEP)
	r.times = append(r.times, d.Time)
}

func hepPacket(t testing.TB, typ uint8, payload string) []byte {
	t.Helper()
	p := hep.Packet{IPProto: 17, ProtoType: typ, Src: sipA, Dst: sipB, Time: hepT, Agent: 2002, HasAgent: true,
		AgentQuirk: true, NodeName: []byte("sbc-east"), CorrelationID: []byte("c1"), Payload: []byte(payload)}
	b, err := hep.Append(nil, &p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeRaw runs raw-IP frames through a Decoder and a HEPHandler.
func decodeRaw(o HEPOptions, frames ...[]byte) (*hepRecorder, *HEPHandler) {
	r := &hepRecorder{}
	h := NewHEPHandler(r, o)
	d := NewDecoder(h, DecoderOptions{})
	for i, f := range frames {
		d.Packet(&Packet{Frame: uint64(i + 1), Time: hepT.Add(time.Second), LinkType: LinkTypeRaw, Data: f, OrigLen: len(f)})
	}
	d.Flush()
	return r, h
}

func TestHEPHandlerUDP(t *testing.T) {
	invite := "INVITE sip:bob@example.com SIP/2.0\r\n\r\n"
	other := netip.MustParseAddrPort("203.0.113.9:9999")
	r, h := decodeRaw(HEPOptions{Ports: []uint16{9999}},
		appendUDPFrame(&framebuild.Builder{}, nil, hepFrom, hepTo, hepPacket(t, hep.ProtoSIP, invite)),
		appendUDPFrame(&framebuild.Builder{}, nil, hepFrom, hepTo, hepPacket(t, hep.ProtoRTCPJSON, `{"type":200}`)),
		appendUDPFrame(&framebuild.Builder{}, nil, hepFrom, hepTo, []byte("OPTIONS sip:x SIP/2.0\r\n\r\n")),           // not HEP: passed on as it is
		appendUDPFrame(&framebuild.Builder{}, nil, hepFrom, other, hepPacket(t, hep.ProtoSIP, invite)),                // --hep-port 9999
		appendUDPFrame(&framebuild.Builder{}, nil, hepFrom, hepTo, []byte("HEP3\x00\x07\x00")),                        // malformed
		appendUDPFrame(&framebuild.Builder{}, nil, hepFrom, hepTo, hepPacket(t, hep.ProtoSIP, "\x80\x00\x00\x01rtp")), // "SIP" that would read as RTP
	)
	got := r.of("udp")
	if len(got) != 3 {
		t.Fatalf("datagrams: %v", r.events)
	}
	for _, i := range []int{0, 2} {
		o := r.origins[i]
		if got[i].Src != sipA.String() || got[i].Dst != sipB.String() || got[i].Payload != invite || o == nil ||
			o.Agent != 2002 || o.Node != "sbc-east" || o.Correlation != "c1" || o.Sender != hepFrom || !r.times[i].Equal(hepT) {
			t.Errorf("datagram %d: %v origin %+v time %s", i, got[i], o, r.times[i])
		}
		if o.Name() != "agent 2002 (sbc-east)" {
			t.Errorf("name %q", o.Name())
		}
	}
	if r.origins[1] != nil || got[1].Payload != "OPTIONS sip:x SIP/2.0\r\n\r\n" {
		t.Errorf("non-HEP datagram: %v", got[1])
	}
	if p := r.problems(ProblemMalformed); len(p) != 2 || !strings.Contains(p[0].Detail, "HEP") || !strings.Contains(p[1].Detail, "does not start like a SIP message") {
		t.Errorf("problems: %v", r.events)
	}
	c := h.Stats().Counts()
	if c.Packets != 4 || c.SIP != 2 || c.ByType["rtcp-json"] != 1 || c.Malformed != 2 || c.Agents[HEPAgentKey{"2002", "sbc-east"}] != 4 {
		t.Errorf("counts %+v", c)
	}
}

// TestHEPHandlerLongNodeName: a node name (or correlation id) filling a
// chunk is kept to maxHEPText bytes. Before, each SIP message of such an
// agent carried its 64 KB copy into the model (Signal.Via, the duplicate
// check's 8,192 remembered places) and each of 1,024 agents into the counts.
func TestHEPHandlerLongNodeName(t *testing.T) {
	long := strings.Repeat("n", 60000)
	p := hep.Packet{IPProto: 17, ProtoType: hep.ProtoSIP, Src: sipA, Dst: sipB, Time: hepT, Agent: 9, HasAgent: true,
		NodeName: []byte(long), CorrelationID: []byte(long), Payload: []byte("OPTIONS sip:x SIP/2.0\r\n\r\n")}
	b, err := hep.Append(nil, &p)
	if err == nil {
		t.Fatal("two 60,000-byte chunks fit a HEP packet?")
	}
	p.CorrelationID = []byte("c")
	if b, err = hep.Append(nil, &p); err != nil {
		t.Fatal(err)
	}
	r, h := decodeRaw(HEPOptions{}, appendUDPFrame(&framebuild.Builder{}, nil, hepFrom, hepTo, b))
	want := strings.Repeat("n", maxHEPText) + "..."
	if len(r.origins) != 1 || r.origins[0].Node != want || r.origins[0].Correlation != "c" {
		t.Fatalf("origins %v", r.events)
	}
	if c := h.Stats().Counts(); c.Agents[HEPAgentKey{"9", want}] != 1 {
		t.Errorf("agents %v", c.Agents)
	}
	if short := hepText([]byte("sbc-east")); short != "sbc-east" {
		t.Errorf("short name %q", short)
	}
}

func TestHEPHandlerAuth(t *testing.T) {
	p := hep.Packet{IPProto: 17, ProtoType: hep.ProtoSIP, Src: sipA, Dst: sipB, AuthKey: []byte("k1"), Payload: []byte("BYE x SIP/2.0\r\n\r\n")}
	good, _ := hep.Append(nil, &p)
	p.AuthKey = nil
	none, _ := hep.Append(nil, &p)
	r, h := decodeRaw(HEPOptions{AuthKey: []byte("k1")}, appendUDPFrame(&framebuild.Builder{}, nil, hepFrom, hepTo, good), appendUDPFrame(&framebuild.Builder{}, nil, hepFrom, hepTo, none))
	if len(r.of("udp")) != 1 || len(r.problems(ProblemHEPAuth)) != 1 || h.Stats().Counts().AuthFailed != 1 {
		t.Errorf("events %v", r.events)
	}
	// No time chunk: the frame's time.
	if !r.times[0].Equal(hepT.Add(time.Second)) {
		t.Errorf("time %s", r.times[0])
	}
}

// TestHEPHandlerTCPSplits: three HEP packets on a TCP stream, cut at every
// byte boundary into two segments, give the same three messages.
func TestHEPHandlerTCPSplits(t *testing.T) {
	var stream []byte
	var want []string
	for i, m := range []string{"INVITE sip:a SIP/2.0\r\n\r\n", "SIP/2.0 100 Trying\r\n\r\n", strings.Repeat("x", 3000)} {
		stream = append(stream, hepPacket(t, hep.ProtoSIP, "A"+m)...)
		want = append(want, "A"+m)
		if i == 1 {
			stream = append(stream, "garbage"...)
		}
	}
	for cut := 0; cut <= len(stream); cut++ {
		r := &hepRecorder{}
		h := NewHEPHandler(r, HEPOptions{})
		for i, part := range [][]byte{stream[:cut], stream[cut:]} {
			h.Segment(&Segment{Frame: uint64(i + 1), Src: hepFrom, Dst: hepTo, Payload: part})
		}
		var got []string
		for _, e := range r.of("udp") {
			got = append(got, e.Payload)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") || len(r.problems(ProblemMalformed)) == 0 || h.Stats().Counts().Skipped != 7 {
			t.Fatalf("cut %d: %d messages, events %v", cut, len(got), r.events)
		}
	}
	// TCP on other ports passes through.
	r := &hepRecorder{}
	NewHEPHandler(r, HEPOptions{}).Segment(&Segment{Src: sipA, Dst: sipB, Payload: []byte("x")})
	if len(r.of("tcp")) != 1 {
		t.Error("segment not passed on")
	}
}

func TestParseHEPListen(t *testing.T) {
	for _, s := range []string{"udp:0.0.0.0:9060", "udp:[::]:9060", "tcp:127.0.0.1:0", "tcp:[2001:db8::1]:9061"} {
		a, err := ParseHEPListen(s)
		if err != nil || a.String() != s {
			t.Errorf("%s: %v %v", s, a, err)
		}
	}
	for _, s := range []string{"udp:9060", "sctp:0.0.0.0:9060", "udp:localhost:9060", "udp:[::]", "udp:1.2.3.4:99999", "udp::::9060", "9060", "udp:[fe80::1%eth0]:9060"} {
		if _, err := ParseHEPListen(s); err == nil {
			t.Errorf("%s accepted", s)
		}
	}
}

// listen opens a listener on loopback UDP and TCP ports.
func listen(t *testing.T, o HEPListenOptions) *HEPListener {
	t.Helper()
	l, err := ListenHEP([]HEPListenAddr{{"udp", netip.MustParseAddrPort("127.0.0.1:0")}, {"tcp", netip.MustParseAddrPort("127.0.0.1:0")}}, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// nextDatagrams reads n frames of l through the decoder and the HEPHandler.
func nextDatagrams(t *testing.T, l *HEPListener, n int) *hepRecorder {
	t.Helper()
	r := &hepRecorder{}
	h := NewHEPHandler(r, HEPOptions{Ports: l.Ports(), Stats: l.Stats()})
	d := NewDecoder(h, DecoderOptions{})
	got := make(chan error, 1)
	go func() {
		for i := 0; i < n; i++ {
			var p Packet
			if err := l.Next(&p); err != nil {
				got <- err
				return
			}
			d.Packet(&p)
		}
		got <- nil
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out; events %v", r.events)
	}
	return r
}

func TestHEPListener(t *testing.T) {
	l := listen(t, HEPListenOptions{MaxPacket: 2000})
	udp, tcp := l.Addrs()[0].Addr, l.Addrs()[1].Addr
	uc, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(udp))
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	uc.Write(hepPacket(t, hep.ProtoSIP, "INVITE sip:u SIP/2.0\r\n\r\n"))
	uc.Write(hepPacket(t, hep.ProtoSIP, strings.Repeat("y", 3000))) // over MaxPacket
	r := nextDatagrams(t, l, 1)
	if e := r.of("udp"); len(e) != 1 || e[0].Payload != "INVITE sip:u SIP/2.0\r\n\r\n" || r.origins[0].Sender.Port() != uint16(uc.LocalAddr().(*net.UDPAddr).Port) {
		t.Fatalf("UDP: %v", r.events)
	}
	tc, err := net.DialTCP("tcp", nil, net.TCPAddrFromAddrPort(tcp))
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	var s []byte
	for _, m := range []string{"ACK sip:1 SIP/2.0\r\n\r\n", "BYE sip:2 SIP/2.0\r\n\r\n", "CANCEL sip:3 SIP/2.0\r\n\r\n"} {
		s = append(s, hepPacket(t, hep.ProtoSIP, m)...)
	}
	for i := 0; i < len(s); i += 7 { // small writes: the framer joins them
		tc.Write(s[i:min(i+7, len(s))])
		time.Sleep(time.Millisecond)
	}
	r = nextDatagrams(t, l, 3)
	var got []string
	for _, e := range r.of("udp") {
		got = append(got, e.Payload[:3])
	}
	if strings.Join(got, " ") != "ACK BYE CAN" {
		t.Fatalf("TCP: %v", r.events)
	}
	if c := l.Stats().Counts(); c.Oversized != 1 || c.SIP != 4 {
		t.Errorf("counts %+v", c)
	}
	if st := l.SourceStats(); len(st) != 1 || st[0].Frames != 4 || st[0].Dropped != 1 {
		t.Errorf("source stats %+v", st)
	}
}

// TestHEPListenerFlood: a sender over its rate is cut off and counted;
// the listener keeps running.
func TestHEPListenerFlood(t *testing.T) {
	l := listen(t, HEPListenOptions{Rate: 5})
	uc, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(l.Addrs()[0].Addr))
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	b := hepPacket(t, hep.ProtoSIP, "OPTIONS sip:f SIP/2.0\r\n\r\n")
	for i := 0; i < 200; i++ {
		uc.Write(b)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if c := l.Stats().Counts(); c.Flood+uint64(len(l.items)) >= 190 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	c := l.Stats().Counts()
	if queued := len(l.items); queued < 1 || queued > 10+1 || c.Flood < 150 {
		t.Errorf("queued %d, flood-dropped %d (rate 5/s, burst 10)", queued, c.Flood)
	}
}

// TestHEPListenerQueueShare: a sender within its packet rate but with
// large packets holds at most a quarter of the queue; another sender's
// packet still gets in. Before, the first sender filled all of it and the
// others' packets were dropped as overrun.
func TestHEPListenerQueueShare(t *testing.T) {
	l := listen(t, HEPListenOptions{QueueBytes: 40000})
	to := net.UDPAddrFromAddrPort(l.Addrs()[0].Addr)
	dial := func(from string) *net.UDPConn {
		c, err := net.DialUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort(from+":0")), to)
		if err != nil {
			t.Skipf("dial from %s: %v", from, err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	big := hepPacket(t, hep.ProtoSIP, "MESSAGE sip:x SIP/2.0\r\n\r\n"+strings.Repeat("z", 1400))
	a, b := dial("127.0.0.2"), dial("127.0.0.3")
	for i := 0; i < 60; i++ {
		a.Write(big)
	}
	waitCount := func(want uint64) {
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) && l.Stats().Counts().Overrun+uint64(len(l.items)) < want {
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitCount(60)
	if q := len(l.items); q*len(big) > 10000 || q == 0 {
		t.Errorf("one sender queued %d packets of %d bytes (queue 40,000 bytes, share 10,000)", q, len(big))
	}
	b.Write(hepPacket(t, hep.ProtoSIP, "INVITE sip:b SIP/2.0\r\n\r\n"))
	waitCount(61)
	n := len(l.items)
	r := nextDatagrams(t, l, n)
	if e := r.of("udp"); len(e) != n || e[n-1].Payload[:6] != "INVITE" {
		t.Errorf("the other sender's packet was not queued: %d datagrams", len(e))
	}
	// Reading the queue gives the first sender its share back.
	a.Write(big)
	if r := nextDatagrams(t, l, 1); len(r.of("udp")) != 1 {
		t.Error("the first sender's share was not given back")
	}
}

// TestHEPListenerManySenders: with maxRateSenders senders tracked, all
// recently seen, a new sender takes the place of one of the least recent
// (before: refused until one of them was silent for 2 s, so spoofed
// addresses sending every 2 s locked every new agent out); senders with
// packets queued are never forgotten.
func TestHEPListenerManySenders(t *testing.T) {
	l := listen(t, HEPListenOptions{})
	t0 := time.Now()
	addr := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}) }
	for i := 0; i < maxRateSenders; i++ {
		if ok, _ := l.admitPacket(addr(i), 100, t0); !ok {
			t.Fatalf("sender %d refused", i)
		}
	}
	if ok, flood := l.admitPacket(addr(maxRateSenders), 100, t0); ok || !flood {
		t.Errorf("a new sender admitted while every tracked one has packets queued: %v %v", ok, flood)
	}
	for i := 0; i < maxRateSenders; i++ {
		l.release(addr(i), 100)
	}
	if ok, _ := l.admitPacket(addr(maxRateSenders), 100, t0); !ok {
		t.Error("a new sender refused")
	}
	if len(l.buckets) != maxRateSenders {
		t.Errorf("%d senders tracked", len(l.buckets))
	}
}

// TestHEPListenerIPv6Sender: the per-sender bounds count an IPv6 /64 as
// one sender; before, each of its 2^64 addresses had its own bucket, so
// one host rotating source addresses was never rate-limited.
func TestHEPListenerIPv6Sender(t *testing.T) {
	l := listen(t, HEPListenOptions{Rate: 5})
	pkt := hepPacket(t, hep.ProtoSIP, "OPTIONS sip:6 SIP/2.0\r\n\r\n")
	to := netip.MustParseAddrPort("[2001:db8:9::1]:9060")
	for i := 0; i < 20; i++ {
		from := netip.AddrPortFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, byte(i >> 8), byte(i)}), 5000)
		l.deliver(pkt, from, to)
	}
	l.deliver(pkt, netip.MustParseAddrPort("[2001:db8:2::1]:5000"), to) // another /64
	if c := l.Stats().Counts(); len(l.items) != 11 || c.Flood != 10 {
		t.Errorf("queued %d, flood-dropped %d; want 11 and 10 (burst 10 for the /64, 1 for the other)", len(l.items), c.Flood)
	}
	for _, tc := range []struct{ in, want string }{
		{"192.0.2.1", "192.0.2.1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::"},
		{"fe80::1%eth0", "fe80::"},
	} {
		if got := senderKey(netip.MustParseAddr(tc.in)); got.String() != tc.want {
			t.Errorf("senderKey(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// dialFrom opens a TCP connection to to from the loopback address from
// (Linux routes all of 127/8 to lo).
func dialFrom(t *testing.T, from string, to netip.AddrPort) *net.TCPConn {
	t.Helper()
	c, err := net.DialTCP("tcp", net.TCPAddrFromAddrPort(netip.MustParseAddrPort(from+":0")), net.TCPAddrFromAddrPort(to))
	if err != nil {
		t.Skipf("dial from %s: %v", from, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedByPeer reports whether the listener closed c (a read sees EOF or a
// reset within a second).
func closedByPeer(c *net.TCPConn) bool {
	c.SetReadDeadline(time.Now().Add(time.Second))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// TestHEPListenerSilentConns: connections opened and kept silent cannot
// lock agents out. Before, the first MaxConns connections held their place
// for ever: one host opening 256 idle connections (or 10,000) made the
// listener close every agent's connection on accept. Now one sender holds
// at most MaxConnsPerSender, and when all places are taken a new
// connection takes the place of one silent for IdleEvict.
func TestHEPListenerSilentConns(t *testing.T) {
	t.Run("per sender", func(t *testing.T) {
		l := listen(t, HEPListenOptions{MaxConns: 8, MaxConnsPerSender: 2, IdleEvict: time.Hour})
		to := l.Addrs()[1].Addr
		a1, a2 := dialFrom(t, "127.0.0.2", to), dialFrom(t, "127.0.0.2", to)
		a3 := dialFrom(t, "127.0.0.2", to)
		if !closedByPeer(a3) {
			t.Error("a third connection of one sender was kept")
		}
		if closedByPeer(a1) || closedByPeer(a2) {
			t.Error("the sender's first two connections were closed")
		}
		b := dialFrom(t, "127.0.0.3", to)
		b.Write(hepPacket(t, hep.ProtoSIP, "INVITE sip:u SIP/2.0\r\n\r\n"))
		if r := nextDatagrams(t, l, 1); len(r.of("udp")) != 1 {
			t.Errorf("another sender's packet: %v", r.events)
		}
		if c := l.Stats().Counts(); c.Flood != 1 {
			t.Errorf("refused connections counted %d, want 1", c.Flood)
		}
	})
	t.Run("idle eviction", func(t *testing.T) {
		l := listen(t, HEPListenOptions{MaxConns: 2, MaxConnsPerSender: 2, IdleEvict: 1500 * time.Millisecond})
		to := l.Addrs()[1].Addr
		active := dialFrom(t, "127.0.0.4", to)
		silent := dialFrom(t, "127.0.0.2", to)
		// "silent" trickles the bytes of a packet that never completes:
		// that is no activity.
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			silent.Write([]byte("HEP3\xff\xf0"))
			for {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
					silent.Write([]byte{0})
				}
			}
		}()
		time.Sleep(50 * time.Millisecond)
		active.Write(hepPacket(t, hep.ProtoSIP, "OPTIONS sip:a SIP/2.0\r\n\r\n"))
		if r := nextDatagrams(t, l, 1); len(r.of("udp")) != 1 {
			t.Fatalf("active sender: %v", r.events)
		}
		// Both places taken, neither silent for IdleEvict: refused.
		if early := dialFrom(t, "127.0.0.3", to); !closedByPeer(early) {
			t.Error("a connection beyond MaxConns was kept while none was idle")
		}
		time.Sleep(1700 * time.Millisecond)
		active.Write(hepPacket(t, hep.ProtoSIP, "OPTIONS sip:a SIP/2.0\r\n\r\n"))
		if r := nextDatagrams(t, l, 1); len(r.of("udp")) != 1 {
			t.Fatalf("active sender: %v", r.events)
		}
		late := dialFrom(t, "127.0.0.3", to)
		late.Write(hepPacket(t, hep.ProtoSIP, "INVITE sip:u SIP/2.0\r\n\r\n"))
		if r := nextDatagrams(t, l, 1); len(r.of("udp")) != 1 || r.events[0].Payload[:6] != "INVITE" {
			t.Errorf("new agent after the idle one: %v", r.events)
		}
		if !closedByPeer(silent) {
			t.Error("the silent connection was not closed")
		}
		if closedByPeer(active) {
			t.Error("the active connection was closed")
		}
	})
}

func TestAppendUDPFrame(t *testing.T) {
	for _, tc := range []struct{ from, to string }{
		{"10.0.0.1:1000", "10.0.0.2:9060"},
		{"[2001:db8::1]:1000", "[2001:db8::2]:9060"},
		{"[::ffff:10.0.0.1]:1000", "[::]:9060"}, // an IPv4 sender on a dual-stack socket
	} {
		from, to := netip.MustParseAddrPort(tc.from), netip.MustParseAddrPort(tc.to)
		r := &recorder{}
		NewDecoder(r, DecoderOptions{}).Packet(&Packet{Frame: 1, LinkType: LinkTypeRaw, Data: appendUDPFrame(&framebuild.Builder{}, []byte("junk")[:0], from, to, []byte("payload"))})
		e := r.of("udp")
		if len(e) != 1 || e[0].Src != netip.AddrPortFrom(from.Addr().Unmap(), from.Port()).String() || e[0].Payload != "payload" {
			t.Errorf("%s -> %s: %v", tc.from, tc.to, r.events)
		}
	}
}

func TestMergeLive(t *testing.T) {
	a, b := listen(t, HEPListenOptions{}), listen(t, HEPListenOptions{})
	m := MergeLive(NamedSource{"a", a}, NamedSource{"b", b})
	defer m.Close()
	for i, l := range []*HEPListener{a, b, a} {
		c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(l.Addrs()[0].Addr))
		if err != nil {
			t.Fatal(err)
		}
		c.Write(hepPacket(t, hep.ProtoSIP, "MESSAGE sip:"+string(rune('0'+i))+" SIP/2.0\r\n\r\n"))
		c.Close()
		time.Sleep(20 * time.Millisecond)
	}
	inputs := []int{}
	for i := 0; i < 3; i++ {
		var p Packet
		if err := m.Next(&p); err != nil {
			t.Fatal(err)
		}
		if p.Frame != uint64(i+1) || !bytes.Contains(p.Data, []byte("MESSAGE sip:"+string(rune('0'+i)))) {
			t.Errorf("packet %d: frame %d %q", i, p.Frame, p.Data)
		}
		inputs = append(inputs, p.Input)
	}
	st := m.(SourceStatter).SourceStats()
	if len(st) != 2 || st[0].Frames != 2 || st[1].Frames != 1 || inputs[1] != 1 {
		t.Errorf("stats %+v inputs %v", st, inputs)
	}
	m.Close()
	var p Packet
	if err := m.Next(&p); err == nil {
		t.Error("Next after Close")
	}
}

// TestHEPHandlerTCPStreamState: a TCP direction on a HEP port keeps state
// only while it holds part of a packet. Before, every direction seen kept
// a framer for the rest of the pass: past 4,096 connections (a day of
// agents reconnecting) each new one evicted a random one, possibly in the
// middle of a packet, and raised a capture.limit problem per connection.
func TestHEPHandlerTCPStreamState(t *testing.T) {
	pkt := hepPacket(t, hep.ProtoSIP, "OPTIONS sip:k SIP/2.0\r\n\r\n")
	src := func(i int) netip.AddrPort {
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 40000)
	}
	r := &hepRecorder{}
	h := NewHEPHandler(r, HEPOptions{})
	const conns = 5000
	for i := 0; i < conns; i++ {
		// Each connection sends one packet in two segments, then closes.
		h.Segment(&Segment{Frame: uint64(2 * i), Src: src(i), Dst: hepTo, Payload: pkt[:10]})
		h.Segment(&Segment{Frame: uint64(2*i + 1), Src: src(i), Dst: hepTo, Payload: pkt[10:]})
		h.Segment(&Segment{Frame: uint64(2*i + 1), Src: src(i), Dst: hepTo})
	}
	if n := len(r.of("udp")); n != conns {
		t.Errorf("%d SIP datagrams, want %d", n, conns)
	}
	if p := r.problems(ProblemLimit); len(p) != 0 {
		t.Errorf("%d limit problems, first %v", len(p), p[0])
	}
	if len(h.framers) != 0 {
		t.Errorf("%d directions still held after every packet completed", len(h.framers))
	}

	// maxHEPStreams+1 directions in the middle of a packet: the one
	// waiting longest is forgotten, once reported; the others complete.
	r = &hepRecorder{}
	h = NewHEPHandler(r, HEPOptions{})
	for i := 0; i <= maxHEPStreams; i++ {
		h.Segment(&Segment{Frame: uint64(i + 1), Src: src(i), Dst: hepTo, Payload: pkt[:10]})
	}
	if len(h.framers) != maxHEPStreams {
		t.Fatalf("%d directions held, want %d", len(h.framers), maxHEPStreams)
	}
	if p := r.problems(ProblemLimit); len(p) != 1 {
		t.Errorf("%d limit problems, want 1", len(p))
	}
	for _, i := range []int{0, 1, maxHEPStreams} {
		h.Segment(&Segment{Frame: uint64(maxHEPStreams + 2 + i), Src: src(i), Dst: hepTo, Payload: pkt[10:]})
	}
	var got []uint64
	for _, e := range r.of("udp") {
		got = append(got, e.Frame)
	}
	if want := []uint64{maxHEPStreams + 3, 2*maxHEPStreams + 2}; !slices.Equal(got, want) {
		t.Errorf("packets completed in frames %v, want %v (directions 1 and %d; direction 0 forgotten)", got, want, maxHEPStreams)
	}
}

// FuzzHEPHandler feeds hostile bytes to the HEP handler as a datagram and
// as a TCP stream cut at a fuzzed point: no panic, every datagram passed on
// is a SIP payload inside the input (or inflated from it, within
// hep.MaxInflated), and the framer holds at most a packet.
func FuzzHEPHandler(f *testing.F) {
	f.Add(hepPacket(f, hep.ProtoSIP, "INVITE sip:a SIP/2.0\r\n\r\n"), uint16(3))
	f.Add(append(hepPacket(f, hep.ProtoRTCPJSON, "{}"), "HEP3\x00\x06"...), uint16(10))
	f.Add([]byte("HEP3\xff\xff\x00\x00\x00\x0f\xff\xf0"), uint16(1))
	f.Add([]byte{2, 28, 10, 17, 0, 1, 0, 2}, uint16(0))
	f.Add(hepSeed(f, "opensips-gzip"), uint16(100))
	f.Add(hepSeed(f, "bomb-zlib"), uint16(40))
	f.Add(heptest.GzipPacket(hepPacket(f, hep.ProtoSIP, "INVITE sip:a SIP/2.0\r\n\r\n")), uint16(5))
	f.Fuzz(func(t *testing.T, b []byte, cut uint16) {
		r := &hepRecorder{}
		h := NewHEPHandler(r, HEPOptions{AuthKey: nil})
		h.Datagram(&Datagram{Frame: 1, Src: hepFrom, Dst: hepTo, Payload: b})
		c := int(cut) % (len(b) + 1)
		h.Segment(&Segment{Frame: 2, Src: hepFrom, Dst: hepTo, Payload: b[:c]})
		h.Segment(&Segment{Frame: 3, Src: hepFrom, Dst: hepTo, Payload: b[c:]})
		inflated := h.Stats().Counts().Inflated
		for _, e := range r.of("udp") {
			if e.Frame != 1 && !bytes.Contains(b, []byte(e.Payload)) && len(inflated) == 0 {
				t.Fatalf("payload %q not in the input", e.Payload)
			}
			if len(e.Payload) > hep.MaxInflated {
				t.Fatalf("a payload of %d bytes", len(e.Payload))
			}
		}
		for _, fr := range h.framers {
			if fr.Buffered() > hep.MaxPacket {
				t.Fatal("framer holds more than a packet")
			}
		}
	})
}

// TestIdle: a quiet listener, and a quiet merge of two, report ErrIdle when
// asked to, and deliver packets again afterwards.
func TestIdle(t *testing.T) {
	a, b, alone := listen(t, HEPListenOptions{}), listen(t, HEPListenOptions{}), listen(t, HEPListenOptions{})
	m := MergeLive(NamedSource{"a", a}, NamedSource{"b", b})
	defer m.Close()
	for _, src := range []Source{alone, m} {
		src.(IdleReporter).ReportIdle(30 * time.Millisecond)
		var p Packet
		if err := src.Next(&p); err != ErrIdle {
			t.Fatalf("%T: %v, want ErrIdle", src, err)
		}
	}
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(b.Addrs()[0].Addr))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write(hepPacket(t, hep.ProtoSIP, "INFO sip:i SIP/2.0\r\n\r\n"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		var p Packet
		err := m.Next(&p)
		if err == nil {
			if !bytes.Contains(p.Data, []byte("INFO sip:i")) {
				t.Errorf("got %q", p.Data)
			}
			break
		}
		if err != ErrIdle || time.Now().After(deadline) {
			t.Fatal(err)
		}
	}
}
