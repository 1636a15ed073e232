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
