package srtp

// Suspended is a Stream without its statistics: the SSRC, the ROC and s_l,
// the replay window, the master key that last worked and the SRTCP send
// index, ~60 bytes against a Stream's ~310. A receiver following many
// streams (an analysis of thousands of calls) keeps the statistics of an
// idle stream where it reports them and resumes the stream with them when
// its packets come again.
type Suspended struct {
	highest, window, sendIndex uint64
	rocSearch, key             int
	ssrc, roc                  uint32
	sl                         uint16
	hasSSRC, started, sendSt   bool
}

// Suspend returns the state of s without its statistics (s.Stats, which
// the caller keeps to resume it).
func (s *Stream) Suspend() *Suspended {
	return &Suspended{
		highest: s.highest, window: s.window, sendIndex: s.sendIndex,
		rocSearch: s.ROCSearch, key: s.key,
		ssrc: s.SSRC, roc: s.roc, sl: s.sl,
		hasSSRC: s.HasSSRC, started: s.started, sendSt: s.sendStarted,
	}
}

// Resume returns a stream that goes on where the suspended one stopped,
// with statistics stats: s.Suspend().Resume(s.Stats) is equal to s and
// decrypts (and counts) every later packet as s would.
func (p *Suspended) Resume(stats Stats) *Stream {
	return &Stream{
		SSRC: p.ssrc, HasSSRC: p.hasSSRC, ROCSearch: p.rocSearch, Stats: stats,
		indexState: indexState{started: p.started, roc: p.roc, sl: p.sl, highest: p.highest, window: p.window},
		key:        p.key, sendIndex: p.sendIndex, sendStarted: p.sendSt,
	}
}
