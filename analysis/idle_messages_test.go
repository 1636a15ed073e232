package analysis

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/keys"
)

// TestDroppedMessagesDecodeAgain: after the idle sweep drops the decoded
// form of a session's MIKEY messages, Parsed gives the same message again,
// and a response arriving afterwards still pairs with the initiator's
// message and verifies with the PSK.
func TestDroppedMessagesDecodeAgain(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	psk := bytes.Repeat([]byte{0x42}, 20)
	x := &scenario.PSKExchange{CSBID: 0x0badcafe, Time: t0, Rand: bytes.Repeat([]byte{0x80}, 16),
		IDi: "sip:alice@example.org", IDr: "sip:bob@example.org",
		SSRCs: []uint32{0xa1a1a1a1}, PSK: psk, TGK: bytes.Repeat([]byte{0x10}, 16)}
	init, err := x.Init()
	if err != nil {
		t.Fatal(err)
	}
	verify, err := x.Verify()
	if err != nil {
		t.Fatal(err)
	}
	st := &keys.Store{}
	if err := st.Add("psk", hex.EncodeToString(psk), "test"); err != nil {
		t.Fatal(err)
	}
	a := New(Options{Keys: st})
	caller := netip.MustParseAddrPort("192.0.2.10:5060")
	callee := netip.MustParseAddrPort("198.51.100.20:5060")
	msg := func(frame uint64, at time.Time, request bool, mikeyMsg []byte) *dissect.SignalMessage {
		m := &dissect.SignalMessage{Frame: frame, Time: at, Transport: "udp", Carrier: dissect.CarrierSIP,
			SessionKey: "drop@test", CallID: "drop@test", Request: request, Method: "INVITE", CSeqMethod: "INVITE",
			Src: caller, Dst: callee, URI: "sip:bob@example.org", MediaIndex: -1,
			KeyMgmt: []dissect.KeyMgmtItem{{Where: dissect.WhereSDPSession, MediaIndex: -1, Prot: "mikey", Data: mikeyMsg, Offset: -1}}}
		if !request {
			m.Src, m.Dst, m.Status, m.Reason, m.ToTag = callee, caller, 200, "OK", "b2"
		}
		return m
	}
	a.Signal(msg(1, t0, true, init))
	s := a.sessions[0]
	mm := s.s.MIKEY[0]
	before := mm.Parsed()
	if before == nil || mm.msg == nil {
		t.Fatal("initiator message not decoded")
	}
	a.dropIdleMessages(t0.Add(time.Minute))
	if mm.msg != nil || !s.msgsDropped {
		t.Fatal("the idle sweep kept the decoded message")
	}
	again := mm.Parsed()
	if again == nil || again == before || !reflect.DeepEqual(again, before) {
		t.Fatalf("decoded again: %+v, want a new decoding equal to %+v", again, before)
	}
	a.Signal(msg(2, t0.Add(2*time.Minute), false, verify))
	r := a.Finish()
	if len(r.Sessions) != 1 || len(r.Sessions[0].MIKEY) != 2 {
		t.Fatalf("sessions %d", len(r.Sessions))
	}
	for i, m := range r.Sessions[0].MIKEY {
		if m.Auth != "verified" {
			t.Errorf("message %d (%s): auth %s, want verified", i, m.Role, m.Auth)
		}
	}
	for _, f := range r.Findings {
		if f.Code == KindOrphanResponse.Code {
			t.Errorf("the response was not paired after the drop: %s", f.Summary)
		}
	}
}
