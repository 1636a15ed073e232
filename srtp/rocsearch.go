package srtp

import (
	"fmt"
)

// MaxROCSpan bounds the ROCs one SearchROC call may try (about 0.5 s of
// HMAC-SHA1 on a 200-byte packet).
const MaxROCSpan = 1 << 20

// SearchROC tries every ROC from lo to hi (inclusive, at most MaxROCSpan
// values) on the SRTP packet pkt and returns the first one under which it
// authenticates, with the master key that worked. It changes no stream
// state: a caller whose stream keeps failing (for example because the
// capture starts long after the MIKEY exchange that gave the ROC) can run
// it once and then call Stream.SetROC. Packets without a verifiable tag
// (NULL authentication, RCCm3) return an error, as do RFC 4771 packets
// that carry their ROC.
func (c *Context) SearchROC(pkt []byte, lo, hi uint32) (roc uint32, key int, found bool, err error) {
	if hi < lo || uint64(hi-lo) >= MaxROCSpan {
		return 0, -1, false, fmt.Errorf("%w: ROC range %d..%d exceeds %d values", ErrPolicy, lo, hi, MaxROCSpan)
	}
	h, err := ParseRTPHeader(pkt)
	if err != nil {
		return 0, -1, false, err
	}
	p := &c.p
	tagLen, rocInTag := p.rtpTagLen(h.SequenceNumber)
	if rocInTag {
		return 0, -1, false, fmt.Errorf("%w: the packet carries its ROC (RFC 4771)", ErrPolicy)
	}
	if !p.IsAEAD() && (!p.SRTPAuth || !p.Auth.hasMAC() || tagLen == 0) {
		return 0, -1, false, fmt.Errorf("%w: policy %s gives nothing to verify a ROC with", ErrPolicy, p)
	}
	aeadLen := p.aeadTagLen()
	trailer := p.MKILen + tagLen
	if len(pkt) < h.HeaderLen+aeadLen+trailer {
		return 0, -1, false, shortErr("SRTP payload, MKI and tag", h.HeaderLen, aeadLen+trailer, len(pkt)-h.HeaderLen)
	}
	authEnd := len(pkt) - trailer
	first, nkeys := 0, len(c.keys)
	if p.MKILen > 0 {
		if first = c.keyForMKI(pkt[authEnd : authEnd+p.MKILen]); first < 0 {
			return 0, -1, false, &PacketError{Err: ErrUnknownMKI, Offset: authEnd, Field: "SRTP MKI"}
		}
		nkeys = 1
	}
	tag := pkt[authEnd+p.MKILen:]
	scratch := make([]byte, authEnd)
	for ki := 0; ki < nkeys; ki++ {
		k := first + ki
		for r := uint64(lo); r <= uint64(hi); r++ {
			ok, err := c.openRTP(k, uint32(r), pkt, &h, authEnd, tag, false, scratch, true)
			if err != nil {
				return 0, -1, false, err
			}
			if ok {
				return uint32(r), k, true, nil
			}
		}
	}
	return 0, -1, false, nil
}
