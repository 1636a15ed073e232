// Package pcapbuild builds the traffic of the sample and benchmark
// generators and of tests that need crafted packets, on the frames of
// internal/framebuild: TCP connections (handshake, data cut at chosen
// boundaries, close), RTSP interleaved framing and GTP-U tunnelling.
// mikeyscope itself does not link it.
package pcapbuild

import (
	"fmt"
	"net/netip"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
)

// TCPConn tracks the sequence numbers of one TCP connection so that callers
// can emit a handshake, data split at chosen boundaries, acknowledgements and
// the closing exchange as frames. Each method appends frames to out and
// returns it; nothing is written to a file.
type TCPConn struct {
	b              *framebuild.Builder
	Client, Server netip.AddrPort
	cliNext        uint32 // next sequence number the client sends
	srvNext        uint32 // next sequence number the server sends
}

// NewTCPConn returns a connection between client and server whose initial
// sequence numbers are cliISN and srvISN.
func NewTCPConn(b *framebuild.Builder, client, server netip.AddrPort, cliISN, srvISN uint32) *TCPConn {
	return &TCPConn{b: b, Client: client, Server: server, cliNext: cliISN, srvNext: srvISN}
}

func (c *TCPConn) ends(fromClient bool) (src, dst netip.AddrPort, seq, ack *uint32) {
	if fromClient {
		return c.Client, c.Server, &c.cliNext, &c.srvNext
	}
	return c.Server, c.Client, &c.srvNext, &c.cliNext
}

// Handshake returns the SYN, SYN-ACK and ACK frames (RFC 9293 §3.5).
func (c *TCPConn) Handshake() ([][]byte, error) {
	out := make([][]byte, 0, 3)
	syn, err := c.b.TCP(c.Client, c.Server, framebuild.TCPHeader{Seq: c.cliNext, Flags: framebuild.FlagSYN, MSS: 1460}, nil)
	if err != nil {
		return nil, err
	}
	c.cliNext++
	synAck, err := c.b.TCP(c.Server, c.Client, framebuild.TCPHeader{Seq: c.srvNext, Ack: c.cliNext, Flags: framebuild.FlagSYN | framebuild.FlagACK, MSS: 1460}, nil)
	if err != nil {
		return nil, err
	}
	c.srvNext++
	ack, err := c.b.TCP(c.Client, c.Server, framebuild.TCPHeader{Seq: c.cliNext, Ack: c.srvNext, Flags: framebuild.FlagACK}, nil)
	if err != nil {
		return nil, err
	}
	return append(out, syn, synAck, ack), nil
}

// AppendData appends one PSH/ACK segment carrying data in the given direction
// and advances that direction's sequence number.
func (c *TCPConn) AppendData(dst []byte, fromClient bool, data []byte) ([]byte, error) {
	src, to, seq, ack := c.ends(fromClient)
	out, err := c.b.AppendTCP(dst, src, to, framebuild.TCPHeader{Seq: *seq, Ack: *ack, Flags: framebuild.FlagPSH | framebuild.FlagACK}, data)
	if err != nil {
		return dst, err
	}
	*seq += uint32(len(data))
	return out, nil
}

// Data returns the segments carrying data in the given direction, split
// before each offset in cuts (strictly increasing, inside (0, len(data))).
// With no cuts the data goes in one segment.
func (c *TCPConn) Data(fromClient bool, data []byte, cuts ...int) ([][]byte, error) {
	prev := 0
	out := make([][]byte, 0, len(cuts)+1)
	for i := 0; i <= len(cuts); i++ {
		end := len(data)
		if i < len(cuts) {
			end = cuts[i]
			if end <= prev || end >= len(data) {
				return nil, fmt.Errorf("pcapbuild: TCP cut %d at %d outside (%d, %d)", i, end, prev, len(data))
			}
		}
		f, err := c.AppendData(nil, fromClient, data[prev:end])
		if err != nil {
			return nil, err
		}
		out = append(out, f)
		prev = end
	}
	return out, nil
}

// Ack returns a bare ACK from the given side acknowledging all data received.
func (c *TCPConn) Ack(fromClient bool) ([]byte, error) {
	src, to, seq, ack := c.ends(fromClient)
	return c.b.TCP(src, to, framebuild.TCPHeader{Seq: *seq, Ack: *ack, Flags: framebuild.FlagACK}, nil)
}

// Close returns the FIN/ACK from the given side, the peer's FIN/ACK and the
// final ACK (RFC 9293 §3.6).
func (c *TCPConn) Close(fromClient bool) ([][]byte, error) {
	out := make([][]byte, 0, 3)
	for _, side := range []bool{fromClient, !fromClient} {
		src, to, seq, ack := c.ends(side)
		f, err := c.b.TCP(src, to, framebuild.TCPHeader{Seq: *seq, Ack: *ack, Flags: framebuild.FlagFIN | framebuild.FlagACK}, nil)
		if err != nil {
			return nil, err
		}
		*seq++
		out = append(out, f)
	}
	f, err := c.Ack(fromClient)
	if err != nil {
		return nil, err
	}
	return append(out, f), nil
}
