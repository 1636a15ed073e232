package mikey

import (
	"errors"
	"strconv"
)

// Field is one node of the decoded message tree. Every field names what it
// is, gives its raw value (decimal, 0x-hex, or hex bytes), its meaning in
// words when the value is an enumeration or has one, and its position in
// Message.Raw, so that a UI can highlight the bytes and a JSON report can
// point at them.
type Field struct {
	Name     string   `json:"name"`
	Value    string   `json:"value,omitempty"`
	Meaning  string   `json:"meaning,omitempty"`
	Offset   int      `json:"offset"`
	Length   int      `json:"length"`
	Children []*Field `json:"children,omitempty"`
}

// Add appends a child and returns it.
func (f *Field) Add(c *Field) *Field {
	f.Children = append(f.Children, c)
	return c
}

// Span is a byte range of Message.Raw.
type Span struct {
	Offset int // offset of the first byte in Message.Raw
	Length int // number of bytes
}

// End is the offset just past the range.
func (s Span) End() int { return s.Offset + s.Length }

// Extent returns the span itself; it lets every payload report its range
// through the Payload interface.
func (s Span) Extent() Span { return s }

// Note is an observation made while decoding or mapping a message that is
// not an error, such as trailing padding after the last payload. Code says
// what kind of observation it is, so that callers match kinds, never texts
// or offsets; Offset is the byte offset in the message it concerns (-1 when
// none) and Text says it in words.
type Note struct {
	Code   NoteCode `json:"code"`
	Offset int      `json:"offset"`
	Text   string   `json:"text"`
}

// NoteCode names a kind of Note. The codes are stable: analysis maps each
// to a finding through one table.
type NoteCode string

// Notes made while decoding (Parse).
const (
	// NoteOtherVersion: the header's version is not 1; the message was
	// decoded with the version 1 layout (RFC 3830 §6.1).
	NoteOtherVersion NoteCode = "other-version"
	// NoteTrailingPadding: zero bytes after the last payload (not MIKEY
	// framing; Milestone XProtect appends one 0x00), kept in Message.Trailing.
	NoteTrailingPadding NoteCode = "trailing-padding"
	// NoteTrailingBytes: non-zero bytes after the last payload, kept in
	// Message.Trailing.
	NoteTrailingBytes NoteCode = "trailing-bytes"
	// NoteKEMACPadding: zero bytes after the last Key data sub-payload,
	// inside a NULL-encrypted KEMAC's Encr data.
	NoteKEMACPadding NoteCode = "kemac-padding"
)

// ParseError is a decoding failure. Offset is the byte offset in the message
// where the fault was found and Payload names the payload being decoded
// ("HDR", "KEMAC", "Key data", ...). Parse returns it together with the part
// of the message that decoded before the fault.
type ParseError struct {
	Offset  int
	Payload string
	Err     error
}

func (e *ParseError) Error() string {
	return "mikey: " + e.Payload + " at offset " + strconv.Itoa(e.Offset) + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Decoding faults, wrapped in a ParseError.
var (
	// ErrTruncated: a field or payload extends past the end of the data.
	ErrTruncated = errors.New("truncated")
	// ErrUnknownPayload: a next-payload value with no known layout; the
	// payload's length cannot be known, so decoding stops.
	ErrUnknownPayload = errors.New("unknown payload type")
	// ErrUnknownLength: a field whose length is implied by an algorithm or
	// type value that is not registered.
	ErrUnknownLength = errors.New("length implied by an unknown value")
	// ErrBadLength: an explicit length field is inconsistent with the data.
	ErrBadLength = errors.New("bad length")
	// ErrVersion: the HDR version is not 1.
	ErrVersion = errors.New("unsupported MIKEY version")
)
