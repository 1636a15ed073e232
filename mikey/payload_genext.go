package mikey

import (
	"fmt"
	"strconv"
	"strings"
)

// General extension payload (RFC 3830 §6.15).

func (p *GenExtPayload) parse(r *reader) error {
	var t uint8
	if !r.u8(&t) {
		return r.fail("Type", ErrTruncated)
	}
	p.ExtType = GenExtType(t)
	var n uint16
	if !r.u16(&n) {
		return r.fail("Length", ErrTruncated)
	}
	return r.take(&p.Data, int(n), "Data")
}

// AppendMarshal encodes the general extension payload.
func (p *GenExtPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return appendTypedData(b, next, uint8(p.ExtType), p.Data, "General Ext.")
}

// KeyID is one Key ID sub-payload of a Key ID general extension
// (RFC 4563 §4).
type KeyID struct {
	Type KeyIDType
	ID   []byte
}

// KeyIDs decodes the Data of a Key ID extension (type 3, RFC 4563 §4).
func (p *GenExtPayload) KeyIDs() ([]KeyID, error) {
	var out []KeyID
	r := newReader(p.Data, 0)
	for !r.empty() {
		var k KeyID
		var t uint8
		if !r.u8(&t) {
			return out, r.fail("Key ID type", ErrTruncated)
		}
		k.Type = KeyIDType(t)
		if !r.u8Prefixed(&k.ID) {
			return out, r.fail("Key ID", ErrTruncated)
		}
		out = append(out, k)
	}
	return out, nil
}

// SAKKEToSelf decodes the Data of a SAKKE-to-self extension (type 6, 3GPP
// TS 33.180 §E.5): a whole SAKKE payload whose own Next payload is zero.
func (p *GenExtPayload) SAKKEToSelf() (*SAKKEPayload, error) {
	dataOff := p.Offset + 4
	r := newReader(p.Data, dataOff)
	var next uint8
	if !r.u8(&next) {
		return nil, wrapErr(r.fail("Next payload", ErrTruncated), "SAKKE-to-self")
	}
	s := &SAKKEPayload{}
	if err := s.parse(&r); err != nil {
		return nil, wrapErr(err, "SAKKE-to-self")
	}
	s.Next = PayloadType(next)
	s.Span = Span{Offset: dataOff, Length: r.off() - dataOff}
	if !r.empty() {
		return s, &ParseError{Offset: r.off(), Payload: "SAKKE-to-self", Err: fmt.Errorf("%w: %d bytes after the SAKKE payload", ErrBadLength, len(r.remaining()))}
	}
	return s, nil
}

func (p *GenExtPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "General extension payload: "+p.ExtType.String())
	o := p.Offset
	f.Add(enumField("Type", uint64(p.ExtType), p.ExtType.String(), o+1, 1))
	f.Add(numField("Length", uint64(len(p.Data)), o+2, 2))
	d := f.Add(bytesField("Data", p.Data, o+4, ""))
	switch p.ExtType {
	case GenExtVendorID, GenExtSDPIDs:
		if printable(p.Data) {
			d.Meaning = strconv.Quote(string(p.Data))
		}
	case GenExtCSBID:
		if len(p.Data) == 4 {
			c := hexNumField("CSB ID", uint64(be32(p.Data)), 8, o+4, 4)
			c.Meaning = "Responder's modified CSB ID (RFC 4738)"
			d.Add(c)
		}
	case GenExtKeyID:
		kids, err := p.KeyIDs()
		ko := o + 4
		for _, k := range kids {
			kf := d.Add(&Field{Name: "Key ID", Meaning: k.Type.String(), Offset: ko, Length: 2 + len(k.ID)})
			kf.Add(enumField("Key ID type", uint64(k.Type), k.Type.String(), ko, 1))
			kf.Add(numField("Key ID length", uint64(len(k.ID)), ko+1, 1))
			kf.Add(bytesField("Key ID", k.ID, ko+2, ""))
			ko += 2 + len(k.ID)
		}
		if err != nil {
			d.Meaning = "malformed: " + err.Error()
		}
	case GenExtBCAST:
		if len(p.Data) > 0 {
			st := BCASTSubtype(p.Data[0])
			d.Meaning = "OMA BCAST " + st.String()
			d.Add(enumField("Subtype", uint64(st), st.String(), o+4, 1))
			d.Add(bytesField("Subtype specific data", p.Data[1:], o+5, ""))
		}
	case GenExtMCKeyParams:
		kp, err := ParseMCKeyParams(p.Data)
		if kp != nil && !kp.Legacy {
			b := o + 4
			d.Add(hexNumField("Message type", uint64(kp.MessageType), 2, b, 1)).Meaning = mcMessageType(kp.MessageType)
			d.Add(numField("Date and time", kp.DateTime, b+1, 5))
			d.Add(hexNumField("Payload ID", uint64(kp.PayloadID), 8, b+6, 4))
			d.Add(numField("Payload sequence number", uint64(kp.PayloadSeq), b+10, 1))
			d.Add(numField("Payload algorithm", uint64(kp.Algorithm), b+11, 1))
			d.Add(bytesField("IV", kp.iv, b+12, ""))
			d.Add(hexNumField("DPPK-ID", uint64(kp.DPPKID), 8, b+28, 4)).Meaning = "key purpose " + PurposeOf(kp.DPPKID).String()
			d.Add(bytesField("Protected key parameters", kp.ciphertext, b+35, ""))
		}
		switch {
		case err != nil:
			d.Meaning = "malformed: " + err.Error()
		case kp.Legacy:
			d.Meaning = "key parameters in clear, an older layout (key type " + kp.KeyType.String() + ")"
		default:
			d.Meaning = "key parameters (TS 33.180 §E.6)"
		}
	case GenExtSAKKEToSelf:
		s, err := p.SAKKEToSelf()
		if s != nil {
			sf := s.tree(t)
			sf.Name = "SAKKE payload (to self)"
			d.Add(sf)
		}
		if err != nil {
			d.Meaning = "malformed: " + err.Error()
		}
	}
	return f
}

// mcMessageType names the protected payload message type of the key
// parameters extension (TS 24.282 §15.2: bit 7 encrypted, bit 8
// authenticated).
func mcMessageType(t uint8) string {
	var w []string
	if t&0x40 != 0 {
		w = append(w, "encrypted")
	}
	if t&0x80 != 0 {
		w = append(w, "authenticated")
	}
	if len(w) == 0 {
		return "in clear"
	}
	return strings.Join(w, ", ")
}
