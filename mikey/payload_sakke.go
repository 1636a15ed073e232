package mikey

import "fmt"

// SAKKE payload (RFC 6509 §4.2).

func (p *SAKKEPayload) parse(r *reader) error {
	var prm, ids uint8
	if !r.u8(&prm) || !r.u8(&ids) {
		return r.fail("SAKKE params/ID scheme", ErrTruncated)
	}
	p.Params, p.IDScheme = SAKKEParams(prm), SAKKEIDScheme(ids)
	var n uint16
	if !r.u16(&n) {
		return r.fail("SAKKE data length", ErrTruncated)
	}
	p.DataOffset = r.off()
	return r.take(&p.Data, int(n), "SAKKE data")
}

// AppendMarshal encodes the SAKKE payload.
func (p *SAKKEPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	if len(p.Data) > 0xffff {
		return b, fmt.Errorf("mikey: SAKKE: %d bytes exceed 65535", len(p.Data))
	}
	b = append(b, uint8(next), uint8(p.Params), uint8(p.IDScheme))
	b = appendU16(b, uint16(len(p.Data)))
	return append(b, p.Data...), nil
}

func (p *SAKKEPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "SAKKE payload")
	o := p.Offset
	f.Add(enumField("SAKKE params", uint64(p.Params), p.Params.String(), o+1, 1))
	f.Add(enumField("ID scheme", uint64(p.IDScheme), p.IDScheme.String(), o+2, 1))
	f.Add(numField("SAKKE data length", uint64(len(p.Data)), o+3, 2))
	f.Add(bytesField("SAKKE data", p.Data, p.DataOffset, "SAKKE Encapsulated Data (RFC 6508 §4)"))
	return f
}
