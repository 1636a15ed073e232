package srtp

import "time"

// ObserveRTP updates the stream's statistics from the clear RTP header of
// a packet that is not (or cannot be) decrypted: plain RTP, or SRTP whose
// keys are unknown. The index is estimated from the sequence number (RFC
// 3711 §3.3.1) without any check, so loss, reordering, duplicates and ROC
// are tracked as for decrypted packets; the packet counts as unverified.
func (s *Stream) ObserveRTP(pkt []byte, at time.Time) (RTPHeader, error) {
	st := &s.Stats
	st.observe(at, len(pkt))
	h, err := ParseRTPHeader(pkt)
	if err != nil {
		st.Malformed++
		return h, err
	}
	if err := s.checkSSRC(h.SSRC); err != nil {
		st.Malformed++
		return h, err
	}
	st.PayloadTypes.Add(h.PayloadType)
	roc := s.estimateROC(h.SequenceNumber)
	s.accept(uint64(roc)<<16|uint64(h.SequenceNumber), roc, h.SequenceNumber, true, false)
	st.Unverified++
	return h, nil
}
