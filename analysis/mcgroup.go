package analysis

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/mikey"
	"github.com/mikeyscope/mikeyscope/srtp"
)

// Mission-critical group media (TS 33.180). A group management server
// distributes a group's GMK to each member in a MIKEY-SAKKE I_MESSAGE of
// its own SIP dialog (a MESSAGE); the group call is another dialog, whose
// SDP carries no key management: its SRTP is keyed by the GMK, named by
// the MKI of each packet (GMK-ID, followed by the sender's GUK-ID when 8
// bytes). The analyzer therefore keeps, capture-wide, the MC keys that
// the I_MESSAGEs it opened distributed (mcKeyTable), and binds a stream of
// a session whose signalling is mission-critical (an MC XML body named
// its parties) and that has no keys of its own to the GMK whose GMK-ID
// its MKI carries.
//
// The SRTP master key and salt are derived from the GMK as from a TGK
// (RFC 3830 §4.1.3, the message's PRF, PRF-HMAC-SHA-256 for MC) with the
// CS ID of the distribution message's crypto session (4 for an MCPTT
// group call, §E.1.3), the sending member's GUK-ID (the MKI's second 4
// bytes) as CSB ID, so that every talker has keys of its own, and the
// RAND of the distribution message, as Etherstack's published vectors
// have it (internal/mcvectors.GroupSRTPs). The policy is the message's SP
// payload.

// Bounds of the table: the keys of the latest maxMCKeys distributions (a
// GMK sent to several members is one entry), none older than mcKeyMaxAge
// of capture time. An entry is ~200 bytes.
const (
	maxMCKeys    = 256
	mcKeyMaxAge  = 7 * 24 * time.Hour
	maxMCTrials  = 3 // packets of a stream tried against the table
	maxMCMembers = 8 // delivering frames and members kept per key
)

// mcKey is one distributed mission-critical key.
type mcKey struct {
	purpose mikey.KeyPurpose
	keyID   uint32
	key     []byte // the GMK, PCK or CSK (the SSV)
	fp      string // its fingerprint
	prf     mikey.PRFFunc
	rand    []byte
	csID    uint8
	policy  srtp.Policy
	policyS string
	mkiLen  int
	// frames are the messages that delivered it, members their
	// responders, gukCheck the verdict of each one's GUK-ID check, gukIDs
	// their CSB IDs.
	frames   []uint64
	members  []string
	gukCheck []string
	gukIDs   []uint32
	at       time.Time
	// streams counts the streams it keyed.
	streams int
}

// usable says whether a delivery of the key is not contradicted by its
// checks (a GMK whose every GUK-ID check failed is not used).
func (k *mcKey) usable() bool {
	if k.purpose != mikey.PurposeGMK {
		return true
	}
	for _, c := range k.gukCheck {
		if c != "does not match" {
			return true
		}
	}
	return false
}

// mcKeyTable is the capture-wide table of distributed MC keys.
type mcKeyTable struct {
	keys []*mcKey // oldest first
}

// noteMCKey enters the key an opened MC I_MESSAGE distributed. Caller
// holds a.mu.
func (a *Analyzer) noteMCKey(ex *keyExchange, res *mikey.SAKKEResult) {
	mc := res.MC
	m := ex.init.Parsed()
	if mc == nil || m == nil || len(res.SSV) == 0 || !mc.HaveKeyID || len(res.Sessions) == 0 {
		return
	}
	r := m.RAND()
	if r == nil {
		return
	}
	purpose := m.Header.KeyPurpose()
	sk := res.Sessions[0]
	pol, err := policyFor(ex, sk.PolicyNo)
	if err != nil {
		return
	}
	t := &a.mcKeys
	for _, k := range t.keys {
		if k.keyID == mc.KeyID && string(k.key) == string(res.SSV) && string(k.rand) == string(r.Rand) {
			if len(k.frames) < maxMCMembers && !slices.Contains(k.frames, ex.init.Frame) {
				k.frames = append(k.frames, ex.init.Frame)
				k.members = append(k.members, res.ResponderURI)
				k.gukCheck = append(k.gukCheck, mc.GUKCheck)
				k.gukIDs = append(k.gukIDs, mc.CSBID)
			}
			return
		}
	}
	for len(t.keys) > 0 && (len(t.keys) >= maxMCKeys || ex.init.Time.Sub(t.keys[0].at) > mcKeyMaxAge) {
		t.keys[0] = nil
		t.keys = t.keys[1:]
	}
	t.keys = append(t.keys, &mcKey{purpose: purpose, keyID: mc.KeyID, key: slices.Clone(res.SSV), fp: mc.SSVRef,
		prf: m.Header.PRF, rand: slices.Clone(r.Rand), csID: sk.CSID, policy: pol, policyS: pol.String(), mkiLen: len(sk.MKI),
		frames: []uint64{ex.init.Frame}, members: []string{res.ResponderURI}, gukCheck: []string{mc.GUKCheck}, gukIDs: []uint32{mc.CSBID}, at: ex.init.Time})
}

// packetMKI returns the MKI of n bytes of an SRTP or SRTCP packet under
// policy p (it precedes the authentication tag, RFC 3711 §3.1; AEAD
// suites have none after it, RFC 7714), or nil when the packet is too
// short.
func packetMKI(data []byte, p srtp.Policy, n int, rtcp bool) []byte {
	tag := p.TagLen
	if rtcp {
		tag = p.RTCPTagLen
	}
	if p.IsAEAD() {
		tag = 0
	}
	min := 12
	if rtcp {
		min = 8 + 4
	}
	if n <= 0 || len(data) < min+n+tag {
		return nil
	}
	return data[len(data)-tag-n : len(data)-tag]
}

// tryGroupKeys binds a stream of a mission-critical session without keys
// of its own to the distributed GMK its packets' MKI names, and says when
// the MKI names none. Caller holds a.mu.
func (m *mediaState) tryGroupKeys(ss *streamState, p *dissect.MediaPacket) {
	ss.mcTrials++
	a := m.a
	rtcp := p.Kind != dissect.KindRTP
	var seen []uint32 // GMK-IDs the MKI could be, for the finding
	matched := false  // the MKI names a usable GMK (not yet authenticated)
	for i := len(a.mcKeys.keys) - 1; i >= 0; i-- {
		k := a.mcKeys.keys[i]
		if k.purpose != mikey.PurposeGMK || k.mkiLen < 4 {
			continue
		}
		mki := packetMKI(p.Data, k.policy, k.mkiLen, rtcp)
		if mki == nil {
			continue
		}
		if id := binary.BigEndian.Uint32(mki); id != k.keyID {
			if !slices.Contains(seen, id) {
				seen = append(seen, id)
			}
			continue
		}
		sid := ss.session.s.ID
		if !k.usable() {
			if ss.mcTrials == 1 && !rtcp {
				a.add(KindMCGroupKeyUnknown.New(p.Frame, sid, fmt.Sprintf("%s SSRC %s: the MKI names GMK-ID 0x%08x, distributed in frame %v, but no delivery of it passed its GUK-ID check: it is not used",
					ss.model.Kind, ss.model.SSRC, k.keyID, k.frames)))
			}
			ss.mcTrials = maxMCTrials
			return
		}
		pol := k.policy
		pol.MKILen = k.mkiLen
		// The CSB ID of the derivation is the sender's GUK-ID, the MKI's
		// second half (Etherstack's published vectors, internal/mcvectors);
		// should the packets not authenticate so, the GMK-ID and the
		// deliveries' CSB IDs are tried, and on the last trial packet of a
		// mission-critical call the first candidate's keys bind all the
		// same, so that the failures show on the stream.
		cands := []uint32{k.keyID}
		if len(mki) >= 8 {
			cands = []uint32{binary.BigEndian.Uint32(mki[4:8]), k.keyID}
		}
		for _, g := range k.gukIDs {
			if !slices.Contains(cands, g) {
				cands = append(cands, g)
			}
		}
		var ctx *srtp.Context
		var key, salt []byte
		var mk srtp.MasterKey
		for j, csb := range cands {
			kk, err1 := mikey.DeriveTEK(k.prf, k.key, k.csID, csb, k.rand, pol.KeyLen)
			ss1, err2 := mikey.DeriveTEKSalt(k.prf, k.key, k.csID, csb, k.rand, pol.SaltLen)
			if err1 != nil || err2 != nil {
				continue
			}
			m1 := srtp.MasterKey{Key: kk, Salt: ss1, MKI: slices.Clone(mki)}
			c, err := srtp.NewContext(pol, m1)
			if err != nil {
				continue
			}
			if j == 0 && ss.mcTrials >= maxMCTrials && ss.session.mcSignalled {
				ctx, key, salt, mk = c, kk, ss1, m1
			}
			ok := false
			if rtcp {
				_, _, err := c.DecryptRTCP(m.buf[:cap(m.buf)], p.Data, srtp.NewStreamSSRC(ss.model.ssrc, 0), p.Time)
				ok = err == nil
			} else if _, _, found, err := c.SearchROC(p.Data, 0, 1); err == nil && found {
				ok = true
			}
			if ok {
				ctx, key, salt, mk = c, kk, ss1, m1
				break
			}
		}
		if ctx == nil {
			matched = true
			continue
		}
		cs := &CryptoSession{CSID: k.csID, SSRC: fmt.Sprintf("0x%08x", ss.model.ssrc), Policy: k.policyS,
			MKI: "0x" + hex.EncodeToString(mki), KeyFP: "key:" + mikey.Fingerprint(key), SaltFP: "salt:" + mikey.Fingerprint(salt),
			FromFrame: k.frames[0], Source: "mc-gmk", ssrc: ss.model.ssrc}
		if len(mki) >= 8 {
			// The delivery to the talker itself, when in the capture.
			if i := slices.Index(k.gukIDs, binary.BigEndian.Uint32(mki[4:8])); i >= 0 {
				cs.FromFrame = k.frames[i]
			}
		}
		if a.opts.ShowKeys {
			cs.KeyHex, cs.SaltHex = hex.EncodeToString(key), hex.EncodeToString(salt)
		}
		st := ss.session
		st.s.CryptoSessions = append(st.s.CryptoSessions, cs)
		b := &binding{ctx: ctx, cs: cs, ssrc: ss.model.ssrc, keys: []srtp.MasterKey{mk}, policy: pol, lastUse: m.now}
		m.bindings[sid] = append(m.bindings[sid], b)
		m.gen++
		m.attach(ss, b)
		ss.trialBound = true
		k.streams++
		if len(mki) >= 8 {
			m.checkSenderGUK(ss, p, k, binary.BigEndian.Uint32(mki[4:8]))
		}
		return
	}
	if ss.mcTrials != 1 {
		return
	}
	if rtcp || matched || !ss.session.mcSignalled || len(seen) == 0 {
		// SRTCP follows its RTP stream; another call's unkeyed stream is
		// not group media; with no GMK recovered at all, the GMK messages'
		// own findings say why (no key set, a missing KMS key) and
		// srtp.no-key-exchange that the stream has no keys.
		return
	}
	ids := make([]string, len(seen))
	for i, id := range seen {
		ids[i] = fmt.Sprintf("0x%08x", id)
	}
	what := fmt.Sprintf("its MKI (read as %v) names no GMK distributed in the capture (%d recovered)", ids, a.countGMKs())
	a.add(KindMCGroupKeyUnknown.New(p.Frame, ss.session.s.ID, fmt.Sprintf("%s SSRC %s %s -> %s of a mission-critical call without keys of its own: %s",
		ss.model.Kind, ss.model.SSRC, ss.model.Src, ss.model.Dst, what)))
}

func (a *Analyzer) countGMKs() int {
	n := 0
	for _, k := range a.mcKeys.keys {
		if k.purpose == mikey.PurposeGMK {
			n++
		}
	}
	return n
}

// checkSenderGUK checks the GUK-ID of an 8-byte MKI against the
// identities of the call (the sender's GUK-ID for the GMK, TS 33.180
// §5.2.4): a GUK-ID that is no party's is reported.
func (m *mediaState) checkSenderGUK(ss *streamState, p *dissect.MediaPacket, k *mcKey, guk uint32) {
	st := ss.session
	cands := append([]string{}, st.partyURIs...)
	for _, u := range []string{st.s.From, st.s.To} {
		if u != "" {
			cands = append(cands, u)
		}
	}
	for _, u := range k.members {
		if u != "" {
			cands = append(cands, u)
		}
	}
	for _, u := range cands {
		if mikey.GUKID(k.key, u, k.keyID) == guk {
			ss.model.MCSender = u
			return
		}
	}
	m.a.add(KindMCGUKID.New(p.Frame, st.s.ID, fmt.Sprintf("%s SSRC %s: the GUK-ID 0x%08x in the MKI is not the GUK-ID of GMK-ID 0x%08x for any identity of the call or member of the distribution (%d tried)",
		ss.model.Kind, ss.model.SSRC, guk, k.keyID, len(cands))))
}

// keyedOtherwise says whether the stream's session has keys of its own (a
// MIKEY exchange, opened or not, a=key-mgmt, SDES, supplied keys): its
// streams are not group media.
func (m *mediaState) keyedOtherwise(ss *streamState) bool {
	if st := ss.session; len(st.s.MIKEY) > 0 || st.sessionKeyMgmt || len(st.s.SDES) > 0 {
		return true
	}
	for _, b := range m.bindings[ss.session.s.ID] {
		if b.cs == nil || b.cs.Source != "mc-gmk" {
			return true
		}
	}
	return false
}

// MCKeyEntry is a mission-critical key distributed in the capture (a GMK,
// PCK or CSK of an I_MESSAGE that opened), as the report lists it.
type MCKeyEntry struct {
	Purpose string `json:"purpose"`
	KeyID   string `json:"key_id"`
	Key     string `json:"key"`               // fingerprint ("gmk:…")
	KeyHex  string `json:"key_hex,omitempty"` // only with --show-keys
	// Deliveries are the messages that carried it; Streams counts the
	// RTP streams of other dialogs it keyed (group calls; their SRTCP
	// follows them).
	Deliveries []MCKeyDelivery `json:"deliveries"`
	Streams    int             `json:"streams"`
}

// MCKeyDelivery is one message that delivered a MC key.
type MCKeyDelivery struct {
	Frame    uint64 `json:"frame"`
	Member   string `json:"member,omitempty"`
	GUKID    string `json:"guk_id,omitempty"`
	GUKCheck string `json:"guk_check,omitempty"`
}

// mcKeyEntries lists the table for the report. Caller holds a.mu.
func (a *Analyzer) mcKeyEntries() []MCKeyEntry {
	var out []MCKeyEntry
	for _, k := range a.mcKeys.keys {
		e := MCKeyEntry{Purpose: k.purpose.String(), KeyID: fmt.Sprintf("0x%08x", k.keyID), Key: k.fp, Streams: k.streams}
		if a.opts.ShowKeys {
			e.KeyHex = hex.EncodeToString(k.key)
		}
		for i, f := range k.frames {
			d := MCKeyDelivery{Frame: f, Member: k.members[i], GUKCheck: k.gukCheck[i]}
			if k.purpose == mikey.PurposeGMK {
				d.GUKID = fmt.Sprintf("0x%08x", k.gukIDs[i])
			}
			e.Deliveries = append(e.Deliveries, d)
		}
		out = append(out, e)
	}
	return out
}
