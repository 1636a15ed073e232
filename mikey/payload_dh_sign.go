package mikey

import (
	"fmt"
	"strconv"
)

// DH payload (RFC 3830 §6.4; also DHHMAC, RFC 4650 §4).

func (p *DHPayload) parse(r *reader) error {
	var g uint8
	if !r.u8(&g) {
		return r.fail("DH-Group", ErrTruncated)
	}
	p.Group = DHGroup(g)
	n, ok := p.Group.ValueLen()
	if !ok {
		return r.fail("DH-value", fmt.Errorf("%w: DH group %d", ErrUnknownLength, g))
	}
	if err := r.take(&p.Value, n, "DH-value"); err != nil {
		return err
	}
	var rkv uint8
	if !r.u8(&rkv) {
		return r.fail("Reserved/KV", ErrTruncated)
	}
	p.Reserved, p.KV = rkv>>4, KVType(rkv&0x0f)
	return p.KeyValidity.parse(r)
}

// AppendMarshal encodes the DH payload.
func (p *DHPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	n, ok := p.Group.ValueLen()
	if !ok || len(p.Value) != n {
		return b, fmt.Errorf("mikey: DH: %d-byte value does not match group %s", len(p.Value), p.Group)
	}
	if p.Reserved > 15 || p.KV > 15 {
		return b, fmt.Errorf("mikey: DH: reserved %d or KV %d does not fit 4 bits", p.Reserved, p.KV)
	}
	b = append(b, uint8(next), uint8(p.Group))
	b = append(b, p.Value...)
	b = append(b, p.Reserved<<4|uint8(p.KV))
	b, err := p.KeyValidity.appendMarshal(b)
	if err != nil {
		return b, fmt.Errorf("mikey: DH: %w", err)
	}
	return b, nil
}

func (p *DHPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "DH data payload")
	o := p.Offset
	f.Add(enumField("DH-Group", uint64(p.Group), p.Group.String(), o+1, 1))
	f.Add(bytesField("DH-value", p.Value, o+2, strconv.Itoa(8*len(p.Value))+" bits"))
	o += 2 + len(p.Value)
	f.Add(numField("Reserved", uint64(p.Reserved), o, 1))
	f.Add(enumField("KV", uint64(p.KV), p.KV.String(), o, 1))
	p.KeyValidity.tree(f, o+1)
	return f
}

// SIGN payload (RFC 3830 §6.5, RFC 6509 §4.3). It has no Next payload field.

func (p *SIGNPayload) parse(r *reader) error {
	var tl uint16
	if !r.u16(&tl) {
		return r.fail("S type/Signature len", ErrTruncated)
	}
	p.SType = SignType(tl >> 12)
	p.SignatureOffset = r.off()
	return r.take(&p.Signature, int(tl&0x0fff), "Signature")
}

// AppendMarshal encodes the SIGN payload; next is ignored (SIGN is last).
func (p *SIGNPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	if len(p.Signature) > 0x0fff || p.SType > 15 {
		return b, fmt.Errorf("mikey: SIGN: signature of %d bytes exceeds 4095 or S type %d exceeds 4 bits", len(p.Signature), p.SType)
	}
	b = appendU16(b, uint16(p.SType)<<12|uint16(len(p.Signature)))
	return append(b, p.Signature...), nil
}

func (p *SIGNPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "Signature payload")
	f.Add(enumField("S type", uint64(p.SType), p.SType.String(), p.Offset, 1))
	f.Add(numField("Signature len", uint64(len(p.Signature)), p.Offset, 2))
	f.Add(bytesField("Signature", p.Signature, p.SignatureOffset, "covers bytes 0-"+strconv.Itoa(p.SignatureOffset-1)))
	return f
}
