package srtp

// DefaultROCSearch is the default distance tried on either side of the
// estimated ROC when authentication fails.
const DefaultROCSearch = 3

// replayWindowBits is the size of the replay window (RFC 3711 §3.3.2
// recommends at least 64).
const replayWindowBits = 64

// Stream is the receiver (or sender) state of one SRTP or SRTCP stream:
// the SSRC, the roll-over counter with the highest sequence number s_l
// (RFC 3711 §3.3.1), a replay window (§3.3.2) whose duplicates are counted
// rather than dropped, and the stream statistics. Use one Stream for the
// SRTP packets of an SSRC and another for its SRTCP packets.
type Stream struct {
	// SSRC is the stream's SSRC; with HasSSRC false it is learnt from the
	// first packet.
	SSRC    uint32
	HasSSRC bool

	// ROCSearch is how far from the estimated ROC to search when a packet
	// does not authenticate (ROC+1, ROC-1, ..., ±ROCSearch). 0 disables.
	ROCSearch int

	Stats Stats

	indexState
	key int // master key that last worked

	sendIndex   uint64 // SRTCP sender index (next to use)
	sendStarted bool

	ahead *ahead // guesses opened ahead (GuessRTP), nil until the first
}

// indexState follows a stream's packet index: the roll-over counter with the
// highest sequence number s_l (RFC 3711 §3.3.1) and the replay window
// (§3.3.2). Stream keeps one; ClearIndex is one on its own.
type indexState struct {
	started bool
	roc     uint32 // ROC belonging to sl
	sl      uint16 // highest sequence number received (s_l)
	highest uint64 // highest accepted index
	window  uint64 // bit d set: index highest-d was accepted
}

// NewStream returns a stream whose ROC starts at roc (from the MIKEY CS ID
// map, RFC 3830 §6.1.1), learning its SSRC from the first packet.
func NewStream(roc uint32) *Stream {
	return &Stream{indexState: indexState{roc: roc}, ROCSearch: DefaultROCSearch, Stats: Stats{ROC: roc}}
}

// NewStreamSSRC returns a stream for ssrc starting at roc.
func NewStreamSSRC(ssrc, roc uint32) *Stream {
	s := NewStream(roc)
	s.SSRC, s.HasSSRC = ssrc, true
	return s
}

// ROC returns the current roll-over counter.
func (s *Stream) ROC() uint32 { return s.roc }

// SetROC sets the roll-over counter, e.g. after a MIKEY re-key that
// carries a new ROC, and restarts index tracking at the next packet.
func (s *Stream) SetROC(roc uint32) {
	s.roc = roc
	s.started = false
	s.Stats.ROC = roc
}

// SetRTCPIndex sets the next SRTCP index EncryptRTCP will use.
func (s *Stream) SetRTCPIndex(index uint32) {
	s.sendIndex = uint64(index & 0x7fffffff)
	s.sendStarted = true
}

// checkSSRC learns or checks the SSRC.
func (s *Stream) checkSSRC(ssrc uint32) error {
	if !s.HasSSRC {
		s.SSRC, s.HasSSRC = ssrc, true
		return nil
	}
	if s.SSRC != ssrc {
		return ErrSSRCMismatch
	}
	return nil
}

// estimateROC guesses the ROC of a packet with sequence number seq from
// s_l and the current ROC (RFC 3711 §3.3.1 and Appendix A).
func (s *indexState) estimateROC(seq uint16) uint32 {
	if !s.started {
		return s.roc
	}
	sl := s.sl
	if sl < 0x8000 {
		if int(seq)-int(sl) > 0x8000 {
			return s.roc - 1
		}
		return s.roc
	}
	if int(sl)-0x8000 > int(seq) {
		return s.roc + 1
	}
	return s.roc
}

// rocCandidate returns the i-th ROC to try for an estimate v: v, v+1, v-1,
// v+2, v-2, ...; ok is false past the search window.
func (s *Stream) rocCandidate(v uint32, i int) (roc uint32, ok bool) {
	if i == 0 {
		return v, true
	}
	d := uint32((i + 1) / 2)
	if int(d) > s.ROCSearch {
		return 0, false
	}
	if i%2 == 1 {
		return v + d, true
	}
	return v - d, true
}

// acceptance is what accept learnt about a packet's index.
type acceptance struct {
	duplicate  bool
	outOfOrder bool
}

// accept records an authenticated (or unverifiable) packet with index idx
// in st. For SRTP roc and seq update the ROC/s_l pair; resync forces them
// (a ROC adopted from a search or from the packet). Duplicates are counted,
// not rejected.
func (s *indexState) accept(st *Stats, idx uint64, roc uint32, seq uint16, rtp, resync bool) acceptance {
	var a acceptance
	if !s.started || resync {
		if s.started && rtp && roc != s.roc {
			st.ROCChanges++
		}
		s.started = true
		s.highest, s.window = idx, 1
		if rtp {
			s.roc, s.sl = roc, seq
		}
		st.HighestIndex = idx
		st.ROC = s.roc
		return a
	}
	// Indices are compared modulo 2^48 (SRTP) or 2^31 (SRTCP), so that a
	// late packet estimated at ROC-1 across ROC 0 counts as old.
	width := uint(31)
	if rtp {
		width = 48
	}
	shift := 64 - width
	diff := int64((idx-s.highest)<<shift) >> shift
	switch {
	case diff > 0:
		gap := uint64(diff)
		if gap > 1 {
			st.Lost += gap - 1
		}
		if gap >= replayWindowBits {
			s.window = 1
		} else {
			s.window = s.window<<gap | 1
		}
		s.highest = idx
		st.HighestIndex = idx
		if rtp {
			if roc != s.roc {
				st.ROCChanges++
			}
			s.roc, s.sl = roc, seq
			st.ROC = roc
		}
	case diff == 0:
		a.duplicate = true
	default:
		d := uint64(-diff)
		if d < replayWindowBits {
			bit := uint64(1) << d
			if s.window&bit != 0 {
				a.duplicate = true
				break
			}
			s.window |= bit
		}
		a.outOfOrder = true
		if st.Lost > 0 {
			st.Lost--
		}
	}
	if a.duplicate {
		st.Duplicates++
	}
	if a.outOfOrder {
		st.OutOfOrder++
	}
	return a
}
