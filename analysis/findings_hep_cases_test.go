package analysis_test

// Findings about HEP: packets read from a crafted capture through the
// whole pipeline (capture's HEPHandler decodes them).

import (
	"net/netip"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/hep"
)

var (
	caseAgent     = netip.MustParseAddrPort("203.0.113.5:40000")
	caseCollector = netip.MustParseAddrPort("203.0.113.9:9060")
)

// hepFrame wraps a SIP message in a HEP3 packet from caseAgent.
func hepFrame(t *testing.T, c *capBuilder, p hep.Packet) []byte {
	t.Helper()
	b, err := hep.Append(nil, &p)
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.b.UDP(caseAgent, caseCollector, b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func hepFindingCases() []findingCase {
	return []findingCase{
		{name: "HEP packet with another auth key", code: analysis.KindHEPAuthFailed.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				c := newCap(t)
				msg := []byte("OPTIONS sip:bob@example.org SIP/2.0\r\nCall-ID: hep@example.org\r\nCSeq: 1 OPTIONS\r\n\r\n")
				p := hep.Packet{IPProto: 17, ProtoType: hep.ProtoSIP, Src: caseCaller, Dst: caseCallee,
					Time: caseT0, Agent: 7, HasAgent: true, AuthKey: []byte("right"), Payload: msg}
				c.frame(t, hepFrame(t, c, p))
				p.AuthKey = []byte("wrong")
				c.frame(t, hepFrame(t, c, p))
				r := runCapture(t, c.buf.Bytes(), analysis.Options{HEP: capture.HEPOptions{AuthKey: []byte("right")}})
				if len(r.Sessions) != 1 || len(r.Sessions[0].Signals) != 1 || r.Summary.HEP == nil || r.Summary.HEP.AuthFailed != 1 || r.Summary.HEP.SIP != 1 {
					t.Errorf("want one message let through and one rejected: %+v", r.Summary.HEP)
				}
				return r
			},
			summary: []string{"203.0.113.5:40000 -> 203.0.113.9:9060: HEP packet with another auth key than --hep-auth"}},
	}
}
