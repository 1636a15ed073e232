package analysis

import (
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/dissect"
)

// TestViaHash: a Via counts by its sent-by (any case) and branch only.
func TestViaHash(t *testing.T) {
	base := viaHash("SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776")
	same := []string{
		// A proxy adds received and rport to the Via it received.
		"SIP/2.0/UDP 192.0.2.10:5060;rport=5060;branch=z9hG4bK776;received=192.0.2.10",
		" SIP/2.0/UDP   192.0.2.10:5060 ; BRANCH = z9hG4bK776 ",
	}
	other := []string{
		"SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK777",
		"SIP/2.0/UDP 192.0.2.11:5060;branch=z9hG4bK776",
		"SIP/2.0/UDP 192.0.2.10:5060",
		"SIP/2.0/UDP 192.0.2.10:5060;xbranch=z9hG4bK776",
	}
	for _, v := range same {
		if viaHash(v) != base {
			t.Errorf("%q counts as another Via", v)
		}
	}
	for _, v := range other {
		if viaHash(v) == base {
			t.Errorf("%q counts as the same Via", v)
		}
	}
	if viaHash("SIP/2.0/TCP PC33.Example.COM;branch=a") != viaHash("SIP/2.0/TCP pc33.example.com;branch=a") {
		t.Error("sent-by compared with case")
	}
}

// TestViaHashesList: the Via list in order across headers and commas (not
// those inside quotes); tail is the list without its top Via.
func TestViaHashesList(t *testing.T) {
	msg := func(vals ...string) *dissect.SignalMessage {
		m := &dissect.SignalMessage{}
		for _, v := range vals {
			m.Headers = append(m.Headers, dissect.Header{Name: "Via", Value: v}, dissect.Header{Name: "From", Value: "<sip:a@b>"})
		}
		return m
	}
	p1, p2, a := "SIP/2.0/UDP p1.example.com;branch=z9a", `SIP/2.0/UDP p2.example.com;branch=z9b;x="a,b"`, "SIP/2.0/UDP 192.0.2.10:5060;branch=z9c"
	relayed := msg(p1+", "+p2, a)
	all, tail, n := viaHashes(relayed)
	if n != 3 {
		t.Fatalf("%d Vias, want 3", n)
	}
	if a2, _, _ := viaHashes(msg(p2, a)); tail != a2 {
		t.Error("tail differs from the list without the top Via")
	}
	if a3, _, _ := viaHashes(msg(p1, p2, a)); all != a3 {
		t.Error("the same Vias in separate headers hash differently")
	}
	if a4, _, _ := viaHashes(msg(p2, p1, a)); all == a4 {
		t.Error("order ignored")
	}
	if _, _, n := viaHashes(msg()); n != 0 {
		t.Error("Vias in a message without one")
	}
}

// FuzzViaHashes: any Via header values, without panic, at most maxVias.
func FuzzViaHashes(f *testing.F) {
	for _, s := range []string{
		"SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776",
		`SIP/2.0/UDP a;branch=1, SIP/2.0/UDP b;x="q,uo;ted";branch=2`,
		",,,;;;===\"",
		strings.Repeat("SIP/2.0/UDP h;branch=b,", 40),
	} {
		f.Add(s, "SIP/2.0/TCP x:1;rport;received=1.2.3.4;branch=z")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		m := &dissect.SignalMessage{Headers: []dissect.Header{{Name: "Via", Value: a}, {Name: "v", Value: b}, {Name: "VIA", Value: b}}}
		all, _, n := viaHashes(m)
		if n < 2 || n > maxVias {
			t.Fatalf("%d Vias from two Via headers", n)
		}
		if again, _, _ := viaHashes(m); again != all {
			t.Fatal("not deterministic")
		}
	})
}
