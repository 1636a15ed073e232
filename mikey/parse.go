package mikey

import (
	"errors"
	"fmt"
	"strconv"
)

// Parse decodes a MIKEY message (RFC 3830 §6). On error it returns the part
// that decoded (the header and every payload before the faulty one),
// together with a *ParseError naming the offset and the payload. An unknown
// payload type stops decoding, since its length cannot be known. Bytes after
// the last payload are kept in Message.Trailing with a Note, not an error.
// The Message aliases b (see Message).
func Parse(b []byte) (*Message, error) {
	m := new(Message)
	err := m.Unmarshal(b)
	return m, err
}

// Unmarshal decodes b into m like Parse, reusing m's memory: payloads and
// slices obtained from a previous decode into m become invalid. Decoding a
// typical message into a reused Message does not allocate.
func (m *Message) Unmarshal(b []byte) error {
	m.store.reset()
	m.Raw = b
	m.Header = Header{}
	// Payloads and Notes use memory owned by m, never slices a caller set
	// (a message built in code keeps its own Payloads slice intact).
	m.Payloads = m.store.payloads[:0]
	m.Notes = m.store.notes[:0]
	m.Trailing, m.TrailingOffset = nil, 0
	defer func() { m.store.payloads, m.store.notes = m.Payloads[:0], m.Notes[:0] }()

	r := newReader(b, 0)
	next, err := m.Header.parse(&r, &m.store)
	if err != nil {
		return wrapErr(err, "HDR")
	}
	if m.Header.Version != 1 {
		m.note(NoteOtherVersion, 0, "version "+strconv.Itoa(int(m.Header.Version))+" is not MIKEY version 1; decoded with the version 1 layout")
	}
	m.Payloads, err = parseChain(&r, next, &m.store, m.Payloads)
	if err != nil {
		return err
	}
	m.notePadding()
	if !r.empty() {
		m.TrailingOffset = r.off()
		m.Trailing = r.remaining()
		if allZero(m.Trailing) {
			m.note(NoteTrailingPadding, m.TrailingOffset, strconv.Itoa(len(m.Trailing))+" byte(s) of zero padding after the last payload (not part of the MIKEY framing; seen from Milestone XProtect)")
		} else {
			m.note(NoteTrailingBytes, m.TrailingOffset, strconv.Itoa(len(m.Trailing))+" unexpected byte(s) after the last payload, kept as Trailing")
		}
	}
	return nil
}

// notePadding notes zero bytes after the last Key data sub-payload of a
// NULL-encrypted KEMAC (accepted as padding by ParseKeyData).
func (m *Message) notePadding() {
	for _, p := range m.Payloads {
		k, ok := p.(*KEMACPayload)
		if !ok || len(k.KeyData) == 0 || k.Decrypted {
			continue
		}
		last := k.KeyData[len(k.KeyData)-1]
		if end := k.EncrDataOffset + len(k.EncrData); last.End() < end {
			m.note(NoteKEMACPadding, last.End(), strconv.Itoa(end-last.End())+" zero byte(s) after the last Key data sub-payload, inside the KEMAC Encr data")
		}
	}
}

func (m *Message) note(code NoteCode, off int, text string) {
	m.Notes = append(m.Notes, Note{Code: code, Offset: off, Text: text})
}

// parseChain decodes payloads from r, starting with type next, until a
// payload says Last (or a SIGN payload, which is always last). Decoded
// payloads are appended to out, which is returned even on error.
func parseChain(r *reader, next PayloadType, st *payloadStore, out []Payload) ([]Payload, error) {
	for next != PayloadLast {
		start := r.off()
		p, n, err := parsePayload(r, next, st)
		if err != nil {
			return out, wrapErr(err, next.String())
		}
		setSpan(p, Span{Offset: start, Length: r.off() - start})
		out = append(out, p)
		if next == PayloadSIGN {
			break
		}
		next = n
	}
	return out, nil
}

// parsePayload decodes one payload of type t and returns it with the value
// of its Next payload field.
func parsePayload(r *reader, t PayloadType, st *payloadStore) (Payload, PayloadType, error) {
	var (
		p    Payload
		next uint8
		err  error
	)
	if !knownPayload(t) {
		if t == PayloadKeyData {
			return nil, 0, r.fail("", fmt.Errorf("Key data sub-payload outside a KEMAC: %w", ErrUnknownPayload))
		}
		return nil, 0, r.fail("", fmt.Errorf("%w %d (%s): its length cannot be known", ErrUnknownPayload, uint8(t), t))
	}
	if t != PayloadSIGN {
		if !r.u8(&next) {
			return nil, 0, r.fail("Next payload", ErrTruncated)
		}
	}
	switch t {
	case PayloadKEMAC:
		q := st.kemac.get()
		err, p = q.parse(r, st), q
	case PayloadT:
		q := st.t.get()
		err, p = q.parse(r), q
	case PayloadRAND:
		q := st.rand.get()
		err, p = q.parse(r), q
	case PayloadSP:
		q := st.sp.get()
		err, p = q.parse(r, st), q
	case PayloadPKE:
		q := new(PKEPayload)
		err, p = q.parse(r), q
	case PayloadDH:
		q := new(DHPayload)
		err, p = q.parse(r), q
	case PayloadSIGN:
		q := new(SIGNPayload)
		err, p = q.parse(r), q
	case PayloadID:
		q := new(IDPayload)
		err, p = q.parse(r), q
	case PayloadCERT:
		q := new(CERTPayload)
		err, p = q.parse(r), q
	case PayloadCHASH:
		q := new(CHASHPayload)
		err, p = q.parse(r), q
	case PayloadV:
		q := new(VPayload)
		err, p = q.parse(r), q
	case PayloadERR:
		q := new(ERRPayload)
		err, p = q.parse(r), q
	case PayloadGenExt:
		q := new(GenExtPayload)
		err, p = q.parse(r), q
	case PayloadTR:
		q := new(TRPayload)
		err, p = q.parse(r), q
	case PayloadIDR:
		q := new(IDRPayload)
		err, p = q.parse(r), q
	case PayloadRANDR:
		q := new(RANDRPayload)
		err, p = q.parse(r), q
	case PayloadTP:
		q := new(TPPayload)
		err, p = q.parse(r, st), q
	case PayloadTICKET:
		q := new(TICKETPayload)
		err, p = q.parse(r, st), q
	case PayloadSAKKE:
		q := new(SAKKEPayload)
		err, p = q.parse(r), q
	}
	if err != nil {
		return nil, 0, err
	}
	setNext(p, PayloadType(next))
	return p, PayloadType(next), nil
}

// knownPayload reports whether the payload type has a layout this package
// decodes. IBAKE, ESK, SK and ECCPT (RFC 6267) are registered but not
// decoded: their lengths are not known here.
func knownPayload(t PayloadType) bool {
	switch t {
	case PayloadKEMAC, PayloadPKE, PayloadDH, PayloadSIGN, PayloadT, PayloadID, PayloadCERT, PayloadCHASH,
		PayloadV, PayloadSP, PayloadRAND, PayloadERR, PayloadTR, PayloadIDR, PayloadRANDR, PayloadTP,
		PayloadTICKET, PayloadGenExt, PayloadSAKKE:
		return true
	}
	return false
}

// fieldErr is a fault inside a payload, before the payload name is known to
// the caller.
type fieldErr struct {
	off   int
	field string
	err   error
}

func (e *fieldErr) Error() string {
	if e.field == "" {
		return e.err.Error()
	}
	return e.field + ": " + e.err.Error()
}

func (e *fieldErr) Unwrap() error { return e.err }

func (r *reader) fail(field string, err error) error {
	return &fieldErr{off: r.off(), field: field, err: err}
}

// take reads n bytes, or fails naming the field and the shortfall.
func (r *reader) take(out *[]byte, n int, field string) error {
	if n < 0 || len(r.s) < n {
		return &fieldErr{off: r.off(), field: field, err: fmt.Errorf("%w: needs %d bytes, %d present", ErrTruncated, n, len(r.s))}
	}
	r.bytes(out, n)
	return nil
}

// wrapErr turns a fieldErr into a ParseError for the payload; a ParseError
// from a nested decode is kept as it is.
func wrapErr(err error, payload string) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		return err
	}
	var fe *fieldErr
	if errors.As(err, &fe) {
		return &ParseError{Offset: fe.off, Payload: payload, Err: fe}
	}
	return &ParseError{Payload: payload, Err: err}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func setSpan(p Payload, s Span) { p.base().Span = s }

func setNext(p Payload, n PayloadType) { p.base().Next = n }
