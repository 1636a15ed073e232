package analysis

import (
	"net/netip"
	"strconv"
)

// The model keeps every session to the end of the pass, so text repeated
// within a call or across calls is shared rather than allocated again: a
// call's signalling goes back and forth between two addresses, its two
// media directions swap source and destination, and responses say
// "100 Trying", "180 Ringing" and "200 OK" in every call. The strings are
// the same text either way; only fewer copies stay in memory.

// recentShared is how many of a session's latest signals (or streams) are
// searched for an address already written out.
const recentShared = 4

// addrText writes ap as AddrPort.String does, into buf.
func addrText(buf []byte, ap netip.AddrPort) []byte {
	if !ap.IsValid() {
		return append(buf, ap.String()...)
	}
	return ap.AppendTo(buf)
}

// signalAddr returns the text of a signalling address, sharing the string
// of one of the session's latest signals when it is the same address.
func (st *sessionState) signalAddr(ap netip.AddrPort) string {
	var buf [64]byte
	t := addrText(buf[:0], ap)
	sigs := st.s.Signals
	for i := len(sigs) - 1; i >= 0 && i >= len(sigs)-recentShared; i-- {
		if s := sigs[i]; s.Src == string(t) {
			return s.Src
		} else if s.Dst == string(t) {
			return s.Dst
		}
	}
	return string(t)
}

// streamAddr returns the text of a media address, sharing the string of
// one of the session's latest streams when it is the same address (st may
// be nil: streams of no session share nothing).
func (st *sessionState) streamAddr(ap netip.AddrPort) string {
	var buf [64]byte
	t := addrText(buf[:0], ap)
	if st == nil {
		return string(t)
	}
	for i := len(st.streams) - 1; i >= 0 && i >= len(st.streams)-recentShared; i-- {
		if s := st.streams[i].model; s.Src == string(t) {
			return s.Src
		} else if s.Dst == string(t) {
			return s.Dst
		}
	}
	return string(t)
}

// maxSharedSummaries bounds the distinct response summaries shared.
const maxSharedSummaries = 256

// responseSummary returns "STATUS REASON" for a response, shared across
// sessions while there are at most maxSharedSummaries distinct ones.
func (a *Analyzer) responseSummary(status int, reason string) string {
	var buf [64]byte
	t := append(strconv.AppendInt(buf[:0], int64(status), 10), ' ')
	t = append(t, reason...)
	if s, ok := a.summaries[string(t)]; ok {
		return s
	}
	s := string(t)
	if len(a.summaries) < maxSharedSummaries {
		a.summaries[s] = s
	}
	return s
}
