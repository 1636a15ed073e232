package scenario

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapbuild"
	"github.com/mikeyscope/mikeyscope/mikey"
)

// SIPCallSpec describes how one SIP call with MIKEY-PSK keyed SRTP is put on
// the wire.
type SIPCallSpec struct {
	Call     Call
	Exchange PSKExchange // SSRCs[0] is the caller's stream, SSRCs[1] the callee's
	Start    time.Time
	// Packets is the number of SRTP packets each direction sends (20 ms apart).
	Packets int
	// SREvery sends an SRTCP sender report after every SREvery packets of a
	// stream and after its last packet; 0 sends one after the last only.
	SREvery int
	// InviteFragments, when > 1, splits the UDP INVITE into that many IP
	// fragments written in FragmentOrder (indices; nil means in order).
	InviteFragments int
	FragmentOrder   []int
	// TCPCuts splits the INVITE into segments before these offsets (TCP
	// only), written in SegmentOrder (nil means in order).
	TCPCuts      []int
	SegmentOrder []int
	// InviteBody overrides the INVITE body (with InviteContentType); by
	// default the body is the SDP offer. Use OfferSDP to build it.
	InviteBody        func(offer []byte) (contentType string, body []byte)
	FirstSeq          [2]uint16
	FirstTS           [2]uint32
	CallerCNAME       string
	CalleeCNAME       string
	AnswerAfter       time.Duration // INVITE to 200 OK; 1 s when 0
	MediaStartsAfterA time.Duration // 200 OK to first media; 20 ms when 0
	// Reject makes the callee answer the INVITE with 488 Not Acceptable
	// Here carrying a MIKEY error message with this code (RFC 4567 §4.1.2)
	// instead of 200 OK; no media or BYE follow. Only used when RejectSet.
	Reject    mikey.ErrorCode
	RejectSet bool
	// SSRCChangeAfter, when not zero for direction d (0 caller, 1 callee),
	// makes that sender continue with SSRC NewSSRC[d] after that many RTP
	// packets, under the same keys; SRTCP then reports the new SSRC.
	SSRCChangeAfter [2]int
	NewSSRC         [2]uint32
	// MediaDelay delays the media of direction d (0 caller, 1 callee) by
	// that much, so that the callee's stream can start first.
	MediaDelay [2]time.Duration
	// MIKEYBody carries each MIKEY message as an application/mikey part
	// (RFC 3830 §10.1, base64 with Content-Transfer-Encoding) of a
	// multipart/mixed body beside an SDP without a=key-mgmt, in the INVITE
	// and in the answer, instead of in an a=key-mgmt line.
	MIKEYBody bool
	// DH, when not nil, replaces MIKEY-PSK by DHHMAC (RFC 4650) with the
	// same identities, RAND, CS map and PSK: the TGK is g^(xi·xr) and
	// Exchange.TGK is ignored.
	DH *DHParams
	// SDES, when not nil, keys the call with a=crypto (sdes.go).
	SDES *SDESKeying
}

// SIPCallGen yields the frames of one call in time order.
type SIPCallGen struct {
	spec    SIPCallSpec
	b       *framebuild.Builder
	tcp     *pcapbuild.TCPConn
	pre     []Frame // signalling frames before and during media, in time order
	post    []Frame
	senders [2]*Sender
	media0  time.Time
	sent    [2]int
	sr      [2]int
	buf     []byte
	pay     []byte
	frame   Frame
	// Offer and Answer are the MIKEY messages of the INVITE and 200 OK.
	Offer, Answer []byte
	// Keys holds the SRTP master key and salt of each direction.
	Keys [2][2][]byte
	// TGK is the TGK the SRTP keys come from (the DH result for DHHMAC).
	TGK []byte
}

// NewSIPCallGen prepares the frames of a call. All frames of the call use b
// (for IP identification numbering); frames are built lazily by Next.
func NewSIPCallGen(spec SIPCallSpec, b *framebuild.Builder) (*SIPCallGen, error) {
	g := &SIPCallGen{spec: spec, b: b, buf: make([]byte, 0, 512), pay: make([]byte, 0, FrameSamples)}
	c := &spec.Call
	var err error
	if g.Offer, g.Answer, spec.Exchange.TGK, err = exchangeMessages(&spec); err != nil {
		return nil, err
	}
	g.TGK = spec.Exchange.TGK
	names := [2]string{spec.CallerCNAME, spec.CalleeCNAME}
	for i := 0; i < 2; i++ {
		key, salt, err := spec.Exchange.SRTPKeys(uint8(i + 1))
		if err != nil {
			return nil, err
		}
		g.Keys[i] = [2][]byte{key, salt}
		var roc uint32
		if i < len(spec.Exchange.ROCs) {
			roc = spec.Exchange.ROCs[i]
		}
		g.senders[i], err = NewSender(StreamParams{SSRC: spec.Exchange.SSRCs[i], PayloadType: PayloadPCMU, ROC: roc,
			FirstSeq: spec.FirstSeq[i], FirstTS: spec.FirstTS[i], TSStep: FrameSamples, CNAME: names[i],
			Profile: spec.Exchange.Suite.Profile(), Key: key, Salt: salt})
		if err != nil {
			return nil, err
		}
	}
	offer := SDP(c.CallerUser, c.SessionID, c.CallerRTP, base64.StdEncoding.EncodeToString(g.Offer))
	answer := SDP(c.CalleeUser, c.SessionID+1, c.CalleeRTP, base64.StdEncoding.EncodeToString(g.Answer))
	offerMIKEY, answerMIKEY := 1, 1
	if spec.SDES != nil {
		if err := g.sdesSetup(names); err != nil {
			return nil, err
		}
		offer, answer, offerMIKEY, answerMIKEY = g.sdesSDPs()
	}
	ctype, body := "application/sdp", offer
	answerType := "application/sdp"
	if spec.MIKEYBody {
		ctype, body = MIKEYMultipart(SDP(c.CallerUser, c.SessionID, c.CallerRTP, ""), g.Offer)
		answerType, answer = MIKEYMultipart(SDP(c.CalleeUser, c.SessionID+1, c.CalleeRTP, ""), g.Answer)
	}
	if spec.InviteBody != nil {
		ctype, body = spec.InviteBody(offer)
	}
	answerAfter := spec.AnswerAfter
	if answerAfter == 0 {
		answerAfter = time.Second
	}
	mediaAfter := spec.MediaStartsAfterA
	if mediaAfter == 0 {
		mediaAfter = 20 * time.Millisecond
	}
	t := spec.Start
	if c.Transport == "TCP" {
		g.tcp = pcapbuild.NewTCPConn(b, c.Caller, c.Callee, 0x1000_0000|spec.Exchange.CSBID>>4, 0x2000_0000|spec.Exchange.CSBID>>8)
		hs, err := g.tcp.Handshake()
		if err != nil {
			return nil, err
		}
		for i, f := range hs {
			g.pre = append(g.pre, Frame{Time: t.Add(time.Duration(i-3) * time.Millisecond), Data: f, Kind: KindTCP})
		}
	}
	if err := g.signal(&g.pre, t, true, c.Invite(ctype, body), "INVITE", offerMIKEY, spec.InviteFragments, spec.FragmentOrder, spec.TCPCuts, spec.SegmentOrder); err != nil {
		return nil, err
	}
	steps := []sipStep{
		{5 * time.Millisecond, c.Trying(), "100 Trying", 0, false},
		{50 * time.Millisecond, c.Ringing(), "180 Ringing", 0, false},
		{answerAfter, c.OK(answerType, answer), "200 OK (INVITE)", answerMIKEY, false},
		{answerAfter + 10*time.Millisecond, c.Ack(), "ACK", 0, true},
	}
	if spec.RejectSet {
		steps = append(steps[:2],
			sipStep{answerAfter, c.Reject488(answerType, answer), "488 Not Acceptable Here (INVITE)", 1, false},
			sipStep{answerAfter + 10*time.Millisecond, c.AckNon2xx(), "ACK", 0, true})
		g.spec.Packets = 0
	}
	for _, s := range steps {
		if err := g.signal(&g.pre, t.Add(s.after), s.fromA, s.msg, s.name, s.mikey, 0, nil, nil, nil); err != nil {
			return nil, err
		}
	}
	g.media0 = t.Add(answerAfter + mediaAfter)
	if spec.RejectSet {
		return g, g.closeTCP(t.Add(answerAfter + 50*time.Millisecond))
	}
	end := g.media0.Add(time.Duration(spec.Packets) * 20 * time.Millisecond).Add(20 * time.Millisecond)
	if err := g.signal(&g.post, end, false, c.Bye(), "BYE", 0, 0, nil, nil, nil); err != nil {
		return nil, err
	}
	if err := g.signal(&g.post, end.Add(5*time.Millisecond), true, c.ByeOK(), "200 OK (BYE)", 0, 0, nil, nil, nil); err != nil {
		return nil, err
	}
	return g, g.closeTCP(end.Add(10 * time.Millisecond))
}

// MIKEYMultipart returns a multipart/mixed body (RFC 2046 §5.1) of an SDP
// part and an application/mikey part carrying msg in base64 (RFC 3830
// §10.1), and its Content-Type.
func MIKEYMultipart(sdp, msg []byte) (contentType string, body []byte) {
	const boundary = "mikey-part-boundary"
	b := make([]byte, 0, len(sdp)+len(msg)*2+200)
	b = append(b, "--"+boundary+"\r\nContent-Type: application/sdp\r\n\r\n"...)
	b = append(b, sdp...)
	b = append(b, "\r\n--"+boundary+"\r\nContent-Type: application/mikey\r\nContent-Transfer-Encoding: base64\r\n\r\n"...)
	b = append(b, base64.StdEncoding.EncodeToString(msg)...)
	b = append(b, "\r\n--"+boundary+"--\r\n"...)
	return "multipart/mixed;boundary=" + boundary, b
}

// closeTCP appends the connection close (TCP calls only) starting at t.
func (g *SIPCallGen) closeTCP(t time.Time) error {
	if g.tcp == nil {
		return nil
	}
	fin, err := g.tcp.Close(true)
	if err != nil {
		return err
	}
	for i, f := range fin {
		g.post = append(g.post, Frame{Time: t.Add(time.Duration(i) * time.Millisecond), Data: f, Kind: KindTCP})
	}
	return nil
}

// sipStep is a SIP message sent a fixed time after the INVITE.
type sipStep struct {
	after time.Duration
	msg   []byte
	name  string
	mikey int
	fromA bool // sent by the caller
}

// exchangeMessages builds the MIKEY messages of the offer and the answer
// and returns the TGK the SRTP keys derive from: DHHMAC when spec.DH is
// set (TGK g^(xi·xr)), otherwise MIKEY-PSK with a verification message or,
// for a rejected call, an error message (TGK from the exchange).
func exchangeMessages(spec *SIPCallSpec) (offer, answer, tgk []byte, err error) {
	x := &spec.Exchange
	if spec.DH != nil {
		if offer, err = x.DHHMACInit(*spec.DH); err != nil {
			return nil, nil, nil, err
		}
		if answer, err = x.DHHMACResp(*spec.DH); err != nil {
			return nil, nil, nil, err
		}
		tgk, err = DHTGK(*spec.DH)
		return offer, answer, tgk, err
	}
	if offer, err = x.Init(); err != nil {
		return nil, nil, nil, err
	}
	if spec.RejectSet {
		answer, err = x.Error(spec.Reject)
	} else {
		answer, err = x.Verify()
	}
	return offer, answer, x.TGK, err
}

// OfferSDP returns the SDP offer the INVITE of spec carries by default.
func (g *SIPCallGen) OfferSDP() []byte {
	c := &g.spec.Call
	return SDP(c.CallerUser, c.SessionID, c.CallerRTP, base64.StdEncoding.EncodeToString(g.Offer))
}

// signal appends the frames carrying one SIP message sent at t.
func (g *SIPCallGen) signal(dst *[]Frame, t time.Time, fromCaller bool, msg []byte, name string, nMIKEY int, frags int, fragOrder []int, cuts []int, segOrder []int) error {
	c := &g.spec.Call
	src, to := c.Caller, c.Callee
	if !fromCaller {
		src, to = to, src
	}
	var frames [][]byte
	var err error
	switch {
	case g.tcp != nil:
		frames, err = g.tcp.Data(fromCaller, msg, cuts...)
		frames = reorder(frames, segOrder)
	case frags > 1:
		frames, err = g.b.UDPFragments(src, to, msg, frags)
		frames = reorder(frames, fragOrder)
	default:
		var f []byte
		f, err = g.b.UDP(src, to, msg)
		frames = [][]byte{f}
	}
	if err != nil {
		return fmt.Errorf("scenario: call %s %s: %w", c.CallID, name, err)
	}
	for i, f := range frames {
		fr := Frame{Time: t.Add(time.Duration(i) * 100 * time.Microsecond), Data: f, Kind: KindSignal}
		if frags > 1 {
			fr.Kind = KindFragment
		}
		if i == len(frames)-1 {
			fr.Message, fr.MIKEY = name, nMIKEY
			fr.Kind = KindSignal
		}
		*dst = append(*dst, fr)
	}
	return nil
}

func reorder(frames [][]byte, order []int) [][]byte {
	if len(order) != len(frames) {
		return frames
	}
	out := make([][]byte, len(frames))
	for i, j := range order {
		out[i] = frames[j]
	}
	return out
}

// mediaTime returns the send time of packet k of direction d: the caller
// sends at k·20 ms, the callee 7 ms later.
func (g *SIPCallGen) mediaTime(d, k int) time.Time {
	return g.media0.Add(time.Duration(k)*20*time.Millisecond + time.Duration(d)*7*time.Millisecond + g.spec.MediaDelay[d])
}

// srDue reports whether direction d owes a sender report after its sent
// packets.
func (g *SIPCallGen) srDue(d int) bool {
	n := g.sent[d]
	if n == 0 || g.sr[d] == n {
		return false
	}
	return n == g.spec.Packets || (g.spec.SREvery > 0 && n%g.spec.SREvery == 0)
}

// PeekTime returns the time of the next frame; ok is false at the end.
func (g *SIPCallGen) PeekTime() (t time.Time, ok bool) {
	best, have := time.Time{}, false
	consider := func(t time.Time) {
		if !have || t.Before(best) {
			best, have = t, true
		}
	}
	if len(g.pre) > 0 {
		consider(g.pre[0].Time)
	}
	for d := 0; d < 2; d++ {
		if g.srDue(d) {
			consider(g.mediaTime(d, g.sent[d]-1).Add(time.Millisecond))
		} else if g.sent[d] < g.spec.Packets {
			consider(g.mediaTime(d, g.sent[d]))
		}
	}
	if !have && len(g.post) > 0 {
		consider(g.post[0].Time)
	}
	return best, have
}

// Next returns the next frame of the call in time order; ok is false at the
// end. The frame (and its Data for media) is valid until the next call.
func (g *SIPCallGen) Next() (f *Frame, ok bool, err error) {
	t, ok := g.PeekTime()
	if !ok {
		return nil, false, nil
	}
	if len(g.pre) > 0 && g.pre[0].Time.Equal(t) {
		g.frame = g.pre[0]
		g.pre = g.pre[1:]
		return &g.frame, true, nil
	}
	c := &g.spec.Call
	for d := 0; d < 2; d++ {
		src, to := c.CallerRTP, c.CalleeRTP
		if d == 1 {
			src, to = to, src
		}
		s := g.senders[d]
		if g.srDue(d) && g.mediaTime(d, g.sent[d]-1).Add(time.Millisecond).Equal(t) {
			p, err := s.SenderReport(t)
			if err != nil {
				return nil, false, err
			}
			g.sr[d] = g.sent[d]
			g.buf, err = g.b.AppendUDP(g.buf[:0], rtcpPort(src), rtcpPort(to), p)
			if err != nil {
				return nil, false, err
			}
			g.frame = Frame{Time: t, Data: g.buf, Kind: KindRTCP, SSRC: s.SSRC()}
			return &g.frame, true, nil
		}
		if !g.srDue(d) && g.sent[d] < g.spec.Packets && g.mediaTime(d, g.sent[d]).Equal(t) {
			if n := g.spec.SSRCChangeAfter[d]; n > 0 && g.sent[d] == n {
				s.SetSSRC(g.spec.NewSSRC[d])
			}
			seq := s.Seq()
			ssrc := s.SSRC()
			g.pay = AppendPCMU(g.pay[:0], ssrc, seq)
			p, err := s.Next(g.pay, g.sent[d] == 0, false)
			if err != nil {
				return nil, false, err
			}
			g.sent[d]++
			g.buf, err = g.b.AppendUDP(g.buf[:0], src, to, p)
			if err != nil {
				return nil, false, err
			}
			g.frame = Frame{Time: t, Data: g.buf, Kind: KindRTP, SSRC: ssrc, Seq: seq}
			return &g.frame, true, nil
		}
	}
	g.frame = g.post[0]
	g.post = g.post[1:]
	return &g.frame, true, nil
}

func rtcpPort(a netip.AddrPort) netip.AddrPort { return netip.AddrPortFrom(a.Addr(), a.Port()+1) }

// Sender returns the SRTP sender of direction d (0 caller, 1 callee).
func (g *SIPCallGen) Sender(d int) *Sender { return g.senders[d] }
