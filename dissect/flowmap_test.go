package dissect

import (
	"net/netip"
	"testing"
)

func TestFlowMap(t *testing.T) {
	m := newFlowMap()
	a, b := &session{key: "a"}, &session{key: "b"}
	addrs := []string{"10.0.0.1:4000", "10.0.0.1:4001", "10.0.1.0:4000", "[2001:db8::1]:4000", "[::ffff:10.0.0.1]:4000"}
	for i, s := range addrs {
		m.set(netip.MustParseAddrPort(s), flow{sess: a, media: i})
	}
	if m.len() != len(addrs) {
		t.Fatalf("len %d, want %d", m.len(), len(addrs))
	}
	for i, s := range addrs {
		f, ok := m.get(netip.MustParseAddrPort(s))
		if !ok || f.media != i {
			t.Errorf("%s: got %v %v, want media %d", s, f, ok, i)
		}
	}
	// The IPv4-mapped address is its own key, as with a netip.AddrPort map.
	if _, ok := m.get(netip.MustParseAddrPort("10.0.0.2:4000")); ok {
		t.Error("unknown address found")
	}
	m.delete(netip.MustParseAddrPort("10.0.0.1:4001"))
	if _, ok := m.get(netip.MustParseAddrPort("10.0.0.1:4001")); ok || m.len() != len(addrs)-1 {
		t.Error("delete")
	}
	m.set(netip.MustParseAddrPort("10.9.9.9:9"), flow{sess: b})
	for m.evictOther(b) {
	}
	if m.len() != 1 {
		t.Errorf("after evicting all but b: len %d", m.len())
	}
}
