package main

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	mskeys "github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/mikey"
)

// start is the time of the first frame of every sample.
var start = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

var (
	alice    = netip.MustParseAddrPort("192.0.2.10:5060")
	bob      = netip.MustParseAddrPort("198.51.100.20:5060")
	aliceRTP = netip.MustParseAddrPort("192.0.2.10:49170")
	bobRTP   = netip.MustParseAddrPort("198.51.100.20:50170")
	mallory  = netip.MustParseAddrPort("203.0.113.66:5060")
)

// replayDelay is how long after the call the offer is replayed.
const replayDelay = 10 * time.Minute

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// pskCall returns a MIKEY-PSK call between alice and bob whose keys and
// identifiers come from a generator seeded with seed.
func pskCall(seed byte, packets int) scenario.SIPCallSpec {
	r := rand.New(rand.NewChaCha8([32]byte{seed, 'b', 'r', 'o', 'k', 'e', 'n'}))
	return scenario.SIPCallSpec{
		Call: scenario.Call{
			CallID: hex.EncodeToString(randBytes(r, 8)) + "@pc33.example.com", Transport: "UDP",
			Caller: alice, Callee: bob, CallerUser: "alice", CalleeUser: "bob", Domain: "example.com",
			FromTag: hex.EncodeToString(randBytes(r, 4)), ToTag: hex.EncodeToString(randBytes(r, 4)),
			Branch:    "z9hG4bK" + hex.EncodeToString(randBytes(r, 6)),
			CallerRTP: aliceRTP, CalleeRTP: bobRTP, SessionID: 2890844526, InviteCSeq: 1, ByeSeq: 1,
		},
		Exchange: scenario.PSKExchange{
			CSBID: r.Uint32(), Time: start, Rand: randBytes(r, 16),
			IDi: "sip:alice@example.com", IDr: "sip:bob@example.com",
			SSRCs: []uint32{r.Uint32(), r.Uint32()}, PSK: randBytes(r, 20), TGK: randBytes(r, 16),
		},
		Start:       start,
		Packets:     packets,
		FirstSeq:    [2]uint16{uint16(r.Uint32()), uint16(r.Uint32())},
		FirstTS:     [2]uint32{r.Uint32(), r.Uint32()},
		CallerCNAME: "alice@192.0.2.10",
		CalleeCNAME: "bob@198.51.100.20",
	}
}

// keysFile is the keys file of a PSK call: the PSK, and as comments the
// values mikeyscope derives (for cross-checks).
func keysFile(desc string, x *scenario.PSKExchange, srtpKeys [][3]string) string {
	var k strings.Builder
	fmt.Fprintf(&k, "# mikeyscope keys for the sample broken/%s\n%s\n", desc, mskeys.PublicMarker)
	fmt.Fprintf(&k, "# MIKEY-PSK pre-shared key of %s and %s (RFC 3830 §3.1).\n", x.IDi, x.IDr)
	fmt.Fprintf(&k, "psk %s\n", hex.EncodeToString(x.PSK))
	k.WriteString("# For cross-checks only; mikeyscope derives these from the exchange:\n")
	fmt.Fprintf(&k, "# tgk %s\n", hex.EncodeToString(x.TGK))
	for _, s := range srtpKeys {
		fmt.Fprintf(&k, "# srtp %s=%s:%s\n", s[0], s[1], s[2])
	}
	return k.String()
}

// buildReplay: a correct MIKEY-PSK call (25 packets each way), then ten
// minutes later a third host (mallory) sends bob the call's INVITE again,
// byte for byte the same MIKEY message (RFC 3830 §5.4: a replay). Bob,
// which checks the timestamp, answers 488 with a MIKEY error message
// (HDR, T, ERR Invalid TS; RFC 3830 §5.1.2, RFC 4567 §4.1.2).
func buildReplay() ([]scenario.Generator, string, error) {
	spec := pskCall(1, 25)
	b := &framebuild.Builder{}
	g, err := scenario.NewSIPCallGen(spec, b)
	if err != nil {
		return nil, "", err
	}
	c, x := &spec.Call, &spec.Exchange
	at := start.Add(replayDelay)
	extra := &frameList{}
	eb := &framebuild.Builder{TTL: 51}
	inv, err := eb.UDP(mallory, bob, c.Invite("application/sdp", g.OfferSDP()))
	if err != nil {
		return nil, "", err
	}
	extra.add(at, inv, scenario.KindSignal, "INVITE (replayed)")
	errMsg := &mikey.Message{
		Header: mikey.Header{Version: 1, DataType: mikey.DataTypeError, PRF: mikey.PRFFuncMIKEY1, CSBID: x.CSBID,
			NumCS: 2, MapType: mikey.MapSRTPID, SRTPMap: []mikey.SRTPCS{{SSRC: x.SSRCs[0]}, {SSRC: x.SSRCs[1]}}},
		Payloads: []mikey.Payload{
			&mikey.TPayload{TSType: mikey.TSTypeNTPUTC, Value: mikey.NTP64(at.Add(time.Millisecond))},
			&mikey.ERRPayload{Code: mikey.ErrorCode(1)}, // Invalid TS
		},
	}
	raw, err := errMsg.Marshal()
	if err != nil {
		return nil, "", err
	}
	sdp := scenario.SDP(c.CalleeUser, c.SessionID+2, bobRTP, base64.StdEncoding.EncodeToString(raw))
	rej, err := eb.UDP(bob, mallory, c.Reject488("application/sdp", sdp))
	if err != nil {
		return nil, "", err
	}
	extra.add(at.Add(40*time.Millisecond), rej, scenario.KindSignal, "488 Not Acceptable Here (INVITE)")
	var keys [][3]string
	for d := 0; d < 2; d++ {
		keys = append(keys, [3]string{fmt.Sprintf("0x%08x", x.SSRCs[d]), hex.EncodeToString(g.Keys[d][0]), hex.EncodeToString(g.Keys[d][1])})
	}
	return []scenario.Generator{g, extra}, keysFile("replay: a correct MIKEY-PSK call, then its INVITE replayed 10 minutes later by 203.0.113.66 and refused with 488 + MIKEY ERR Invalid TS", x, keys), nil
}
