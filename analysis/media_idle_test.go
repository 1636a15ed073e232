package analysis

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/srtp"
)

// TestIdleContextReleasedAndRebuilt: a stream silent for longer than
// idleContextAfter has its SRTP context released by the sweep; when it
// resumes, the context is built again and every packet still authenticates
// with the same ROC and statistics as without the release.
func TestIdleContextReleasedAndRebuilt(t *testing.T) {
	const ssrc = 0x11223344
	key := []byte("0123456789abcdef")
	salt := []byte("saltsaltsalt12")
	sender, err := srtp.NewContext(srtp.DefaultPolicy(), srtp.MasterKey{Key: key, Salt: salt})
	if err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddrPort("192.0.2.1:40000")
	dst := netip.MustParseAddrPort("192.0.2.2:50000")
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

	a := New(Options{})
	a.Signal(&dissect.SignalMessage{Frame: 1, Time: t0, Carrier: dissect.CarrierSIP, SessionKey: "idle@test",
		Request: true, Method: "INVITE", CallID: "idle@test", Src: src, Dst: dst, Transport: "udp", MediaIndex: -1})
	st := a.byKey[sessionKey{dissect.CarrierSIP, "idle@test"}]
	if st == nil {
		t.Fatal("no session")
	}
	cs := &CryptoSession{CSID: 1, ssrc: ssrc}
	a.media.bind(st, cs, srtp.DefaultPolicy(), key, salt, nil)
	b := a.media.bindings[st.s.ID][0]

	frame := uint64(1)
	var roc uint32
	send := func(seq uint16, at time.Time) {
		if seq == 0 {
			roc++
		}
		frame++
		rtp := make([]byte, 12, 12+40)
		rtp[0] = 0x80
		binary.BigEndian.PutUint16(rtp[2:], seq)
		binary.BigEndian.PutUint32(rtp[8:], ssrc)
		rtp = append(rtp, make([]byte, 40)...)
		pkt, err := sender.SealRTP(nil, rtp, roc, 0)
		if err != nil {
			t.Fatal(err)
		}
		a.Media(&dissect.MediaPacket{Frame: frame, Time: at, Src: src, Dst: dst, Interleaved: -1,
			SessionKey: "idle@test", SessionID: 7, MediaIndex: 0, Kind: dissect.KindRTP, Learnt: true,
			SSRC: ssrc, Seq: seq, Data: pkt})
	}
	seq := uint16(65500) // the pause spans a sequence wrap: the ROC must carry over
	for i := 0; i < 20; i++ {
		send(seq, t0.Add(time.Duration(i)*20*time.Millisecond))
		seq++
	}
	// Another stream keeps the clock moving while this one is silent.
	for i := 0; i < 8; i++ {
		a.Media(&dissect.MediaPacket{Frame: frame + 1, Time: t0.Add(time.Duration(i+1) * 10 * time.Second), Src: dst, Dst: src,
			Interleaved: -1, Kind: dissect.KindRTP, SSRC: 0x55, Seq: uint16(i), Data: make([]byte, 20)})
		frame++
	}
	if b.ctx != nil || a.media.released == 0 {
		t.Fatalf("context not released after %v idle (released %d)", 80*time.Second, a.media.released)
	}
	resume := t0.Add(90 * time.Second)
	for i := 0; i < 100; i++ { // seq wraps to 0 here
		send(seq, resume.Add(time.Duration(i)*20*time.Millisecond))
		seq++
	}
	if b.ctx == nil {
		t.Fatal("context not rebuilt")
	}
	r := a.Finish()
	var s *Stream
	for _, x := range r.Sessions[0].Streams {
		if x.SSRC == "0x11223344" {
			s = x
		}
	}
	if s == nil {
		t.Fatal("stream missing")
	}
	if s.Packets != 120 || s.Authenticated != 120 || s.AuthFailed != 0 || s.Health.ROC != 1 || s.Health.ROCAdjustments != 0 {
		t.Fatalf("packets %d authenticated %d failed %d ROC %d; want 120/120/0, ROC 1", s.Packets, s.Authenticated, s.AuthFailed, s.Health.ROC)
	}
}
