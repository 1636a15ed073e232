package analysis_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/hep"
	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/fuzzcap"
)

// TestHEPCopiesFromManyAgents: one SIP message sent by HEP under many
// agent ids with one timestamp (a hostile or broken sender) is one signal
// whose list of other places stays bounded. Before, every agent past the
// fourth added a copy (the remembered places were full, so none matched),
// each one copying the whole list again: 20,000 packets made a signal of
// 20,000 copies at quadratic cost.
func TestHEPCopiesFromManyAgents(t *testing.T) {
	const agents = 20000
	var b framebuild.Builder
	sip := "OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1\r\nCall-ID: many-agents\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
	var frames [][]byte
	for i := 0; i < agents; i++ {
		p := hep.Packet{IPProto: 17, ProtoType: hep.ProtoSIP, Agent: uint32(i + 1), HasAgent: true,
			Src: netip.MustParseAddrPort("192.0.2.10:5060"), Dst: netip.MustParseAddrPort("198.51.100.20:5060"),
			Time: time.Unix(1800000000, 0), Payload: []byte(sip)}
		pkt, err := hep.Append(nil, &p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := b.UDP(netip.MustParseAddrPort("203.0.113.5:40000"), netip.MustParseAddrPort("203.0.113.9:9060"), pkt)
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, f)
	}
	a := analysis.New(analysis.Options{})
	start := time.Now()
	if err := analysis.Run(context.Background(), &fuzzcap.SliceSource{Pkts: frames, Link: capture.LinkType(1)}, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	r := a.Finish()
	t.Logf("%d frames in %v", agents, time.Since(start))
	if len(r.Sessions) != 1 || len(r.Sessions[0].Signals) == 0 {
		t.Fatalf("%d sessions", len(r.Sessions))
	}
	total := 0
	for _, sg := range r.Sessions[0].Signals {
		total += 1 + len(sg.AlsoSeen)
		if len(sg.AlsoSeen) > 3 {
			t.Errorf("frame %d: seen also at %d other places", sg.Frame, len(sg.AlsoSeen))
		}
	}
	if len(r.Sessions[0].Signals) != 1 || total != 4 {
		t.Errorf("%d signals, %d places; want 1 signal listing 4 places (the first 4 agents)", len(r.Sessions[0].Signals), total)
	}
	if h := r.Summary.HEP; h == nil || h.Duplicates != agents-1 || h.SIP != agents {
		t.Errorf("summary.hep %+v: want %d SIP, %d duplicates", h, agents, agents-1)
	}
}
