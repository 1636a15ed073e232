//go:build linux

// Package rawsend writes Ethernet frames onto a network interface through
// an AF_PACKET socket, for the tests and benchmarks of live capture on the
// loopback interface (or a veth pair of a namespace they create). Frames
// sent on "lo" come back as received frames, as a capture sees traffic
// from another host. It needs root (CAP_NET_RAW).
package rawsend

import (
	"fmt"
	"net"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// Sender sends frames on one interface.
type Sender struct {
	fd int
	sa unix.SockaddrLinklayer
}

// Open opens a sender on the interface.
func Open(iface string) (*Sender, error) {
	ifc, err := net.InterfaceByName(iface)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("rawsend: AF_PACKET socket (needs root or CAP_NET_RAW): %w", err)
	}
	// A large send buffer lets a burst go out without blocking.
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, 8<<20)
	return &Sender{fd: fd, sa: unix.SockaddrLinklayer{Ifindex: ifc.Index, Halen: 6}}, nil
}

// Send writes one Ethernet frame.
func (s *Sender) Send(frame []byte) error {
	for {
		err := unix.Sendto(s.fd, frame, 0, &s.sa)
		if err == unix.ENOBUFS || err == unix.EAGAIN {
			continue
		}
		return err
	}
}

// Close closes the socket.
func (s *Sender) Close() error { return unix.Close(s.fd) }

// SendAll sends the frames on the interface, in order, through a sender
// of its own.
func SendAll(iface string, frames [][]byte) error {
	s, err := Open(iface)
	if err != nil {
		return err
	}
	defer s.Close()
	for _, f := range frames {
		if err := s.Send(f); err != nil {
			return err
		}
	}
	return nil
}

// NeedRoot skips t unless the test runs as root, which opening AF_PACKET
// sockets (a live capture on lo, or Open) needs.
func NeedRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("live capture test needs root (CAP_NET_RAW) to open AF_PACKET sockets on lo")
	}
}

// OwnAddresses rewrites the IPv4 addresses of Ethernet/IPv4/UDP frames
// (the samples' 192.0.2.10 and 198.51.100.20) to 10.H.L.1 and 10.H.L.2,
// H.L from tag (a process id), so that a test's capture on lo does not see
// other programs replaying the same sample at the same time. The IPv4
// checksum is recomputed and the UDP checksum cleared (optional in IPv4).
// It returns a capture filter for the two addresses.
func OwnAddresses(frames [][]byte, tag int) (string, error) {
	a := [4]byte{10, byte(tag >> 8), byte(tag), 1}
	b := [4]byte{10, byte(tag >> 8), byte(tag), 2}
	swap := map[[4]byte][4]byte{{192, 0, 2, 10}: a, {198, 51, 100, 20}: b}
	for _, f := range frames {
		if len(f) < 42 || f[12] != 0x08 || f[13] != 0 || f[23] != 17 {
			return "", fmt.Errorf("rawsend: not an Ethernet IPv4 UDP frame: % x", f[:min(len(f), 34)])
		}
		for _, off := range []int{26, 30} {
			if n, ok := swap[[4]byte(f[off:off+4])]; ok {
				copy(f[off:], n[:])
			}
		}
		f[24], f[25] = 0, 0
		ihl := int(f[14]&15) * 4
		var sum uint32
		for i := 14; i < 14+ihl; i += 2 {
			sum += uint32(f[i])<<8 | uint32(f[i+1])
		}
		for sum > 0xffff {
			sum = sum&0xffff + sum>>16
		}
		f[24], f[25] = byte(^sum>>8), byte(^sum)
		f[14+ihl+6], f[14+ihl+7] = 0, 0
	}
	return fmt.Sprintf("udp and host %d.%d.%d.%d and host %d.%d.%d.%d", a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]), nil
}
