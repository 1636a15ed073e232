//go:build linux && !pcap

package capture

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopacket/gopacket/afpacket"
	"golang.org/x/sys/unix"
)

// OpenLive captures from a network interface on an AF_PACKET socket with a
// TPACKET_V3 memory-mapped ring (packet(7)), through gopacket's afpacket
// package: pure Go, no libpcap and no cgo. The kernel fills blocks of the
// ring and hands over a whole block at a time, so a busy interface costs a
// system call per block rather than per frame, and frames are read in
// place.
//
// Interfaces with Ethernet framing (including "lo", whose frames carry zero
// MAC addresses) are read as LINKTYPE_ETHERNET; other interfaces and "any"
// are read from the network header and delivered as LINKTYPE_RAW (IPv4
// and IPv6 only). filter is a tcpdump-style expression (see Filter): it is
// compiled to classic BPF and attached to the socket, so the kernel drops
// unwanted frames before they take room in the ring; the Go filter checks
// what the kernel passed where BPF can only widen it. "" captures
// everything. As libpcap does, frames sent on a loopback interface are
// seen once (the BPF program drops the kernel's outgoing copy). The
// 802.1Q tag that the kernel strips is put back on Ethernet interfaces, so
// live frames look like the wire.
func OpenLive(iface, filter string, opts LiveOptions) (Source, error) {
	f, err := CompileFilter(filter)
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	bind, cooked := iface, true
	mode := bpfMode{snaplen: uint32(opts.Snaplen)}
	if iface == "any" {
		bind = ""
		if ifs, err := net.Interfaces(); err == nil {
			for _, ifc := range ifs {
				if ifc.Flags&net.FlagLoopback != 0 {
					mode.dropOutgoing = append(mode.dropOutgoing, uint32(ifc.Index))
				}
			}
		}
	} else {
		ifc, err := net.InterfaceByName(iface)
		if err != nil {
			return nil, fmt.Errorf("capture: interface %q: %w", iface, err)
		}
		loop := ifc.Flags&net.FlagLoopback != 0
		cooked = !loop && len(ifc.HardwareAddr) != 6
		mode.allOutgoing = loop
	}
	mode.cooked = cooked
	prog, err := compileBPF(f, mode)
	if err != nil {
		return nil, fmt.Errorf("capture: filter %q: %w", filter, err)
	}
	block, blocks := ringGeometry(opts.BufferSize)
	socktype := afpacket.SocketRaw
	if cooked {
		socktype = afpacket.SocketDgram
	}
	tp, err := afpacket.NewTPacket(
		afpacket.OptInterface(bind),
		afpacket.OptTPacketVersion(afpacket.TPacketVersion3),
		afpacket.OptSocketType(socktype),
		afpacket.OptBlockSize(block),
		afpacket.OptFrameSize(pageSize),
		afpacket.OptNumBlocks(blocks),
		afpacket.OptBlockTimeout(blockTimeout),
		afpacket.OptPollTimeout(pollTimeout),
	)
	if err != nil {
		return nil, fmt.Errorf("capture: AF_PACKET ring on %q (needs root or CAP_NET_RAW): %w", iface, err)
	}
	if err := tp.SetBPF(prog); err != nil {
		tp.Close()
		return nil, fmt.Errorf("capture: attaching the filter on %q: %w", iface, err)
	}
	if opts.Promiscuous && bind != "" {
		if err := tp.SetPromiscuous(true); err != nil {
			tp.Close()
			return nil, fmt.Errorf("capture: promiscuous mode on %q: %w", iface, err)
		}
	}
	return &liveSource{
		tp:      tp,
		filter:  f,
		cooked:  cooked,
		start:   time.Now(),
		scratch: make([]byte, 0, 4+opts.Snaplen),
	}, nil
}

const (
	// blockTimeout is how long the kernel fills a block before handing
	// it over part full: the latency of a quiet capture.
	blockTimeout = 20 * time.Millisecond
	// pollTimeout bounds a wait for a block, so that Close and idle
	// reports never wait longer.
	pollTimeout = 100 * time.Millisecond
)

var pageSize = unix.Getpagesize()

// ringGeometry splits a ring of size bytes into blocks: 1 MiB blocks for
// rings of 4 MiB and more, smaller ones (down to 64 KiB, at least two)
// for small rings.
func ringGeometry(size int) (blockSize, blocks int) {
	blockSize = 1 << 20
	for blockSize > 64<<10 && blockSize*4 > size {
		blockSize /= 2
	}
	return blockSize, max(size/blockSize, 2)
}

// liveSource reads frames from the ring in place and hands out a copy of
// each frame that passes the filter (valid until the next call, like a
// file reader's). Next holds mu while it reads; Close takes it to unmap the
// ring only once no read is under way (a read waits at most pollTimeout).
type liveSource struct {
	mu      sync.Mutex
	tp      *afpacket.TPacket
	closed  atomic.Bool
	idle    atomic.Bool
	filter  *Filter
	cooked  bool
	start   time.Time // frames stamped before the filter was attached are skipped
	scratch []byte    // a frame with its VLAN tag put back
	buf     []byte    // the frame Next hands out, copied out of the ring
	frame   uint64

	statsMu  sync.Mutex
	stats    LiveStats // the counts at Close
	ended    bool
	filtered atomic.Uint64
}

// ReportIdle implements IdleReporter: Next returns ErrIdle after each
// pollTimeout without a block of frames.
func (s *liveSource) ReportIdle(time.Duration) { s.idle.Store(true) }

// Next implements Source: it blocks until a frame passes the filter, the
// source is closed (io.EOF), or (when asked) the capture is idle.
func (s *liveSource) Next(p *Packet) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if s.closed.Load() {
			return io.EOF
		}
		data, ci, err := s.tp.ZeroCopyReadPacketData()
		switch {
		case errors.Is(err, afpacket.ErrTimeout):
			if s.idle.Load() {
				return ErrIdle
			}
			continue
		case err != nil:
			if s.closed.Load() {
				return io.EOF
			}
			return fmt.Errorf("capture: live read: %w", err)
		}
		if ci.Timestamp.Before(s.start) {
			continue // in the ring before the filter was attached
		}
		wire := max(ci.Length, len(data))
		tagged := false
		if s.cooked {
			p.LinkType = LinkTypeRaw
		} else {
			p.LinkType = LinkTypeEthernet
			for _, a := range ci.AncillaryData {
				if v, ok := a.(afpacket.AncillaryVLAN); ok && len(data) >= 12 {
					data = s.withTag(data, uint16(v.VLAN))
					wire += 4
					tagged = true
				}
			}
		}
		p.Data = data
		p.OrigLen = wire
		p.Time = ci.Timestamp.UTC()
		p.Interface = ci.InterfaceIndex
		p.Input = 0
		p.BadTime = false
		if !s.filter.Match(p) {
			s.filtered.Add(1)
			continue
		}
		if !tagged {
			// The frame is handed out in a buffer of the source's own, not
			// in the ring: Close (from another goroutine, on cancel) unmaps
			// the ring while the caller may still be reading the last frame,
			// and the kernel reuses a block once the next one is read.
			s.buf = append(s.buf[:0], data...)
			p.Data = s.buf
		}
		s.frame++
		p.Frame = s.frame
		return nil
	}
}

// withTag copies data into the scratch buffer with an 802.1Q tag after the
// MAC addresses (the kernel reports the VLAN id only).
func (s *liveSource) withTag(data []byte, id uint16) []byte {
	b := append(s.scratch[:4], data...)
	start := insertVLAN(b, 4, len(b), etherVLAN, id)
	s.scratch = b[:0]
	return b[start:]
}

// Stats returns the kernel's counters (PACKET_STATISTICS, which the kernel
// resets on each read; afpacket sums them) since the capture started.
func (s *liveSource) Stats() LiveStats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	if !s.ended {
		s.stats = s.readStats()
	}
	return s.stats
}

func (s *liveSource) readStats() LiveStats {
	_, v3, err := s.tp.SocketStats()
	if err != nil {
		return s.stats
	}
	return LiveStats{
		Received: uint64(v3.Packets()),
		Dropped:  uint64(v3.Drops()),
		Freezes:  uint64(v3.QueueFreezes()),
		Filtered: s.filtered.Load(),
	}
}

// Close implements Source; a pending Next returns io.EOF within
// pollTimeout, then the ring is unmapped. Stats keeps the final counts.
func (s *liveSource) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statsMu.Lock()
	s.stats = s.readStats()
	s.ended = true
	s.tp.Close()
	s.statsMu.Unlock()
	return nil
}
