package scenario

import (
	"encoding/base64"

	"github.com/pion/srtp/v3"

	msrtp "github.com/mikeyscope/mikeyscope/srtp"
)

// SDESKeying keys a call with SDP Security Descriptions (RFC 4568) instead
// of, or beside, its MIKEY exchange: the offer and the answer carry these
// a=crypto values at media level, and each side protects its media (with
// pion/srtp) with the key in Send, normally the one its own attribute
// declares.
type SDESKeying struct {
	OfferCrypto  []string // a=crypto values (after "a=crypto:") of the offer
	AnswerCrypto []string // of the answer
	// OfferMIKEY keeps the MIKEY a=key-mgmt in the offer (RFC 4567 and
	// RFC 4568 offered together); AnswerMIKEY answers with the MIKEY
	// response instead of SDES, and the media then uses the MIKEY keys.
	OfferMIKEY, AnswerMIKEY bool
	// Send is what the caller (0) and the callee (1) protect their media
	// with when the answer kept SDES.
	Send [2]SDESSend
}

// SDESSend is the SRTP context one side sends with.
type SDESSend struct {
	Profile srtp.ProtectionProfile
	// Policy, when set, replaces Profile: the side seals with the
	// project's srtp package under it (AES_192_CM, F8_128: pion/srtp
	// implements neither).
	Policy           *msrtp.Policy
	Key, Salt, MKI   []byte
	UnencryptedSRTCP bool
}

// sdesSetup replaces the senders' MIKEY keys by the SDES ones when the
// answer kept SDES.
func (g *SIPCallGen) sdesSetup(names [2]string) error {
	sd := g.spec.SDES
	if sd.AnswerMIKEY {
		return nil
	}
	for i := 0; i < 2; i++ {
		s := sd.Send[i]
		var roc uint32
		if i < len(g.spec.Exchange.ROCs) {
			roc = g.spec.Exchange.ROCs[i]
		}
		snd, err := NewSender(StreamParams{SSRC: g.spec.Exchange.SSRCs[i], PayloadType: PayloadPCMU, ROC: roc,
			FirstSeq: g.spec.FirstSeq[i], FirstTS: g.spec.FirstTS[i], TSStep: FrameSamples, CNAME: names[i],
			Profile: s.Profile, Policy: s.Policy, Key: s.Key, Salt: s.Salt, MKI: s.MKI, NoSRTCPEncryption: s.UnencryptedSRTCP})
		if err != nil {
			return err
		}
		g.senders[i] = snd
		g.Keys[i] = [2][]byte{s.Key, s.Salt}
	}
	return nil
}

// sdesSDPs returns the offer and answer SDP of an SDES call.
func (g *SIPCallGen) sdesSDPs() (offer, answer []byte, offerMIKEY, answerMIKEY int) {
	c, sd := &g.spec.Call, g.spec.SDES
	km := func(on bool, msg []byte) (string, int) {
		if !on {
			return "", 0
		}
		return base64.StdEncoding.EncodeToString(msg), 1
	}
	lines := func(vals []string) []string {
		var out []string
		for _, v := range vals {
			out = append(out, "a=crypto:"+v)
		}
		return out
	}
	okm, on := km(sd.OfferMIKEY, g.Offer)
	akm, an := km(sd.AnswerMIKEY, g.Answer)
	return SDP(c.CallerUser, c.SessionID, c.CallerRTP, okm, lines(sd.OfferCrypto)...),
		SDP(c.CalleeUser, c.SessionID+1, c.CalleeRTP, akm, lines(sd.AnswerCrypto)...), on, an
}
