package mikey

import "fmt"

// MIKEY-TICKET payloads: TR, IDR, RANDR, TP and TICKET (RFC 6043 §6.4-6.10).

func (p *TRPayload) parse(r *reader) error {
	var role, ts uint8
	if !r.u8(&role) || !r.u8(&ts) {
		return r.fail("TS role/TS type", ErrTruncated)
	}
	p.Role, p.TSType = TSRole(role), TSType(ts)
	v, err := readTS(r, p.TSType)
	p.Value = v
	return err
}

// AppendMarshal encodes the TR payload.
func (p *TRPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	b = append(b, uint8(next), uint8(p.Role), uint8(p.TSType))
	b, err := appendTS(b, p.TSType, p.Value)
	if err != nil {
		return b, fmt.Errorf("mikey: TR: %w", err)
	}
	return b, nil
}

func (p *TRPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "Timestamp payload with role: "+p.Role.String())
	f.Add(enumField("TS role", uint64(p.Role), p.Role.String(), p.Offset+1, 1))
	f.Add(enumField("TS type", uint64(p.TSType), p.TSType.String(), p.Offset+2, 1))
	f.Add(tsValueField(p.TSType, p.Value, p.Offset+3))
	return f
}

func (p *IDRPayload) parse(r *reader) error {
	var role uint8
	if !r.u8(&role) {
		return r.fail("ID role", ErrTruncated)
	}
	p.Role = IDRole(role)
	var t uint8
	err := readTypedData(r, &t, &p.Data, "ID")
	p.IDType = IDType(t)
	return err
}

// AppendMarshal encodes the IDR payload.
func (p *IDRPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	if len(p.Data) > 0xffff {
		return b, fmt.Errorf("mikey: IDR: %d bytes exceed 65535", len(p.Data))
	}
	b = append(b, uint8(next), uint8(p.Role), uint8(p.IDType))
	b = appendU16(b, uint16(len(p.Data)))
	return append(b, p.Data...), nil
}

func (p *IDRPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "ID payload with role: "+p.Role.String())
	f.Add(enumField("ID role", uint64(p.Role), p.Role.String(), p.Offset+1, 1))
	f.Add(enumField("ID type", uint64(p.IDType), p.IDType.String(), p.Offset+2, 1))
	f.Add(numField("ID len", uint64(len(p.Data)), p.Offset+3, 2))
	f.Add(textField("ID data", p.Data, p.Offset+5))
	return f
}

func (p *RANDRPayload) parse(r *reader) error {
	var role, n uint8
	if !r.u8(&role) || !r.u8(&n) {
		return r.fail("RAND role/RAND length", ErrTruncated)
	}
	p.Role = RandRole(role)
	return r.take(&p.Rand, int(n), "RAND")
}

// AppendMarshal encodes the RANDR payload.
func (p *RANDRPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	if len(p.Rand) > 255 {
		return b, fmt.Errorf("mikey: RANDR: %d bytes exceed 255", len(p.Rand))
	}
	b = append(b, uint8(next), uint8(p.Role), uint8(len(p.Rand)))
	return append(b, p.Rand...), nil
}

func (p *RANDRPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "RAND payload with role: "+p.Role.String())
	f.Add(enumField("RAND role", uint64(p.Role), p.Role.String(), p.Offset+1, 1))
	f.Add(numField("RAND length", uint64(len(p.Rand)), p.Offset+2, 1))
	f.Add(bytesField("RAND", p.Rand, p.Offset+3, ""))
	return f
}

// parse decodes the ticket policy fields shared by TP and TICKET.
func (tp *TicketPolicy) parse(r *reader, st *payloadStore) error {
	var tt uint16
	var w uint32
	if !r.u16(&tt) || !r.u8(&tp.Subtype) || !r.u8(&tp.Version) || !r.s.ReadUint24(&w) {
		return r.fail("Ticket type/Subtype/Version/flags", ErrTruncated)
	}
	tp.TicketType = TicketType(tt)
	tp.PRF, tp.Flags, tp.Reserved = PRFFunc(w>>17), uint16(w>>5)&0x0fff, uint8(w&0x1f)
	var n uint16
	if !r.u16(&n) {
		return r.fail("TP Data length", ErrTruncated)
	}
	tp.TPDataOffset = r.off()
	if err := r.take(&tp.TPData, int(n), "TP Data"); err != nil {
		return err
	}
	var err error
	tp.TPPayloads, err = parseNested(tp.TPData, tp.TPDataOffset, st)
	return err
}

// maxNesting bounds payloads nested in TP Data and Initiator Data, which
// may themselves hold TP or TICKET payloads.
const maxNesting = 4

// parseNested decodes "First Payload, payloads..." data such as TP Data and
// Initiator Data (RFC 6043 §6.10).
func parseNested(b []byte, off int, st *payloadStore) ([]Payload, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if st.depth >= maxNesting {
		return nil, &ParseError{Offset: off, Payload: "nested payloads", Err: fmt.Errorf("%w: more than %d levels of TP/TICKET nesting", ErrBadLength, maxNesting)}
	}
	st.depth++
	defer func() { st.depth-- }()
	r := newReader(b, off)
	var first uint8
	r.u8(&first)
	out, err := parseChain(&r, PayloadType(first), st, nil)
	if err == nil && !r.empty() {
		err = &ParseError{Offset: r.off(), Payload: "nested payloads", Err: fmt.Errorf("%w: %d bytes after the last payload", ErrBadLength, len(r.remaining()))}
	}
	return out, err
}

func (tp *TicketPolicy) appendMarshal(b []byte) ([]byte, error) {
	if tp.PRF > 0x7f || tp.Flags > 0x0fff || tp.Reserved > 0x1f || len(tp.TPData) > 0xffff {
		return b, fmt.Errorf("ticket policy field out of range")
	}
	b = appendU16(b, uint16(tp.TicketType))
	b = append(b, tp.Subtype, tp.Version)
	w := uint32(tp.PRF)<<17 | uint32(tp.Flags)<<5 | uint32(tp.Reserved)
	b = append(b, byte(w>>16), byte(w>>8), byte(w))
	b = appendU16(b, uint16(len(tp.TPData)))
	return append(b, tp.TPData...), nil
}

// MarshalNested encodes payloads as "First Payload, payloads..." for TP Data
// and Initiator Data (RFC 6043 §6.10).
func MarshalNested(ps []Payload) ([]byte, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	b := []byte{uint8(ps[0].Type())}
	return appendPayloads(b, ps)
}

func (tp *TicketPolicy) tree(t *treeBuilder, f *Field, o int) {
	f.Add(enumField("Ticket type", uint64(tp.TicketType), tp.TicketType.String(), o+1, 2))
	f.Add(numField("Subtype", uint64(tp.Subtype), o+3, 1))
	f.Add(numField("Version", uint64(tp.Version), o+4, 1))
	f.Add(enumField("PRF func", uint64(tp.PRF), tp.PRF.String(), o+5, 1))
	fl := f.Add(hexNumField("Flags", uint64(tp.Flags), 3, o+5, 3))
	names := "DEFGHIJKLMNO"
	set := ""
	for i := 0; i < 12; i++ {
		if tp.Flags&(1<<(11-i)) != 0 {
			set += names[i : i+1]
		}
	}
	if set == "" {
		set = "none"
	}
	fl.Meaning = "set: " + set
	f.Add(numField("Reserved", uint64(tp.Reserved), o+7, 1))
	f.Add(numField("TP Data length", uint64(len(tp.TPData)), o+8, 2))
	d := f.Add(bytesField("TP Data", tp.TPData, tp.TPDataOffset, ""))
	nestedTree(t, d, tp.TPData, tp.TPDataOffset, tp.TPPayloads)
}

func nestedTree(t *treeBuilder, d *Field, data []byte, off int, ps []Payload) {
	if len(data) == 0 {
		return
	}
	d.Value = ""
	d.Meaning = plural(len(ps), "payload")
	d.Add(enumField("First payload", uint64(data[0]), PayloadType(data[0]).String(), off, 1))
	for _, p := range ps {
		d.Add(p.tree(t))
	}
}

func (p *TPPayload) parse(r *reader, st *payloadStore) error { return p.TicketPolicy.parse(r, st) }

// AppendMarshal encodes the TP payload (TP Data as it is in TPData).
func (p *TPPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	b, err := p.TicketPolicy.appendMarshal(append(b, uint8(next)))
	if err != nil {
		return b, fmt.Errorf("mikey: TP: %w", err)
	}
	return b, nil
}

func (p *TPPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "Ticket policy payload")
	p.TicketPolicy.tree(t, f, p.Offset)
	return f
}

func (p *TICKETPayload) parse(r *reader, st *payloadStore) error {
	if err := p.TicketPolicy.parse(r, st); err != nil {
		return err
	}
	if !r.u16Prefixed(&p.TicketData) {
		return r.fail("Ticket Data", ErrTruncated)
	}
	var n uint16
	if !r.u16(&n) {
		return r.fail("Initiator Data length", ErrTruncated)
	}
	p.InitiatorDataOffset = r.off()
	if err := r.take(&p.InitiatorData, int(n), "Initiator Data"); err != nil {
		return err
	}
	var err error
	p.InitiatorPayloads, err = parseNested(p.InitiatorData, p.InitiatorDataOffset, st)
	return err
}

// AppendMarshal encodes the TICKET payload.
func (p *TICKETPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	if len(p.TicketData) > 0xffff || len(p.InitiatorData) > 0xffff {
		return b, fmt.Errorf("mikey: TICKET: data longer than 65535 bytes")
	}
	b, err := p.TicketPolicy.appendMarshal(append(b, uint8(next)))
	if err != nil {
		return b, fmt.Errorf("mikey: TICKET: %w", err)
	}
	b = appendU16(b, uint16(len(p.TicketData)))
	b = append(b, p.TicketData...)
	b = appendU16(b, uint16(len(p.InitiatorData)))
	return append(b, p.InitiatorData...), nil
}

func (p *TICKETPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "Ticket payload")
	p.TicketPolicy.tree(t, f, p.Offset)
	o := p.TPDataOffset + len(p.TPData)
	f.Add(numField("Ticket Data length", uint64(len(p.TicketData)), o, 2))
	f.Add(bytesField("Ticket Data", p.TicketData, o+2, "for the party that resolves the ticket"))
	o += 2 + len(p.TicketData)
	f.Add(numField("Initiator Data length", uint64(len(p.InitiatorData)), o, 2))
	if len(p.InitiatorData) > 0 {
		d := f.Add(bytesField("Initiator Data", p.InitiatorData, p.InitiatorDataOffset, ""))
		nestedTree(t, d, p.InitiatorData, p.InitiatorDataOffset, p.InitiatorPayloads)
	}
	return f
}
