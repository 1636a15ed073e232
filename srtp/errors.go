package srtp

import (
	"errors"
	"strconv"
)

// Sentinel errors. Every error returned by this package matches one of them
// with errors.Is.
var (
	// ErrShortPacket: the packet ends before a field that must be present.
	ErrShortPacket = errors.New("srtp: packet too short")
	// ErrBadVersion: the RTP/RTCP version field is not 2.
	ErrBadVersion = errors.New("srtp: RTP version is not 2")
	// ErrBadHeader: a header field is inconsistent (padding, length).
	ErrBadHeader = errors.New("srtp: malformed header")
	// ErrAuthFailed: the authentication tag (or AEAD tag) did not verify
	// with any key and ROC tried.
	ErrAuthFailed = errors.New("srtp: authentication failed")
	// ErrUnknownMKI: the packet carries an MKI that matches no master key
	// of the context.
	ErrUnknownMKI = errors.New("srtp: unknown MKI")
	// ErrSSRCMismatch: the packet's SSRC differs from the stream's SSRC.
	ErrSSRCMismatch = errors.New("srtp: SSRC does not match the stream")
	// ErrPolicy: the policy or the keys are not usable.
	ErrPolicy = errors.New("srtp: invalid policy")
	// ErrBufferOverlap: dst and pkt overlap other than exactly (in place).
	ErrBufferOverlap = errors.New("srtp: dst overlaps the packet")
	// ErrNoStream: a nil *Stream was passed.
	ErrNoStream = errors.New("srtp: nil stream")
	// ErrIndexExhausted: the SRTCP index (2^31) or SRTP index (2^48) ran out
	// while encrypting.
	ErrIndexExhausted = errors.New("srtp: packet index exhausted")
)

// PacketError is a malformed-packet error with the byte offset at which the
// problem was found.
type PacketError struct {
	Err    error  // one of the sentinel errors
	Offset int    // byte offset in the packet where the field starts
	Need   int    // bytes needed from Offset (0 if not applicable)
	Have   int    // bytes present from Offset
	Field  string // the field being read, e.g. "RTP header extension"
}

func (e *PacketError) Error() string {
	s := e.Err.Error() + ": " + e.Field + " at offset " + strconv.Itoa(e.Offset)
	if e.Need > 0 {
		s += ": need " + strconv.Itoa(e.Need) + " bytes, have " + strconv.Itoa(e.Have)
	}
	return s
}

// Unwrap returns the sentinel error.
func (e *PacketError) Unwrap() error { return e.Err }

func shortErr(field string, off, need, have int) error {
	if have < 0 {
		have = 0
	}
	return &PacketError{Err: ErrShortPacket, Offset: off, Need: need, Have: have, Field: field}
}

func headerErr(field string, off int) error {
	return &PacketError{Err: ErrBadHeader, Offset: off, Field: field}
}
