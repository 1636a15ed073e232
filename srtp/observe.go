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
	s.accept(st, uint64(roc)<<16|uint64(h.SequenceNumber), roc, h.SequenceNumber, true, false)
	st.Unverified++
	return h, nil
}

// ClearIndex follows the packet index of an RTP stream from the sequence
// numbers of its clear headers alone, for a receiver that cannot decrypt
// the stream (no keys) but still reports its health: the index is
// estimated as Stream estimates it (RFC 3711 §3.3.1), so losses,
// duplicates, reordering and ROC come out as they would with the keys.
// Unlike ObserveRTP it keeps no statistics of its own (32 bytes, for
// receivers following many streams): Observe counts into the caller's.
// The zero value starts at ROC 0.
type ClearIndex struct {
	indexState
}

// Observe records one RTP packet of n bytes with sequence number seq and
// payload type pt, seen at at, into st: Packets, Bytes, the times, the
// payload type, and, from its index, Lost, Duplicates, OutOfOrder,
// HighestIndex, ROC and ROCChanges. Nothing is authenticated or decrypted,
// and nothing counts as unverified.
func (c *ClearIndex) Observe(st *Stats, seq uint16, pt uint8, at time.Time, n int) {
	st.observe(at, n)
	st.PayloadTypes.Add(pt)
	roc := c.estimateROC(seq)
	c.accept(st, uint64(roc)<<16|uint64(seq), roc, seq, true, false)
}

// ObserveRTCP records one RTCP packet of n bytes whose first packet type
// is pt, seen at at, into st: Packets, Bytes, the times and the type. (The
// SRTCP index follows an encrypted part whose tag length needs the
// policy, so it is not followed.)
func ObserveRTCP(st *Stats, pt uint8, at time.Time, n int) {
	st.observe(at, n)
	st.PayloadTypes.Add(pt)
}
