package main

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/pion/srtp/v3"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	mskeys "github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/mikey"
	msrtp "github.com/mikeyscope/mikeyscope/srtp"
)

// SDES (RFC 4568) samples: SIP calls whose SDP carries a=crypto lines,
// media protected by pion/srtp with the keys the lines declare.

// sdesSuite is a crypto-suite pion/srtp protects with, or (policy set) one
// the project's srtp package seals.
type sdesSuite struct {
	name      string
	profile   srtp.ProtectionProfile
	key, salt int
	policy    *msrtp.Policy
}

var sdesSuites = []sdesSuite{
	{"AES_CM_128_HMAC_SHA1_80", srtp.ProtectionProfileAes128CmHmacSha1_80, 16, 14, nil},
	{"AES_CM_128_HMAC_SHA1_32", srtp.ProtectionProfileAes128CmHmacSha1_32, 16, 14, nil},
	{"AES_256_CM_HMAC_SHA1_80", srtp.ProtectionProfileAes256CmHmacSha1_80, 32, 14, nil},
	{"AES_256_CM_HMAC_SHA1_32", srtp.ProtectionProfileAes256CmHmacSha1_32, 32, 14, nil},
	{"AEAD_AES_128_GCM", srtp.ProtectionProfileAeadAes128Gcm, 16, 12, nil},
	{"AEAD_AES_256_GCM", srtp.ProtectionProfileAeadAes256Gcm, 32, 12, nil},
}

// sdesOwnSuites are the RFC 4568 / RFC 6188 suites pion/srtp does not
// implement; their media is sealed by the project's srtp package, and the
// sample's tests check it with libsrtp (AES_192_CM) and with an f8
// written in the test from RFC 3711 §4.1.2 (F8_128).
var sdesOwnSuites = func() []sdesSuite {
	aes192 := func(tag int) *msrtp.Policy {
		p := msrtp.DefaultPolicy()
		p.KeyLen, p.TagLen = 24, tag
		return &p
	}
	f8 := msrtp.DefaultPolicy()
	f8.Cipher = msrtp.CipherAESF8
	return []sdesSuite{
		{name: "AES_192_CM_HMAC_SHA1_80", key: 24, salt: 14, policy: aes192(10)},
		{name: "AES_192_CM_HMAC_SHA1_32", key: 24, salt: 14, policy: aes192(4)},
		{name: "F8_128_HMAC_SHA1_80", key: 16, salt: 14, policy: &f8},
	}
}()

// sdesCall is one call of an SDES sample and what its manifest says.
type sdesCall struct {
	spec scenario.SIPCallSpec
	// keyFrom describes, per direction, where the key comes from.
	keyFrom [2]string
	policy  [2]string
	mki     [2][]byte
}

// sdesKeys draws a key and salt for a suite.
func sdesKeys(r *rand.Rand, s sdesSuite) ([]byte, []byte) {
	return randBytes(r, s.key), randBytes(r, s.salt)
}

func inlineKey(key, salt []byte) string {
	return "inline:" + base64.StdEncoding.EncodeToString(append(append([]byte(nil), key...), salt...))
}

// sdesSpec is a call on its own ports, starting at offset from start.
func sdesSpec(seed uint64, n int, packets int) scenario.SIPCallSpec {
	spec := callSpec(seed, "UDP", ap(aliceV4, 5060), ap(bobV4, 5060), ap(aliceV4, uint16(41000+10*n)), ap(bobV4, uint16(51000+10*n)), packets)
	off := time.Duration(n) * 3 * time.Second
	spec.Start = start.Add(off)
	spec.Exchange.Time = spec.Start
	spec.SREvery = 10
	return spec
}

// sdesSample writes calls (not overlapping in time) into one sample.
func sdesSample(calls []sdesCall, keys string, desc string, notes ...string) (*built, error) {
	b := &framebuild.Builder{}
	t := &Truth{Description: desc, Notes: notes,
		Payloads: "payload of packet (ssrc, seq) = scenario.Payload(ssrc, seq): 160 bytes of PCMU; SRTCP carries SR+SDES CNAME"}
	var gens []scenario.Generator
	var callGens []*scenario.SIPCallGen
	for i := range calls {
		c := &calls[i]
		g, err := scenario.NewSIPCallGen(c.spec, b)
		if err != nil {
			return nil, fmt.Errorf("call %d: %w", i+1, err)
		}
		gens = append(gens, g)
		callGens = append(callGens, g)
		cl := &c.spec.Call
		for d := 0; d < 2; d++ {
			src, dst := cl.CallerRTP, cl.CalleeRTP
			if d == 1 {
				src, dst = dst, src
			}
			st := newStream(c.spec.Exchange.SSRCs[d], src, dst, "udp", scenario.PayloadPCMU, c.spec.FirstSeq[d], c.spec.FirstTS[d],
				0, c.keyFrom[d], g.Keys[d][0], g.Keys[d][1], c.mki[d], "scenario.Payload(ssrc, seq)", "pcmu", scenario.FrameSamples)
			st.Policy = c.policy[d]
			t.Streams = append(t.Streams, st)
		}
	}
	invites, oks := 0, 0
	rec := record(t, "SIP", func(f *scenario.Frame) (string, [][]byte) {
		if strings.HasPrefix(f.Message, "INVITE") {
			invites++
			return "sdp-session", [][]byte{callGens[invites-1].Offer}
		}
		oks++
		return "sdp-session", [][]byte{callGens[oks-1].Answer}
	})
	// record counts only messages carrying MIKEY; count the others too.
	recAll := func(n int, f *scenario.Frame) error {
		if f.MIKEY == 0 {
			if strings.HasPrefix(f.Message, "INVITE") {
				invites++
			} else if strings.HasPrefix(f.Message, "200 OK (INVITE)") {
				oks++
			}
		}
		return rec(n, f)
	}
	return &built{gens: gens, truth: t, record: recAll, keys: keys, builder: b}, nil
}

// sdesKeysFile is a keys file with only the public marker and the keys as
// comments: mikeyscope takes SDES keys from the SDP.
func sdesKeysFile(desc string, calls []sdesCall, extra ...string) string {
	var k strings.Builder
	fmt.Fprintf(&k, "# mikeyscope keys for the sample %s\n%s\n", desc, mskeys.PublicMarker)
	k.WriteString("# SDES: the SRTP keys are in the SDP (a=crypto); mikeyscope needs no key.\n")
	for _, e := range extra {
		k.WriteString(e + "\n")
	}
	k.WriteString("# For cross-checks, the keys each side sent with:\n")
	for _, c := range calls {
		for d := 0; d < 2; d++ {
			s := c.spec.SDES.Send[d]
			if c.spec.SDES.AnswerMIKEY {
				// The media used the MIKEY keys.
				g, err := scenario.NewSIPCallGen(c.spec, &framebuild.Builder{})
				if err != nil {
					panic(err)
				}
				fmt.Fprintf(&k, "# MIKEY CS %d:\n# srtp 0x%08x=%s:%s\n", d+1, c.spec.Exchange.SSRCs[d], hex.EncodeToString(g.Keys[d][0]), hex.EncodeToString(g.Keys[d][1]))
				continue
			}
			fmt.Fprintf(&k, "# %s:\n# srtp 0x%08x=%s:%s\n", c.policy[d], c.spec.Exchange.SSRCs[d], hex.EncodeToString(s.Key), hex.EncodeToString(s.Salt))
		}
	}
	return k.String()
}

// sdesSuitesSample: a call per suite pion/srtp implements; the first call
// offers two tags and the answer takes the second; the third has an MKI
// and a lifetime; the second asks UNENCRYPTED_SRTCP.
func sdesSuitesSample() (*built, error) {
	r := rand.New(rand.NewChaCha8([32]byte{'s', 'd', 'e', 's'}))
	var calls []sdesCall
	for i, s := range sdesSuites {
		spec := sdesSpec(uint64(100+i), i, 20)
		ka, sa := sdesKeys(r, s)
		kb, sb := sdesKeys(r, s)
		params := ""
		c := sdesCall{policy: [2]string{s.name, s.name}}
		sd := &scenario.SDESKeying{Send: [2]scenario.SDESSend{{Profile: s.profile, Key: ka, Salt: sa}, {Profile: s.profile, Key: kb, Salt: sb}}}
		tag := 1
		switch i {
		case 0:
			// Two tags offered, the answer takes tag 2.
			kx, sx := sdesKeys(r, sdesSuites[1])
			sd.OfferCrypto = []string{"1 AES_CM_128_HMAC_SHA1_32 " + inlineKey(kx, sx)}
			tag = 2
		case 1:
			params = " UNENCRYPTED_SRTCP"
			sd.Send[0].UnencryptedSRTCP, sd.Send[1].UnencryptedSRTCP = true, true
		case 2:
			sd.Send[0].MKI, sd.Send[1].MKI = []byte{0, 0, 0, 1}, []byte{0, 0, 0, 7}
			c.mki = [2][]byte{sd.Send[0].MKI, sd.Send[1].MKI}
		}
		lifeA, lifeB := "", ""
		if i == 2 {
			lifeA, lifeB = "|2^31|1:4", "|2^31|7:4"
		}
		sd.OfferCrypto = append(sd.OfferCrypto, fmt.Sprintf("%d %s %s%s%s", tag, s.name, inlineKey(ka, sa), lifeA, params))
		sd.AnswerCrypto = []string{fmt.Sprintf("%d %s %s%s%s", tag, s.name, inlineKey(kb, sb), lifeB, params)}
		spec.SDES = sd
		c.spec = spec
		c.keyFrom = [2]string{fmt.Sprintf("SDES a=crypto tag %d of the offer (%s)", tag, s.name), fmt.Sprintf("SDES a=crypto tag %d of the answer", tag)}
		calls = append(calls, c)
	}
	desc := "sdes/sip-sdes-suites: six SIP calls over UDP keyed by SDES (RFC 4568 a=crypto), one per suite pion/srtp protects with: AES_CM_128_HMAC_SHA1_80/32, AES_256_CM_HMAC_SHA1_80/32 (RFC 6188), AEAD_AES_128_GCM and AEAD_AES_256_GCM (RFC 7714)"
	return sdesSample(calls, sdesKeysFile(desc, calls), desc,
		"call 1 offers tag 1 AES_CM_128_HMAC_SHA1_32 and tag 2 AES_CM_128_HMAC_SHA1_80; the answer takes tag 2",
		"call 2 (AES_CM_128_HMAC_SHA1_32) asks UNENCRYPTED_SRTCP: its SRTCP has the E flag 0 and a clear payload, still authenticated",
		"call 3 (AES_256_CM_HMAC_SHA1_80) gives each key a lifetime of 2^31 and a 4-byte MKI (1 for the caller, 7 for the callee), carried in every packet",
		"AES_192_CM and F8_128, which pion/srtp does not implement, are in sdes/sip-sdes-more-suites")
}

// sdesMoreSuitesSample: a call per suite pion/srtp does not implement
// (AES_192_CM_HMAC_SHA1_80/32, F8_128_HMAC_SHA1_80), sealed by the
// project's srtp package.
func sdesMoreSuitesSample() (*built, error) {
	r := rand.New(rand.NewChaCha8([32]byte{'s', 'd', 'e', 's', '+'}))
	var calls []sdesCall
	for i, s := range sdesOwnSuites {
		spec := sdesSpec(uint64(130+i), i, 20)
		ka, sa := sdesKeys(r, s)
		kb, sb := sdesKeys(r, s)
		spec.SDES = &scenario.SDESKeying{
			OfferCrypto:  []string{fmt.Sprintf("1 %s %s", s.name, inlineKey(ka, sa))},
			AnswerCrypto: []string{fmt.Sprintf("1 %s %s", s.name, inlineKey(kb, sb))},
			Send:         [2]scenario.SDESSend{{Policy: s.policy, Key: ka, Salt: sa}, {Policy: s.policy, Key: kb, Salt: sb}},
		}
		calls = append(calls, sdesCall{spec: spec, policy: [2]string{s.name, s.name},
			keyFrom: [2]string{fmt.Sprintf("SDES a=crypto tag 1 of the offer (%s)", s.name), "SDES a=crypto tag 1 of the answer"}})
	}
	desc := "sdes/sip-sdes-more-suites: three SIP calls over UDP keyed by SDES (RFC 4568 a=crypto), one per suite pion/srtp does not implement: AES_192_CM_HMAC_SHA1_80 and AES_192_CM_HMAC_SHA1_32 (RFC 6188), F8_128_HMAC_SHA1_80 (RFC 4568)"
	return sdesSample(calls, sdesKeysFile(desc, calls), desc,
		"the media is sealed by mikeyscope's own srtp package (pion/srtp has neither transform); go test ./samples checks it with libsrtp (AES_192_CM) and with an AES-f8 written in the test from RFC 3711 §4.1.2 (F8_128)")
}

// sdesWrongKeySample: the callee sends with another key than the one its
// answer declares: its direction fails, the caller's decrypts.
func sdesWrongKeySample() (*built, error) {
	r := rand.New(rand.NewChaCha8([32]byte{'s', 'd', 'e', 's', 'w'}))
	s := sdesSuites[0]
	spec := sdesSpec(110, 0, 25)
	ka, sa := sdesKeys(r, s)
	kb, sb := sdesKeys(r, s)
	kw, _ := sdesKeys(r, s)
	spec.SDES = &scenario.SDESKeying{
		OfferCrypto:  []string{"1 AES_CM_128_HMAC_SHA1_80 " + inlineKey(ka, sa)},
		AnswerCrypto: []string{"1 AES_CM_128_HMAC_SHA1_80 " + inlineKey(kb, sb)},
		Send:         [2]scenario.SDESSend{{Profile: s.profile, Key: ka, Salt: sa}, {Profile: s.profile, Key: kw, Salt: sb}},
	}
	calls := []sdesCall{{spec: spec, policy: [2]string{s.name, s.name},
		keyFrom: [2]string{"SDES a=crypto tag 1 of the offer", "NOT the key of the answer's a=crypto tag 1: the callee sends with another key"}}}
	desc := "sdes/sip-sdes-wrong-key: an SDES call whose callee sends with a key other than the one its answer declares"
	return sdesSample(calls, sdesKeysFile(desc, calls), desc,
		"expected: the caller's stream decrypts; every packet of the callee's stream fails authentication with the answer's key (srtp.auth-failed)",
		fmt.Sprintf("the answer declares key fingerprint %s; the callee's packets use %s", mikey.Fingerprint(kb), mikey.Fingerprint(kw)))
}

// sdesMIKEYSample: two calls offering MIKEY-PSK and SDES together (RFC
// 4567 with RFC 4568); the first answer keeps SDES, the second MIKEY.
func sdesMIKEYSample() (*built, error) {
	r := rand.New(rand.NewChaCha8([32]byte{'s', 'd', 'e', 's', 'm'}))
	s := sdesSuites[0]
	var calls []sdesCall
	var psk []byte
	for i := 0; i < 2; i++ {
		spec := sdesSpec(120, i, 25)
		if i == 1 {
			// The same PSK, another exchange: new CSB ID, RAND, SSRCs, TGK.
			other := sdesSpec(121, i, 25)
			other.Exchange.PSK = spec.Exchange.PSK
			spec = other
		}
		psk = spec.Exchange.PSK
		ka, sa := sdesKeys(r, s)
		kb, sb := sdesKeys(r, s)
		sd := &scenario.SDESKeying{OfferMIKEY: true,
			OfferCrypto: []string{"1 AES_CM_128_HMAC_SHA1_80 " + inlineKey(ka, sa)},
			Send:        [2]scenario.SDESSend{{Profile: s.profile, Key: ka, Salt: sa}, {Profile: s.profile, Key: kb, Salt: sb}}}
		c := sdesCall{policy: [2]string{s.name, s.name}}
		if i == 0 {
			sd.AnswerCrypto = []string{"1 AES_CM_128_HMAC_SHA1_80 " + inlineKey(kb, sb)}
			c.keyFrom = [2]string{"SDES a=crypto tag 1 of the offer (the answer kept SDES)", "SDES a=crypto tag 1 of the answer"}
		} else {
			sd.AnswerMIKEY = true
			c.keyFrom = [2]string{"TGK of the MIKEY-PSK exchange, CS 1 (the answer kept MIKEY)", "TGK of the MIKEY-PSK exchange, CS 2"}
		}
		spec.SDES = sd
		c.spec = spec
		calls = append(calls, c)
	}
	desc := "sdes/sip-sdes-mikey: two SIP calls whose offers carry both a=key-mgmt:mikey (MIKEY-PSK) and a=crypto (SDES); the first answer keeps SDES, the second MIKEY"
	return sdesSample(calls, sdesKeysFile(desc, calls, fmt.Sprintf("# MIKEY-PSK pre-shared key of both calls:\npsk %s", hex.EncodeToString(psk))), desc,
		"expected: sdp.crypto-and-key-mgmt at both offers and at both answers (kept SDES / kept MIKEY); every stream decrypts, call 1 with the SDES keys, call 2 with the MIKEY keys")
}
