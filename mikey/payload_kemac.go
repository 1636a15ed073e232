package mikey

import (
	"errors"
	"fmt"
	"strconv"
)

// parse decodes a KEMAC payload after its Next payload byte (RFC 3830
// §6.2). With NULL encryption the Key data sub-payloads are decoded too.
func (p *KEMACPayload) parse(r *reader, st *payloadStore) error {
	var enc uint8
	if !r.u8(&enc) {
		return r.fail("Encr alg", ErrTruncated)
	}
	p.EncrAlg = EncrAlg(enc)
	var n uint16
	if !r.u16(&n) {
		return r.fail("Encr data len", ErrTruncated)
	}
	p.EncrDataOffset = r.off()
	if err := r.take(&p.EncrData, int(n), "Encr data"); err != nil {
		return err
	}
	var mac uint8
	if !r.u8(&mac) {
		return r.fail("MAC alg", ErrTruncated)
	}
	p.MACAlg = MACAlg(mac)
	ml, ok := p.MACAlg.MACLen()
	if !ok {
		return r.fail("MAC", fmt.Errorf("%w: MAC alg %d", ErrUnknownLength, mac))
	}
	p.MACOffset = r.off()
	if err := r.take(&p.MAC, ml, "MAC"); err != nil {
		return err
	}
	if p.EncrAlg == EncrNULL && len(p.EncrData) > 0 {
		kds, err := parseKeyData(p.EncrData, p.EncrDataOffset, st)
		p.KeyData = kds
		if err != nil {
			return err
		}
	}
	return nil
}

// ParseKeyData decodes the Key data sub-payloads of a KEMAC Encr data field
// once decrypted (RFC 3830 §6.13). base is the offset recorded in their
// spans and in the tree: for AES-CM, pass KEMACPayload.EncrDataOffset, since
// counter mode keeps byte positions, so the offsets are those of the
// ciphertext bytes; for AES-KW the plaintext is 8 bytes shorter than the
// wrapped data and not aligned with it, and by convention the offsets are
// positions in the plaintext counted from EncrDataOffset (they point into
// the Encr data field but not at the bytes that encrypt that field).
// Zero bytes after the last sub-payload (padding) are accepted; anything
// else is an error. The result aliases b.
func ParseKeyData(b []byte, base int) ([]*KeyData, error) {
	var st payloadStore
	st.reset()
	kds, err := parseKeyData(b, base, &st)
	if err != nil {
		return kds, wrapErr(err, PayloadKeyData.String())
	}
	return append([]*KeyData(nil), kds...), nil
}

func parseKeyData(b []byte, base int, st *payloadStore) ([]*KeyData, error) {
	r := newReader(b, base)
	first := len(st.kdPtr)
	for i := 0; ; i++ {
		if i > len(b) {
			return nil, r.fail("Key data", errors.New("loop"))
		}
		start := r.off()
		kd := st.kd.get()
		next, err := kd.parse(&r)
		if err != nil {
			return st.kdPtr[first:len(st.kdPtr):len(st.kdPtr)], wrapErr(err, PayloadKeyData.String())
		}
		kd.Span = Span{Offset: start, Length: r.off() - start}
		st.kdPtr = append(st.kdPtr, kd)
		if next == PayloadLast {
			break
		}
		if next != PayloadKeyData {
			return st.kdPtr[first:len(st.kdPtr):len(st.kdPtr)], &ParseError{Offset: start, Payload: PayloadKeyData.String(),
				Err: fmt.Errorf("next payload %d (%s) inside a KEMAC; only Key data (20) or Last (0) may follow", uint8(next), next)}
		}
	}
	kds := st.kdPtr[first:len(st.kdPtr):len(st.kdPtr)]
	if !r.empty() && !allZero(r.remaining()) {
		return kds, &ParseError{Offset: r.off(), Payload: PayloadKeyData.String(),
			Err: fmt.Errorf("%w: %d bytes after the last Key data sub-payload", ErrBadLength, len(r.remaining()))}
	}
	return kds, nil
}

// parse decodes one Key data sub-payload with its Next payload byte.
func (kd *KeyData) parse(r *reader) (PayloadType, error) {
	var next, tkv uint8
	if !r.u8(&next) {
		return 0, r.fail("Next payload", ErrTruncated)
	}
	kd.Next = PayloadType(next)
	if !r.u8(&tkv) {
		return 0, r.fail("Type/KV", ErrTruncated)
	}
	kd.Type, kd.KV = KeyDataType(tkv>>4), KVType(tkv&0x0f)
	var n uint16
	if !r.u16(&n) {
		return 0, r.fail("Key data len", ErrTruncated)
	}
	if err := r.take(&kd.Key, int(n), "Key data"); err != nil {
		return 0, err
	}
	if kd.Type.HasSalt() {
		if !r.u16(&n) {
			return 0, r.fail("Salt len", ErrTruncated)
		}
		if err := r.take(&kd.Salt, int(n), "Salt data"); err != nil {
			return 0, err
		}
	}
	if err := kd.KeyValidity.parse(r); err != nil {
		return 0, err
	}
	return kd.Next, nil
}

// parse decodes KV data for the KV type already set (RFC 3830 §6.14).
func (kv *KeyValidity) parse(r *reader) error {
	switch kv.KV {
	case KVNull:
	case KVSPI:
		var n uint8
		if !r.u8(&n) {
			return r.fail("SPI length", ErrTruncated)
		}
		return r.take(&kv.SPI, int(n), "SPI")
	case KVInterval:
		var n uint8
		if !r.u8(&n) {
			return r.fail("VF length", ErrTruncated)
		}
		if err := r.take(&kv.ValidFrom, int(n), "Valid From"); err != nil {
			return err
		}
		if !r.u8(&n) {
			return r.fail("VT length", ErrTruncated)
		}
		return r.take(&kv.ValidTo, int(n), "Valid To")
	default:
		return r.fail("KV data", fmt.Errorf("%w: KV type %d", ErrUnknownLength, uint8(kv.KV)))
	}
	return nil
}

func (kv *KeyValidity) appendMarshal(b []byte) ([]byte, error) {
	switch kv.KV {
	case KVNull:
	case KVSPI:
		if len(kv.SPI) > 255 {
			return b, errors.New("SPI longer than 255 bytes")
		}
		b = append(b, uint8(len(kv.SPI)))
		b = append(b, kv.SPI...)
	case KVInterval:
		if len(kv.ValidFrom) > 255 || len(kv.ValidTo) > 255 {
			return b, errors.New("interval longer than 255 bytes")
		}
		b = append(b, uint8(len(kv.ValidFrom)))
		b = append(b, kv.ValidFrom...)
		b = append(b, uint8(len(kv.ValidTo)))
		b = append(b, kv.ValidTo...)
	default:
		return b, fmt.Errorf("KV type %d has no known encoding", uint8(kv.KV))
	}
	return b, nil
}

func (kv *KeyValidity) tree(f *Field, o int) {
	switch kv.KV {
	case KVSPI:
		f.Add(numField("SPI length", uint64(len(kv.SPI)), o, 1))
		spi := f.Add(bytesField("SPI/MKI", kv.SPI, o+1, ""))
		if len(kv.SPI) > 0 && len(kv.SPI) <= 8 {
			var v uint64
			for _, c := range kv.SPI {
				v = v<<8 | uint64(c)
			}
			spi.Meaning = "MKI " + strconv.FormatUint(v, 10)
		}
	case KVInterval:
		f.Add(numField("VF length", uint64(len(kv.ValidFrom)), o, 1))
		f.Add(bytesField("Valid From", kv.ValidFrom, o+1, ""))
		o += 1 + len(kv.ValidFrom)
		f.Add(numField("VT length", uint64(len(kv.ValidTo)), o, 1))
		f.Add(bytesField("Valid To", kv.ValidTo, o+1, ""))
	}
}

// AppendMarshal encodes the KEMAC. EncrData is written as it is when set;
// otherwise, for NULL encryption, KeyData is encoded. An empty MAC of an
// algorithm with a MAC is written as zeros, a placeholder to be replaced
// once the MAC over the encoded message is computed.
func (p *KEMACPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	data := p.EncrData
	if data == nil && len(p.KeyData) > 0 {
		if p.EncrAlg != EncrNULL {
			return b, fmt.Errorf("mikey: KEMAC: encryption %s needs EncrData (encrypt MarshalKeyData output first)", p.EncrAlg)
		}
		var err error
		if data, err = MarshalKeyData(p.KeyData); err != nil {
			return b, err
		}
	}
	if len(data) > 0xffff {
		return b, fmt.Errorf("mikey: KEMAC: Encr data of %d bytes exceeds 65535", len(data))
	}
	ml, ok := p.MACAlg.MACLen()
	if !ok {
		return b, fmt.Errorf("mikey: KEMAC: MAC alg %d has no known length", uint8(p.MACAlg))
	}
	if len(p.MAC) != 0 && len(p.MAC) != ml {
		return b, fmt.Errorf("mikey: KEMAC: MAC is %d bytes, %s needs %d", len(p.MAC), p.MACAlg, ml)
	}
	b = append(b, uint8(next), uint8(p.EncrAlg))
	b = appendU16(b, uint16(len(data)))
	b = append(b, data...)
	b = append(b, uint8(p.MACAlg))
	if len(p.MAC) == ml {
		return append(b, p.MAC...), nil
	}
	return append(b, make([]byte, ml)...), nil
}

// MarshalKeyData encodes Key data sub-payloads as the plaintext of a KEMAC
// Encr data field (RFC 3830 §6.13): each Next payload is Key data (20)
// except the last, which is Last (0).
func MarshalKeyData(kds []*KeyData) ([]byte, error) {
	var b []byte
	for i, kd := range kds {
		next := PayloadKeyData
		if i == len(kds)-1 {
			next = PayloadLast
		}
		var err error
		if b, err = kd.AppendMarshal(b, next); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// AppendMarshal encodes one Key data sub-payload.
func (kd *KeyData) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	if kd.Type > 15 || kd.KV > 15 {
		return b, fmt.Errorf("mikey: Key data: type %d or KV %d does not fit 4 bits", kd.Type, kd.KV)
	}
	if len(kd.Key) > 0xffff || len(kd.Salt) > 0xffff {
		return b, errors.New("mikey: Key data: key or salt longer than 65535 bytes")
	}
	if !kd.Type.HasSalt() && len(kd.Salt) > 0 {
		return b, fmt.Errorf("mikey: Key data: type %s has no salt field", kd.Type)
	}
	b = append(b, uint8(next), uint8(kd.Type)<<4|uint8(kd.KV))
	b = appendU16(b, uint16(len(kd.Key)))
	b = append(b, kd.Key...)
	if kd.Type.HasSalt() {
		b = appendU16(b, uint16(len(kd.Salt)))
		b = append(b, kd.Salt...)
	}
	b, err := kd.KeyValidity.appendMarshal(b)
	if err != nil {
		return b, fmt.Errorf("mikey: Key data: %w", err)
	}
	return b, nil
}

func (p *KEMACPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "Key data transport payload")
	o := p.Offset
	f.Add(enumField("Encr alg", uint64(p.EncrAlg), p.EncrAlg.String(), o+1, 1))
	f.Add(numField("Encr data len", uint64(len(p.EncrData)), o+2, 2))
	ed := f.Add(&Field{Name: "Encr data", Offset: p.EncrDataOffset, Length: len(p.EncrData)})
	switch {
	case len(p.KeyData) > 0 && p.Decrypted:
		ed.Meaning = plural(len(p.KeyData), "Key data sub-payload") + ", decrypted"
	case len(p.KeyData) > 0:
		ed.Meaning = plural(len(p.KeyData), "Key data sub-payload") + " in clear (NULL encryption)"
	case p.EncrAlg != EncrNULL:
		ed.Value = hexString(p.EncrData)
		ed.Meaning = "encrypted with " + p.EncrAlg.String() + "; Key data sub-payloads not decrypted"
	}
	for _, kd := range p.KeyData {
		ed.Add(kd.tree(t))
	}
	f.Add(enumField("MAC alg", uint64(p.MACAlg), p.MACAlg.String(), p.MACOffset-1, 1))
	if len(p.MAC) > 0 {
		f.Add(bytesField("MAC", p.MAC, p.MACOffset, "covers bytes 0-"+strconv.Itoa(p.MACOffset-1)))
	}
	return f
}

func (kd *KeyData) tree(t *treeBuilder) *Field {
	o := kd.Offset
	f := &Field{Name: "Key data", Meaning: kd.Type.String() + ", KV " + kd.KV.String(), Offset: o, Length: kd.Length}
	f.Add(enumField("Next payload", uint64(kd.Next), kd.Next.String(), o, 1))
	f.Add(enumField("Type", uint64(kd.Type), kd.Type.String(), o+1, 1))
	f.Add(enumField("KV", uint64(kd.KV), kd.KV.String(), o+1, 1))
	f.Add(numField("Key data len", uint64(len(kd.Key)), o+2, 2))
	f.Add(t.secretField("Key data", kd.Key, o+4))
	o += 4 + len(kd.Key)
	if kd.Type.HasSalt() {
		f.Add(numField("Salt len", uint64(len(kd.Salt)), o, 2))
		f.Add(t.secretField("Salt data", kd.Salt, o+2))
		o += 2 + len(kd.Salt)
	}
	kd.KeyValidity.tree(f, o)
	return f
}
