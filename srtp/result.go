package srtp

import "unsafe"

// Result describes what DecryptRTP or DecryptRTCP did with one packet.
type Result struct {
	SSRC  uint32
	Seq   uint16 // RTP sequence number (SRTP only)
	ROC   uint32 // ROC used (SRTP only)
	Index uint64 // 48-bit SRTP index ROC<<16|SEQ, or the 31-bit SRTCP index

	Authenticated bool // a tag (HMAC or AEAD) was present and verified
	Decrypted     bool // the payload was decrypted (false when encryption is off)
	Encrypted     bool // SRTCP: the E flag was set; SRTP: the policy encrypts

	// ROCAdjusted is set when the packet authenticated only with a ROC other
	// than the estimate; ROC is the one found and EstimatedROC the one the
	// stream expected. The stream adopted ROC.
	ROCAdjusted  bool
	EstimatedROC uint32
	// ROCFromPacket is set when the ROC came from an RFC 4771 tag.
	ROCFromPacket bool

	Duplicate  bool // the index had been seen before (still decrypted)
	OutOfOrder bool // older than the highest index seen

	KeyIndex int    // master key that worked (Context key order); -1 if none
	MKI      []byte // the packet's MKI: a sub-slice of pkt (copy it to keep it), nil without MKI

	HeaderLen   int   // RTP header length, or 8 for SRTCP
	PayloadType uint8 // RTP payload type, or RTCP packet type of the first packet
}

// overlap classifies how dst's backing array overlaps pkt: exactly in
// place (same start), not at all, or otherwise (bad).
func overlap(dst, pkt []byte) (inPlace, bad bool) {
	if cap(dst) == 0 || len(pkt) == 0 {
		return false, false
	}
	d0 := uintptr(unsafe.Pointer(unsafe.SliceData(dst)))
	p0 := uintptr(unsafe.Pointer(unsafe.SliceData(pkt)))
	d1 := d0 + uintptr(cap(dst))
	p1 := p0 + uintptr(len(pkt))
	if d1 <= p0 || p1 <= d0 {
		return false, false
	}
	if d0 == p0 {
		return true, false
	}
	return false, true
}

// grow returns dst resized to n bytes, reusing its capacity when it can.
func grow(dst []byte, n int) []byte {
	if cap(dst) >= n {
		return dst[:n]
	}
	return make([]byte, n)
}
