package capture

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mikeyscope/mikeyscope/hep"
	"github.com/mikeyscope/mikeyscope/internal/framebuild"
)

// A HEP listener receives HEP from capture agents as a live source
// (--hep-listen udp:ADDR:PORT, tcp:ADDR:PORT). Each HEP packet becomes a
// frame of link type LinkTypeRaw: an IPv4 or IPv6 UDP datagram from the
// sender to the listening address, so the Decoder and the HEPHandler (on
// the listening port) treat it as a captured HEP datagram. TCP streams are
// cut into packets by hep.Framer first.
//
// Bounded: a datagram or TCP frame over MaxPacket, a sender over its rate,
// packets beyond the queue's bytes while the analysis is behind, TCP
// connections over MaxConns or a sender's MaxConnsPerSender: all counted
// in HEPStats, never buffered without limit. Connections kept silent give
// their place to new ones after IdleEvict.

// HEPListenOptions bounds a listener. Zero fields take the defaults shown.
type HEPListenOptions struct {
	// MaxPacket is the largest HEP packet accepted (65507: the largest UDP
	// payload over IPv4).
	MaxPacket int
	// Rate is the packets per second one sender (IPv4 address, or IPv6
	// /64) may send on average (20000), with bursts of twice as many.
	Rate int
	// QueueBytes bounds the bytes received and not yet analysed (16 MiB);
	// one sender may hold a quarter of them, so that a sender within its
	// rate but with large packets cannot fill the queue for the others.
	QueueBytes int
	// MaxConns bounds the TCP connections open at once (256).
	MaxConns int
	// MaxConnsPerSender bounds the TCP connections one IP address holds
	// (MaxConns/8, at least 1), so that one sender cannot take them all.
	MaxConnsPerSender int
	// IdleEvict: when MaxConns connections are open, a new one takes the
	// place of the one silent longest if it has been silent this long
	// (30 s), so connections opened and kept silent cannot lock agents
	// out; a connection that sent a whole HEP packet within IdleEvict is
	// never closed. Bytes of a packet that never completes are silence.
	IdleEvict time.Duration
	// Stats receives the drop counts (with the HEPHandler's counts when it
	// is given the same HEPStats).
	Stats *HEPStats
}

func (o HEPListenOptions) withDefaults() HEPListenOptions {
	if o.MaxPacket <= 0 || o.MaxPacket > maxUDPv4Payload {
		o.MaxPacket = maxUDPv4Payload
	}
	if o.Rate <= 0 {
		o.Rate = 20000
	}
	if o.QueueBytes <= 0 {
		o.QueueBytes = 16 << 20
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 256
	}
	if o.MaxConnsPerSender <= 0 {
		o.MaxConnsPerSender = max(1, o.MaxConns/8)
	}
	if o.IdleEvict <= 0 {
		o.IdleEvict = 30 * time.Second
	}
	if o.Stats == nil {
		o.Stats = new(HEPStats)
	}
	return o
}

const (
	maxUDPv4Payload = framebuild.MaxUDPPayload
	hepQueueLen     = 4096
	maxRateSenders  = 4096
)

// HEPListenAddr is one parsed --hep-listen value.
type HEPListenAddr struct {
	Network string // "udp" or "tcp"
	Addr    netip.AddrPort
}

func (a HEPListenAddr) String() string { return a.Network + ":" + a.Addr.String() }

// ParseHEPListen reads "udp:ADDR:PORT" or "tcp:ADDR:PORT", ADDR:PORT as
// net.JoinHostPort writes it ("udp:0.0.0.0:9060", "udp:[::]:9060",
// "tcp:[2001:db8::1]:9061"). The address must be numeric.
func ParseHEPListen(s string) (HEPListenAddr, error) {
	network, rest, ok := strings.Cut(s, ":")
	if !ok || (network != "udp" && network != "tcp") {
		return HEPListenAddr{}, fmt.Errorf("--hep-listen %q: want udp:ADDR:PORT or tcp:ADDR:PORT", s)
	}
	ap, err := netip.ParseAddrPort(rest)
	if err != nil {
		return HEPListenAddr{}, fmt.Errorf("--hep-listen %q: %v (write ADDR:PORT as 0.0.0.0:9060 or [::]:9060)", s, err)
	}
	if ap.Port() == 0 && !strings.HasSuffix(rest, ":0") {
		return HEPListenAddr{}, fmt.Errorf("--hep-listen %q: no port", s)
	}
	if ap.Addr().Zone() != "" {
		return HEPListenAddr{}, fmt.Errorf("--hep-listen %q: zones are not supported", s)
	}
	return HEPListenAddr{Network: network, Addr: ap}, nil
}

// hepItem is one received HEP packet.
type hepItem struct {
	data     []byte
	from, to netip.AddrPort
	t        time.Time
}

// HEPListener is a Source of the HEP packets its sockets receive.
type HEPListener struct {
	opts    HEPListenOptions
	addrs   []HEPListenAddr
	udp     []*net.UDPConn
	tcp     []*net.TCPListener
	items   chan hepItem
	done    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
	queued  atomic.Int64 // bytes in items
	connsMu sync.Mutex
	open    map[*net.TCPConn]*hepConn
	senders map[netip.Addr]int // open connections per sender

	rateMu  sync.Mutex
	buckets map[netip.Addr]*bucket

	frame uint64
	buf   []byte
	// builder builds the frames Next delivers (on Next's goroutine).
	builder framebuild.Builder
	frames  atomic.Uint64
	bytes   atomic.Uint64
	idle    time.Duration // ReportIdle
	timer   *time.Timer
}

// ReportIdle implements IdleReporter: Next returns ErrIdle when no HEP
// packet arrived within d.
func (l *HEPListener) ReportIdle(d time.Duration) { l.idle = d }

type bucket struct {
	tokens float64
	last   time.Time
	queued int // bytes of this sender waiting in items
}

// evictSample is how many tracked senders are looked at to find one to
// forget when maxRateSenders are tracked (Go's map iteration starts at a
// random place: an approximate least-recently-seen choice at a bounded
// cost per packet).
const evictSample = 16

// ListenHEP opens the listeners. Ports bound to 0 are given one by the
// system: Addrs tells which.
func ListenHEP(addrs []HEPListenAddr, o HEPListenOptions) (*HEPListener, error) {
	l := &HEPListener{opts: o.withDefaults(), items: make(chan hepItem, hepQueueLen), done: make(chan struct{}),
		buckets: make(map[netip.Addr]*bucket), open: make(map[*net.TCPConn]*hepConn), senders: make(map[netip.Addr]int)}
	for _, a := range addrs {
		switch a.Network {
		case "udp":
			c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(a.Addr))
			if err != nil {
				l.Close()
				return nil, fmt.Errorf("--hep-listen %s: %w", a, err)
			}
			_ = c.SetReadBuffer(8 << 20)
			l.udp = append(l.udp, c)
			l.addrs = append(l.addrs, HEPListenAddr{"udp", c.LocalAddr().(*net.UDPAddr).AddrPort()})
		case "tcp":
			c, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(a.Addr))
			if err != nil {
				l.Close()
				return nil, fmt.Errorf("--hep-listen %s: %w", a, err)
			}
			l.tcp = append(l.tcp, c)
			l.addrs = append(l.addrs, HEPListenAddr{"tcp", c.Addr().(*net.TCPAddr).AddrPort()})
		default:
			l.Close()
			return nil, fmt.Errorf("--hep-listen: network %q", a.Network)
		}
	}
	for _, c := range l.udp {
		l.wg.Add(1)
		go l.readUDP(c)
	}
	for _, c := range l.tcp {
		l.wg.Add(1)
		go l.accept(c)
	}
	return l, nil
}

// Addrs returns the addresses listened on (with the ports the system chose).
func (l *HEPListener) Addrs() []HEPListenAddr { return l.addrs }

// Ports returns the listening ports, which the HEPHandler must decode.
func (l *HEPListener) Ports() []uint16 {
	var p []uint16
	for _, a := range l.addrs {
		p = append(p, a.Addr.Port())
	}
	return p
}

// Stats returns the drop counters.
func (l *HEPListener) Stats() *HEPStats { return l.opts.Stats }

// senderKey is the sender the per-sender bounds apply to: an IPv4 address,
// or the /64 of an IPv6 one (a host given a /64 has as many addresses as
// it likes; RFC 6177, and the usual unit of IPv6 rate limits).
func senderKey(a netip.Addr) netip.Addr {
	a = a.Unmap()
	if a.Is4() {
		return a
	}
	b := a.WithZone("").As16()
	clear(b[8:])
	return netip.AddrFrom16(b)
}

// admitPacket applies the per-sender rate limit and queue share to n
// bytes from from; ok means they are counted as queued (release them).
// Otherwise it says which bound refused them.
func (l *HEPListener) admitPacket(from netip.Addr, n int, now time.Time) (ok, flood bool) {
	l.rateMu.Lock()
	defer l.rateMu.Unlock()
	b := l.buckets[from]
	burst := float64(2 * l.opts.Rate)
	if b == nil {
		if len(l.buckets) >= maxRateSenders {
			// Forget the sender seen least recently among a sample, if
			// it has nothing queued. Refusing every new sender instead
			// let 4,096 spoofed addresses, each sending every 2 s, lock
			// every new agent out.
			var victim netip.Addr
			var vb *bucket
			i := 0
			for k, v := range l.buckets {
				if v.queued == 0 && (vb == nil || v.last.Before(vb.last)) {
					victim, vb = k, v
				}
				if i++; i >= evictSample {
					break
				}
			}
			if vb == nil {
				return false, true
			}
			delete(l.buckets, victim)
		}
		b = &bucket{tokens: burst, last: now}
		l.buckets[from] = b
	}
	b.tokens = min(burst, b.tokens+now.Sub(b.last).Seconds()*float64(l.opts.Rate))
	b.last = now
	if b.tokens < 1 {
		return false, true
	}
	if b.queued+n > l.opts.QueueBytes/4 {
		return false, false
	}
	b.tokens--
	b.queued += n
	return true, false
}

// release returns n queued bytes of from.
func (l *HEPListener) release(from netip.Addr, n int) {
	l.rateMu.Lock()
	if b := l.buckets[from]; b != nil {
		b.queued -= n
	}
	l.rateMu.Unlock()
}

// deliver queues one HEP packet (copied), or counts why not.
func (l *HEPListener) deliver(data []byte, from, to netip.AddrPort) {
	now := time.Now()
	st := l.opts.Stats
	if len(data) > l.opts.MaxPacket || (!from.Addr().Unmap().Is4() && len(data) > 65535-8) {
		st.add(func(c *HEPCounts) { c.Oversized++ })
		return
	}
	if l.queued.Load()+int64(len(data)) > int64(l.opts.QueueBytes) {
		st.add(func(c *HEPCounts) { c.Overrun++ })
		return
	}
	switch ok, flood := l.admitPacket(senderKey(from.Addr()), len(data), now); {
	case flood:
		st.add(func(c *HEPCounts) { c.Flood++ })
		return
	case !ok:
		st.add(func(c *HEPCounts) { c.Overrun++ })
		return
	}
	it := hepItem{data: append([]byte(nil), data...), from: from, to: to, t: now}
	l.queued.Add(int64(len(data)))
	select {
	case l.items <- it:
	case <-l.done:
		l.queued.Add(-int64(len(data)))
		l.release(senderKey(from.Addr()), len(data))
	default:
		l.queued.Add(-int64(len(data)))
		l.release(senderKey(from.Addr()), len(data))
		st.add(func(c *HEPCounts) { c.Overrun++ })
	}
}

func (l *HEPListener) readUDP(c *net.UDPConn) {
	defer l.wg.Done()
	local := c.LocalAddr().(*net.UDPAddr).AddrPort()
	buf := make([]byte, 65536)
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			select {
			case <-l.done:
				return
			default:
			}
			time.Sleep(10 * time.Millisecond) // a transient error (ICMP, buffer): go on
			continue
		}
		l.deliver(buf[:n], from, local)
	}
}

func (l *HEPListener) accept(ln *net.TCPListener) {
	defer l.wg.Done()
	for {
		c, err := ln.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			select {
			case <-l.done:
				return
			default:
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		hc := l.admit(c, time.Now())
		if hc == nil {
			l.opts.Stats.add(func(h *HEPCounts) { h.Flood++ })
			c.Close()
			continue
		}
		l.wg.Add(1)
		go l.readTCP(hc)
	}
}

// hepConn is an open HEP TCP connection.
type hepConn struct {
	c    *net.TCPConn
	from netip.Addr
	last atomic.Int64 // Unix nanoseconds of its last whole packet (or its accept)
}

// admit registers a new connection, or returns nil when its sender holds
// MaxConnsPerSender connections already, or MaxConns are open and none has
// been silent for IdleEvict (the one silent longest is closed otherwise).
func (l *HEPListener) admit(c *net.TCPConn, now time.Time) *hepConn {
	from := senderKey(c.RemoteAddr().(*net.TCPAddr).AddrPort().Addr())
	l.connsMu.Lock()
	defer l.connsMu.Unlock()
	select {
	case <-l.done:
		return nil // closing: Close may have walked l.open already
	default:
	}
	if l.senders[from] >= l.opts.MaxConnsPerSender {
		return nil
	}
	if len(l.open) >= l.opts.MaxConns {
		var idlest *hepConn
		for _, o := range l.open {
			if idlest == nil || o.last.Load() < idlest.last.Load() {
				idlest = o
			}
		}
		if now.UnixNano()-idlest.last.Load() < int64(l.opts.IdleEvict) {
			return nil
		}
		l.forget(idlest)
		idlest.c.Close() // its reader ends
	}
	hc := &hepConn{c: c, from: from}
	hc.last.Store(now.UnixNano())
	l.open[c] = hc
	l.senders[from]++
	return hc
}

// forget drops hc from the open connections (once); connsMu is held.
func (l *HEPListener) forget(hc *hepConn) {
	if l.open[hc.c] != hc {
		return
	}
	delete(l.open, hc.c)
	if l.senders[hc.from]--; l.senders[hc.from] <= 0 {
		delete(l.senders, hc.from)
	}
}

func (l *HEPListener) readTCP(hc *hepConn) {
	defer l.wg.Done()
	c := hc.c
	defer func() {
		c.Close()
		l.connsMu.Lock()
		l.forget(hc)
		l.connsMu.Unlock()
	}()
	from := c.RemoteAddr().(*net.TCPAddr).AddrPort()
	to := c.LocalAddr().(*net.TCPAddr).AddrPort()
	var f hep.Framer
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			before := f.Skipped
			f.Write(buf[:n], func(pkt []byte) {
				// Activity is a whole packet: a sender trickling bytes
				// of a packet that never completes is silent.
				hc.last.Store(time.Now().UnixNano())
				l.deliver(pkt, from, to)
			})
			if d := f.Skipped - before; d > 0 {
				l.opts.Stats.add(func(h *HEPCounts) { h.Skipped += d; h.Malformed++ })
			}
		}
		if err != nil {
			return
		}
	}
}

// Next implements Source: the next HEP packet as a raw-IP UDP frame.
func (l *HEPListener) Next(p *Packet) error {
	var idle <-chan time.Time
	if l.idle > 0 {
		if l.timer == nil {
			l.timer = time.NewTimer(l.idle)
		} else {
			l.timer.Reset(l.idle)
		}
		defer l.timer.Stop()
		idle = l.timer.C
	}
	select {
	case <-idle:
		return ErrIdle
	case it := <-l.items:
		l.queued.Add(-int64(len(it.data)))
		l.release(senderKey(it.from.Addr()), len(it.data))
		l.frame++
		l.buf = appendUDPFrame(&l.builder, l.buf[:0], it.from, it.to, it.data)
		*p = Packet{Frame: l.frame, Time: it.t, LinkType: LinkTypeRaw, Data: l.buf, OrigLen: len(l.buf)}
		l.frames.Add(1)
		l.bytes.Add(uint64(len(l.buf)))
		return nil
	case <-l.done:
		return io.EOF
	}
}

// Close implements Source: it closes the sockets and unblocks Next.
func (l *HEPListener) Close() error {
	l.once.Do(func() {
		close(l.done)
		for _, c := range l.udp {
			c.Close()
		}
		for _, c := range l.tcp {
			c.Close()
		}
		l.connsMu.Lock()
		for c := range l.open {
			c.Close()
		}
		l.connsMu.Unlock()
	})
	return nil
}

// appendUDPFrame appends a raw IPv4 or IPv6 packet carrying a UDP
// datagram from -> to with payload (built by framebuild, checksums
// included). An IPv4 sender on a dual-stack socket is unmapped; a
// destination of the other family becomes the unspecified address of the
// sender's. The payload is at most HEPListenOptions.MaxPacket bytes, so
// the builder's length limit is never met.
func appendUDPFrame(fb *framebuild.Builder, b []byte, from, to netip.AddrPort, payload []byte) []byte {
	src, dst := from.Addr().Unmap(), to.Addr().Unmap()
	if src.Is4() != dst.Is4() {
		dst = netip.IPv4Unspecified()
		if !src.Is4() {
			dst = netip.IPv6Unspecified()
		}
	}
	b, _ = fb.AppendIPUDP(b, netip.AddrPortFrom(src, from.Port()), netip.AddrPortFrom(dst, to.Port()), payload)
	return b
}

// SourceStat counts what one live source delivered.
type SourceStat struct {
	Name    string
	Frames  uint64
	Bytes   uint64
	Dropped uint64 // dropped by the kernel (AF_PACKET), or by the HEP listener's bounds
}

// SourceStatter is implemented by live sources that count per source.
type SourceStatter interface {
	SourceStats() []SourceStat
}

// SourceStats implements SourceStatter.
func (l *HEPListener) SourceStats() []SourceStat {
	c := l.opts.Stats.Counts()
	var names []string
	for _, a := range l.addrs {
		names = append(names, a.String())
	}
	return []SourceStat{{Name: "hep:" + strings.Join(names, ","), Frames: l.frames.Load(), Bytes: l.bytes.Load(),
		Dropped: c.Oversized + c.Flood + c.Overrun}}
}
