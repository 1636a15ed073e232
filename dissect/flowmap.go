package dissect

import "net/netip"

// flowMap maps learnt media addresses to their flows. IPv4 addresses, the
// common case, are packed with the port into one word, so the lookup made
// for every media packet hashes eight bytes (hashing a netip.AddrPort was a
// visible share of the per-packet cost); other addresses use a map keyed by
// the netip.AddrPort.
type flowMap struct {
	v4 map[uint64]flow
	v6 map[netip.AddrPort]flow
}

func newFlowMap() flowMap {
	return flowMap{v4: map[uint64]flow{}, v6: map[netip.AddrPort]flow{}}
}

// v4Key packs an IPv4 address and port; ok is false for other addresses.
func v4Key(ap netip.AddrPort) (key uint64, ok bool) {
	a := ap.Addr()
	if !a.Is4() {
		return 0, false
	}
	b := a.As4()
	return uint64(b[0])<<40 | uint64(b[1])<<32 | uint64(b[2])<<24 | uint64(b[3])<<16 | uint64(ap.Port()), true
}

func (m *flowMap) get(ap netip.AddrPort) (flow, bool) {
	if k, ok := v4Key(ap); ok {
		f, found := m.v4[k]
		return f, found
	}
	f, found := m.v6[ap]
	return f, found
}

func (m *flowMap) set(ap netip.AddrPort, f flow) {
	if k, ok := v4Key(ap); ok {
		m.v4[k] = f
		return
	}
	m.v6[ap] = f
}

func (m *flowMap) delete(ap netip.AddrPort) {
	if k, ok := v4Key(ap); ok {
		delete(m.v4, k)
		return
	}
	delete(m.v6, ap)
}

func (m *flowMap) len() int { return len(m.v4) + len(m.v6) }

// evictOther forgets one flow that does not belong to keep.
func (m *flowMap) evictOther(keep *session) bool {
	for k, f := range m.v4 {
		if f.sess != keep {
			delete(m.v4, k)
			return true
		}
	}
	for ap, f := range m.v6 {
		if f.sess != keep {
			delete(m.v6, ap)
			return true
		}
	}
	return false
}
