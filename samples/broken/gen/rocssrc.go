package main

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
)

// rocPackets is the number of SRTP packets each direction sends.
const rocPackets = 25

// strangerSSRC is the SSRC bob's phone actually sends with: not the one
// its MIKEY CS ID map announced.
const strangerSSRC = 0x5eed5eed

// buildROCAndSSRC: a MIKEY-PSK call whose CS ID map says ROC 0 for both
// SSRCs, but alice's stream has been running for a while: she protects
// her packets with ROC 1 (RFC 3711 §3.3.1); bob sends with a new SSRC
// (strangerSSRC) that the map does not list, under the keys of his crypto
// session (CS ID 2).
func buildROCAndSSRC() ([]scenario.Generator, string, error) {
	spec := pskCall(2, 0)
	c, x := &spec.Call, &spec.Exchange
	offer, err := x.Init()
	if err != nil {
		return nil, "", err
	}
	answer, err := x.Verify()
	if err != nil {
		return nil, "", err
	}
	b := &framebuild.Builder{}
	l := &frameList{}
	sig := func(t time.Time, fromCaller bool, msg []byte, name string) error {
		src, dst := c.Caller, c.Callee
		if !fromCaller {
			src, dst = dst, src
		}
		f, err := b.UDP(src, dst, msg)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		l.add(t, f, scenario.KindSignal, name)
		return nil
	}
	offerSDP := scenario.SDP(c.CallerUser, c.SessionID, c.CallerRTP, base64.StdEncoding.EncodeToString(offer))
	answerSDP := scenario.SDP(c.CalleeUser, c.SessionID+1, c.CalleeRTP, base64.StdEncoding.EncodeToString(answer))
	steps := []struct {
		at    time.Duration
		fromA bool
		msg   []byte
		name  string
	}{
		{0, true, c.Invite("application/sdp", offerSDP), "INVITE"},
		{5 * time.Millisecond, false, c.Trying(), "100 Trying"},
		{50 * time.Millisecond, false, c.Ringing(), "180 Ringing"},
		{time.Second, false, c.OK("application/sdp", answerSDP), "200 OK (INVITE)"},
		{time.Second + 10*time.Millisecond, true, c.Ack(), "ACK"},
	}
	for _, s := range steps {
		if err := sig(start.Add(s.at), s.fromA, s.msg, s.name); err != nil {
			return nil, "", err
		}
	}
	var keys [][3]string
	var ctxs [2]*srtp.Context
	ssrcs := [2]uint32{x.SSRCs[0], strangerSSRC}
	for d := 0; d < 2; d++ {
		key, salt, err := x.SRTPKeys(uint8(d + 1))
		if err != nil {
			return nil, "", err
		}
		if ctxs[d], err = srtp.CreateContext(key, salt, srtp.ProtectionProfileAes128CmHmacSha1_80); err != nil {
			return nil, "", err
		}
		keys = append(keys, [3]string{fmt.Sprintf("0x%08x", x.SSRCs[d]), hex.EncodeToString(key), hex.EncodeToString(salt)})
	}
	ctxs[0].SetROC(ssrcs[0], 1) // the map says 0
	media0 := start.Add(time.Second + 20*time.Millisecond)
	var plain []byte
	for k := 0; k < rocPackets; k++ {
		for d := 0; d < 2; d++ {
			src, dst := c.CallerRTP, c.CalleeRTP
			if d == 1 {
				src, dst = dst, src
			}
			seq := spec.FirstSeq[d] + uint16(k)
			h := rtp.Header{Version: 2, PayloadType: scenario.PayloadPCMU, SequenceNumber: seq,
				Timestamp: spec.FirstTS[d] + uint32(k*scenario.FrameSamples), SSRC: ssrcs[d], Marker: k == 0}
			hb, err := h.Marshal()
			if err != nil {
				return nil, "", err
			}
			plain = scenario.AppendPCMU(append(plain[:0], hb...), ssrcs[d], seq)
			pkt, err := ctxs[d].EncryptRTP(nil, plain, nil)
			if err != nil {
				return nil, "", err
			}
			f, err := b.UDP(src, dst, pkt)
			if err != nil {
				return nil, "", err
			}
			l.add(media0.Add(time.Duration(k)*20*time.Millisecond+time.Duration(d)*7*time.Millisecond), f, scenario.KindRTP, "")
		}
	}
	end := media0.Add(rocPackets*20*time.Millisecond + 20*time.Millisecond)
	if err := sig(end, false, c.Bye(), "BYE"); err != nil {
		return nil, "", err
	}
	if err := sig(end.Add(5*time.Millisecond), true, c.ByeOK(), "200 OK (BYE)"); err != nil {
		return nil, "", err
	}
	desc := fmt.Sprintf("roc-and-ssrc: a MIKEY-PSK call whose CS ID map announces ROC 0 for alice's SSRC 0x%08x while she protects with ROC 1, and whose callee sends with SSRC 0x%08x instead of the announced 0x%08x (keys of CS ID 2)",
		x.SSRCs[0], uint32(strangerSSRC), x.SSRCs[1])
	return []scenario.Generator{l}, keysFile(desc, x, keys), nil
}
