package capture

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"time"
)

// rawTCPv4 builds an IPv4/TCP packet by hand (checksums are not verified by
// the decoder, so they are left zero).
func rawTCPv4(seq uint32, flags uint8, payload []byte) []byte {
	b := make([]byte, 40+len(payload))
	b[0] = 0x45
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	b[8], b[9] = 64, protoTCP
	copy(b[12:], []byte{10, 1, 1, 1})
	copy(b[16:], []byte{10, 2, 2, 2})
	binary.BigEndian.PutUint16(b[20:], 40000)
	binary.BigEndian.PutUint16(b[22:], 5061)
	binary.BigEndian.PutUint32(b[24:], seq)
	b[32] = 5 << 4
	b[33] = flags
	copy(b[40:], payload)
	return b
}

// FuzzTCPStream cuts a known byte stream into segments, then reorders,
// duplicates, re-cuts and drops them as the fuzzer's bytes say, and checks
// the reassembler's promise: every delivered byte sits at its true stream
// offset once GapBefore is counted (nothing is spliced silently), and with
// nothing dropped the whole stream arrives without gaps.
func FuzzTCPStream(f *testing.F) {
	f.Add(uint64(1), uint32(0), []byte{0, 1, 2, 3})
	f.Add(uint64(2), uint32(0xfffffff0), []byte{9, 9, 9, 200, 7, 3, 250})
	f.Add(uint64(3), uint32(0x7ffffff0), bytes.Repeat([]byte{0x81}, 40))
	f.Fuzz(func(t *testing.T, seed uint64, isn uint32, plan []byte) {
		rng := rand.New(rand.NewPCG(seed, uint64(len(plan))))
		stream := make([]byte, 1+rng.IntN(4000))
		for i := range stream {
			stream[i] = byte(rng.Uint32())
		}
		type seg struct{ start, end int }
		var segs []seg
		for pos := 0; pos < len(stream); {
			n := min(1+rng.IntN(600), len(stream)-pos)
			segs = append(segs, seg{pos, pos + n})
			pos += n
		}
		dropped := false
		var order []seg
		for i, s := range segs {
			op := byte(0)
			if i < len(plan) {
				op = plan[i]
			}
			switch {
			case op >= 250 && i != len(segs)-1: // drop (never the last: the end stays known)
				dropped = true
			case op >= 200: // duplicate later
				order = append(order, s)
				order = append(order, s)
			case op >= 128: // overlapping re-cut
				mid := s.start + (s.end-s.start)/2
				order = append(order, seg{s.start, mid + 1}, seg{max(s.start, mid-1), s.end})
			default:
				order = append(order, s)
			}
		}
		// Shuffle within a window given by the plan's first byte.
		window := 1
		if len(plan) > 0 {
			window = 1 + int(plan[0]%8)
		}
		for i := range order {
			j := i + rng.IntN(window)
			if j < len(order) {
				order[i], order[j] = order[j], order[i]
			}
		}
		var got []byte
		pos := 0
		var fail string
		h := handlerFunc{segment: func(s *Segment) {
			pos += s.GapBefore
			if pos+len(s.Payload) > len(stream) || !bytes.Equal(s.Payload, stream[pos:pos+len(s.Payload)]) {
				fail = "delivered bytes do not match the stream at their offset"
			}
			pos += len(s.Payload)
			got = append(got, s.Payload...)
		}}
		// With nothing dropped every hole fills, so no gap may be declared:
		// the gap threshold then exceeds the stream. Otherwise it is small
		// and random, so holes are also skipped before the end.
		gapBytes := 1 << 20
		if dropped {
			gapBytes = 1 + rng.IntN(3000)
		}
		d := NewDecoder(h, DecoderOptions{TCPGapBytes: gapBytes})
		frame := uint64(1)
		send := func(seq uint32, flags uint8, payload []byte) {
			p := pkt(frame, LinkTypeRaw, rawTCPv4(seq, flags, payload))
			p.Time = t0.Add(time.Duration(frame) * time.Millisecond)
			d.Packet(p)
			frame++
		}
		send(isn, tcpSYN, nil)
		for _, s := range order {
			send(isn+1+uint32(s.start), tcpACK, stream[s.start:s.end])
			if fail != "" {
				t.Fatal(fail)
			}
		}
		d.Flush()
		if fail != "" {
			t.Fatal(fail)
		}
		if pos != len(stream) {
			t.Fatalf("stream ends at offset %d, want %d", pos, len(stream))
		}
		if !dropped && !bytes.Equal(got, stream) {
			t.Fatalf("nothing dropped but %d of %d bytes delivered", len(got), len(stream))
		}
	})
}
