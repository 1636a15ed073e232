package analysis

import (
	"fmt"
	"strings"

	"github.com/mikeyscope/mikeyscope/dissect"
)

// checkSDP records the media of an SDP body and makes the SDP findings:
// SRTP media with no keying attribute, and both SDES and key-mgmt offered.
// Caller holds a.mu.
func (a *Analyzer) checkSDP(st *sessionState, m *dissect.SignalMessage) {
	sdp := m.SDP
	// A MIKEY message in an application/mikey body part of the same
	// message keys its media as a session-level a=key-mgmt would.
	bodyKeyed := mikeyBodyPart(m)
	defer func() { st.sessionKeyMgmt = st.sessionKeyMgmt || sdp.SessionKeyMgmt || bodyKeyed }()
	for i := range sdp.Media {
		md := &sdp.Media[i]
		prev := st.sdpMediaAt(md.Index)
		st.setSDPMedia(md, bodyKeyed)
		secure := strings.Contains(strings.ToUpper(md.Proto), "SAVP")
		keyMgmt := md.KeyMgmt || sdp.SessionKeyMgmt || md.KeyMgmtItem >= 0 || bodyKeyed
		// An answer needs no keying attribute of its own when the offer
		// carried one: a MIKEY message that asks for no response (NULL, PSK
		// without V, SAKKE) is answered by plain RTP/SAVP (RFC 4567 §4.1.2).
		offerKeyed := !m.Request && prev.seen && (prev.keyed || st.sessionKeyMgmt)
		// A mission-critical call (an MC XML body named its parties) may
		// be keyed by a key distributed elsewhere: a group call's GMK
		// (TS 33.180; mcgroup.go binds it and reports media without one).
		if secure && !keyMgmt && len(md.Crypto) == 0 && md.Port != 0 && !offerKeyed && !rtspKeyedElsewhere(st, m) && !st.mcSignalled {
			a.addFolded(KindSAVPWithoutKeying.New(m.Frame, st.s.ID,
				fmt.Sprintf("media %d (%s %s port %d) has no a=key-mgmt or a=crypto", md.Index, md.Type, md.Proto, md.Port)),
				fmt.Sprint("savp", md.Index, m.Frame))
		}
		if keyMgmt && len(md.Crypto) > 0 {
			a.addFolded(KindCryptoAndKeyMgmt.New(m.Frame, st.s.ID,
				fmt.Sprintf("media %d (%s) offers a=crypto and a=key-mgmt", md.Index, md.Type)),
				fmt.Sprint("both", md.Index, m.Frame))
		}
	}
}

// mikeyBodyPart reports whether the message carries a MIKEY message in an
// application/mikey body or body part (RFC 3830 §10.1), which keys the
// media of the SDP beside it.
func mikeyBodyPart(m *dissect.SignalMessage) bool {
	for i := range m.KeyMgmt {
		if it := &m.KeyMgmt[i]; it.Where == dissect.WhereMIKEYBody && it.Err == nil && len(it.Data) > 0 {
			return true
		}
	}
	return false
}

// rtspKeyedElsewhere reports whether an RTSP session may key its media with
// a KeyMgmt header in SETUP instead of the SDP (RFC 4567 §4.3): then SAVP
// media without a=key-mgmt in DESCRIBE is normal.
func rtspKeyedElsewhere(st *sessionState, m *dissect.SignalMessage) bool {
	return m.Carrier == dissect.CarrierRTSP
}

// sdpMedia is what the analysis needs of the latest SDP description of a
// media index: whether the previous one was keyed (for the answer) and its
// transport (for the streams' verdicts). A copy of the whole description
// (formats, rtpmaps, attributes: ~400 bytes a call) is not kept.
type sdpMedia struct {
	seen  bool // an SDP described this media index
	keyed bool // with its own a=key-mgmt, a KeyMgmt item or a=crypto
	savp  bool // its transport is RTP/SAVP or RTP/SAVPF
}

// sdpMediaAt returns what the latest SDP said of media index i (the zero
// value when none did).
func (st *sessionState) sdpMediaAt(i int) sdpMedia {
	if i < 0 || i >= len(st.sdpMedia) {
		return sdpMedia{}
	}
	return st.sdpMedia[i]
}

// setSDPMedia records the SDP description of a media; bodyKeyed: a MIKEY
// body part of the same message keys it.
func (st *sessionState) setSDPMedia(md *dissect.SDPMedia, bodyKeyed bool) {
	st.addClocks(md)
	if md.Index < 0 {
		return
	}
	if md.Index >= len(st.sdpMedia) {
		st.sdpMedia = append(st.sdpMedia, make([]sdpMedia, md.Index+1-len(st.sdpMedia))...)
	}
	st.sdpMedia[md.Index] = sdpMedia{
		seen:  true,
		keyed: md.KeyMgmt || md.KeyMgmtItem >= 0 || len(md.Crypto) > 0 || bodyKeyed,
		savp:  md.Proto == "RTP/SAVP" || md.Proto == "RTP/SAVPF",
	}
}
