package srtp

// cryptHeaderExt encrypts or decrypts (the same XOR) in place the bodies
// of the header extension elements of pkt whose IDs are in
// Policy.HeaderExtIDs (RFC 6904 §4). The keystream is AES-CM under the
// header key and salt with the SRTP IV of RFC 3711 §4.1.1, applied to the
// extension data after its 4-byte header; only element bodies selected by
// ID are changed. Elements follow RFC 8285 (one-byte 0xBEDE, two-byte
// 0x100X); other profiles are left alone.
func (c *Context) cryptHeaderExt(s *sessionKeys, pkt []byte, h *RTPHeader, index uint64) {
	if !h.Extension || h.ExtensionLen == 0 || s.hdrBlock == nil {
		return
	}
	oneByte := h.ExtensionProfile == 0xBEDE
	twoByte := h.ExtensionProfile&0xFFF0 == 0x1000
	if !oneByte && !twoByte {
		return
	}
	data := pkt[h.ExtensionOffset : h.ExtensionOffset+h.ExtensionLen]
	if cap(c.hdrKS) < len(data) {
		c.hdrKS = make([]byte, len(data))
	}
	ks := c.hdrKS[:len(data)]
	clear(ks)
	iv := &c.iv
	copy(iv[:14], s.hdrSalt[:])
	iv[14], iv[15] = 0, 0
	iv[4] ^= byte(h.SSRC >> 24)
	iv[5] ^= byte(h.SSRC >> 16)
	iv[6] ^= byte(h.SSRC >> 8)
	iv[7] ^= byte(h.SSRC)
	for i := 0; i < 6; i++ {
		iv[13-i] ^= byte(index >> (8 * i))
	}
	xorCTR(s.hdrCTR, s.hdrBlock, ks, ks, iv)
	for i := 0; i < len(data); {
		var id uint8
		var n int
		if oneByte {
			id = data[i] >> 4
			if id == 0 { // padding byte
				i++
				continue
			}
			if id == 15 { // reserved: stop (RFC 8285 §4.2)
				return
			}
			n = int(data[i]&0x0f) + 1
			i++
		} else {
			id = data[i]
			if id == 0 {
				i++
				continue
			}
			if i+1 >= len(data) {
				return
			}
			n = int(data[i+1])
			i += 2
		}
		end := i + n
		if end > len(data) {
			end = len(data)
		}
		if c.p.HeaderExtIDs.Has(id) {
			for j := i; j < end; j++ {
				data[j] ^= ks[j]
			}
		}
		i = end
	}
}
