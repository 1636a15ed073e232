package mikey

import (
	"fmt"
	"strconv"
	"time"
)

// T payload (RFC 3830 §6.6, RFC 6043 §6.3).

func (p *TPayload) parse(r *reader) error {
	var ts uint8
	if !r.u8(&ts) {
		return r.fail("TS type", ErrTruncated)
	}
	p.TSType = TSType(ts)
	v, err := readTS(r, p.TSType)
	p.Value = v
	return err
}

func readTS(r *reader, t TSType) (uint64, error) {
	n, ok := t.ValueLen()
	if !ok {
		return 0, r.fail("TS value", fmt.Errorf("%w: TS type %d", ErrUnknownLength, uint8(t)))
	}
	if n == 8 {
		var v uint64
		if !r.u64(&v) {
			return 0, r.fail("TS value (8 bytes)", ErrTruncated)
		}
		return v, nil
	}
	var v uint32
	if !r.u32(&v) {
		return 0, r.fail("TS value (4 bytes)", ErrTruncated)
	}
	return uint64(v), nil
}

func appendTS(b []byte, t TSType, v uint64) ([]byte, error) {
	n, ok := t.ValueLen()
	if !ok {
		return b, fmt.Errorf("TS type %d has no known length", uint8(t))
	}
	if n == 8 {
		return appendU64(b, v), nil
	}
	if v > 0xffffffff {
		return b, fmt.Errorf("TS value %#x does not fit the 32-bit %s", v, t)
	}
	return appendU32(b, uint32(v)), nil
}

// AppendMarshal encodes the T payload.
func (p *TPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	b = append(b, uint8(next), uint8(p.TSType))
	b, err := appendTS(b, p.TSType, p.Value)
	if err != nil {
		return b, fmt.Errorf("mikey: T: %w", err)
	}
	return b, nil
}

func (p *TPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "Timestamp payload")
	f.Add(enumField("TS type", uint64(p.TSType), p.TSType.String(), p.Offset+1, 1))
	f.Add(tsValueField(p.TSType, p.Value, p.Offset+2))
	return f
}

func tsValueField(t TSType, v uint64, off int) *Field {
	n, _ := t.ValueLen()
	f := hexNumField("TS value", v, 2*n, off, n)
	switch t {
	case TSTypeNTPUTC, TSTypeNTP:
		f.Meaning = ntpString(v)
		if ft, ok := filetimeReading(v); ok {
			f.Meaning += "; not a plausible NTP time, but as a Windows FILETIME (Genetec Omnicast): " + ft
		}
	case TSTypeNTPUTC32:
		f.Meaning = ntpString(v << 32)
	case TSTypeCounter:
		f.Meaning = "counter " + strconv.FormatUint(v, 10)
	}
	return f
}

// filetimeReading reads a 64-bit value as a Windows FILETIME (100 ns ticks
// since 1601) when, read as NTP, it falls before 1968 and, read as
// FILETIME, it falls between 1990 and 2100.
func filetimeReading(v uint64) (string, bool) {
	const ntp1968 = 2145916800 // 1968-01-01 in NTP seconds
	if v>>32 >= ntp1968 {
		return "", false
	}
	const filetimeToUnix = 11644473600
	sec := int64(v/1e7) - filetimeToUnix
	t := time.Unix(sec, int64(v%1e7)*100).UTC()
	if t.Year() < 1990 || t.Year() > 2100 {
		return "", false
	}
	return t.Format("2006-01-02 15:04:05.000 UTC"), true
}

// ntpString renders a 64-bit NTP timestamp (RFC 5905: seconds since 1900
// in the top 32 bits).
func ntpString(v uint64) string {
	const ntpToUnix = 2208988800
	sec := int64(v >> 32)
	nsec := int64((v & 0xffffffff) * 1e9 >> 32)
	return time.Unix(sec-ntpToUnix, nsec).UTC().Format("2006-01-02 15:04:05.000 UTC")
}

// RAND payload (RFC 3830 §6.11).

func (p *RANDPayload) parse(r *reader) error {
	var n uint8
	if !r.u8(&n) {
		return r.fail("RAND len", ErrTruncated)
	}
	return r.take(&p.Rand, int(n), "RAND")
}

// AppendMarshal encodes the RAND payload.
func (p *RANDPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	if len(p.Rand) > 255 {
		return b, fmt.Errorf("mikey: RAND: %d bytes exceed 255", len(p.Rand))
	}
	b = append(b, uint8(next), uint8(len(p.Rand)))
	return append(b, p.Rand...), nil
}

func (p *RANDPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "RAND payload")
	f.Add(numField("RAND len", uint64(len(p.Rand)), p.Offset+1, 1))
	meaning := ""
	if len(p.Rand) < 16 {
		meaning = "shorter than the 16 bytes RFC 3830 §6.11 recommends"
	}
	f.Add(bytesField("RAND", p.Rand, p.Offset+2, meaning))
	return f
}

// ERR payload (RFC 3830 §6.12).

func (p *ERRPayload) parse(r *reader) error {
	var c uint8
	if !r.u8(&c) || !r.u16(&p.Reserved) {
		return r.fail("Error no/Reserved", ErrTruncated)
	}
	p.Code = ErrorCode(c)
	return nil
}

// AppendMarshal encodes the ERR payload.
func (p *ERRPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	b = append(b, uint8(next), uint8(p.Code))
	return appendU16(b, p.Reserved), nil
}

func (p *ERRPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "Error payload: "+p.Code.Description())
	f.Add(enumField("Error no", uint64(p.Code), p.Code.String()+": "+p.Code.Description(), p.Offset+1, 1))
	f.Add(numField("Reserved", uint64(p.Reserved), p.Offset+2, 2))
	return f
}

// ID and CERT payloads (RFC 3830 §6.7, RFC 6043 §6.5).

func readTypedData(r *reader, typ *uint8, data *[]byte, what string) error {
	if !r.u8(typ) {
		return r.fail(what+" type", ErrTruncated)
	}
	var n uint16
	if !r.u16(&n) {
		return r.fail(what+" len", ErrTruncated)
	}
	if !r.bytes(data, int(n)) {
		return r.take(data, int(n), what+" data")
	}
	return nil
}

func appendTypedData(b []byte, next PayloadType, typ uint8, data []byte, what string) ([]byte, error) {
	if len(data) > 0xffff {
		return b, fmt.Errorf("mikey: %s: %d bytes exceed 65535", what, len(data))
	}
	b = append(b, uint8(next), typ)
	b = appendU16(b, uint16(len(data)))
	return append(b, data...), nil
}

func (p *IDPayload) parse(r *reader) error {
	var t uint8
	err := readTypedData(r, &t, &p.Data, "ID")
	p.IDType = IDType(t)
	return err
}

// AppendMarshal encodes the ID payload.
func (p *IDPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return appendTypedData(b, next, uint8(p.IDType), p.Data, "ID")
}

func (p *IDPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "ID payload")
	f.Add(enumField("ID type", uint64(p.IDType), p.IDType.String(), p.Offset+1, 1))
	f.Add(numField("ID len", uint64(len(p.Data)), p.Offset+2, 2))
	f.Add(textField("ID data", p.Data, p.Offset+4))
	return f
}

func (p *CERTPayload) parse(r *reader) error {
	var t uint8
	err := readTypedData(r, &t, &p.Data, "Cert")
	p.CertType = CertType(t)
	return err
}

// AppendMarshal encodes the CERT payload.
func (p *CERTPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return appendTypedData(b, next, uint8(p.CertType), p.Data, "CERT")
}

func (p *CERTPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "Certificate payload")
	f.Add(enumField("Cert type", uint64(p.CertType), p.CertType.String(), p.Offset+1, 1))
	f.Add(numField("Cert len", uint64(len(p.Data)), p.Offset+2, 2))
	if p.CertType == 1 {
		f.Add(textField("Certificate URL", p.Data, p.Offset+4))
	} else {
		f.Add(bytesField("Certificate", p.Data, p.Offset+4, "DER"))
	}
	return f
}

// CHASH payload (RFC 3830 §6.8, RFC 6043 §6.7).

func (p *CHASHPayload) parse(r *reader) error {
	var h uint8
	if !r.u8(&h) {
		return r.fail("Hash func", ErrTruncated)
	}
	p.Func = HashFunc(h)
	n, ok := p.Func.HashLen()
	if !ok {
		return r.fail("Hash", fmt.Errorf("%w: hash func %d", ErrUnknownLength, h))
	}
	return r.take(&p.Hash, n, "Hash")
}

// AppendMarshal encodes the CHASH payload.
func (p *CHASHPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	n, ok := p.Func.HashLen()
	if !ok || len(p.Hash) != n {
		return b, fmt.Errorf("mikey: CHASH: %d-byte hash does not match %s", len(p.Hash), p.Func)
	}
	b = append(b, uint8(next), uint8(p.Func))
	return append(b, p.Hash...), nil
}

func (p *CHASHPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "Cert hash payload")
	f.Add(enumField("Hash func", uint64(p.Func), p.Func.String(), p.Offset+1, 1))
	f.Add(bytesField("Hash", p.Hash, p.Offset+2, ""))
	return f
}

// V payload (RFC 3830 §6.9).

func (p *VPayload) parse(r *reader) error {
	var a uint8
	if !r.u8(&a) {
		return r.fail("Auth alg", ErrTruncated)
	}
	p.AuthAlg = MACAlg(a)
	n, ok := p.AuthAlg.MACLen()
	if !ok {
		return r.fail("Ver data", fmt.Errorf("%w: auth alg %d", ErrUnknownLength, a))
	}
	p.VerDataOffset = r.off()
	return r.take(&p.VerData, n, "Ver data")
}

// AppendMarshal encodes the V payload; an empty VerData is written as zeros
// of the algorithm's length, a placeholder for the MAC.
func (p *VPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	n, ok := p.AuthAlg.MACLen()
	if !ok {
		return b, fmt.Errorf("mikey: V: auth alg %d has no known length", uint8(p.AuthAlg))
	}
	if len(p.VerData) != 0 && len(p.VerData) != n {
		return b, fmt.Errorf("mikey: V: Ver data is %d bytes, %s needs %d", len(p.VerData), p.AuthAlg, n)
	}
	b = append(b, uint8(next), uint8(p.AuthAlg))
	if len(p.VerData) == n {
		return append(b, p.VerData...), nil
	}
	return append(b, make([]byte, n)...), nil
}

func (p *VPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "Verification message payload")
	f.Add(enumField("Auth alg", uint64(p.AuthAlg), p.AuthAlg.String(), p.Offset+1, 1))
	if len(p.VerData) > 0 {
		f.Add(bytesField("Ver data", p.VerData, p.VerDataOffset, "MAC"))
	}
	return f
}

// PKE payload (RFC 3830 §6.3).

func (p *PKEPayload) parse(r *reader) error {
	var cl uint16
	if !r.u16(&cl) {
		return r.fail("C/Data len", ErrTruncated)
	}
	p.Cache = PKECache(cl >> 14)
	return r.take(&p.Data, int(cl&0x3fff), "Data")
}

// AppendMarshal encodes the PKE payload.
func (p *PKEPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	if len(p.Data) > 0x3fff || p.Cache > 3 {
		return b, fmt.Errorf("mikey: PKE: %d bytes of data exceed 16383 or cache %d exceeds 2 bits", len(p.Data), p.Cache)
	}
	b = append(b, uint8(next))
	b = appendU16(b, uint16(p.Cache)<<14|uint16(len(p.Data)))
	return append(b, p.Data...), nil
}

func (p *PKEPayload) tree(t *treeBuilder) *Field {
	f := payloadNode(p, "Envelope data payload")
	f.Add(enumField("C", uint64(p.Cache), p.Cache.String(), p.Offset+1, 1))
	f.Add(numField("Data len", uint64(len(p.Data)), p.Offset+1, 2))
	f.Add(bytesField("Data", p.Data, p.Offset+3, "encrypted envelope key"))
	return f
}
