package capture

import (
	"bytes"
	"encoding/binary"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// piece is a fragment [start, end) of the IP payload; last pieces clear MF.
type piece struct{ start, end int }

// fragmentIP splits an unfragmented IPv4 or IPv6 packet (no extension
// headers) into fragments with the given payload ranges. A piece ending at
// the payload end is sent without More Fragments.
func fragmentIP(t testing.TB, full []byte, pieces ...piece) [][]byte {
	t.Helper()
	var out [][]byte
	if full[0]>>4 == 4 {
		payload := full[20:]
		for _, p := range pieces {
			ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: binary.BigEndian.Uint16(full[4:]),
				Protocol: layers.IPProtocol(full[9]), SrcIP: net.IP(full[12:16]), DstIP: net.IP(full[16:20]),
				FragOffset: uint16(p.start / 8)}
			if p.end < len(payload) {
				ip.Flags = layers.IPv4MoreFragments
			}
			out = append(out, serialize(t, ip, gopacket.Payload(payload[p.start:p.end])))
		}
		return out
	}
	payload := full[40:]
	for _, p := range pieces {
		fh := []byte{full[6], 0, 0, 0, 0xca, 0xfe, 0xba, 0xbe}
		fo := uint16(p.start)
		if p.end < len(payload) {
			fo |= 1
		}
		binary.BigEndian.PutUint16(fh[2:], fo)
		ip := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolIPv6Fragment,
			SrcIP: net.IP(full[8:24]), DstIP: net.IP(full[24:40])}
		out = append(out, serialize(t, ip, gopacket.Payload(append(fh, payload[p.start:p.end]...))))
	}
	return out
}

func TestDefragment(t *testing.T) {
	body := bytes.Repeat([]byte("INVITE sip:bob@example.com SIP/2.0\r\n"), 100) // 3600 bytes
	for _, family := range []struct{ name, src, dst, wantSrc string }{
		{"IPv4", "10.0.0.1", "10.0.0.2", "10.0.0.1:5060"},
		{"IPv6", "2001:db8::1", "2001:db8::2", "[2001:db8::1]:5060"},
	} {
		full := ipUDP(t, family.src, 5060, family.dst, 5060, body)
		n := len(body) + 8
		tests := []struct {
			name      string
			pieces    []piece
			order     []int
			complete  bool
			lastFrame uint64
			conflict  bool
		}{
			{"in order", []piece{{0, 1480}, {1480, 2960}, {2960, n}}, []int{0, 1, 2}, true, 3, false},
			{"reversed", []piece{{0, 1480}, {1480, 2960}, {2960, n}}, []int{2, 1, 0}, true, 3, false},
			{"shuffled", []piece{{0, 1480}, {1480, 2960}, {2960, n}}, []int{1, 2, 0}, true, 3, false},
			{"duplicate", []piece{{0, 1480}, {1480, 2960}, {2960, n}}, []int{0, 0, 1, 1, 2}, true, 5, false},
			{"overlapping", []piece{{0, 1600}, {1480, 2960}, {800, 3000}, {2960, n}}, []int{0, 1, 2, 3}, true, 4, false},
			{"duplicate after completion", []piece{{0, 1480}, {1480, 2960}, {2960, n}}, []int{0, 1, 2, 1}, true, 3, false},
			{"one missing", []piece{{0, 1480}, {1480, 2960}, {2960, n}}, []int{0, 2}, false, 0, false},
			{"last missing", []piece{{0, 1480}, {1480, 2960}, {2960, n}}, []int{1, 0}, false, 0, false},
		}
		for _, tc := range tests {
			t.Run(family.name+" "+tc.name, func(t *testing.T) {
				frags := fragmentIP(t, full, tc.pieces...)
				var pkts []*Packet
				for i, k := range tc.order {
					pkts = append(pkts, pkt(uint64(i+1), LinkTypeEthernet, ethernet(frags[k])))
				}
				rec := decodeAll(DecoderOptions{}, pkts...)
				dgs := rec.of("udp")
				if !tc.complete {
					lost := rec.problems(ProblemFragmentLost)
					if len(dgs) != 0 || len(lost) != 1 || lost[0].Frame != 1 {
						t.Fatalf("events = %v, want one ProblemFragmentLost at frame 1", rec.events)
					}
					return
				}
				if len(rec.events) != 1 || len(dgs) != 1 {
					t.Fatalf("events = %v, want one datagram", rec.events)
				}
				d := dgs[0]
				if d.Payload != string(body) || !d.Fragmented || d.Frame != tc.lastFrame || d.Src != family.wantSrc {
					t.Errorf("datagram frame %d frag %v src %s payload %d bytes; want frame %d fragmented from %s with the %d-byte body",
						d.Frame, d.Fragmented, d.Src, len(d.Payload), tc.lastFrame, family.wantSrc, len(body))
				}
			})
		}
	}
}

// TestDefragmentConflict: overlapping fragments with different bytes keep the
// first copy and are reported.
func TestDefragmentConflict(t *testing.T) {
	body := bytes.Repeat([]byte("A"), 2000)
	full := ipUDP(t, "10.0.0.1", 1000, "10.0.0.2", 2000, body)
	frags := fragmentIP(t, full, piece{0, 1000}, piece{1000, 2008})
	evil := append([]byte(nil), full...)
	copy(evil[20+800:20+1000], bytes.Repeat([]byte("B"), 200))
	evilFrag := fragmentIP(t, evil, piece{800, 1000})[0]
	rec := decodeAll(DecoderOptions{},
		pkt(1, LinkTypeRaw, frags[0]), pkt(2, LinkTypeRaw, evilFrag), pkt(3, LinkTypeRaw, frags[1]))
	dgs := rec.of("udp")
	if len(dgs) != 1 || dgs[0].Payload != string(body) {
		t.Fatalf("events = %v, want the first copy reassembled", rec.events)
	}
	if p := rec.problems(ProblemMalformed); len(p) != 1 || !strings.Contains(p[0].Detail, "different content") {
		t.Errorf("problems = %v, want one overlap report", p)
	}
}

func TestDefragmentTimeout(t *testing.T) {
	full := ipUDP(t, "10.0.0.1", 1000, "10.0.0.2", 2000, make([]byte, 3000))
	frags := fragmentIP(t, full, piece{0, 1480}, piece{1480, 3008})
	first := pkt(5, LinkTypeRaw, frags[0])
	other := pkt(6, LinkTypeRaw, ipUDP(t, "10.0.0.3", 1, "10.0.0.4", 2, []byte("x")))
	other.Time = first.Time.Add(31 * time.Second)
	late := pkt(7, LinkTypeRaw, frags[1])
	late.Time = other.Time
	rec := &recorder{}
	d := NewDecoder(rec, DecoderOptions{})
	d.Packet(first)
	d.Packet(other)
	lost := rec.problems(ProblemFragmentLost)
	if len(lost) != 1 || lost[0].Frame != 5 || lost[0].Src != "10.0.0.1:0" {
		t.Fatalf("events = %v, want ProblemFragmentLost naming frame 5 before frame 6's datagram", rec.events)
	}
	d.Packet(late) // the timed-out datagram cannot complete any more
	d.Flush()
	if n := len(rec.of("udp")); n != 1 {
		t.Errorf("datagrams = %d, want only the unrelated one", n)
	}
}

func TestDefragmentLimits(t *testing.T) {
	var pkts []*Packet
	for i := range 5 {
		full := ipUDP(t, "10.0.0.1", uint16(1000+i), "10.0.0.2", 2000, make([]byte, 3000))
		binary.BigEndian.PutUint16(full[4:], uint16(i))
		pkts = append(pkts, pkt(uint64(i+1), LinkTypeRaw, fragmentIP(t, full, piece{0, 1480})[0]))
	}
	rec := decodeAll(DecoderOptions{MaxFragmentDatagrams: 3}, pkts...)
	limit := rec.problems(ProblemLimit)
	if len(limit) != 2 || limit[0].Frame != 1 || limit[1].Frame != 2 {
		t.Errorf("limit problems = %v, want the two oldest (frames 1, 2) dropped", limit)
	}
	if lost := rec.problems(ProblemFragmentLost); len(lost) != 3 {
		t.Errorf("lost = %v, want 3 at flush", lost)
	}
	rec = decodeAll(DecoderOptions{MaxFragmentBytes: 4000}, pkts...)
	if n := len(rec.problems(ProblemLimit)); n == 0 {
		t.Errorf("no ProblemLimit with a 4000-byte budget: %v", rec.events)
	}
}

func TestDefragmentInconsistent(t *testing.T) {
	full := ipUDP(t, "10.0.0.1", 1000, "10.0.0.2", 2000, make([]byte, 3000))
	frags := fragmentIP(t, full, piece{0, 1480}, piece{1480, 3008}, piece{1480, 2480})
	shorter := ipUDP(t, "10.0.0.1", 1000, "10.0.0.2", 2000, make([]byte, 2000)) // same IP id
	shortEnd := fragmentIP(t, shorter, piece{1480, 2008})[0]
	odd := fragmentIP(t, full, piece{0, 1001})[0] // MF set, length not a multiple of 8
	tests := []struct {
		name string
		pkts [][]byte
	}{
		{"two different ends", [][]byte{frags[1], shortEnd}},
		{"fragment beyond the end", [][]byte{shortEnd, frags[2]}},
		{"odd length with MF", [][]byte{odd}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var pkts []*Packet
			for i, b := range tc.pkts {
				pkts = append(pkts, pkt(uint64(i+1), LinkTypeRaw, b))
			}
			rec := decodeAll(DecoderOptions{}, pkts...)
			if len(rec.problems(ProblemMalformed)) != 1 || len(rec.of("udp")) != 0 {
				t.Errorf("events = %v, want one ProblemMalformed", rec.events)
			}
		})
	}
}

// TestDefragmentTCP: a fragmented TCP segment is reassembled and streamed.
func TestDefragmentTCP(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 2000)
	full := ipTCP(t, "10.0.0.1", 5060, "10.0.0.2", 5060, 100, tcpOpts{ack: true}, body)
	frags := fragmentIP(t, full, piece{0, 1000}, piece{1000, 2020})
	rec := decodeAll(DecoderOptions{}, pkt(1, LinkTypeRaw, frags[1]), pkt(2, LinkTypeRaw, frags[0]))
	if got := rec.stream("10.0.0.1:5060"); got != string(body) {
		t.Errorf("stream = %d bytes, want %d (events %v)", len(got), len(body), rec.events)
	}
}

// TestDefragmentLateDuplicates: a stray duplicate fragment of a recently
// reassembled datagram is not a lost datagram; once the datagram has left
// the bounded memory of completed ones (or the timeout), it is reported.
func TestDefragmentLateDuplicates(t *testing.T) {
	frag := func(id uint16, p piece) []byte {
		full := ipUDP(t, "10.0.0.1", 1000, "10.0.0.2", 2000, make([]byte, 100))
		binary.BigEndian.PutUint16(full[4:], id)
		return fragmentIP(t, full, p)[0]
	}
	rec := &recorder{}
	d := NewDecoder(rec, DecoderOptions{})
	frame := uint64(0)
	send := func(b []byte, at time.Duration) {
		frame++
		p := pkt(frame, LinkTypeRaw, b)
		p.Time = t0.Add(at)
		d.Packet(p)
	}
	n := maxDoneKeys + 10
	for id := range n {
		send(frag(uint16(id), piece{0, 48}), 0)
		send(frag(uint16(id), piece{48, 108}), 0)
	}
	send(frag(uint16(n-1), piece{0, 48}), 0) // recent: silently dropped
	send(frag(0, piece{0, 48}), 0)           // forgotten (ring wrapped): reported
	d.Flush()
	if got := len(rec.of("udp")); got != n {
		t.Errorf("datagrams = %d, want %d", got, n)
	}
	lost := rec.problems(ProblemFragmentLost)
	if len(lost) != 1 || lost[0].Frame != uint64(2*n+2) {
		t.Errorf("lost = %v, want only the duplicate of datagram 0 (frame %d)", lost, 2*n+2)
	}
}
