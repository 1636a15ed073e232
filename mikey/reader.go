package mikey

import "golang.org/x/crypto/cryptobyte"

// reader is a bounded reader over a message, modelled on cryptobyte as used
// by crypto/tls: every read checks the bytes present, and offsets are
// derived from what remains, never from length fields.
type reader struct {
	s     cryptobyte.String
	total int    // len(Message.Raw)
	base  int    // offset of s[0] when the reader was made (for nested data)
	whole []byte // the input the reader was made from
}

func newReader(b []byte, base int) reader {
	return reader{s: cryptobyte.String(b), total: base + len(b), base: base, whole: b}
}

// off is the absolute offset (in Message.Raw) of the next unread byte.
func (r *reader) off() int { return r.total - len(r.s) }

func (r *reader) empty() bool { return len(r.s) == 0 }

func (r *reader) remaining() []byte { return []byte(r.s) }

func (r *reader) u8(v *uint8) bool { return r.s.ReadUint8(v) }

func (r *reader) u16(v *uint16) bool { return r.s.ReadUint16(v) }

func (r *reader) u32(v *uint32) bool { return r.s.ReadUint32(v) }

func (r *reader) u64(v *uint64) bool { return r.s.ReadUint64(v) }

// bytes reads n bytes as a sub-slice of the input (no copy).
func (r *reader) bytes(out *[]byte, n int) bool { return r.s.ReadBytes(out, n) }

// u8Prefixed reads an 8-bit length and that many bytes.
func (r *reader) u8Prefixed(out *[]byte) bool {
	var n uint8
	return r.s.ReadUint8(&n) && r.s.ReadBytes(out, int(n))
}

// u16Prefixed reads a 16-bit length and that many bytes.
func (r *reader) u16Prefixed(out *[]byte) bool {
	var n uint16
	return r.s.ReadUint16(&n) && r.s.ReadBytes(out, int(n))
}

// payloadStore holds the payload structs of a Message so that parsing
// allocates in chunks and, when a Message is reused with Unmarshal, not at
// all.
type payloadStore struct {
	t     pool[TPayload]
	rand  pool[RANDPayload]
	sp    pool[SPPayload]
	kemac pool[KEMACPayload]
	kd    pool[KeyData]
	kdPtr []*KeyData
	param []SPParam
	srtp  []SRTPCS

	payloads []Payload
	notes    []Note
	depth    int // nesting level of TP Data / Initiator Data being decoded

	// Initial backing arrays, sized for a typical PSK message (HDR, T,
	// RAND, SP, KEMAC with one TEK), so that Parse allocates only the
	// Message.
	payloadArr [8]Payload
	tArr       [1]TPayload
	randArr    [1]RANDPayload
	spArr      [1]SPPayload
	kemacArr   [1]KEMACPayload
	kdArr      [2]KeyData
	kdPtrArr   [2]*KeyData
	paramArr   [16]SPParam
	srtpArr    [2]SRTPCS
}

func (s *payloadStore) reset() {
	if s.t.items == nil {
		s.t.items = s.tArr[:0]
		s.rand.items = s.randArr[:0]
		s.sp.items = s.spArr[:0]
		s.kemac.items = s.kemacArr[:0]
		s.kd.items = s.kdArr[:0]
		s.kdPtr = s.kdPtrArr[:0]
		s.param = s.paramArr[:0]
		s.srtp = s.srtpArr[:0]
		s.payloads = s.payloadArr[:0]
	}
	s.t.reset()
	s.rand.reset()
	s.sp.reset()
	s.kemac.reset()
	s.kd.reset()
	s.kdPtr = s.kdPtr[:0]
	s.param = s.param[:0]
	s.srtp = s.srtp[:0]
	s.depth = 0
}

// pool hands out zeroed *T from a slice; growing it leaves earlier pointers
// valid (they keep the old array alive).
type pool[T any] struct{ items []T }

func (p *pool[T]) reset() {
	clear(p.items)
	p.items = p.items[:0]
}

func (p *pool[T]) get() *T {
	if len(p.items) == cap(p.items) {
		p.items = make([]T, 0, max(4, 2*cap(p.items)))
	}
	p.items = p.items[:len(p.items)+1]
	return &p.items[len(p.items)-1]
}
