// Package mikey is a MIKEY (RFC 3830) library with no I/O: the message
// codec and the key schedule.
//
// The codec (names.go, message.go, parse.go,
// marshal.go, header.go, payload_*.go, tree.go, render.go) decodes and
// encodes every payload registered for MIKEY by RFC 3830, 4563, 4650, 4738,
// 5410, 6043, 6309, 6509 and the SRTP policy parameters of RFC 4771 and
// 7714, plus the 3GPP SAKKE-to-self extension (TS 33.180 §E.5):
//
//	m, err := mikey.Parse(b)        // *Message, partial on error (*ParseError)
//	k := m.KEMAC()                  // typed accessors; m.Payloads in wire order
//	tree := m.Tree()                // *Field: name, value, meaning, offset, length
//	out, err := m.Marshal()         // next payload fields and lengths computed
//
// What an SRTP security policy payload asks for, every default applied
// (RFC 3830 §6.10.1, RFC 4771, RFC 7714 §12), with notes on the quirks
// found on the wire, is its description (srtp_policy.go):
//
//	d, notes, err := sp.SRTP()      // SRTPPolicy; err: not usable for SRTP
//
// Decoding is bounded (cryptobyte readers, no length trusted before the bytes
// are there), never panics, and reads unknown enumeration values as
// "unknown (N)". A Message aliases its input; Unmarshal reuses a Message
// without allocating.
//
// The IBAKE payloads of RFC 6267 (IBAKE, ESK, SK, ECCPT) are named but not
// decoded: decoding stops there with ErrUnknownPayload.
package mikey
