package analysis

import (
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/dissect"
)

func TestViaKey(t *testing.T) {
	cases := []struct{ in, want string }{
		{"SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776", "192.0.2.10:5060;z9hG4bK776"},
		// A proxy adds received and rport to the Via it received.
		{"SIP/2.0/UDP 192.0.2.10:5060;rport=5060;branch=z9hG4bK776;received=192.0.2.10", "192.0.2.10:5060;z9hG4bK776"},
		{" SIP/2.0/TCP  PC33.Example.COM ; BRANCH = abc ", "pc33.example.com;abc"},
		{"SIP/2.0/UDP [2001:db8::1]:5060", "[2001:db8::1]:5060;"},
		{"", ";"},
	}
	for _, c := range cases {
		if got := viaKey(c.in); got != c.want {
			t.Errorf("viaKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestViaKeysOrderAndCommas(t *testing.T) {
	m := &dissect.SignalMessage{Headers: []dissect.Header{
		{Name: "Via", Value: `SIP/2.0/UDP p1.example.com;branch=z9a, SIP/2.0/UDP p2.example.com;branch=z9b;x="a,b"`},
		{Name: "From", Value: "<sip:a@example.com>"},
		{Name: "via", Value: "SIP/2.0/UDP 192.0.2.10:5060;branch=z9c"},
	}}
	got := strings.Join(viaKeys(m), " ")
	if want := "p1.example.com;z9a p2.example.com;z9b 192.0.2.10:5060;z9c"; got != want {
		t.Errorf("viaKeys = %q, want %q", got, want)
	}
}

// FuzzViaKeys: any Via header values give at most 16 keys, without panic.
func FuzzViaKeys(f *testing.F) {
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
		keys := viaKeys(m)
		if len(keys) > 16 {
			t.Fatalf("%d keys", len(keys))
		}
		for _, k := range keys {
			if !strings.Contains(k, ";") {
				t.Fatalf("key %q without its branch separator", k)
			}
		}
	})
}
