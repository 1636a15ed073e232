package analysis

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"

	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/mikey"
	"github.com/mikeyscope/mikeyscope/sdes"
	"github.com/mikeyscope/mikeyscope/srtp"
)

// SDES (RFC 4568): the a=crypto attributes of an offer and its answer key
// the media, each direction with the key its sender declared (§5.1: the
// offerer's attribute carries the key the offerer sends with, the
// answerer's the key the answerer sends with), matched by tag. RTSP has no
// offer/answer: the server's SDP declares the key of the media it sends.

// sdesState is what a session's SDPs said about SDES.
type sdesState struct {
	offer *sdesSDP // the offer waiting for its answer
	// keptOver lists the frames of offers carrying MIKEY and SDES whose
	// answer kept SDES: their MIKEY message expects no response.
	keptOver []uint64
	// bindings are the keyed directions of the session's media.
	bindings []*binding
}

// sdesSDP is one SDP's SDES: its attributes per media.
type sdesSDP struct {
	frame   uint64
	overTLS bool
	src     netip.AddrPort // the signalling message's sender
	mikey   bool           // it carries a=key-mgmt too
	media   []sdesMedia
}

type sdesMedia struct {
	index       int
	addr        netip.Addr
	port, rtcp  uint16
	rtcpAddr    netip.Addr
	attrs       []*sdes.Crypto
	keyMgmt     bool
	offsetsBase int // offset of the first a=crypto of this media in the message
}

// sdesSel says which streams a binding keys: the media index of the
// session and the destination (RTP and RTCP) of the direction, or its
// sender's address.
type sdesSel struct {
	media  int
	dst    [2]netip.AddrPort
	srcIP  netip.Addr
	suite  string
	tag    uint32
	frame  uint64 // SDP that declared the current key
	keysAt []uint64
	// lifetime of each key (newest first, as binding.keys); 0: the suite's.
	lifetime []uint64
	used     []uint64 // packets authenticated per key
	warned   bool
	// changedAt is the frame of the SDP that changed the key mid-call;
	// firstNew the first packet that used the new key.
	changedAt, firstNew uint64
}

// sdesSDP handles the a=crypto attributes of an SDP. Caller holds a.mu.
func (a *Analyzer) sdesSDP(st *sessionState, m *dissect.SignalMessage) {
	sdp := m.SDP
	cur := &sdesSDP{frame: m.Frame, overTLS: m.Transport == "tls", src: m.Src, mikey: sdp.SessionKeyMgmt}
	any := false
	for i := range sdp.Media {
		md := &sdp.Media[i]
		sm := sdesMedia{index: md.Index, addr: md.Addr, port: md.Port, rtcp: md.RTCPPort, rtcpAddr: md.RTCPAddr, keyMgmt: md.KeyMgmt || md.KeyMgmtItem >= 0 || sdp.SessionKeyMgmt}
		cur.mikey = cur.mikey || sm.keyMgmt
		for _, v := range append(append([]string(nil), sdp.Crypto...), md.Crypto...) {
			any = true
			c, err := sdes.Parse(v)
			off := bytes.Index(m.Raw, []byte(v))
			a.sdesRecord(st, m, md.Index, v, off, c, err)
			if err != nil {
				a.add(KindSDESMalformed.New(m.Frame, st.s.ID, fmt.Sprintf("media %d: %v (attribute at byte %d of the message)", md.Index, err, off)))
				continue
			}
			if !c.Known {
				a.add(KindSDESUnknownSuite.New(m.Frame, st.s.ID, fmt.Sprintf("media %d: a=crypto tag %d names crypto-suite %q", md.Index, c.Tag, clipText(c.SuiteName))))
			}
			a.sdesCheckMKI(st, m, md.Index, c)
			sm.attrs = append(sm.attrs, c)
		}
		cur.media = append(cur.media, sm)
	}
	if !any {
		if st.sdes != nil && st.sdes.offer != nil && !m.Request && st.sdes.offer.frame != m.Frame {
			a.sdesAnswerWithout(st, m, cur)
		}
		return
	}
	if st.sdes == nil {
		st.sdes = &sdesState{}
	}
	where := "unprotected signalling (" + strings.ToUpper(m.Transport) + ")"
	f := KindSDESKeysInClear.New(m.Frame, st.s.ID, fmt.Sprintf("SDES keys in the clear over %s in %s", where, a.signalSummary(m)))
	if cur.overTLS {
		f.Severity = SeverityNote
		f.Summary = fmt.Sprintf("SDES keys in %s, protected by TLS hop by hop only: every proxy on the path sees them", a.signalSummary(m))
	}
	a.addFolded(f, fmt.Sprint("sdes-clear", m.Frame))
	if m.Carrier == dissect.CarrierRTSP {
		// The server declares the keys of what it sends.
		for _, sm := range cur.media {
			if len(sm.attrs) > 0 {
				a.sdesBind(st, cur, sm, sm.attrs[0], sdesSel{media: sm.index, srcIP: m.Src.Addr()})
			}
		}
		return
	}
	// An SDP from the side that sent the pending offer (a retransmission,
	// a new offer) replaces it; one from the other side answers it.
	if st.sdes.offer == nil || st.sdes.offer.src == m.Src {
		st.sdes.offer = cur
		return
	}
	a.sdesAnswer(st, m, cur)
}

// sdesAnswer matches an answer with the pending offer and keys both
// directions of every media the answer accepted.
func (a *Analyzer) sdesAnswer(st *sessionState, m *dissect.SignalMessage, ans *sdesSDP) {
	off := st.sdes.offer
	st.sdes.offer = nil
	for _, am := range ans.media {
		om := off.mediaAt(am.index)
		if om == nil {
			continue
		}
		if om.keyMgmt && len(om.attrs) > 0 {
			kept := "neither (no a=crypto, no a=key-mgmt)"
			switch {
			case len(am.attrs) > 0 && am.keyMgmt:
				kept = "both a=crypto and a=key-mgmt"
			case len(am.attrs) > 0:
				kept = fmt.Sprintf("SDES (a=crypto tag %d)", am.attrs[0].Tag)
				if len(st.sdes.keptOver) < 16 {
					st.sdes.keptOver = append(st.sdes.keptOver, off.frame)
				}
			case am.keyMgmt:
				kept = "MIKEY (a=key-mgmt)"
			case am.port == 0:
				kept = "nothing: the media was rejected"
			}
			a.add(KindCryptoAndKeyMgmt.New(m.Frame, st.s.ID, fmt.Sprintf("media %d: the offer (frame %d) had a=crypto and a=key-mgmt; the answer kept %s", am.index, off.frame, kept)))
		}
		if len(am.attrs) == 0 || am.port == 0 {
			continue
		}
		ac := am.attrs[0]
		var oc *sdes.Crypto
		for _, c := range om.attrs {
			if c.Tag == ac.Tag {
				oc = c
				break
			}
		}
		if oc == nil {
			a.add(KindSDESAnswerNotOffered.New(m.Frame, st.s.ID, fmt.Sprintf("media %d: the answer's a=crypto tag %d was not offered (offer frame %d has tags %s)", am.index, ac.Tag, off.frame, tagList(om.attrs))))
			continue
		}
		if oc.SuiteName != ac.SuiteName {
			a.add(KindSDESAnswerNotOffered.New(m.Frame, st.s.ID, fmt.Sprintf("media %d: the answer's a=crypto tag %d has suite %s, the offer's tag %d was %s", am.index, ac.Tag, clipText(ac.SuiteName), oc.Tag, clipText(oc.SuiteName))))
			continue
		}
		// The offerer sends with its key to the answerer's address.
		a.sdesBind(st, off, *om, oc, sdesSel{media: am.index, dst: mediaDsts(am), srcIP: om.addr})
		a.sdesBind(st, ans, am, ac, sdesSel{media: am.index, dst: mediaDsts(*om), srcIP: am.addr})
	}
}

// sdesAnswerWithout: an answer without a=crypto to an offer with it.
func (a *Analyzer) sdesAnswerWithout(st *sessionState, m *dissect.SignalMessage, ans *sdesSDP) {
	off := st.sdes.offer
	st.sdes.offer = nil
	for _, am := range ans.media {
		om := off.mediaAt(am.index)
		if om == nil || len(om.attrs) == 0 || !om.keyMgmt {
			continue
		}
		kept := "MIKEY (a=key-mgmt)"
		if !am.keyMgmt {
			kept = "no keying attribute"
		}
		a.add(KindCryptoAndKeyMgmt.New(m.Frame, st.s.ID, fmt.Sprintf("media %d: the offer (frame %d) had a=crypto and a=key-mgmt; the answer kept %s", am.index, off.frame, kept)))
	}
}

func (s *sdesSDP) mediaAt(i int) *sdesMedia {
	for j := range s.media {
		if s.media[j].index == i {
			return &s.media[j]
		}
	}
	return nil
}

func mediaDsts(m sdesMedia) [2]netip.AddrPort {
	var d [2]netip.AddrPort
	if m.addr.IsValid() && m.port != 0 {
		d[0] = netip.AddrPortFrom(m.addr, m.port)
		ra := m.rtcpAddr
		if !ra.IsValid() {
			ra = m.addr
		}
		d[1] = netip.AddrPortFrom(ra, m.rtcp)
	}
	return d
}

func tagList(cs []*sdes.Crypto) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d (%s)", c.Tag, clipText(c.SuiteName))
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

func clipText(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// sdesCheckMKI: RFC 4568 §6.1: with several key-params every one has an
// MKI, all of the same length.
func (a *Analyzer) sdesCheckMKI(st *sessionState, m *dissect.SignalMessage, media int, c *sdes.Crypto) {
	if len(c.Keys) < 2 {
		return
	}
	l := -1
	for i, k := range c.Keys {
		switch {
		case !k.HasMKI:
			a.add(KindSDESMKILength.New(m.Frame, st.s.ID, fmt.Sprintf("media %d: a=crypto tag %d has %d key-params but key %d has no MKI (RFC 4568 §6.1 requires one on each)", media, c.Tag, len(c.Keys), i+1)))
			return
		case l >= 0 && k.MKILen != l:
			a.add(KindSDESMKILength.New(m.Frame, st.s.ID, fmt.Sprintf("media %d: a=crypto tag %d: key %d has a %d-byte MKI, key 1 a %d-byte one (RFC 4568 §6.1: all the same length)", media, c.Tag, i+1, k.MKILen, l)))
			return
		}
		l = k.MKILen
	}
}

// sdesPolicy is the SRTP policy of an attribute.
func sdesPolicy(c *sdes.Crypto, mkiLen int) (srtp.Policy, error) {
	if !c.Known {
		return srtp.Policy{}, fmt.Errorf("unknown crypto-suite %q", clipText(c.SuiteName))
	}
	p := c.Suite.Policy
	if c.KDR > 0 {
		p.KDR = 1 << uint(c.KDR)
	}
	p.SRTPEncrypt = !c.UnencryptedSRTP
	p.SRTCPEncrypt = !c.UnencryptedSRTCP
	p.SRTPAuth = !c.UnauthenticatedSRTP
	p.MKILen = mkiLen
	return p, nil
}

// sdesBind keys one direction: a new binding, or, when the session's
// media already has one for the direction (a re-INVITE), the new key added
// in front of the old so packets of either still decrypt.
func (a *Analyzer) sdesBind(st *sessionState, from *sdesSDP, sm sdesMedia, c *sdes.Crypto, sel sdesSel) {
	mkiLen := 0
	var keys []srtp.MasterKey
	var lifetimes []uint64
	for _, k := range c.Keys {
		if k.Method != "inline" {
			continue
		}
		if k.HasMKI {
			mkiLen = k.MKILen
		}
		keys = append(keys, srtp.MasterKey{Key: k.Key, Salt: k.Salt, MKI: k.MKIBytes()})
		lifetimes = append(lifetimes, k.Lifetime)
	}
	if len(keys) == 0 {
		return
	}
	pol, err := sdesPolicy(c, mkiLen)
	if err != nil {
		return // reported as sdes.unknown-suite
	}
	if _, err := srtp.NewContext(pol, keys...); err != nil {
		a.add(KindSDESMalformed.New(from.frame, st.s.ID, fmt.Sprintf("media %d: a=crypto tag %d cannot key SRTP: %v", sm.index, c.Tag, err)))
		return
	}
	sel.suite, sel.tag, sel.frame = c.SuiteName, c.Tag, from.frame
	sdesSelect(st, from.frame, sm.index, c.Tag)
	cs := &CryptoSession{
		SSRC:      "*",
		Policy:    c.SuiteName,
		KeyFP:     "key:" + mikey.Fingerprint(keys[0].Key),
		SaltFP:    "salt:" + mikey.Fingerprint(keys[0].Salt),
		FromFrame: from.frame,
		Source:    "sdes",
		Tag:       c.Tag,
		Media:     &sm.index,
	}
	if len(keys[0].MKI) > 0 {
		cs.MKI = "0x" + hex.EncodeToString(keys[0].MKI)
	}
	if a.opts.ShowKeys {
		cs.KeyHex = hex.EncodeToString(keys[0].Key)
		cs.SaltHex = hex.EncodeToString(keys[0].Salt)
	}
	st.s.CryptoSessions = append(st.s.CryptoSessions, cs)
	st.s.Keying = fmt.Sprintf("SDES %s tag %d", c.SuiteName, c.Tag)
	for _, b := range st.sdes.bindings {
		if b.sdes.media == sel.media && b.sdes.dst == sel.dst && b.sdes.srcIP == sel.srcIP {
			if b.keys[0].Fingerprint() == keys[0].Fingerprint() && b.policy.String() == pol.String() {
				return // the same key again (a re-INVITE that kept it)
			}
			old := b.cs
			b.keys = append(keys, b.keys...)
			if len(b.keys) > maxMasterKeys {
				b.keys = b.keys[:maxMasterKeys]
			}
			b.sdes.lifetime = append(lifetimes, b.sdes.lifetime...)
			b.sdes.used = append(make([]uint64, len(keys)), b.sdes.used...)
			if len(b.sdes.lifetime) > len(b.keys) {
				b.sdes.lifetime, b.sdes.used = b.sdes.lifetime[:len(b.keys)], b.sdes.used[:len(b.keys)]
			}
			b.policy, b.ctx, b.cs = pol, nil, cs
			b.sdes.changedAt, b.sdes.firstNew, b.sdes.frame, b.sdes.tag, b.sdes.suite = from.frame, 0, from.frame, c.Tag, c.SuiteName
			a.add(KindSDESKeyChanged.New(from.frame, st.s.ID, fmt.Sprintf("media %d: the SDES key sent from %s changed (%s from frame %d -> %s, tag %d)",
				sm.index, sel.srcIP, old.KeyFP, old.FromFrame, cs.KeyFP, c.Tag)))
			a.media.gen++
			return
		}
	}
	sel.lifetime = lifetimes
	sel.used = make([]uint64, len(keys))
	b := &binding{cs: cs, keys: keys, policy: pol, sdes: &sel}
	st.sdes.bindings = append(st.sdes.bindings, b)
	a.media.gen++
}

// sdesBinding finds the SDES binding of a stream: its media and direction
// by destination, else by the sender's address. Caller holds a.mu.
func (m *mediaState) sdesBinding(ss *streamState) *binding {
	st := ss.session
	if st == nil || st.sdes == nil {
		return nil
	}
	var bySrc *binding
	for _, b := range st.sdes.bindings {
		if b.sdes.media >= 0 && ss.model.Media >= 0 && b.sdes.media != ss.model.Media {
			continue
		}
		if ss.dst.IsValid() && (b.sdes.dst[0] == ss.dst || b.sdes.dst[1] == ss.dst) {
			return b
		}
		if b.sdes.srcIP.IsValid() && b.sdes.srcIP == ss.src.Addr() && bySrc == nil {
			bySrc = b
		}
	}
	return bySrc
}

// sdesObserve follows which key decrypted a packet of an SDES-keyed
// stream: the first packet under a changed key, and a key used beyond its
// lifetime. Caller holds a.mu.
func (m *mediaState) sdesObserve(ss *streamState, p *dissect.MediaPacket, res srtp.Result, ok bool) {
	sel := ss.bind.sdes
	if !ok || res.KeyIndex < 0 || res.KeyIndex >= len(sel.used) {
		return
	}
	sel.used[res.KeyIndex]++
	if res.KeyIndex == 0 && sel.changedAt != 0 && sel.firstNew == 0 {
		sel.firstNew = p.Frame
		m.a.add(KindSDESKeyChanged.New(p.Frame, sessionID(ss.session), fmt.Sprintf("%s SSRC %s %s -> %s: packets from frame %d on use the key of frame %d (tag %d); earlier ones the previous key",
			ss.model.Kind, ss.model.SSRC, ss.model.Src, ss.model.Dst, p.Frame, sel.changedAt, sel.tag)))
	}
	lt := sel.lifetime[res.KeyIndex]
	if lt > 0 && sel.used[res.KeyIndex] > lt && !sel.warned {
		sel.warned = true
		m.a.add(KindSDESLifetime.New(p.Frame, sessionID(ss.session), fmt.Sprintf("%s SSRC %s %s -> %s: packet %d under one SDES key whose a=crypto lifetime is %d packets (tag %d)",
			ss.model.Kind, ss.model.SSRC, ss.model.Src, ss.model.Dst, sel.used[res.KeyIndex], lt, sel.tag)))
	}
}

// setKeying names how each session's media is keyed. Caller holds a.mu.
func (a *Analyzer) setKeying() {
	for _, st := range a.sessions {
		a.setSessionKeying(st)
	}
}

// setSessionKeying is setKeying for one session. Caller holds a.mu.
func (a *Analyzer) setSessionKeying(st *sessionState) {
	s := st.s
	if strings.HasPrefix(s.Keying, "SDES") {
		return
	}
	switch {
	case s.Mode != "":
		s.Keying = "MIKEY " + s.Mode
	case len(a.media.supplied) > 0 || a.media.wildcard != nil:
		for _, ss := range st.streams {
			if ss.bind != nil && ss.bind.cs != nil && ss.bind.cs.Source != "mikey" && ss.bind.cs.Source != "sdes" {
				s.Keying = "supplied"
				break
			}
		}
	}
}

// tryOtherKeying: a packet of a stream keyed by SDES (or by MIKEY) fails
// authentication; when the session has keys of the other kind, try them
// (at the binding's ROC and its neighbours) and, when the packet
// authenticates, bind the stream to them and say so. Once per stream.
// It reports whether the stream was bound again (the caller decrypts the
// packet again). An SRTCP stream follows its RTP stream. Caller holds a.mu.
func (m *mediaState) tryOtherKeying(ss *streamState, p *dissect.MediaPacket) bool {
	st := ss.session
	if st == nil || st.sdes == nil || ss.otherTried || ss.bind == nil || ss.srtp == nil || ss.srtp.Stats.Authenticated > 0 {
		return false
	}
	ss.otherTried = true
	if p.Kind != dissect.KindRTP {
		for _, o := range st.streams {
			if o.kind == dissect.KindRTP && o.model.ssrc == ss.model.ssrc && o.otherTried && o.trialBound {
				ss.trialBound = true
				m.attach(ss, o.bind)
				return true
			}
		}
		return false
	}
	var cands []*binding
	from, to := "SDES", "MIKEY"
	if ss.bind.sdes != nil {
		cands = m.bindings[st.s.ID]
	} else {
		from, to = "MIKEY", "SDES"
		cands = st.sdes.bindings
	}
	for _, b := range cands {
		if b.cs == nil || (b.sdes == nil && b.ssrc != 0 && b.ssrc != ss.model.ssrc) {
			continue
		}
		ctx, err := b.context()
		if err != nil {
			continue
		}
		lo := b.roc
		if lo > 0 {
			lo--
		}
		if _, _, found, err := ctx.SearchROC(p.Data, lo, b.roc+1); err != nil || !found {
			continue
		}
		what := fmt.Sprintf("crypto session %d", b.cs.CSID)
		if b.sdes != nil {
			what = fmt.Sprintf("a=crypto tag %d", b.sdes.tag)
		}
		m.a.add(KindSDESOtherKeying.New(p.Frame, st.s.ID, fmt.Sprintf("%s SSRC %s %s -> %s fails with its %s keys (%s) but authenticates with the %s keys of %s (frame %d)",
			ss.model.Kind, ss.model.SSRC, ss.model.Src, ss.model.Dst, from, ss.bind.cs.KeyFP, to, what, b.cs.FromFrame)))
		ss.trialBound = true
		m.attach(ss, b)
		return true
	}
	return false
}

// maxSDESAttributes bounds the attributes a session's model keeps.
const maxSDESAttributes = 64

// sdesRecord puts one attribute into the session's model. Caller holds a.mu.
func (a *Analyzer) sdesRecord(st *sessionState, m *dissect.SignalMessage, media int, v string, off int, c *sdes.Crypto, perr error) {
	if len(st.s.SDES) >= maxSDESAttributes {
		return
	}
	role := "offer"
	switch {
	case m.Carrier == dissect.CarrierRTSP:
		role = "rtsp"
	case st.sdes != nil && st.sdes.offer != nil && st.sdes.offer.src != m.Src:
		role = "answer"
	}
	at := &SDESAttribute{Frame: m.Frame, Role: role, Media: media, Offset: off, Length: len(v)}
	if perr != nil {
		at.Error = perr.Error()
		st.s.SDES = append(st.s.SDES, at)
		return
	}
	at.Tag, at.Suite, at.Known = c.Tag, c.SuiteName, c.Known
	base := func(o int) int {
		if off < 0 {
			return -1
		}
		return off + o
	}
	var tree *mikey.Field
	if a.opts.Trees {
		tree = &mikey.Field{Name: "a=crypto", Value: fmt.Sprintf("tag %d %s", c.Tag, clipText(c.SuiteName)), Offset: base(0), Length: len(v)}
		tree.Add(&mikey.Field{Name: "tag", Value: fmt.Sprint(c.Tag), Offset: base(c.TagOffset), Length: len(fmt.Sprint(c.Tag))})
		meaning := "unknown suite"
		if c.Known {
			meaning = fmt.Sprintf("%s, %d-byte key, %d-byte salt", c.Suite.Policy.Cipher, c.Suite.Policy.KeyLen, c.Suite.Policy.SaltLen)
		}
		tree.Add(&mikey.Field{Name: "crypto-suite", Value: clipText(c.SuiteName), Meaning: meaning, Offset: base(c.SuiteOffset), Length: len(c.SuiteName)})
	}
	for i, k := range c.Keys {
		sk := SDESKey{Offset: base(k.Offset), Lifetime: k.Lifetime}
		if k.Method == "inline" {
			sk.KeyFP, sk.SaltFP = "key:"+mikey.Fingerprint(k.Key), "salt:"+mikey.Fingerprint(k.Salt)
			if a.opts.ShowKeys {
				sk.KeyHex, sk.SaltHex = hex.EncodeToString(k.Key), hex.EncodeToString(k.Salt)
			}
		}
		if k.HasMKI {
			sk.MKI, sk.MKILength = "0x"+hex.EncodeToString(k.MKIBytes()), k.MKILen
		}
		at.Keys = append(at.Keys, sk)
		if tree != nil {
			kp := tree.Add(&mikey.Field{Name: fmt.Sprintf("key-param %d", i+1), Value: clipText(k.Method), Offset: base(k.Offset), Length: len(k.Method) + 1 + len(k.Info)})
			if k.Method == "inline" {
				ks := &mikey.Field{Name: "key||salt", Value: "base64", Meaning: "fingerprints (the keys only with --show-keys)",
					Offset: base(k.Offset + len(k.Method) + 1), Length: len(strings.SplitN(k.Info, "|", 2)[0])}
				kp.Add(ks)
				ks.Add(&mikey.Field{Name: "master key", Value: sk.KeyFP, Offset: ks.Offset, Length: ks.Length})
				ks.Add(&mikey.Field{Name: "master salt", Value: sk.SaltFP, Offset: ks.Offset, Length: ks.Length})
			}
			if k.HasLifetime {
				kp.Add(&mikey.Field{Name: "lifetime", Value: fmt.Sprint(k.Lifetime), Meaning: "packets"})
			}
			if k.HasMKI {
				kp.Add(&mikey.Field{Name: "MKI", Value: sk.MKI, Meaning: fmt.Sprintf("%d bytes in every packet", k.MKILen)})
			}
		}
	}
	for _, p := range sdesParams(c) {
		at.Params = append(at.Params, p)
		if tree != nil {
			tree.Add(&mikey.Field{Name: "session-param", Value: clipText(p)})
		}
	}
	at.Tree = tree
	st.s.SDES = append(st.s.SDES, at)
}

// sdesParams lists an attribute's session parameters as sent.
func sdesParams(c *sdes.Crypto) []string {
	var out []string
	if c.KDR >= 0 {
		out = append(out, fmt.Sprintf("KDR=%d", c.KDR))
	}
	if c.UnencryptedSRTP {
		out = append(out, "UNENCRYPTED_SRTP")
	}
	if c.UnencryptedSRTCP {
		out = append(out, "UNENCRYPTED_SRTCP")
	}
	if c.UnauthenticatedSRTP {
		out = append(out, "UNAUTHENTICATED_SRTP")
	}
	if c.FECOrder != "" {
		out = append(out, "FEC_ORDER="+c.FECOrder)
	}
	if len(c.FECKeys) > 0 {
		out = append(out, fmt.Sprintf("FEC_KEY (%d key-params)", len(c.FECKeys)))
	}
	if c.WSH > 0 {
		out = append(out, fmt.Sprintf("WSH=%d", c.WSH))
	}
	for _, u := range c.Unknown {
		out = append(out, clipText(u))
	}
	return out
}

// sdesSelect marks the attribute of frame, media and tag as keying media.
func sdesSelect(st *sessionState, frame uint64, media int, tag uint32) {
	for _, at := range st.s.SDES {
		if at.Frame == frame && at.Media == media && at.Tag == tag && at.Error == "" {
			at.Selected = true
		}
	}
}

// sdesKept reports whether the offer of frame carried MIKEY and SDES and
// its answer kept SDES (its MIKEY message is then not answered).
func (st *sessionState) sdesKept(frame uint64) bool {
	if st.sdes == nil {
		return false
	}
	for _, f := range st.sdes.keptOver {
		if f == frame {
			return true
		}
	}
	return false
}
