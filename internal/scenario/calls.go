package scenario

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
)

// NumberedCall returns the i-th of a set of MIKEY-PSK calls for tests:
// alice<i+1> at 10.1.0.<i+1> calls bob<i+1> at 10.2.0.<i+1>, starting at
// start, Call-ID call<i+1>@example.com, with its own PSK (20 bytes), TGK,
// RAND, CSB ID and SSRCs, and packets SRTP packets each way.
func NumberedCall(i int, start time.Time, packets int) SIPCallSpec {
	caller := netip.AddrFrom4([4]byte{10, 1, 0, byte(i + 1)})
	callee := netip.AddrFrom4([4]byte{10, 2, 0, byte(i + 1)})
	b := byte(i + 1)
	fill := func(first byte, n int) []byte {
		out := make([]byte, n)
		for k := range out {
			out[k] = first + byte(k)
		}
		return out
	}
	return SIPCallSpec{
		Call: Call{
			CallID: fmt.Sprintf("call%d@example.com", i+1), Transport: "UDP",
			Caller: netip.AddrPortFrom(caller, 5060), Callee: netip.AddrPortFrom(callee, 5060),
			CallerUser: fmt.Sprintf("alice%d", i+1), CalleeUser: fmt.Sprintf("bob%d", i+1), Domain: "example.com",
			FromTag: fmt.Sprintf("f%d", i+1), ToTag: fmt.Sprintf("t%d", i+1), Branch: fmt.Sprintf("z9hG4bK%d", i+1),
			CallerRTP: netip.AddrPortFrom(caller, 20000), CalleeRTP: netip.AddrPortFrom(callee, 30000),
			SessionID: uint64(1000 + i), InviteCSeq: 1, ByeSeq: 1,
		},
		Exchange: PSKExchange{
			CSBID: 0x1000 + uint32(i), Time: start, Rand: fill(0x80+b, 16),
			IDi: fmt.Sprintf("sip:alice%d@example.com", i+1), IDr: fmt.Sprintf("sip:bob%d@example.com", i+1),
			SSRCs: []uint32{0x1110000 + uint32(i), 0x2220000 + uint32(i)}, PSK: fill(0x20*b, 20), TGK: fill(0x10+b, 16),
		},
		Start: start, Packets: packets, FirstSeq: [2]uint16{100, 200}, FirstTS: [2]uint32{1000, 2000},
	}
}

// WritePcap writes the calls, merged in time order, to a pcap file.
func WritePcap(path string, specs []SIPCallSpec) error {
	b := &framebuild.Builder{}
	var gens []Generator
	for i, s := range specs {
		g, err := NewSIPCallGen(s, b)
		if err != nil {
			return fmt.Errorf("call %d: %w", i, err)
		}
		gens = append(gens, g)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	w, err := pcapwrite.NewWriter(bw, pcapwrite.FormatPcap)
	if err != nil {
		return err
	}
	if err := Write(w, gens, nil); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}
