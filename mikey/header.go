package mikey

import (
	"fmt"
	"strconv"
)

// parse decodes the common header (RFC 3830 §6.1, RFC 4563 §5, RFC 6043
// §6.1.1) and returns the type of the first payload.
func (h *Header) parse(r *reader, st *payloadStore) (PayloadType, error) {
	start := r.off()
	var next, vprf uint8
	var dt, mt uint8
	if !r.u8(&h.Version) || !r.u8(&dt) || !r.u8(&next) || !r.u8(&vprf) ||
		!r.u32(&h.CSBID) || !r.u8(&h.NumCS) || !r.u8(&mt) {
		return 0, r.fail("common header (10 bytes)", ErrTruncated)
	}
	h.parsed = true
	h.DataType, h.Next = DataType(dt), PayloadType(next)
	h.V, h.PRF = vprf&0x80 != 0, PRFFunc(vprf&0x7f)
	h.MapType = CSIDMapType(mt)
	h.MapInfoOffset = r.off()
	switch h.MapType {
	case MapSRTPID:
		var info []byte
		if err := r.take(&info, 9*int(h.NumCS), "SRTP-ID map info (9 bytes per crypto session)"); err != nil {
			return 0, err
		}
		h.MapInfo = info
		first := len(st.srtp)
		for i := 0; i < int(h.NumCS); i++ {
			e := info[9*i:]
			st.srtp = append(st.srtp, SRTPCS{PolicyNo: e[0], SSRC: be32(e[1:]), ROC: be32(e[5:])})
		}
		h.SRTPMap = st.srtp[first:len(st.srtp):len(st.srtp)]
	case MapEmpty:
	case MapGenericID:
		if err := h.parseGeneric(r); err != nil {
			return 0, err
		}
	default:
		return 0, r.fail("CS ID map info", fmt.Errorf("%w: map type %d", ErrUnknownLength, mt))
	}
	h.Span = Span{Offset: start, Length: r.off() - start}
	if h.MapType != MapSRTPID {
		h.MapInfo = r.since(h.MapInfoOffset)
	}
	return h.Next, nil
}

// since returns the bytes read from absolute offset off up to now.
func (r *reader) since(off int) []byte { return r.whole[off-r.base : r.off()-r.base] }

// parseGeneric decodes #CS GENERIC-ID map blocks (RFC 6043 §6.1.1).
func (h *Header) parseGeneric(r *reader) error {
	h.GenericMap = make([]GenericCS, 0, h.NumCS)
	for i := 0; i < int(h.NumCS); i++ {
		var g GenericCS
		var prot, sp uint8
		if !r.u8(&g.CSID) || !r.u8(&prot) || !r.u8(&sp) {
			return r.fail("GENERIC-ID map block "+strconv.Itoa(i+1), ErrTruncated)
		}
		g.Prot, g.S = ProtType(prot), sp&0x80 != 0
		if err := r.take(&g.Policies, int(sp&0x7f), "GENERIC-ID policies"); err != nil {
			return err
		}
		var n uint16
		if !r.u16(&n) {
			return r.fail("GENERIC-ID session data length", ErrTruncated)
		}
		if err := r.take(&g.SessionData, int(n), "GENERIC-ID session data"); err != nil {
			return err
		}
		var sl uint8
		if !r.u8(&sl) {
			return r.fail("GENERIC-ID SPI length", ErrTruncated)
		}
		if err := r.take(&g.SPI, int(sl), "GENERIC-ID SPI"); err != nil {
			return err
		}
		h.GenericMap = append(h.GenericMap, g)
	}
	return nil
}

// appendMarshal encodes the header with the given first payload type.
func (h *Header) appendMarshal(b []byte, next PayloadType) ([]byte, error) {
	if h.PRF > 0x7f {
		return b, fmt.Errorf("mikey: HDR: PRF func %d does not fit 7 bits", h.PRF)
	}
	numCS := int(h.NumCS)
	switch h.MapType {
	case MapSRTPID:
		numCS = len(h.SRTPMap)
	case MapGenericID:
		numCS = len(h.GenericMap)
	}
	if numCS > 255 {
		return b, fmt.Errorf("mikey: HDR: %d crypto sessions do not fit #CS", numCS)
	}
	vprf := uint8(h.PRF)
	if h.V {
		vprf |= 0x80
	}
	version := h.Version
	if version == 0 && !h.parsed {
		version = 1
	}
	b = append(b, version, uint8(h.DataType), uint8(next), vprf)
	b = appendU32(b, h.CSBID)
	b = append(b, uint8(numCS), uint8(h.MapType))
	switch h.MapType {
	case MapSRTPID:
		for _, e := range h.SRTPMap {
			b = append(b, e.PolicyNo)
			b = appendU32(b, e.SSRC)
			b = appendU32(b, e.ROC)
		}
	case MapEmpty:
	case MapGenericID:
		for _, g := range h.GenericMap {
			if len(g.Policies) > 0x7f || len(g.SessionData) > 0xffff || len(g.SPI) > 0xff {
				return b, fmt.Errorf("mikey: HDR: GENERIC-ID block for CS %d: field too long", g.CSID)
			}
			sp := uint8(len(g.Policies))
			if g.S {
				sp |= 0x80
			}
			b = append(b, g.CSID, uint8(g.Prot), sp)
			b = append(b, g.Policies...)
			b = appendU16(b, uint16(len(g.SessionData)))
			b = append(b, g.SessionData...)
			b = append(b, uint8(len(g.SPI)))
			b = append(b, g.SPI...)
		}
	default:
		b = append(b, h.MapInfo...)
	}
	return b, nil
}

func (h *Header) tree(t *treeBuilder) *Field {
	o := h.Offset
	f := &Field{Name: "HDR", Meaning: "Common header payload", Offset: o, Length: h.Length}
	f.Add(numField("Version", uint64(h.Version), o, 1))
	f.Add(enumField("Data type", uint64(h.DataType), h.DataType.String(), o+1, 1))
	f.Add(enumField("Next payload", uint64(h.Next), h.Next.String(), o+2, 1))
	f.Add(flagField("V", h.V, o+3, "verification message requested", "no verification message"))
	f.Add(enumField("PRF func", uint64(h.PRF), h.PRF.String(), o+3, 1))
	csb := hexNumField("CSB ID", uint64(h.CSBID), 8, o+4, 4)
	if h.DataType == DataTypeSAKKE {
		p := h.KeyPurpose()
		csb.Meaning = "key purpose " + p.String() + " (3GPP, " + p.Role() + "), key ID 0x" + strconv.FormatUint(uint64(h.CSBID&0x0fffffff), 16)
		if p == PurposeGMK {
			csb.Meaning += "; for a GMK the member's GUK-ID (TS 33.180 §5.2.4)"
		}
	}
	f.Add(csb)
	f.Add(numField("#CS", uint64(h.NumCS), o+8, 1))
	f.Add(enumField("CS ID map type", uint64(h.MapType), h.MapType.String(), o+9, 1))
	if len(h.MapInfo) == 0 {
		return f
	}
	mi := &Field{Name: "CS ID map info", Offset: h.MapInfoOffset, Length: len(h.MapInfo)}
	f.Add(mi)
	switch h.MapType {
	case MapSRTPID:
		for i, e := range h.SRTPMap {
			eo := h.MapInfoOffset + 9*i
			cs := mi.Add(&Field{Name: "Crypto session " + strconv.Itoa(i+1), Meaning: "CS ID " + strconv.Itoa(i+1), Offset: eo, Length: 9})
			cs.Add(numField("Policy no", uint64(e.PolicyNo), eo, 1))
			cs.Add(hexNumField("SSRC", uint64(e.SSRC), 8, eo+1, 4))
			cs.Add(numField("ROC", uint64(e.ROC), eo+5, 4))
		}
	case MapGenericID:
		eo := h.MapInfoOffset
		for _, g := range h.GenericMap {
			n := 3 + len(g.Policies) + 2 + len(g.SessionData) + 1 + len(g.SPI)
			cs := mi.Add(&Field{Name: "Crypto session " + strconv.Itoa(int(g.CSID)), Offset: eo, Length: n})
			cs.Add(numField("CS ID", uint64(g.CSID), eo, 1))
			cs.Add(enumField("Prot type", uint64(g.Prot), g.Prot.String(), eo+1, 1))
			cs.Add(flagField("S", g.S, eo+2, "ROC and SEQ present", "ROC and SEQ absent"))
			cs.Add(numField("#P", uint64(len(g.Policies)), eo+2, 1))
			if len(g.Policies) > 0 {
				cs.Add(bytesField("Policy numbers", g.Policies, eo+3, ""))
			}
			so := eo + 3 + len(g.Policies)
			cs.Add(numField("Session data length", uint64(len(g.SessionData)), so, 2))
			if len(g.SessionData) > 0 {
				sd := cs.Add(bytesField("Session data", g.SessionData, so+2, ""))
				if g.Prot == ProtSRTP {
					if ssrc, roc, seq, ok := g.SRTPSession(); ok {
						sd.Add(hexNumField("SSRC", uint64(ssrc), 8, so+2, 4))
						if g.S {
							sd.Add(numField("ROC", uint64(roc), so+6, 4))
							sd.Add(numField("SEQ", uint64(seq), so+10, 2))
						}
					}
				}
			}
			po := so + 2 + len(g.SessionData)
			cs.Add(numField("SPI length", uint64(len(g.SPI)), po, 1))
			if len(g.SPI) > 0 {
				cs.Add(bytesField("SPI", g.SPI, po+1, mcMKIMeaning(h, g)))
			}
			eo += n
		}
	}
	return f
}

func appendU16(b []byte, v uint16) []byte { return append(b, byte(v>>8), byte(v)) }

func appendU32(b []byte, v uint32) []byte {
	return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

func appendU64(b []byte, v uint64) []byte {
	return appendU32(appendU32(b, uint32(v>>32)), uint32(v))
}

// mcMKIMeaning explains the MKI of a MIKEY-SAKKE crypto session
// (TS 33.180 §E.1.3): the key id, or GMK-ID ‖ GUK-ID for a group key, and
// what the CS ID is for.
func mcMKIMeaning(h *Header, g GenericCS) string {
	if h.DataType != DataTypeSAKKE {
		return ""
	}
	use := map[uint8]string{0: "initiator's MCPTT private call media", 1: "receiver's MCPTT private call media", 2: "initiator's MCVideo private call media",
		3: "receiver's MCVideo private call media", 4: "MCPTT group call media", 5: "MCVideo group call media", 6: "CSK, MCPTT SRTCP",
		7: "MuSiK, MCPTT SRTCP", 8: "CSK, MCVideo SRTCP", 9: "MuSiK, MCVideo SRTCP"}[g.CSID]
	var s string
	switch len(g.SPI) {
	case 8:
		a, b := be32(g.SPI), be32(g.SPI[4:])
		s = fmt.Sprintf("MKI: GMK-ID 0x%08x (%v) ‖ GUK-ID 0x%08x", a, PurposeOf(a), b)
	case 4:
		a := be32(g.SPI)
		s = fmt.Sprintf("MKI: key id 0x%08x (%v)", a, PurposeOf(a))
	default:
		return ""
	}
	if use != "" {
		s += "; CS " + strconv.Itoa(int(g.CSID)) + ": " + use + " (TS 33.180 §E.1.3)"
	}
	return s
}
