package main

// Mission-critical samples (3GPP TS 33.180): a private call keyed by a PCK
// and a group key (GMK) distribution, with UID identities from a KMS of
// UserIdFormat 2 (internal/mckms, fixed seed) and its provisioning
// documents (KmsCertificate, KmsKeySet).

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/pion/srtp/v3"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/mckms"
	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	mskeys "github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/mikey"
)

// MC identities, key ids and addresses (README documents them).
const (
	MCKMSURI  = "kms.mcptt.example.org"
	MCAlice   = "sip:alice@mcptt.example.org"
	MCBob     = "sip:bob@mcptt.example.org"
	MCCarol   = "sip:carol@mcptt.example.org"
	MCGMS     = "sip:gms@mcptt.example.org"
	MCGroup   = "sip:group-fire@mcptt.example.org"
	MCPCKID   = uint32(0x1c0ffee5) // purpose 1 (PCK)
	MCGMKID   = uint32(0x0a11ce55) // purpose 0 (GMK)
	MCSSRCA   = uint32(0x3c0a11ce)
	MCSSRCB   = uint32(0x3c0b0b00)
	MCPackets = 30
	// The group call: alice's and bob's talk bursts (TS 33.180 §7.3: SRTP
	// keyed by the GMK, the MKI GMK-ID ‖ the sender's GUK-ID).
	MCGroupSSRCA = uint32(0x4c0a11ce)
	MCGroupSSRCB = uint32(0x4c0b0b00)
	// MCGroupCSID is the crypto session of the GMK messages (§E.1.3: 4, a
	// GMK for MCPTT group calls).
	MCGroupCSID = uint8(4)
)

var (
	mcPeriod   = mikey.KeyPeriod{Length: 2592000} // 30 days, as published KMSs use
	mcAliceSIP = netip.MustParseAddrPort("192.0.2.30:5060")
	mcBobSIP   = netip.MustParseAddrPort("198.51.100.40:5060")
	mcGMSSIP   = netip.MustParseAddrPort("203.0.113.5:5060")
	mcGMSRTP   = netip.MustParseAddrPort("203.0.113.5:51400")
	mcGroupRTP = netip.MustParseAddrPort("192.0.2.30:49500") // alice's media in the group call
	mcGroupRND = []byte("MC group RAND #1")
	mcAliceRTP = netip.MustParseAddrPort("192.0.2.30:49400")
	mcBobRTP   = netip.MustParseAddrPort("198.51.100.40:50400")
	mcPCK      = []byte("MC private key!!")
	mcGMK      = []byte("MC group key #1!")
)

// mcWorld is the KMS and the key sets of the samples.
type mcWorld struct {
	kms                              *mckms.KMS
	n                                uint64
	alice, bob, bobPrev, carol, gms  mckms.KeySet
	aliceGMK, bobGMK                 uint32 // GUK-IDs
	privateMsg, groupAlice, groupBob *mikey.Message
	privateSRTPLines                 []string
}

func newMCWorld() (*mcWorld, error) {
	kms, err := mckms.New("mikeyscope samples/sakke MC KMS", MCKMSURI, mcPeriod)
	if err != nil {
		return nil, err
	}
	w := &mcWorld{kms: kms, n: kms.PeriodNo(start)}
	for _, x := range []struct {
		out *mckms.KeySet
		uri string
		n   uint64
	}{{&w.alice, MCAlice, w.n}, {&w.bob, MCBob, w.n}, {&w.bobPrev, MCBob, w.n - 1}, {&w.carol, MCCarol, w.n}, {&w.gms, MCGMS, w.n}} {
		if *x.out, err = kms.UIDKeySet(x.uri, x.n); err != nil {
			return nil, err
		}
	}
	build := func(from, to mckms.KeySet, csb uint32, ssv []byte, sessions []mikey.GenericCS, rnd string) (*mikey.Message, error) {
		return mikey.BuildSAKKE(mikey.SAKKEBuild{CSBID: csb, Time: start, Rand: []byte(rnd), Sessions: sessions,
			Policies: []*mikey.SPPayload{scenario.PolicyAEADAES128GCMSP(0)}, InitiatorKMS: MCKMSURI, ResponderKMS: MCKMSURI,
			SSV: ssv, Z: kms.Z, KPAK: kms.KPAK, PVT: from.PVT, SSK: mikey.Secret(from.SSK),
			InitiatorID: from.UID, ResponderID: to.UID, UIDs: true, IDScheme: 2, KeyParams: true,
			Rnd: &mckms.Seeded{Seed: "MC ECCSI j " + rnd}})
	}
	pckMKI := binary.BigEndian.AppendUint32(nil, MCPCKID)
	// TS 33.180 §E.1.3: CS 0 is the initiator's media, CS 1 the receiver's.
	if w.privateMsg, err = build(w.alice, w.bob, MCPCKID, mcPCK, []mikey.GenericCS{
		{CSID: 0, Prot: mikey.ProtSRTP, S: true, Policies: []byte{0}, SessionData: sessionData(MCSSRCA), SPI: pckMKI},
		{CSID: 1, Prot: mikey.ProtSRTP, S: true, Policies: []byte{0}, SessionData: sessionData(MCSSRCB), SPI: pckMKI},
	}, "MC private RAND!"); err != nil {
		return nil, err
	}
	for _, x := range []struct {
		to  mckms.KeySet
		guk *uint32
		msg **mikey.Message
	}{{w.alice, &w.aliceGMK, &w.groupAlice}, {w.bob, &w.bobGMK, &w.groupBob}} {
		*x.guk = mikey.GUKID(mcGMK, x.to.UserURI, MCGMKID)
		mki := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, MCGMKID), *x.guk)
		if *x.msg, err = build(w.gms, x.to, *x.guk, mcGMK, []mikey.GenericCS{{CSID: MCGroupCSID, Prot: mikey.ProtSRTP, Policies: []byte{0}, SPI: mki}}, string(mcGroupRND)); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// mcFiles returns the MC samples' files by name.
func mcFiles() (map[string][]byte, error) {
	w, err := newMCWorld()
	if err != nil {
		return nil, err
	}
	private, lines, err := w.privateCall()
	if err != nil {
		return nil, err
	}
	group, groupLines, err := w.groupKeys()
	if err != nil {
		return nil, err
	}
	keysFile := func(what string, xmls ...string) []byte {
		var b strings.Builder
		b.WriteString("# mikeyscope keys for the mission-critical samples of samples/sakke (3GPP TS 33.180, UIDs)\n" + mskeys.PublicMarker + "\n")
		b.WriteString("# " + what + "\n")
		for _, x := range xmls {
			fmt.Fprintf(&b, "kms-xml %s\n", x)
		}
		return []byte(b.String())
	}
	privLines := "the KMS certificate and bob's key set for the message's key period " + fmt.Sprint(w.n)
	out := map[string][]byte{
		"mc-private-call.pcap":                 private,
		"mc-group-keys.pcap":                   group,
		"mc-kms.xml":                           w.kms.CertificateXML(MCBob, start),
		"mc-bob.xml":                           w.kms.KeyProvXML(MCBob, start, w.bob),
		"mc-bob-previous.xml":                  w.kms.KeyProvXML(MCBob, start, w.bobPrev),
		"mc-carol.xml":                         w.kms.KeyProvXML(MCCarol, start, w.carol),
		"mc-alice.xml":                         w.kms.KeyProvXML(MCAlice, start, w.alice),
		"mc-private-call.keys":                 append(keysFile(privLines, "mc-kms.xml", "mc-bob.xml"), []byte("# For cross-checks only; mikeyscope derives these from the PCK:\n# "+strings.Join(lines, "\n# ")+"\n")...),
		"mc-private-call-wrong-period.keys":    keysFile(fmt.Sprintf("DELIBERATELY WRONG: bob's key set for key period %d, not the message's %d", w.n-1, w.n), "mc-kms.xml", "mc-bob-previous.xml"),
		"mc-private-call-wrong-recipient.keys": keysFile("DELIBERATELY WRONG: carol's key set; the message is for bob", "mc-kms.xml", "mc-carol.xml"),
		"mc-group-keys.keys": append(keysFile("the KMS certificate and the key sets of the group members alice and bob", "mc-kms.xml", "mc-alice.xml", "mc-bob.xml"),
			[]byte("# For cross-checks only; mikeyscope derives these from the GMK:\n# "+strings.Join(groupLines, "\n# ")+"\n")...),
		"mc-group-keys-bob.keys": keysFile("the KMS certificate and the key set of one group member, bob: his GMK message opens, and the group call decrypts with it", "mc-kms.xml", "mc-bob.xml"),
	}
	return out, nil
}

// mcptt-info body with the parties' MC identities and, when given, the
// I_MESSAGE in base64 (TS 24.379 mcptt-info carries the identities; the
// element holding the I_MESSAGE is this sample's).
func mcpttInfo(calling, called string, imsg []byte) []byte {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<mcpttinfo xmlns=\"urn:3gpp:ns:mcpttInfo:1.0\">\r\n<mcptt-Params>\r\n")
	fmt.Fprintf(&b, "<mcptt-calling-user-id type=\"Normal\">%s</mcptt-calling-user-id>\r\n", calling)
	fmt.Fprintf(&b, "<mcptt-called-party-id type=\"Normal\">%s</mcptt-called-party-id>\r\n", called)
	if imsg != nil {
		b64 := base64.StdEncoding.EncodeToString(imsg)
		b.WriteString("<mikey-sakke-i-message>\r\n")
		for len(b64) > 76 {
			b.WriteString(b64[:76] + "\r\n")
			b64 = b64[76:]
		}
		b.WriteString(b64 + "\r\n</mikey-sakke-i-message>\r\n")
	}
	b.WriteString("</mcptt-Params>\r\n</mcpttinfo>\r\n")
	return []byte(b.String())
}

type pcapSink struct {
	b   *framebuild.Builder
	buf bytes.Buffer
	w   *pcapwrite.Writer
}

func newPcapSink() (*pcapSink, error) {
	s := &pcapSink{b: &framebuild.Builder{}}
	var err error
	s.w, err = pcapwrite.NewWriter(&s.buf, pcapwrite.FormatPcap)
	return s, err
}

func (s *pcapSink) send(t time.Time, src, dst netip.AddrPort, payload []byte) error {
	f, err := s.b.UDP(src, dst, payload)
	if err != nil {
		return err
	}
	return s.w.WriteFrame(t, f)
}

// privateCall is an MCPTT private call: the INVITE's multipart body has the
// SDP offer (the I_MESSAGE in a=key-mgmt, UIDs only, no URIs) and an
// mcptt-info body naming the parties; the SIP URIs are the users' IMS
// identities, not their MC identities. AES-GCM SRTP both ways with the
// PCK-ID as MKI.
func (w *mcWorld) privateCall() ([]byte, []string, error) {
	m := w.privateMsg
	c := &scenario.Call{CallID: "mc-private-1@ims.example.org", Transport: "UDP", Caller: mcAliceSIP, Callee: mcBobSIP,
		CallerUser: "+447700900130", CalleeUser: "+15551230040", Domain: "ims.example.org", FromTag: "mca", ToTag: "mcb",
		Branch: "z9hG4bKmcpriv", CallerRTP: mcAliceRTP, CalleeRTP: mcBobRTP, SessionID: 33180, InviteCSeq: 1, ByeSeq: 1}
	s, err := newPcapSink()
	if err != nil {
		return nil, nil, err
	}
	offer := scenario.SDP(c.CallerUser, c.SessionID, mcAliceRTP, base64.StdEncoding.EncodeToString(m.Raw))
	body := "--mcb1\r\nContent-Type: application/sdp\r\n\r\n" + string(offer) +
		"\r\n--mcb1\r\nContent-Type: application/vnd.3gpp.mcptt-info+xml\r\n\r\n" + string(mcpttInfo(MCAlice, MCBob, nil)) + "\r\n--mcb1--\r\n"
	answer := scenario.SDP(c.CalleeUser, c.SessionID+1, mcBobRTP, "")
	for _, x := range []struct {
		at       time.Duration
		msg      []byte
		src, dst netip.AddrPort
	}{
		{0, c.Invite("multipart/mixed;boundary=mcb1", []byte(body)), mcAliceSIP, mcBobSIP},
		{5 * time.Millisecond, c.Trying(), mcBobSIP, mcAliceSIP},
		{time.Second, c.OK("application/sdp", answer), mcBobSIP, mcAliceSIP},
		{time.Second + 10*time.Millisecond, c.Ack(), mcAliceSIP, mcBobSIP},
	} {
		if err := s.send(start.Add(x.at), x.src, x.dst, x.msg); err != nil {
			return nil, nil, err
		}
	}
	var lines []string
	var senders [2]*scenario.Sender
	mki := binary.BigEndian.AppendUint32(nil, MCPCKID)
	for d, ssrc := range []uint32{MCSSRCA, MCSSRCB} {
		// The PCK as TGK, CS ID 0/1, CSB ID the PCK-ID (RFC 3830 §4.1.3,
		// PRF-HMAC-SHA-256, TS 33.180 §E.1.2).
		key, err := mikey.DeriveTEK(m.Header.PRF, mcPCK, uint8(d), MCPCKID, m.RAND().Rand, 16)
		if err != nil {
			return nil, nil, err
		}
		salt, err := mikey.DeriveTEKSalt(m.Header.PRF, mcPCK, uint8(d), MCPCKID, m.RAND().Rand, 12)
		if err != nil {
			return nil, nil, err
		}
		lines = append(lines, fmt.Sprintf("srtp 0x%08x=%x:%x (MKI %x)", ssrc, key, salt, mki))
		if senders[d], err = scenario.NewSender(scenario.StreamParams{SSRC: ssrc, PayloadType: scenario.PayloadPCMU,
			FirstSeq: FirstSeq, FirstTS: 8000 * uint32(d+1), TSStep: scenario.FrameSamples, CNAME: c.CallerUser,
			Profile: srtp.ProtectionProfileAeadAes128Gcm, Key: key, Salt: salt, MKI: mki}); err != nil {
			return nil, nil, err
		}
	}
	media0 := start.Add(time.Second + 20*time.Millisecond)
	ends := [2][2]netip.AddrPort{{mcAliceRTP, mcBobRTP}, {mcBobRTP, mcAliceRTP}}
	for k := 0; k < MCPackets; k++ {
		for d := 0; d < 2; d++ {
			p, err := senders[d].Next(scenario.Payload([]uint32{MCSSRCA, MCSSRCB}[d], senders[d].Seq()), k == 0, false)
			if err != nil {
				return nil, nil, err
			}
			if err := s.send(media0.Add(time.Duration(k)*20*time.Millisecond+time.Duration(d)*7*time.Millisecond), ends[d][0], ends[d][1], p); err != nil {
				return nil, nil, err
			}
		}
	}
	end := media0.Add(MCPackets * 20 * time.Millisecond)
	for d := 0; d < 2; d++ {
		sr, err := senders[d].SenderReport(end)
		if err != nil {
			return nil, nil, err
		}
		rtcp := func(a netip.AddrPort) netip.AddrPort { return netip.AddrPortFrom(a.Addr(), a.Port()+1) }
		if err := s.send(end.Add(time.Duration(d)*time.Millisecond), rtcp(ends[d][0]), rtcp(ends[d][1]), sr); err != nil {
			return nil, nil, err
		}
	}
	if err := s.send(end.Add(20*time.Millisecond), mcBobSIP, mcAliceSIP, c.Bye()); err != nil {
		return nil, nil, err
	}
	if err := s.send(end.Add(25*time.Millisecond), mcAliceSIP, mcBobSIP, c.ByeOK()); err != nil {
		return nil, nil, err
	}
	return s.buf.Bytes(), lines, nil
}

// sipMessage is a SIP MESSAGE request (RFC 3428) and its 200 OK.
func sipMessage(callID, from, to string, src, dst netip.AddrPort, ctype string, body []byte) (req, ok []byte) {
	h := func(b *strings.Builder, lines ...string) {
		for _, l := range lines {
			b.WriteString(l + "\r\n")
		}
	}
	var r strings.Builder
	h(&r, "MESSAGE "+to+" SIP/2.0", "Via: SIP/2.0/UDP "+src.String()+";branch=z9hG4bK"+callID[:8], "Max-Forwards: 70",
		"From: <"+from+">;tag=gms1", "To: <"+to+">", "Call-ID: "+callID, "CSeq: 1 MESSAGE", "P-Asserted-Identity: <"+from+">",
		"Content-Type: "+ctype, fmt.Sprintf("Content-Length: %d", len(body)), "")
	r.Write(body)
	var o strings.Builder
	h(&o, "SIP/2.0 200 OK", "Via: SIP/2.0/UDP "+src.String()+";branch=z9hG4bK"+callID[:8], "From: <"+from+">;tag=gms1", "To: <"+to+">;tag=m2",
		"Call-ID: "+callID, "CSeq: 1 MESSAGE", "Content-Length: 0", "")
	return []byte(r.String()), []byte(o.String())
}

// groupKeys is a group key distribution followed by a group call: the GMS
// sends the group's GMK to alice and to bob in SIP MESSAGEs, each
// I_MESSAGE in an mcptt-info body and encapsulated for the member, its CSB
// ID the member's GUK-ID; then alice calls the group (an INVITE to the
// GMS whose mcptt-info names the group, an SDP without key management),
// and the call's media carries alice's talk burst and bob's, forwarded by
// the GMS, keyed by the GMK.
func (w *mcWorld) groupKeys() ([]byte, []string, error) {
	s, err := newPcapSink()
	if err != nil {
		return nil, nil, err
	}
	for i, x := range []struct {
		to  string
		dst netip.AddrPort
		msg *mikey.Message
	}{{MCAlice, mcAliceSIP, w.groupAlice}, {MCBob, mcBobSIP, w.groupBob}} {
		req, ok := sipMessage(fmt.Sprintf("gmkdist%d@gms.example.org", i+1), MCGMS, x.to, mcGMSSIP, x.dst,
			"application/vnd.3gpp.mcptt-info+xml", mcpttInfo(MCGMS, x.to, x.msg.Raw))
		at := start.Add(time.Duration(i) * 100 * time.Millisecond)
		if err := s.send(at, mcGMSSIP, x.dst, req); err != nil {
			return nil, nil, err
		}
		if err := s.send(at.Add(20*time.Millisecond), x.dst, mcGMSSIP, ok); err != nil {
			return nil, nil, err
		}
	}
	lines, err := w.groupCall(s, start.Add(time.Second))
	return s.buf.Bytes(), lines, err
}

// groupInfo is the mcptt-info body of a group call INVITE (TS 24.379): the
// group in mcptt-request-uri, the caller in mcptt-calling-user-id.
func groupInfo(caller, group string) []byte {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<mcpttinfo xmlns=\"urn:3gpp:ns:mcpttInfo:1.0\">\r\n<mcptt-Params>\r\n")
	fmt.Fprintf(&b, "<session-type>prearranged</session-type>\r\n<mcptt-request-uri type=\"Normal\">%s</mcptt-request-uri>\r\n", group)
	fmt.Fprintf(&b, "<mcptt-calling-user-id type=\"Normal\">%s</mcptt-calling-user-id>\r\n", caller)
	b.WriteString("</mcptt-Params>\r\n</mcpttinfo>\r\n")
	return []byte(b.String())
}

// groupKeyMaterial is the SRTP master key and salt of a talker in the
// group call, derived here from the GMK as Etherstack's published vectors
// have it (internal/mcvectors.GroupSRTPs): the GMK is the TGK of the MIKEY
// key derivation (RFC 3830 §4.1.3, PRF-HMAC-SHA-256) with the CS ID of
// the GMK's crypto session, the sender's GUK-ID as CSB ID (every talker
// has keys of its own) and the RAND of the distribution messages (the
// same in both).
func groupKeyMaterial(senderGUK uint32) (key, salt []byte, err error) {
	if key, err = mikey.DeriveTEK(mikey.PRFFuncHMACSHA256, mcGMK, MCGroupCSID, senderGUK, mcGroupRND, 16); err != nil {
		return nil, nil, err
	}
	salt, err = mikey.DeriveTEKSalt(mikey.PRFFuncHMACSHA256, mcGMK, MCGroupCSID, senderGUK, mcGroupRND, 12)
	return key, salt, err
}

// groupCall writes the group call from t0: INVITE (multipart SDP and
// mcptt-info), 200 OK, ACK, alice's talk burst to the GMS, bob's talk
// burst forwarded by the GMS to alice, an SRTCP sender report each, BYE.
// AES-GCM SRTP (the GMK messages' SP) by pion/srtp, MKI GMK-ID ‖ the
// sender's GUK-ID, each talker's keys derived with its GUK-ID.
func (w *mcWorld) groupCall(s *pcapSink, t0 time.Time) ([]string, error) {
	c := &scenario.Call{CallID: "mc-group-1@ims.example.org", Transport: "UDP", Caller: mcAliceSIP, Callee: mcGMSSIP,
		CallerUser: "alice", CalleeUser: "group-fire", Domain: "mcptt.example.org", FromTag: "mcga", ToTag: "mcgg",
		Branch: "z9hG4bKmcgroup", CallerRTP: mcGroupRTP, CalleeRTP: mcGMSRTP, SessionID: 33181, InviteCSeq: 1, ByeSeq: 1}
	offer := scenario.SDP(c.CallerUser, c.SessionID, mcGroupRTP, "")
	body := "--mcg1\r\nContent-Type: application/sdp\r\n\r\n" + string(offer) +
		"\r\n--mcg1\r\nContent-Type: application/vnd.3gpp.mcptt-info+xml\r\n\r\n" + string(groupInfo(MCAlice, MCGroup)) + "\r\n--mcg1--\r\n"
	answer := scenario.SDP("gms", c.SessionID+1, mcGMSRTP, "")
	for _, x := range []struct {
		at       time.Duration
		msg      []byte
		src, dst netip.AddrPort
	}{
		{0, c.Invite("multipart/mixed;boundary=mcg1", []byte(body)), mcAliceSIP, mcGMSSIP},
		{5 * time.Millisecond, c.Trying(), mcGMSSIP, mcAliceSIP},
		{200 * time.Millisecond, c.OK("application/sdp", answer), mcGMSSIP, mcAliceSIP},
		{210 * time.Millisecond, c.Ack(), mcAliceSIP, mcGMSSIP},
	} {
		if err := s.send(t0.Add(x.at), x.src, x.dst, x.msg); err != nil {
			return nil, err
		}
	}
	var lines []string
	media := t0.Add(220 * time.Millisecond)
	rtcp := func(a netip.AddrPort) netip.AddrPort { return netip.AddrPortFrom(a.Addr(), a.Port()+1) }
	for i, x := range []struct {
		ssrc     uint32
		member   string
		src, dst netip.AddrPort
	}{{MCGroupSSRCA, MCAlice, mcGroupRTP, mcGMSRTP}, {MCGroupSSRCB, MCBob, mcGMSRTP, mcGroupRTP}} {
		guk := mikey.GUKID(mcGMK, x.member, MCGMKID)
		mki := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, MCGMKID), guk)
		key, salt, err := groupKeyMaterial(guk)
		if err != nil {
			return nil, err
		}
		lines = append(lines, fmt.Sprintf("srtp 0x%08x=%x:%x (group call, %s, MKI %x: CS ID %d, CSB ID the GUK-ID, RAND %q)", x.ssrc, key, salt, x.member, mki, MCGroupCSID, mcGroupRND))
		snd, err := scenario.NewSender(scenario.StreamParams{SSRC: x.ssrc, PayloadType: scenario.PayloadPCMU,
			FirstSeq: FirstSeq + uint16(i)*1000, FirstTS: 16000 * uint32(i+1), TSStep: scenario.FrameSamples, CNAME: x.member,
			Profile: srtp.ProtectionProfileAeadAes128Gcm, Key: key, Salt: salt, MKI: mki})
		if err != nil {
			return nil, err
		}
		for k := 0; k < MCPackets; k++ {
			p, err := snd.Next(scenario.Payload(x.ssrc, snd.Seq()), k == 0, false)
			if err != nil {
				return nil, err
			}
			if err := s.send(media.Add(time.Duration(k)*20*time.Millisecond), x.src, x.dst, p); err != nil {
				return nil, err
			}
		}
		end := media.Add(MCPackets * 20 * time.Millisecond)
		sr, err := snd.SenderReport(end)
		if err != nil {
			return nil, err
		}
		if err := s.send(end, rtcp(x.src), rtcp(x.dst), sr); err != nil {
			return nil, err
		}
		media = end.Add(100 * time.Millisecond) // the floor passes to the next talker
	}
	if err := s.send(media, mcAliceSIP, mcGMSSIP, c.Bye()); err != nil {
		return nil, err
	}
	if err := s.send(media.Add(5*time.Millisecond), mcGMSSIP, mcAliceSIP, c.ByeOK()); err != nil {
		return nil, err
	}
	return lines, nil
}
