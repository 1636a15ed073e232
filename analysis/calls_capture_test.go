package analysis_test

import (
	"bufio"
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/pcapbuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/keys"
)

// callSpec returns the i-th of a set of MIKEY-PSK calls made by the sample
// generator's call builder (internal/scenario): caller i at 10.1.0.i calls
// callee i at 10.2.0.i, starting at start, with its own PSK, TGK and SSRCs.
func callSpec(i int, start time.Time, packets int) scenario.SIPCallSpec {
	caller := netip.AddrFrom4([4]byte{10, 1, 0, byte(i + 1)})
	callee := netip.AddrFrom4([4]byte{10, 2, 0, byte(i + 1)})
	b := byte(i + 1)
	return scenario.SIPCallSpec{
		Call: scenario.Call{
			CallID: fmt.Sprintf("call%d@example.com", i+1), Transport: "UDP",
			Caller: netip.AddrPortFrom(caller, 5060), Callee: netip.AddrPortFrom(callee, 5060),
			CallerUser: fmt.Sprintf("alice%d", i+1), CalleeUser: fmt.Sprintf("bob%d", i+1), Domain: "example.com",
			FromTag: fmt.Sprintf("f%d", i+1), ToTag: fmt.Sprintf("t%d", i+1), Branch: fmt.Sprintf("z9hG4bK%d", i+1),
			CallerRTP: netip.AddrPortFrom(caller, 20000), CalleeRTP: netip.AddrPortFrom(callee, 30000),
			SessionID: uint64(1000 + i), InviteCSeq: 1, ByeSeq: 1,
		},
		Exchange: scenario.PSKExchange{
			CSBID: 0x1000 + uint32(i), Time: start, Rand: seq(0x80+b, 16),
			IDi: fmt.Sprintf("sip:alice%d@example.com", i+1), IDr: fmt.Sprintf("sip:bob%d@example.com", i+1),
			SSRCs: []uint32{0x1110000 + uint32(i), 0x2220000 + uint32(i)}, PSK: seq(0x20*b, 20), TGK: seq(0x10+b, 16),
		},
		Start: start, Packets: packets, FirstSeq: [2]uint16{100, 200}, FirstTS: [2]uint32{1000, 2000},
	}
}

// writeCalls writes the calls into a pcap file in a test directory and
// returns its path.
func writeCalls(t *testing.T, specs []scenario.SIPCallSpec) string {
	t.Helper()
	b := &pcapbuild.Builder{}
	var gens []scenario.Generator
	for i, s := range specs {
		g, err := scenario.NewSIPCallGen(s, b)
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		gens = append(gens, g)
	}
	path := filepath.Join(t.TempDir(), "calls.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	w, err := pcapwrite.NewWriter(bw, pcapwrite.FormatPcap)
	if err != nil {
		t.Fatal(err)
	}
	if err := scenario.Write(w, gens, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	return path
}

// analyseFile runs the analysis over a capture file.
func analyseFile(t *testing.T, path string, st *keys.Store) *analysis.Report {
	t.Helper()
	src, err := capture.OpenFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a := analysis.New(analysis.Options{Keys: st})
	a.SetInputs([]string{path})
	if err := analysis.Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	return a.Finish()
}
