package hep

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
)

// Compressed payloads. The HEP3 specification names chunk 0x0010
// "captured compressed payload (gzip/inflate)" without fixing the format;
// the agents that send it differ:
//
//   - captagent 6 (transport_hep, `<param name="payload-compression"
//     value="true"/>`, built with --enable-compression) compresses the
//     payload with zlib's compress(): a zlib stream (RFC 1950), sent in
//     chunk 0x0010.
//   - OpenSIPS proto_hep (`modparam("proto_hep", "compressed_payload", 1)`,
//     with the compression module) uses that module's gzip_compress
//     (deflateInit2 with windowBits 15+16): a gzip member (RFC 1952), sent
//     in chunk 0x0010; its receiver inflates chunk 0x0010 the same way.
//   - heplify 2 (`"payload_zip": true` on a transport) gzips the whole HEP3
//     packet, not its payload, and writes the gzip member as the datagram
//     (or TCP write): see InflatePacket.
//
// Kamailio (siptrace, sipcapture), sngrep, heplify-server and heplify 1
// neither send nor read chunk 0x0010. Inflate therefore takes the three
// deflate wrappings, told apart by their first bytes: gzip (1f 8b), zlib
// (a valid CMF/FLG pair, method 8), and otherwise raw deflate (RFC 1951,
// what "inflate" alone would mean).

// MaxInflated is the most bytes a compressed payload may inflate to: the
// largest payload an uncompressed HEP packet can carry over UDP/IPv4
// (65,507 bytes, the HEP listener's packet bound), so that compression
// lets no larger message in than the wire would. A payload that inflates
// further is cut there and the packet is malformed.
const MaxInflated = 65507

// Format is a compression format of a payload.
type Format uint8

// Formats Inflate recognises.
const (
	FormatNone    Format = iota
	FormatZlib           // RFC 1950 (captagent)
	FormatGzip           // RFC 1952 (OpenSIPS, heplify 2)
	FormatDeflate        // raw RFC 1951
)

func (f Format) String() string {
	switch f {
	case FormatZlib:
		return "zlib"
	case FormatGzip:
		return "gzip"
	case FormatDeflate:
		return "deflate"
	}
	return "none"
}

// Sniff tells the format of compressed bytes by their first bytes: gzip's
// magic 1f 8b, a zlib header (method 8, window at most 32 KiB, check bits
// valid), or else raw deflate.
func Sniff(b []byte) Format {
	switch {
	case len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b:
		return FormatGzip
	case len(b) >= 2 && b[0]&0x0f == 8 && b[0]>>4 <= 7 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0:
		return FormatZlib
	}
	return FormatDeflate
}

// IsGzip reports whether b starts like a gzip member with the deflate
// method (1f 8b 08): how a heplify 2 packet sent with payload_zip starts.
func IsGzip(b []byte) bool { return len(b) >= 3 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8 }

// Inflater inflates compressed HEP payloads within a bound. It keeps one
// output buffer (the bound plus one byte, allocated on first use) and one
// decompressor per format, reset for each payload: after the first payload
// of a format, inflating allocates only the standard library's small
// per-block tables (~130 bytes for a SIP message), never by what the input
// claims, and never more output than the bound.
// The zero Inflater is ready; it is not safe for concurrent use.
type Inflater struct {
	buf []byte
	src bytes.Reader
	zl  io.ReadCloser
	gz  *gzip.Reader
	fl  io.ReadCloser
}

// Inflate inflates b, a compressed payload, to at most MaxInflated bytes.
// The result is valid until the next call. Errors are *Error with the
// offset within b (0 when the format does not tell where), saying whether
// the stream was truncated, corrupt (checksum, bad code), followed by other
// bytes, or inflated past the bound (cut: a decompression bomb stops after
// MaxInflated+1 bytes of output).
func (z *Inflater) Inflate(b []byte) ([]byte, Format, error) {
	return z.inflate(b, MaxInflated)
}

// InflatePacket inflates b, a whole HEP packet sent gzipped (heplify 2's
// payload_zip), to at most MaxPacket bytes, the largest HEP3 packet.
func (z *Inflater) InflatePacket(b []byte) ([]byte, error) {
	if !IsGzip(b) {
		return nil, errAt(0, "not a gzip member")
	}
	out, _, err := z.inflate(b, MaxPacket)
	return out, err
}

func (z *Inflater) inflate(b []byte, limit int) ([]byte, Format, error) {
	f := Sniff(b)
	if cap(z.buf) < limit+1 {
		z.buf = make([]byte, limit+1)
	}
	out := z.buf[:limit+1]
	z.src.Reset(b)
	var r io.Reader
	var err error
	switch f {
	case FormatGzip:
		if z.gz == nil {
			z.gz = new(gzip.Reader)
		}
		if err = z.gz.Reset(&z.src); err == nil {
			z.gz.Multistream(false)
			r = z.gz
		}
	case FormatZlib:
		if z.zl == nil {
			z.zl, err = zlib.NewReader(&z.src)
		} else {
			err = z.zl.(zlib.Resetter).Reset(&z.src, nil)
		}
		r = z.zl
	default:
		if z.fl == nil {
			z.fl = flate.NewReader(&z.src)
		} else {
			err = z.fl.(flate.Resetter).Reset(&z.src, nil)
		}
		r = z.fl
	}
	if err != nil {
		return nil, f, z.fail(f, len(b), err)
	}
	n := 0
	for n < len(out) {
		var m int
		m, err = r.Read(out[n:])
		n += m
		if err != nil {
			break
		}
	}
	switch {
	case n > limit:
		return nil, f, errAt(len(b)-z.src.Len(), "compressed payload (%s) inflates past %d bytes: cut there (a decompression bomb?)", f, limit)
	case err != io.EOF:
		return nil, f, z.fail(f, len(b), err)
	case z.src.Len() > 0:
		return nil, f, errAt(len(b)-z.src.Len(), "compressed payload (%s) followed by %d other bytes", f, z.src.Len())
	}
	return out[:n], f, nil
}

// fail describes a decompression error of b (n bytes).
func (z *Inflater) fail(f Format, n int, err error) error {
	off := n - z.src.Len()
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errAt(off, "compressed payload (%s) truncated after %d bytes", f, n)
	}
	var ce flate.CorruptInputError
	if errors.As(err, &ce) {
		return errAt(int(ce), "compressed payload (%s) corrupt: bad deflate data", f)
	}
	msg := err.Error()
	switch {
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, zlib.ErrChecksum):
		msg = "checksum mismatch"
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, zlib.ErrHeader):
		msg = "bad header"
	case errors.Is(err, zlib.ErrDictionary):
		msg = "needs a preset dictionary"
	}
	return errAt(off, "compressed payload (%s) corrupt: %s", f, msg)
}

// Inflate replaces a compressed payload of p (one read from chunk 0x0010)
// by its inflated bytes, held by z until its next call; p.Compressed stays
// set and p.Format tells which format it was. A packet whose payload was
// not compressed is left as it is.
func (p *Packet) Inflate(z *Inflater) error {
	if !p.Compressed || p.Format != FormatNone {
		return nil
	}
	out, f, err := z.Inflate(p.Payload)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Offset += p.PayloadOffset
		}
		return err
	}
	p.Payload, p.Format = out, f
	return nil
}
