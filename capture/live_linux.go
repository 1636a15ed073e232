//go:build linux && !pcap

package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// OpenLive captures from a network interface with an AF_PACKET socket
// (packet(7)), in pure Go: no libpcap and no cgo. Interfaces with Ethernet
// framing (including "lo", whose frames carry zero MAC addresses) are read
// as LINKTYPE_ETHERNET; other interfaces and "any" are read in cooked mode
// and delivered as LINKTYPE_LINUX_SLL. filter is a tcpdump-style expression
// (see Filter) applied in user space; "" captures everything. As libpcap
// does, frames sent on a loopback interface are seen once (the outgoing copy
// is skipped). 802.1Q tags that the kernel strips are re-inserted from
// PACKET_AUXDATA on Ethernet interfaces, so live frames look like the wire.
func OpenLive(iface, filter string, opts LiveOptions) (Source, error) {
	f, err := CompileFilter(filter)
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	ifindex, cooked := 0, true
	if iface != "any" {
		ifc, err := net.InterfaceByName(iface)
		if err != nil {
			return nil, fmt.Errorf("capture: interface %q: %w", iface, err)
		}
		ifindex = ifc.Index
		cooked = ifc.Flags&net.FlagLoopback == 0 && len(ifc.HardwareAddr) != 6
	}
	loopbacks := map[int]bool{}
	if ifs, err := net.Interfaces(); err == nil {
		for _, ifc := range ifs {
			if ifc.Flags&net.FlagLoopback != 0 {
				loopbacks[ifc.Index] = true
			}
		}
	}
	typ := unix.SOCK_RAW
	if cooked {
		typ = unix.SOCK_DGRAM
	}
	fd, err := unix.Socket(unix.AF_PACKET, typ|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, int(htons(unix.ETH_P_ALL)))
	if err != nil {
		return nil, fmt.Errorf("capture: AF_PACKET socket on %q (needs root or CAP_NET_RAW): %w", iface, err)
	}
	fail := func(what string, err error) (Source, error) {
		unix.Close(fd)
		return nil, fmt.Errorf("capture: %s on %q: %w", what, iface, err)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifindex}); err != nil {
		return fail("bind", err)
	}
	if opts.Promiscuous && ifindex != 0 {
		mreq := &unix.PacketMreq{Ifindex: int32(ifindex), Type: unix.PACKET_MR_PROMISC}
		if err := unix.SetsockoptPacketMreq(fd, unix.SOL_PACKET, unix.PACKET_ADD_MEMBERSHIP, mreq); err != nil {
			return fail("promiscuous mode", err)
		}
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, opts.BufferSize); err != nil {
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, opts.BufferSize)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
		return fail("SO_TIMESTAMPNS", err)
	}
	// The kernel strips 802.1Q tags; PACKET_AUXDATA hands them back so they
	// can be re-inserted (best effort: without it frames arrive untagged).
	auxdata := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_AUXDATA, 1) == nil
	s := &liveSource{
		fd:        fd,
		filter:    f,
		cooked:    cooked,
		auxdata:   auxdata,
		loopbacks: loopbacks,
		buf:       make([]byte, sllHeaderLen+opts.Snaplen),
		oob:       make([]byte, 256),
	}
	s.drain()
	s.file = os.NewFile(uintptr(fd), "af_packet:"+iface)
	rc, err := s.file.SyscallConn()
	if err != nil {
		s.file.Close()
		return nil, fmt.Errorf("capture: %q: %w", iface, err)
	}
	s.rc = rc
	s.readFn = s.recvOnce
	return s, nil
}

const sllHeaderLen = 16

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// liveSource reads frames from an AF_PACKET socket through the runtime
// poller, so Close unblocks a pending Next. Nothing per packet is allocated.
type liveSource struct {
	fd        int
	file      *os.File
	rc        syscall.RawConn
	readFn    func(fd uintptr) bool
	filter    *Filter
	cooked    bool
	auxdata   bool
	loopbacks map[int]bool

	buf []byte
	oob []byte
	sa  unix.RawSockaddrLinklayer
	iov unix.Iovec
	msg unix.Msghdr

	// results of recvOnce
	n, oobn int
	errno   syscall.Errno

	frame uint64
	stats LiveStats
}

// recv performs one recvmsg(2) into buf (after room for a cooked header).
func (s *liveSource) recv(fd int) {
	data := s.buf[sllHeaderLen:]
	s.iov.Base = &data[0]
	s.iov.SetLen(len(data))
	s.msg = unix.Msghdr{
		Name:    (*byte)(unsafe.Pointer(&s.sa)),
		Namelen: uint32(unsafe.Sizeof(s.sa)),
		Iov:     &s.iov,
		Control: &s.oob[0],
	}
	s.msg.SetIovlen(1)
	s.msg.SetControllen(len(s.oob))
	n, _, e := unix.Syscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&s.msg)), unix.MSG_TRUNC)
	s.n, s.errno = int(n), e
	s.oobn = int(s.msg.Controllen)
}

// recvOnce is the RawConn.Read callback: false asks the poller to wait.
func (s *liveSource) recvOnce(fd uintptr) bool {
	s.recv(int(fd))
	return s.errno != unix.EAGAIN
}

// drain discards frames queued between socket(2) and bind(2), which may
// come from any interface.
func (s *liveSource) drain() {
	for range 10000 {
		s.recv(s.fd)
		if s.errno != 0 {
			return
		}
	}
}

// Next implements Source: it blocks until a frame passes the filter.
func (s *liveSource) Next(p *Packet) error {
	for {
		if err := s.rc.Read(s.readFn); err != nil {
			if errors.Is(err, os.ErrClosed) {
				return io.EOF
			}
			return fmt.Errorf("capture: live read: %w", err)
		}
		if s.errno != 0 {
			if s.errno == unix.EINTR {
				continue
			}
			return fmt.Errorf("capture: live read: %w", s.errno)
		}
		if s.sa.Pkttype == unix.PACKET_OUTGOING && s.loopbacks[int(s.sa.Ifindex)] {
			continue // the incoming copy follows
		}
		s.stats.Received++
		wire := s.n
		got := min(wire, len(s.buf)-sllHeaderLen)
		data := s.buf[sllHeaderLen : sllHeaderLen+got]
		p.LinkType = LinkTypeEthernet
		ts, tpid, tci, tagged := s.control()
		if tagged && !s.cooked {
			start := insertVLAN(s.buf, sllHeaderLen, sllHeaderLen+got, tpid, tci)
			data = s.buf[start : sllHeaderLen+got]
			wire += sllHeaderLen - start
		}
		if s.cooked {
			s.cookedHeader()
			data = s.buf[:sllHeaderLen+got]
			wire += sllHeaderLen
			p.LinkType = LinkTypeLinuxSLL
		}
		p.Data = data
		p.OrigLen = wire
		p.Time = ts
		p.Interface = int(s.sa.Ifindex)
		p.Input = 0
		if !s.filter.Match(p) {
			continue
		}
		s.frame++
		p.Frame = s.frame
		return nil
	}
}

// cookedHeader writes a LINKTYPE_LINUX_SLL header from the sockaddr_ll.
func (s *liveSource) cookedHeader() {
	h := s.buf[:sllHeaderLen]
	binary.BigEndian.PutUint16(h[0:], uint16(s.sa.Pkttype))
	binary.BigEndian.PutUint16(h[2:], s.sa.Hatype)
	halen := min(int(s.sa.Halen), 8)
	binary.BigEndian.PutUint16(h[4:], uint16(halen))
	clear(h[6:14])
	copy(h[6:14], s.sa.Addr[:halen])
	binary.NativeEndian.PutUint16(h[14:], s.sa.Protocol) // already in network order
}

// control reads the control messages of the last recvmsg: the kernel
// timestamp (SCM_TIMESTAMPNS; the current time when absent) and a VLAN tag
// the kernel removed (PACKET_AUXDATA).
func (s *liveSource) control() (ts time.Time, tpid, tci uint16, tagged bool) {
	oob := s.oob[:min(s.oobn, len(s.oob))]
	for len(oob) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		l := int(h.Len)
		if l < unix.SizeofCmsghdr || l > len(oob) {
			break
		}
		data := oob[unix.CmsgLen(0):l]
		switch {
		case h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_TIMESTAMPNS && len(data) >= int(unsafe.Sizeof(unix.Timespec{})):
			t := (*unix.Timespec)(unsafe.Pointer(&data[0]))
			ts = time.Unix(int64(t.Sec), int64(t.Nsec)).UTC()
		case h.Level == unix.SOL_PACKET && h.Type == unix.PACKET_AUXDATA && s.auxdata:
			tpid, tci, tagged = vlanFromAuxdata(data)
		}
		oob = oob[min(len(oob), unix.CmsgSpace(l-unix.CmsgLen(0))):]
	}
	if ts.IsZero() {
		ts = time.Now().UTC()
	}
	return ts, tpid, tci, tagged
}

// Stats returns the kernel's counters (PACKET_STATISTICS) accumulated since
// the capture started.
func (s *liveSource) Stats() LiveStats {
	if st, err := unix.GetsockoptTpacketStats(s.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS); err == nil {
		s.stats.Dropped += uint64(st.Drops)
	}
	return s.stats
}

// Close implements Source; it unblocks a pending Next, which returns io.EOF.
func (s *liveSource) Close() error {
	return s.file.Close()
}
