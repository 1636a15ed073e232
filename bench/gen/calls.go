package main

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/pcapbuild"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
)

// start is the time of the first frame of the benchmark captures.
var start = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

const (
	packetsPerDirection = 250                    // 5 s of 20 ms G.711 frames
	callSpacing         = 100 * time.Millisecond // a new call every 100 ms: ~60 calls at once
)

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// host returns the i-th address of a /16 (10.side.x.y).
func host(side byte, i int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, side, byte(i >> 8), byte(i)})
}

// callGens returns the generators of n calls sharing one frame builder, and
// the keys file: one identity-bound PSK per caller.
func callGens(n int) ([]scenario.Generator, []byte, error) {
	b := &pcapbuild.Builder{}
	gens := make([]scenario.Generator, 0, n)
	var keys strings.Builder
	keys.WriteString("# mikeyscope keys for bench/out/calls.pcap: one MIKEY-PSK per caller identity\n")
	for i := 0; i < n; i++ {
		r := rand.New(rand.NewChaCha8([32]byte{'b', 'e', 'n', 'c', 'h', byte(i), byte(i >> 8), byte(i >> 16)}))
		caller, callee := host(1, i+1), host(2, i+1)
		transport := "UDP"
		callerSIP := netip.AddrPortFrom(caller, 5060)
		if i%10 == 3 {
			transport = "TCP"
			callerSIP = netip.AddrPortFrom(caller, uint16(40000+i%20000))
		}
		idi := fmt.Sprintf("sip:caller%04d@bench.example.com", i)
		spec := scenario.SIPCallSpec{
			Call: scenario.Call{
				CallID: hex.EncodeToString(randBytes(r, 8)) + "@bench.example.com", Transport: transport,
				Caller: callerSIP, Callee: netip.AddrPortFrom(callee, 5060),
				CallerUser: fmt.Sprintf("caller%04d", i), CalleeUser: fmt.Sprintf("callee%04d", i), Domain: "bench.example.com",
				FromTag: hex.EncodeToString(randBytes(r, 4)), ToTag: hex.EncodeToString(randBytes(r, 4)),
				Branch:    "z9hG4bK" + hex.EncodeToString(randBytes(r, 6)),
				CallerRTP: netip.AddrPortFrom(caller, 20000), CalleeRTP: netip.AddrPortFrom(callee, 30000),
				SessionID: uint64(r.Uint32()), InviteCSeq: 1, ByeSeq: 1,
			},
			Exchange: scenario.PSKExchange{
				CSBID: r.Uint32(), Time: start.Add(time.Duration(i) * callSpacing), Rand: randBytes(r, 16),
				IDi: idi, IDr: fmt.Sprintf("sip:callee%04d@bench.example.com", i),
				SSRCs: []uint32{r.Uint32(), r.Uint32()}, PSK: randBytes(r, 16), TGK: randBytes(r, 16),
			},
			Start:       start.Add(time.Duration(i) * callSpacing),
			Packets:     packetsPerDirection,
			FirstSeq:    [2]uint16{uint16(r.Uint32()), uint16(r.Uint32())},
			FirstTS:     [2]uint32{r.Uint32(), r.Uint32()},
			CallerCNAME: "caller@" + caller.String(),
			CalleeCNAME: "callee@" + callee.String(),
		}
		if i%10 == 3 {
			spec.TCPCuts = []int{300}
		}
		if i%10 == 7 {
			spec.InviteBody = bigBody
			spec.InviteFragments = 3
			spec.FragmentOrder = []int{0, 2, 1}
		}
		g, err := scenario.NewSIPCallGen(spec, b)
		if err != nil {
			return nil, nil, fmt.Errorf("call %d: %w", i, err)
		}
		gens = append(gens, g)
		fmt.Fprintf(&keys, "psk %s=%s\n", idi, hex.EncodeToString(spec.Exchange.PSK))
	}
	return gens, []byte(keys.String()), nil
}

// bigBody makes an INVITE body that needs IP fragmentation: the SDP offer
// followed by long attribute lines.
func bigBody(offer []byte) (string, []byte) {
	var b strings.Builder
	b.Write(offer)
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&b, "a=x-bench-padding-%02d:this attribute line makes the SDP longer than one Ethernet MTU\r\n", i)
	}
	return "application/sdp", []byte(b.String())
}
