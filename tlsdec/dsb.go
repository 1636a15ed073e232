package tlsdec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/mikeyscope/mikeyscope/internal/pcapng"
)

// Bounds of the scan (the pcapng numbers, draft-ietf-opsawg-pcapng §4.1,
// §4.7, are in internal/pcapng).
const (
	maxPcapngBlock = 128 << 20 // larger blocks are corruption
	maxDSBSecrets  = 16 << 20  // larger key logs are corruption
)

// ErrNotPcapng is returned by ReadDSBs when the input does not start with a
// pcapng Section Header Block (for example a classic pcap file).
var ErrNotPcapng = errors.New("not a pcapng file")

// DSBError is a damaged pcapng block met while looking for secrets.
type DSBError struct {
	Offset int64 // file offset of the block
	Reason string
}

func (e *DSBError) Error() string {
	return fmt.Sprintf("pcapng block at offset %d: %s", e.Offset, e.Reason)
}

// ReadDSBs scans a pcapng file and returns the concatenated contents of its
// Decryption Secrets Blocks of type TLS key log (pcapng §4.7, written by
// "editcap --inject-secrets tls,keys.txt"), each ending in a newline, ready
// for ParseKeyLog. Both byte orders are handled, section by section. Block
// lengths are checked and non-secret blocks skipped without being buffered.
// On a damaged block the secrets found before it are returned with a
// *DSBError; on a file that is not pcapng, ErrNotPcapng.
func ReadDSBs(r io.Reader) ([]byte, error) {
	var out bytes.Buffer
	var hdr [12]byte
	var order binary.ByteOrder = binary.LittleEndian
	var off int64
	for first := true; ; first = false {
		n, err := io.ReadFull(r, hdr[:8])
		if err == io.EOF && !first {
			return out.Bytes(), nil
		}
		if err != nil {
			if first {
				return nil, ErrNotPcapng
			}
			return out.Bytes(), &DSBError{Offset: off, Reason: fmt.Sprintf("truncated block header (%d of 8 bytes)", n)}
		}
		typ := binary.LittleEndian.Uint32(hdr[0:4]) // SHB type is a palindrome
		consumed := int64(8)
		if typ == pcapng.BlockSectionHeader {
			if _, err := io.ReadFull(r, hdr[8:12]); err != nil {
				return out.Bytes(), &DSBError{Offset: off, Reason: "truncated section header block"}
			}
			consumed = 12
			switch {
			case binary.LittleEndian.Uint32(hdr[8:12]) == pcapng.ByteOrderMagic:
				order = binary.LittleEndian
			case binary.BigEndian.Uint32(hdr[8:12]) == pcapng.ByteOrderMagic:
				order = binary.BigEndian
			default:
				if first {
					return nil, ErrNotPcapng
				}
				return out.Bytes(), &DSBError{Offset: off, Reason: fmt.Sprintf("bad byte-order magic %x", hdr[8:12])}
			}
		} else if first {
			return nil, ErrNotPcapng
		}
		typ = order.Uint32(hdr[0:4])
		total := int64(order.Uint32(hdr[4:8]))
		if total < 12 || total%4 != 0 || total > maxPcapngBlock || total < consumed+4 {
			return out.Bytes(), &DSBError{Offset: off, Reason: fmt.Sprintf("block length %d invalid", total)}
		}
		body := total - consumed - 4 // without the trailing length
		if typ == pcapng.BlockDecryptionSecrets {
			if err := readDSB(r, order, body, &out); err != nil {
				return out.Bytes(), &DSBError{Offset: off, Reason: err.Error()}
			}
		} else if skipped, err := io.CopyN(io.Discard, r, body); err != nil {
			return out.Bytes(), &DSBError{Offset: off, Reason: fmt.Sprintf("truncated block: %d of %d body bytes", skipped, body)}
		}
		if _, err := io.ReadFull(r, hdr[:4]); err != nil {
			return out.Bytes(), &DSBError{Offset: off, Reason: "truncated block: trailing length missing"}
		}
		if int64(order.Uint32(hdr[:4])) != total {
			return out.Bytes(), &DSBError{Offset: off, Reason: fmt.Sprintf("trailing length %d != leading length %d", order.Uint32(hdr[:4]), total)}
		}
		off += total
	}
}

// readDSB reads the body of one Decryption Secrets Block (body bytes after
// the block header) and appends TLS key log secrets to out.
func readDSB(r io.Reader, order binary.ByteOrder, body int64, out *bytes.Buffer) error {
	var h [8]byte
	if body < 8 {
		return fmt.Errorf("decryption secrets block body of %d bytes, need 8", body)
	}
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return errors.New("truncated decryption secrets block")
	}
	typ, n := order.Uint32(h[0:4]), int64(order.Uint32(h[4:8]))
	padded := (n + 3) &^ 3
	if padded > body-8 || n > maxDSBSecrets {
		return fmt.Errorf("secrets length %d exceeds the block (%d bytes)", n, body-8)
	}
	rest := body - 8 - padded // padding is counted in padded; rest = options
	if typ == pcapng.SecretsTLSKeyLog {
		// CopyN grows the buffer as bytes arrive: nothing is allocated from
		// the length field alone.
		if got, err := io.CopyN(out, r, n); err != nil {
			return fmt.Errorf("truncated secrets: %d of %d bytes", got, n)
		}
		if n > 0 && out.Bytes()[out.Len()-1] != '\n' {
			out.WriteByte('\n')
		}
		rest += padded - n
	} else {
		rest += padded
	}
	if got, err := io.CopyN(io.Discard, r, rest); err != nil {
		return fmt.Errorf("truncated block: %d of %d option bytes", got, rest)
	}
	return nil
}
