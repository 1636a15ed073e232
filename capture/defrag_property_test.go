package capture

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// rawFragment builds an IPv4 or IPv6 fragment by hand: data at byte offset
// off of the datagram payload, more = More Fragments.
func rawFragment(v6 bool, id uint32, off int, more bool, data []byte) []byte {
	if !v6 {
		b := make([]byte, 20+len(data))
		b[0] = 0x45
		binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
		binary.BigEndian.PutUint16(b[4:], uint16(id))
		fo := uint16(off / 8)
		if more {
			fo |= 0x2000
		}
		binary.BigEndian.PutUint16(b[6:], fo)
		b[8], b[9] = 64, protoUDP
		copy(b[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
		copy(b[20:], data)
		return b
	}
	b := make([]byte, 48+len(data))
	b[0] = 0x60
	binary.BigEndian.PutUint16(b[4:], uint16(8+len(data)))
	b[6], b[7] = protoFragment, 64
	b[8], b[23], b[24], b[39] = 0x20, 1, 0x20, 2
	b[40] = protoUDP
	fo := uint16(off)
	if more {
		fo |= 1
	}
	binary.BigEndian.PutUint16(b[42:], fo)
	binary.BigEndian.PutUint32(b[44:], id)
	copy(b[48:], data)
	return b
}

// FuzzDefragment fragments a random UDP datagram (IPv4 or IPv6) at random
// 8-byte boundaries, with overlapping re-cuts, duplicates, reordering and
// possibly a lost fragment, and checks that exactly the original payload is
// reassembled, or that the loss is reported at Flush.
func FuzzDefragment(f *testing.F) {
	f.Add(uint64(1), false, []byte{0, 0, 0})
	f.Add(uint64(2), true, []byte{7, 200, 130, 0, 255})
	f.Add(uint64(3), false, bytes.Repeat([]byte{140}, 30))
	f.Fuzz(func(t *testing.T, seed uint64, v6 bool, plan []byte) {
		rng := rand.New(rand.NewPCG(seed, uint64(len(plan))))
		body := make([]byte, 1+rng.IntN(9000))
		for i := range body {
			body[i] = byte(rng.Uint32())
		}
		udp := make([]byte, 8+len(body))
		binary.BigEndian.PutUint16(udp, 5060)
		binary.BigEndian.PutUint16(udp[2:], 5062)
		binary.BigEndian.PutUint16(udp[4:], uint16(len(udp)))
		copy(udp[8:], body)
		type frag struct{ start, end int }
		var frags []frag
		for pos := 0; pos < len(udp); {
			n := min(8*(1+rng.IntN(200)), len(udp)-pos)
			frags = append(frags, frag{pos, pos + n})
			pos += n
		}
		if len(frags) == 1 { // force at least two fragments
			frags = []frag{{0, 8}, {8, len(udp)}}
			if len(udp) == 8 {
				frags = frags[:1]
			}
		}
		lost, drops := false, 0
		var order []frag
		for i, fr := range frags {
			op := byte(0)
			if i < len(plan) {
				op = plan[i]
			}
			switch {
			case op == 255 && drops < len(frags)-1: // keep at least one fragment
				lost = true
				drops++
			case op >= 200:
				order = append(order, fr, fr)
			case op >= 128 && fr.end-fr.start >= 16:
				mid := fr.start + ((fr.end-fr.start)/16)*8
				order = append(order, frag{fr.start, mid}, frag{mid - 8, fr.end})
			default:
				order = append(order, fr)
			}
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		rec := &recorder{}
		d := NewDecoder(rec, DecoderOptions{})
		for i, fr := range order {
			d.Packet(pkt(uint64(i+1), LinkTypeRaw, rawFragment(v6, 77, fr.start, fr.end < len(udp), udp[fr.start:fr.end])))
		}
		d.Flush()
		dgs := rec.of("udp")
		if lost {
			if len(dgs) != 0 || len(rec.problems(ProblemFragmentLost)) != 1 {
				t.Fatalf("lost fragment: events %v", rec.events)
			}
			return
		}
		// A complete second copy of every fragment is a duplicate datagram
		// and is delivered again, as an unfragmented duplicate would be.
		if len(dgs) == 0 || len(dgs) != len(rec.events) {
			t.Fatalf("want the %d-byte payload and nothing else, got %d events (%d datagrams): %v", len(body), len(rec.events), len(dgs), rec.of("problem"))
		}
		for _, dg := range dgs {
			if dg.Payload != string(body) {
				t.Fatalf("reassembled %d bytes differ from the %d-byte payload", len(dg.Payload), len(body))
			}
		}
		if len(frags) > 1 && !dgs[0].Fragmented {
			t.Fatal("reassembled datagram not marked Fragmented")
		}
	})
}
