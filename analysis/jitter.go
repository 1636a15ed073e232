package analysis

import (
	"math"
	"time"

	"github.com/mikeyscope/mikeyscope/dissect"
)

// Interarrival jitter (RFC 3550 §6.4.1, computed as in Appendix A.8): the
// mean deviation of the difference D between two packets' spacing at the
// receiver and their spacing in RTP timestamps, smoothed with gain 1/16,
// in timestamp units. It needs the stream's RTP clock rate: the payload
// type's a=rtpmap in the session's SDP, else the static payload types of
// RFC 3551 §6. RTP headers are in clear in SRTP (RFC 3711 §3.1), so the
// jitter of a stream is known without its keys.

// jitter follows one RTP stream's interarrival jitter.
// It is 32 bytes: one per stream of every call is kept to the end.
type jitter struct {
	pt      uint8 // payload type whose clock is rate
	started bool
	rate    uint32  // RTP clock rate in Hz; 0 when unknown
	lastTS  uint32  // RTP timestamp of the previous packet
	last    int64   // its arrival, Unix nanoseconds
	j, max  float32 // jitter and its largest value, timestamp units
}

// observe takes one RTP packet of payload type pt and timestamp ts that
// arrived at at, with the clock rate of pt (0 when unknown). A packet of a
// payload type with another clock (a codec change) restarts the estimate
// from the next packet, keeping the largest value seen.
func (j *jitter) observe(at time.Time, ts uint32, pt uint8, rate uint32) {
	if !j.started || pt != j.pt || rate != j.rate {
		if rate != j.rate {
			j.j = 0
		}
		j.pt, j.rate, j.started = pt, rate, rate != 0
		j.last, j.lastTS = at.UnixNano(), ts
		return
	}
	// D(i,j) = (Rj - Ri) - (Sj - Si), both in timestamp units; the RTP
	// timestamp difference is taken modulo 2^32.
	now := at.UnixNano()
	d := float64(now-j.last)*1e-9*float64(j.rate) - float64(int32(ts-j.lastTS))
	j.j += float32((math.Abs(d) - float64(j.j)) / 16)
	j.max = max(j.max, j.j)
	j.last, j.lastTS = now, ts
}

// millis returns a jitter in timestamp units in milliseconds, to the
// microsecond.
func (j *jitter) millis(v float32) float64 {
	if j.rate == 0 {
		return 0
	}
	return math.Round(float64(v)/float64(j.rate)*1e6) / 1e3
}

// setJitter puts the stream's jitter into its model.
func (ss *streamState) setJitter() {
	if ss.kind != dissect.KindRTP || ss.jit.rate == 0 {
		return
	}
	ss.model.ClockRate = ss.jit.rate
	ss.model.JitterMS = ss.jit.millis(ss.jit.j)
	ss.model.MaxJitterMS = ss.jit.millis(ss.jit.max)
}

// ptClock is an RTP clock rate an SDP gave a payload type (a=rtpmap).
type ptClock struct {
	pt   uint8
	rate uint32
}

// maxSessionClocks bounds the rtpmap clock rates a session keeps.
const maxSessionClocks = 16

// addClocks records the clock rates of an SDP media's rtpmaps; a later
// description of a payload type replaces an earlier one.
func (st *sessionState) addClocks(md *dissect.SDPMedia) {
	for _, rm := range md.RTPMap {
		if rm.ClockRate == 0 {
			continue
		}
		found := false
		for i := range st.clocks {
			if st.clocks[i].pt == rm.PT {
				st.clocks[i].rate, found = rm.ClockRate, true
			}
		}
		if !found && len(st.clocks) < maxSessionClocks {
			st.clocks = append(st.clocks, ptClock{rm.PT, rm.ClockRate})
		}
	}
}

// clockRate returns the RTP clock rate of payload type pt in session st
// (nil: a stream of no session): its a=rtpmap, else the static assignment.
func clockRate(st *sessionState, pt uint8) uint32 {
	if st != nil {
		for _, c := range st.clocks {
			if c.pt == pt {
				return c.rate
			}
		}
	}
	return staticClockRate(pt)
}

// staticClockRate is the clock rate of the static RTP payload types (RFC
// 3551 §6, Tables 4 and 5); 0 for the others.
func staticClockRate(pt uint8) uint32 {
	switch pt {
	case 0, 2, 3, 4, 5, 7, 8, 9, 12, 13, 15, 18: // PCMU, G721, GSM, G723, DVI4/8000, LPC, PCMA, G722, QCELP, CN, G728, G729
		return 8000
	case 6: // DVI4/16000
		return 16000
	case 10, 11: // L16
		return 44100
	case 14, 25, 26, 28, 31, 32, 33, 34: // MPA, CelB, JPEG, nv, H261, MPV, MP2T, H263
		return 90000
	case 16: // DVI4/11025
		return 11025
	case 17: // DVI4/22050
		return 22050
	}
	return 0
}
