//go:build pcap

package capture

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/gopacket/gopacket/pcap"
)

// OpenLive captures through libpcap (gopacket/pcap, cgo); this variant is
// built with -tags pcap for systems without AF_PACKET. The filter is the
// same Go-evaluated tcpdump subset as the default build (see Filter), so
// both builds select the same frames, non-initial fragments included.
func OpenLive(iface, filter string, opts LiveOptions) (Source, error) {
	f, err := CompileFilter(filter)
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	inactive, err := pcap.NewInactiveHandle(iface)
	if err != nil {
		return nil, fmt.Errorf("capture: libpcap %q: %w", iface, err)
	}
	defer inactive.CleanUp()
	inactive.SetSnapLen(opts.Snaplen)
	inactive.SetPromisc(opts.Promiscuous)
	inactive.SetBufferSize(opts.BufferSize)
	inactive.SetTimeout(100 * time.Millisecond) // lets Close stop a pending Next
	inactive.SetImmediateMode(true)
	h, err := inactive.Activate()
	if err != nil {
		return nil, fmt.Errorf("capture: libpcap %q: %w", iface, err)
	}
	return &pcapSource{h: h, filter: f}, nil
}

// pcapSource reads frames from a libpcap handle without copying them.
type pcapSource struct {
	h      *pcap.Handle
	filter *Filter
	frame  uint64
	closed atomic.Bool
	idle   atomic.Bool
}

// ReportIdle implements IdleReporter: Next returns ErrIdle after each
// 100 ms read timeout without a frame.
func (s *pcapSource) ReportIdle(time.Duration) { s.idle.Store(true) }

func (s *pcapSource) Next(p *Packet) error {
	for {
		if s.closed.Load() {
			return io.EOF
		}
		data, ci, err := s.h.ZeroCopyReadPacketData()
		switch {
		case errors.Is(err, pcap.NextErrorTimeoutExpired):
			if s.idle.Load() {
				return ErrIdle
			}
			continue
		case errors.Is(err, io.EOF), errors.Is(err, pcap.NextErrorNoMorePackets):
			return io.EOF
		case err != nil:
			return fmt.Errorf("capture: libpcap read: %w", err)
		}
		p.Data = data
		p.Time = ci.Timestamp.UTC()
		p.OrigLen = max(ci.Length, len(data))
		p.LinkType = LinkType(s.h.LinkType())
		p.Interface = ci.InterfaceIndex
		p.Input = 0
		if !s.filter.Match(p) {
			continue
		}
		s.frame++
		p.Frame = s.frame
		return nil
	}
}

// Stats returns libpcap's counters.
func (s *pcapSource) Stats() LiveStats {
	st, err := s.h.Stats()
	if err != nil {
		return LiveStats{}
	}
	return LiveStats{Received: uint64(st.PacketsReceived), Dropped: uint64(st.PacketsDropped)}
}

func (s *pcapSource) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.h.Close()
	return nil
}
