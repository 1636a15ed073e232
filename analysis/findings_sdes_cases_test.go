package analysis_test

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/dissect"
)

// SDES (RFC 4568) cases: the dialog's caller offers a=crypto lines, the
// callee answers; the caller's SRTP (feed.rtp) goes to the callee's media
// address, so it is keyed by the offer's attribute of the answered tag.

func inline(key, salt []byte) string {
	return "inline:" + base64.StdEncoding.EncodeToString(append(append([]byte(nil), key...), salt...))
}

// sdesSDP is an audio SDP of one side with the given a=crypto values.
func sdesSDP(caller bool, crypto ...string) *dissect.SDPInfo {
	ap := caseCallerM
	if !caller {
		ap = caseCalleeM
	}
	return &dissect.SDPInfo{Strict: true, Addr: ap.Addr(), Media: []dissect.SDPMedia{{
		Index: 0, Type: "audio", Proto: "RTP/SAVP", Addr: ap.Addr(), Port: ap.Port(),
		RTCPPort: ap.Port() + 1, Formats: []string{"0"}, KeyMgmtItem: -1, Crypto: crypto,
	}}}
}

// sdesCall offers offer, answers answer and sends n SRTP packets of the
// caller protected with key/salt.
func sdesCall(t *testing.T, offer, answer []string, key, salt []byte, n int) *analysis.Report {
	f := newFeed(analysis.Options{})
	f.sip(true, "INVITE", 0, sdesSDP(true, offer...))
	f.sip(false, "INVITE", 200, sdesSDP(false, answer...))
	for _, p := range srtpPackets(t, key, salt, nil, ssrcA, 1, n, 0) {
		f.rtp(p)
	}
	return f.finish()
}

func wantDecrypting(t *testing.T, r *analysis.Report, n uint64) {
	t.Helper()
	s := r.Sessions[0].Streams
	if len(s) != 1 || s[0].Decrypted != n || s[0].KeyStatus != "decrypting" {
		t.Errorf("streams %+v, want %d packets decrypting", s, n)
	}
}

func sdesFindingCases() []findingCase {
	callerKey := inline(caseKey, caseSalt)
	calleeKey := inline(caseOtherKy, caseSalt)
	clear := analysis.KindSDESKeysInClear.Code
	return []findingCase{
		{name: "SDES offer and answer over UDP; the caller's media decrypts with its declared key", code: clear, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				r := sdesCall(t, []string{"1 AES_CM_128_HMAC_SHA1_80 " + callerKey, "2 AES_CM_128_HMAC_SHA1_32 " + inline(caseTGK, caseSalt)},
					[]string{"1 AES_CM_128_HMAC_SHA1_80 " + calleeKey}, caseKey, caseSalt, 4)
				wantDecrypting(t, r, 4)
				if k := r.Sessions[0].Keying; k != "SDES AES_CM_128_HMAC_SHA1_80 tag 1" {
					t.Errorf("keying %q", k)
				}
				if cs := r.Sessions[0].CryptoSessions; len(cs) != 2 || cs[0].Source != "sdes" || cs[0].Tag != 1 || cs[0].FromFrame != 1 || cs[1].FromFrame != 2 {
					t.Errorf("crypto sessions %+v", cs)
				}
				return r
			},
			summary: []string{"SDES keys in the clear over unprotected signalling (UDP) in INVITE"}},
		{name: "SDES over TLS", code: clear, frame: 1, severity: analysis.SeverityNote,
			run: func(t *testing.T) *analysis.Report {
				a := analysis.New(analysis.Options{})
				a.Signal(&dissect.SignalMessage{Frame: 1, Time: caseT0, Src: caseCaller, Dst: caseCallee, Transport: "tls",
					Carrier: dissect.CarrierSIP, SessionKey: caseCallID, Request: true, Method: "INVITE", URI: "sips:bob@example.org",
					CallID: caseCallID, MediaIndex: -1, SDP: sdesSDP(true, "1 AES_CM_128_HMAC_SHA1_80 "+callerKey)})
				return a.Finish()
			},
			summary: []string{"protected by TLS hop by hop only"}},
		{name: "RTSP camera: a=crypto under RTP/AVP in the DESCRIBE answer keys what the server sends", code: clear, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				a := analysis.New(analysis.Options{})
				cl, srv := caseCaller, netip.MustParseAddrPort("198.51.100.20:554")
				a.Signal(&dissect.SignalMessage{Frame: 1, Time: caseT0, Src: cl, Dst: srv, Transport: "tcp", Carrier: dissect.CarrierRTSP,
					SessionKey: "4711", Request: true, Method: "DESCRIBE", URI: "rtsp://cam/stream", MediaIndex: -1})
				sdp := sdesSDP(false, "1 AES_CM_128_HMAC_SHA1_80 "+callerKey)
				sdp.Media[0].Proto, sdp.Media[0].Port, sdp.Media[0].Addr = "RTP/AVP", 0, netip.IPv4Unspecified()
				a.Signal(&dissect.SignalMessage{Frame: 2, Time: caseT0, Src: srv, Dst: cl, Transport: "tcp", Carrier: dissect.CarrierRTSP,
					SessionKey: "4711", Status: 200, Reason: "OK", MediaIndex: -1, SDP: sdp})
				for i, p := range srtpPackets(t, caseKey, caseSalt, nil, ssrcB, 1, 3, 0) {
					a.Media(&dissect.MediaPacket{Frame: uint64(3 + i), Time: caseT0, Src: netip.MustParseAddrPort("198.51.100.20:6970"),
						Dst: netip.MustParseAddrPort("192.0.2.10:50000"), Interleaved: -1, SessionKey: "4711", MediaIndex: 0,
						Kind: dissect.KindRTP, Learnt: true, SSRC: ssrcB, Seq: uint16(1 + i), Data: p})
				}
				r := a.Finish()
				wantDecrypting(t, r, 3)
				if at := r.Sessions[0].SDES; len(at) != 1 || at[0].Role != "rtsp" || !at[0].Selected {
					t.Errorf("attributes %+v", at)
				}
				return r
			},
			summary: []string{"SDES keys in the clear over unprotected signalling (TCP) in 200 OK"}},
		{name: "answer with a tag not offered", code: analysis.KindSDESAnswerNotOffered.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				r := sdesCall(t, []string{"1 AES_CM_128_HMAC_SHA1_80 " + callerKey}, []string{"3 AES_CM_128_HMAC_SHA1_80 " + calleeKey}, caseKey, caseSalt, 2)
				if s := r.Sessions[0].Streams; len(s) != 1 || s[0].Decrypted != 0 {
					t.Errorf("streams %+v, want nothing keyed", s)
				}
				return r
			},
			summary: []string{"the answer's a=crypto tag 3 was not offered (offer frame 1 has tags 1 (AES_CM_128_HMAC_SHA1_80))"},
			also:    []string{clear, analysis.KindSRTPNoKeyExchange.Code}},
		{name: "answer changes the suite of the tag", code: analysis.KindSDESAnswerNotOffered.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				return sdesCall(t, []string{"1 AES_CM_128_HMAC_SHA1_80 " + callerKey}, []string{"1 AES_CM_128_HMAC_SHA1_32 " + calleeKey}, caseKey, caseSalt, 2)
			},
			summary: []string{"tag 1 has suite AES_CM_128_HMAC_SHA1_32, the offer's tag 1 was AES_CM_128_HMAC_SHA1_80"},
			also:    []string{clear, analysis.KindSRTPNoKeyExchange.Code}},
		{name: "key||salt not base64", code: analysis.KindSDESMalformed.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.sip(true, "INVITE", 0, sdesSDP(true, "1 AES_CM_128_HMAC_SHA1_80 inline:!!"))
				return f.finish()
			},
			summary: []string{"a=crypto at byte 33: inline key||salt is not base64"}, also: []string{clear}},
		{name: "vendor suite", code: analysis.KindSDESUnknownSuite.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.sip(true, "INVITE", 0, sdesSDP(true, "1 SEED_CTR_128_HMAC_SHA1_80 "+callerKey))
				return f.finish()
			},
			summary: []string{`a=crypto tag 1 names crypto-suite "SEED_CTR_128_HMAC_SHA1_80"`}, also: []string{clear}},
		{name: "two key-params, one without MKI", code: analysis.KindSDESMKILength.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.sip(true, "INVITE", 0, sdesSDP(true, "1 AES_CM_128_HMAC_SHA1_80 "+callerKey+"|2^20|1:4;"+calleeKey))
				return f.finish()
			},
			summary: []string{"a=crypto tag 1 has 2 key-params but key 2 has no MKI"}, also: []string{clear}},
		{name: "MKIs of different lengths", code: analysis.KindSDESMKILength.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.sip(true, "INVITE", 0, sdesSDP(true, "1 AES_CM_128_HMAC_SHA1_80 "+callerKey+"|1:4;"+calleeKey+"|2:2"))
				return f.finish()
			},
			summary: []string{"key 2 has a 2-byte MKI, key 1 a 4-byte one"}, also: []string{clear}},
		{name: "lifetime of 3 packets, 5 sent", code: analysis.KindSDESLifetime.Code, frame: 6,
			run: func(t *testing.T) *analysis.Report {
				r := sdesCall(t, []string{"1 AES_CM_128_HMAC_SHA1_80 " + callerKey + "|3"}, []string{"1 AES_CM_128_HMAC_SHA1_80 " + calleeKey}, caseKey, caseSalt, 5)
				wantDecrypting(t, r, 5)
				return r
			},
			summary: []string{"rtp SSRC 0xa1a1a1a1 192.0.2.10:40000 -> 198.51.100.20:50000: packet 4 under one SDES key whose a=crypto lifetime is 3 packets (tag 1)"},
			also:    []string{clear}},
		{name: "re-INVITE with a new key", code: analysis.KindSDESKeyChanged.Code, frame: 5,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.sip(true, "INVITE", 0, sdesSDP(true, "1 AES_CM_128_HMAC_SHA1_80 "+callerKey))
				f.sip(false, "INVITE", 200, sdesSDP(false, "1 AES_CM_128_HMAC_SHA1_80 "+calleeKey))
				for _, p := range srtpPackets(t, caseKey, caseSalt, nil, ssrcA, 1, 2, 0) {
					f.rtp(p) // frames 3, 4
				}
				newKey := seq(0x71, 16)
				f.sip(true, "INVITE", 0, sdesSDP(true, "2 AES_CM_128_HMAC_SHA1_80 "+inline(newKey, caseSalt))) // frame 5
				f.sip(false, "INVITE", 200, sdesSDP(false, "2 AES_CM_128_HMAC_SHA1_80 "+calleeKey))            // frame 6
				// One late packet under the old key, then the new one.
				f.rtp(srtpPackets(t, caseKey, caseSalt, nil, ssrcA, 3, 1, 0)[0]) // frame 7
				for _, p := range srtpPackets(t, newKey, caseSalt, nil, ssrcA, 4, 3, 0) {
					f.rtp(p) // frames 8-10
				}
				r := f.finish()
				wantDecrypting(t, r, 6)
				found := false
				for _, fd := range r.Findings {
					found = found || (fd.Code == analysis.KindSDESKeyChanged.Code && fd.Frame == 8 &&
						fmt.Sprint(fd.Summary) == "rtp SSRC 0xa1a1a1a1 192.0.2.10:40000 -> 198.51.100.20:50000: packets from frame 8 on use the key of frame 5 (tag 2); earlier ones the previous key")
				}
				if !found {
					t.Errorf("no finding names frame 8 as the first packet under the new key: %s", describeFindings(r))
				}
				return r
			},
			summary: []string{"media 0: the SDES key sent from 192.0.2.10 changed", "tag 2"}, also: []string{clear}},
		{name: "offer with SDES and MIKEY, the answer keeps SDES", code: analysis.KindCryptoAndKeyMgmt.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				sdp := sdesSDP(true, "1 AES_CM_128_HMAC_SHA1_80 "+inline(caseOtherKy, caseSalt))
				sdp.SessionKeyMgmt = true
				// The MIKEY-NULL offer keys SSRC 0xa1a1a1a1 with caseKey, the
				// SDES one with caseOtherKy: the media follows SDES, which
				// the answer kept.
				f.sip(true, "INVITE", 0, sdp, nullMessage(t, nil))
				f.sip(false, "INVITE", 200, sdesSDP(false, "1 AES_CM_128_HMAC_SHA1_80 "+calleeKey))
				for _, p := range srtpPackets(t, caseOtherKy, caseSalt, nil, ssrcA, 1, 3, 0) {
					f.rtp(p)
				}
				r := f.finish()
				wantDecrypting(t, r, 3)
				return r
			},
			summary: []string{"media 0: the offer (frame 1) had a=crypto and a=key-mgmt; the answer kept SDES (a=crypto tag 1)"},
			also:    append([]string{clear}, nullFindings...)},
		{name: "the answer keeps SDES, the caller sends with the MIKEY key", code: analysis.KindSDESOtherKeying.Code, frame: 3,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				sdp := sdesSDP(true, "1 AES_CM_128_HMAC_SHA1_80 "+inline(caseOtherKy, caseSalt))
				sdp.SessionKeyMgmt = true
				f.sip(true, "INVITE", 0, sdp, nullMessage(t, nil))
				f.sip(false, "INVITE", 200, sdesSDP(false, "1 AES_CM_128_HMAC_SHA1_80 "+calleeKey))
				for _, p := range srtpPackets(t, caseKey, caseSalt, nil, ssrcA, 1, 3, 0) {
					f.rtp(p) // MIKEY's key, not the SDES one the answer kept
				}
				r := f.finish()
				wantDecrypting(t, r, 3)
				return r
			},
			summary: []string{"rtp SSRC 0xa1a1a1a1 192.0.2.10:40000 -> 198.51.100.20:50000 fails with its SDES keys", "but authenticates with the MIKEY keys of crypto session 1 (frame 1)"},
			also:    append([]string{clear, analysis.KindCryptoAndKeyMgmt.Code}, nullFindings...)},
	}
}
