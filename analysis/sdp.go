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
	defer func() { st.sessionKeyMgmt = st.sessionKeyMgmt || sdp.SessionKeyMgmt }()
	for i := range sdp.Media {
		md := &sdp.Media[i]
		prev := st.sdpMedia[md.Index]
		cp := *md
		st.sdpMedia[md.Index] = &cp
		secure := strings.Contains(strings.ToUpper(md.Proto), "SAVP")
		keyMgmt := md.KeyMgmt || sdp.SessionKeyMgmt || md.KeyMgmtItem >= 0
		// An answer needs no keying attribute of its own when the offer
		// carried one: a MIKEY message that asks for no response (NULL, PSK
		// without V, SAKKE) is answered by plain RTP/SAVP (RFC 4567 §4.1.2).
		offerKeyed := !m.Request && prev != nil && (prev.KeyMgmt || prev.KeyMgmtItem >= 0 || len(prev.Crypto) > 0 || st.sessionKeyMgmt)
		if secure && !keyMgmt && len(md.Crypto) == 0 && md.Port != 0 && !offerKeyed && !rtspKeyedElsewhere(st, m) {
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

// rtspKeyedElsewhere reports whether an RTSP session may key its media with
// a KeyMgmt header in SETUP instead of the SDP (RFC 4567 §4.3): then SAVP
// media without a=key-mgmt in DESCRIBE is normal.
func rtspKeyedElsewhere(st *sessionState, m *dissect.SignalMessage) bool {
	return m.Carrier == dissect.CarrierRTSP
}
