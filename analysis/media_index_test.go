package analysis

import (
	"net/netip"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/dissect"
)

// TestStreamsFoundPastScanLimit: a session's streams are found by scanning
// its list up to streamScanMax streams and through the map past it (when
// all of them move there); streams of no session are always in the map.
// Every packet must land on its own stream either way.
func TestStreamsFoundPastScanLimit(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	caller := netip.MustParseAddrPort("192.0.2.1:5060")
	callee := netip.MustParseAddrPort("192.0.2.2:5060")
	a := New(Options{})
	a.Signal(&dissect.SignalMessage{Frame: 1, Time: t0, Carrier: dissect.CarrierSIP, SessionKey: "many@test",
		Request: true, Method: "INVITE", CallID: "many@test", Src: caller, Dst: callee, Transport: "udp", MediaIndex: -1})
	st := a.byKey[sessionKey{dissect.CarrierSIP, "many@test"}]
	frame := uint64(1)
	send := func(session string, ssrc uint32, kind dissect.Kind, src netip.AddrPort, i int) {
		frame++
		a.Media(&dissect.MediaPacket{Frame: frame, Time: t0.Add(time.Duration(frame) * time.Millisecond),
			Src: src, Dst: callee, Interleaved: -1, SessionKey: session, SessionID: 1, MediaIndex: 0,
			Kind: kind, SSRC: ssrc, Seq: uint16(i), Data: make([]byte, 20)})
	}
	const ssrcs = 3 * streamScanMax
	srcA := netip.MustParseAddrPort("192.0.2.1:20000")
	srcB := netip.MustParseAddrPort("192.0.2.1:20002")
	for round := 0; round < 3; round++ {
		for i := 0; i < ssrcs; i++ {
			send("many@test", uint32(0x1000+i), dissect.KindRTP, srcA, round)
			send("many@test", uint32(0x1000+i), dissect.KindRTP, srcB, round) // same SSRC, other source: another stream
			if i%4 == 0 {
				send("many@test", uint32(0x1000+i), dissect.KindRTCP, srcA, round)
			}
			send("", uint32(0x9000+i%3), dissect.KindRTP, srcA, round) // no session
			// 7 streams in the session so far: found by the scan, not in the map.
			if round == 0 && i == 2 {
				if len(a.media.streams) != 3 {
					t.Fatalf("%d streams in the map while the session has %d; want only the 3 of no session", len(a.media.streams), len(st.streams))
				}
			}
		}
	}
	want := 2*ssrcs + ssrcs/4
	if len(st.streams) != want || len(a.media.streams) != want+3 || len(a.media.order) != want+3 {
		t.Fatalf("session %d streams, map %d, all %d; want %d, %d, %d", len(st.streams), len(a.media.streams), len(a.media.order), want, want+3, want+3)
	}
	r := a.Finish()
	if len(r.Sessions[0].Streams) != want || len(r.Streams) != 3 {
		t.Fatalf("report: %d session streams, %d unassociated; want %d, 3", len(r.Sessions[0].Streams), len(r.Streams), want)
	}
	for _, s := range r.Sessions[0].Streams {
		if s.Packets != 3 {
			t.Errorf("%s %s from %s: %d packets, want 3", s.Kind, s.SSRC, s.Src, s.Packets)
		}
	}
	for _, s := range r.Streams {
		if s.Packets != 3*ssrcs/3 {
			t.Errorf("unassociated %s: %d packets, want %d", s.SSRC, s.Packets, 3*ssrcs/3)
		}
	}
}

// TestMediaSessionCacheClearedBySweep: the idle sweep empties the cache of
// media packets' sessions, and packets after it still find their session
// (and their stream) through the lookup.
func TestMediaSessionCacheClearedBySweep(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	caller := netip.MustParseAddrPort("192.0.2.1:5060")
	callee := netip.MustParseAddrPort("192.0.2.2:5060")
	media := netip.MustParseAddrPort("192.0.2.1:20000")
	a := New(Options{})
	a.Signal(&dissect.SignalMessage{Frame: 1, Time: t0, Carrier: dissect.CarrierSIP, SessionKey: "cache@test",
		Request: true, Method: "INVITE", CallID: "cache@test", Src: caller, Dst: callee, Transport: "udp", MediaIndex: -1})
	a.Signal(&dissect.SignalMessage{Frame: 2, Time: t0, Carrier: dissect.CarrierSIP, SessionKey: "quiet@test",
		Request: true, Method: "INVITE", CallID: "quiet@test", Src: caller, Dst: callee, Transport: "udp", MediaIndex: -1})
	a.Media(&dissect.MediaPacket{Frame: 3, Time: t0, Src: callee, Dst: media, Interleaved: -1, SessionKey: "quiet@test",
		SessionID: 10, MediaIndex: 0, Kind: dissect.KindRTP, SSRC: 0x43, Data: make([]byte, 20)})
	if len(a.mediaSessions) != 1 {
		t.Fatalf("%d cached sessions, want the quiet one", len(a.mediaSessions))
	}
	for i := 0; i < 30; i++ { // 3 s apart: a sweep every 10 s
		a.Media(&dissect.MediaPacket{Frame: uint64(i + 4), Time: t0.Add(time.Duration(i) * 3 * time.Second), Src: media, Dst: callee,
			Interleaved: -1, SessionKey: "cache@test", SessionID: 9, MediaIndex: 0, Kind: dissect.KindRTP, SSRC: 0x42, Seq: uint16(i), Data: make([]byte, 20)})
	}
	if c, ok := a.mediaSessions[9]; len(a.mediaSessions) != 1 || !ok || c.st.s.Key != "cache@test" {
		t.Fatalf("cached sessions %v, want only the active one", a.mediaSessions)
	}
	if a.media.lastSweep.Before(t0.Add(60 * time.Second)) {
		t.Fatalf("no sweep since %v", a.media.lastSweep)
	}
	r := a.Finish()
	if len(r.Sessions[0].Streams) != 1 || r.Sessions[0].Streams[0].Packets != 30 || len(r.Sessions[1].Streams) != 1 || len(r.Streams) != 0 {
		t.Fatalf("session streams %+v, unassociated %d", r.Sessions[0].Streams, len(r.Streams))
	}
}
