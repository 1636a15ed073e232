package mikey

import (
	"fmt"
	"strconv"
)

// parse decodes an SP payload after its Next payload byte (RFC 3830 §6.10):
// policy number, protocol type and the Type/Length/Value parameters.
func (p *SPPayload) parse(r *reader, st *payloadStore) error {
	var prot uint8
	if !r.u8(&p.PolicyNo) || !r.u8(&prot) {
		return r.fail("Policy no/Prot type", ErrTruncated)
	}
	p.Prot = ProtType(prot)
	var n uint16
	if !r.u16(&n) {
		return r.fail("Policy param length", ErrTruncated)
	}
	var params []byte
	if err := r.take(&params, int(n), "Policy param"); err != nil {
		return err
	}
	pr := newReader(params, r.off()-len(params))
	first := len(st.param)
	for !pr.empty() {
		off := pr.off()
		var typ uint8
		var v []byte
		if !pr.u8(&typ) {
			return pr.fail("parameter type", ErrTruncated)
		}
		var l uint8
		if !pr.u8(&l) {
			return pr.fail("parameter "+strconv.Itoa(int(typ))+" length", ErrTruncated)
		}
		if !pr.bytes(&v, int(l)) {
			return pr.take(&v, int(l), "parameter "+strconv.Itoa(int(typ))+" value")
		}
		st.param = append(st.param, SPParam{Type: SPParamType(typ), Value: v, Offset: off})
	}
	p.Params = st.param[first:len(st.param):len(st.param)]
	return nil
}

// AppendMarshal encodes the SP payload; the policy param length is computed.
func (p *SPPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	n := 0
	for _, q := range p.Params {
		if len(q.Value) > 255 {
			return b, fmt.Errorf("mikey: SP: parameter %d value of %d bytes exceeds 255", q.Type, len(q.Value))
		}
		n += 2 + len(q.Value)
	}
	if n > 0xffff {
		return b, fmt.Errorf("mikey: SP: %d bytes of parameters exceed 65535", n)
	}
	b = append(b, uint8(next), p.PolicyNo, uint8(p.Prot))
	b = appendU16(b, uint16(n))
	for _, q := range p.Params {
		b = append(b, uint8(q.Type), uint8(len(q.Value)))
		b = append(b, q.Value...)
	}
	return b, nil
}

// SPUint builds an SP parameter with a 1-byte value (most SRTP parameters).
func SPUint(t SPParamType, v uint8) SPParam { return SPParam{Type: t, Value: []byte{v}} }

func (p *SPPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "Security policy payload, policy "+strconv.Itoa(int(p.PolicyNo))+" ("+p.Prot.String()+")")
	o := p.Offset
	f.Add(numField("Policy no", uint64(p.PolicyNo), o+1, 1))
	f.Add(enumField("Prot type", uint64(p.Prot), p.Prot.String(), o+2, 1))
	n := 0
	for _, q := range p.Params {
		n += 2 + len(q.Value)
	}
	f.Add(numField("Policy param length", uint64(n), o+3, 2))
	for _, q := range p.Params {
		f.Add(spParamTree(p.Prot, q))
	}
	return f
}

func spParamTree(prot ProtType, q SPParam) *Field {
	name := q.Type.String()
	if prot != ProtSRTP {
		name = "Parameter " + strconv.Itoa(int(q.Type))
	}
	f := &Field{Name: name, Offset: q.Offset, Length: 2 + len(q.Value)}
	f.Add(enumField("Type", uint64(q.Type), name, q.Offset, 1))
	f.Add(numField("Length", uint64(len(q.Value)), q.Offset+1, 1))
	vf := f.Add(bytesField("Value", q.Value, q.Offset+2, ""))
	v, ok := q.Uint()
	if !ok {
		return f
	}
	vf.Value = strconv.FormatUint(v, 10)
	f.Value = vf.Value
	if prot == ProtSRTP {
		vf.Meaning = spValueMeaning(q.Type, v)
		f.Meaning = vf.Meaning
	}
	return f
}

// spValueMeaning puts an SRTP policy value into words (RFC 3830 §6.10.1,
// RFC 4771, RFC 7714).
func spValueMeaning(t SPParamType, v uint64) string {
	small := v <= 255
	switch t {
	case SPEncrAlg:
		if small {
			return SRTPEncrAlg(v).String()
		}
	case SPAuthAlg, SPSRTPAuthAlg, SPSRTCPAuthAlg:
		if small {
			return SRTPAuthAlg(v).String()
		}
	case SPPRF:
		if small {
			return SRTPPRF(v).String()
		}
	case SPFECOrder:
		if small {
			return FECOrder(v).String()
		}
	case SPSRTPEncr, SPSRTCPEncr, SPSRTPAuth:
		switch v {
		case 0:
			return "off"
		case 1:
			return "on"
		}
		return "unknown (" + strconv.FormatUint(v, 10) + ")"
	case SPEncrKeyLen, SPAuthKeyLen, SPSaltKeyLen, SPAuthTagLen, SPPrefixLen,
		SPSRTPAuthKeyLen, SPSRTCPAuthKeyLen, SPSRTPAuthTagLen, SPSRTCPAuthTagLen, SPAEADAuthTagLen:
		return strconv.FormatUint(8*v, 10) + " bits"
	case SPKeyDerivRate:
		if v == 0 {
			return "derive once (RFC 3711 §4.3.1)"
		}
	case SPROCRate:
		return "ROC every " + strconv.FormatUint(v, 10) + " packets"
	}
	return ""
}
