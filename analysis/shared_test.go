package analysis

import (
	"fmt"
	"net/netip"
	"testing"
	"unsafe"

	"github.com/mikeyscope/mikeyscope/dissect"
)

// TestAddrTextIsString: the shared address text is AddrPort.String's.
func TestAddrTextIsString(t *testing.T) {
	for _, ap := range []netip.AddrPort{
		{},
		netip.MustParseAddrPort("192.0.2.1:5060"),
		netip.MustParseAddrPort("[2001:db8::1]:5060"),
		netip.MustParseAddrPort("[fe80::1%eth0]:0"),
		netip.MustParseAddrPort("[::ffff:192.0.2.1]:65535"),
		netip.AddrPortFrom(netip.MustParseAddr("2001:db8:1:2:3:4:5:6%a-very-long-zone-name-that-does-not-fit-sixty-four-bytes"), 65535),
	} {
		if got := string(addrText(nil, ap)); got != ap.String() {
			t.Errorf("addrText %q, String %q", got, ap.String())
		}
	}
}

// TestSignalTextShared: the signals and MIKEY messages of a session share
// the text of their addresses, streams share it with the opposite
// direction, responses share their summaries across sessions; the text is
// what it was.
func TestSignalTextShared(t *testing.T) {
	a := New(Options{})
	caller := netip.MustParseAddrPort("192.0.2.1:5060")
	callee := netip.MustParseAddrPort("192.0.2.2:5060")
	for i, id := range []string{"one@test", "two@test"} {
		for j, req := range []bool{true, false, true} {
			m := &dissect.SignalMessage{Frame: uint64(10*i + j + 1), Carrier: dissect.CarrierSIP, SessionKey: id, CallID: id,
				Request: req, Method: "INVITE", URI: "sip:bob@example.org", Src: caller, Dst: callee, Transport: "udp", MediaIndex: -1}
			if !req {
				m.Src, m.Dst, m.Status, m.Reason = callee, caller, 200, "OK"
			}
			a.Signal(m)
		}
	}
	sigs := a.sessions[0].s.Signals
	for _, s := range sigs {
		if s.Src != caller.String() && s.Src != callee.String() || s.Dst != caller.String() && s.Dst != callee.String() {
			t.Fatalf("signal %d: %s -> %s", s.Frame, s.Src, s.Dst)
		}
	}
	if unsafe.StringData(sigs[0].Src) != unsafe.StringData(sigs[1].Dst) || unsafe.StringData(sigs[0].Src) != unsafe.StringData(sigs[2].Src) {
		t.Error("the signals of a session do not share their address text")
	}
	other := a.sessions[1].s.Signals[1]
	if other.Summary != fmt.Sprintf("%d %s", 200, "OK") || unsafe.StringData(other.Summary) != unsafe.StringData(sigs[1].Summary) {
		t.Errorf("response summary %q not shared", other.Summary)
	}
	if sigs[0].Summary != "INVITE sip:bob@example.org" {
		t.Errorf("request summary %q", sigs[0].Summary)
	}

	st := a.sessions[0]
	ma := netip.MustParseAddrPort("192.0.2.1:20000")
	mb := netip.MustParseAddrPort("192.0.2.2:30000")
	for i, dir := range [][2]netip.AddrPort{{ma, mb}, {mb, ma}} {
		a.Media(&dissect.MediaPacket{Frame: uint64(100 + i), Src: dir[0], Dst: dir[1], Interleaved: -1, SessionKey: "one@test",
			SessionID: 1, Kind: dissect.KindRTP, SSRC: uint32(i + 1), Data: make([]byte, 20)})
	}
	fwd, back := st.streams[0].model, st.streams[1].model
	if fwd.Src != ma.String() || fwd.Dst != mb.String() || back.Src != mb.String() || back.Dst != ma.String() {
		t.Fatalf("streams %s -> %s, %s -> %s", fwd.Src, fwd.Dst, back.Src, back.Dst)
	}
	if unsafe.StringData(fwd.Src) != unsafe.StringData(back.Dst) || unsafe.StringData(fwd.Dst) != unsafe.StringData(back.Src) {
		t.Error("the two directions do not share their address text")
	}
}

// TestResponseSummariesBounded: past maxSharedSummaries distinct
// summaries, new ones are still right but no longer remembered.
func TestResponseSummariesBounded(t *testing.T) {
	a := New(Options{})
	for i := 0; i < 2*maxSharedSummaries; i++ {
		if got, want := a.responseSummary(100+i, "Reason"), fmt.Sprintf("%d %s", 100+i, "Reason"); got != want {
			t.Fatalf("summary %q, want %q", got, want)
		}
	}
	if len(a.summaries) != maxSharedSummaries {
		t.Errorf("%d summaries remembered, want %d", len(a.summaries), maxSharedSummaries)
	}
}
