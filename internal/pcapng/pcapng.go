// Package pcapng holds the numbers of the pcapng capture file format
// (draft-ietf-opsawg-pcapng: block types, option codes, the byte-order
// magic) and encodes its blocks: Section Header, Interface Description,
// Enhanced Packet, Interface Statistics and Decryption Secrets Blocks
// with their options. It is the one encoder of the files mikeyscope
// writes: live capture's -w files (capture.PcapngWriter) and export's
// decrypted.pcapng. The readers (capture, tlsdec) take the numbers from
// here.
//
// Blocks are written little-endian, the byte order of the machines
// mikeyscope runs on, which a Section Header Block announces for its
// section (§4.1). Every Append function appends to b and returns the
// extended slice, so a writer can reuse one buffer.
package pcapng

import "encoding/binary"

// Block types (§4, §11.1).
const (
	BlockSectionHeader        = 0x0A0D0D0A // SHB, §4.1
	BlockInterfaceDescription = 0x00000001 // IDB, §4.2
	BlockPacketObsolete       = 0x00000002 // Packet Block, Appendix A (obsolete)
	BlockSimplePacket         = 0x00000003 // SPB, §4.4
	BlockInterfaceStatistics  = 0x00000005 // ISB, §4.6
	BlockEnhancedPacket       = 0x00000006 // EPB, §4.3
	BlockDecryptionSecrets    = 0x0000000A // DSB, §4.7
)

// ByteOrderMagic is the Section Header Block's byte-order magic (§4.1):
// read in the writer's byte order it is 0x1A2B3C4D.
const ByteOrderMagic = 0x1A2B3C4D

// SecretsTLSKeyLog is the Decryption Secrets Block's secrets type of TLS
// key log text, NSS's format ("TLSK", §4.7), as editcap --inject-secrets
// writes it.
const SecretsTLSKeyLog = 0x544c534b

// Option codes (§3.5 for the options of every block; the others per
// block: §4.1 shb_, §4.2 if_, §4.6 isb_).
const (
	OptEndOfOpt      = 0  // opt_endofopt, §3.5
	OptComment       = 1  // opt_comment, §3.5
	OptSHBUserAppl   = 4  // shb_userappl: the application that wrote the section
	OptIfName        = 2  // if_name
	OptIfDescription = 3  // if_description
	OptIfTsresol     = 9  // if_tsresol: timestamp units (9: nanoseconds)
	OptIfTsoffset    = 14 // if_tsoffset: seconds added to the timestamps
	OptIsbIfRecv     = 4  // isb_ifrecv: packets received by the interface
	OptIsbIfDrop     = 5  // isb_ifdrop: packets the interface dropped
	OptIsbOsDrop     = 7  // isb_osdrop: packets the OS dropped
)

// TsresolNanoseconds is the if_tsresol value of nanosecond timestamps
// (§4.2: 10^-9 s), the resolution mikeyscope writes.
const TsresolNanoseconds = 9

// MaxOptionValue is the longest option value AppendOption writes: the
// value padded to 32 bits stays within the 16-bit Option Length.
const MaxOptionValue = 0xffff - 4

// pad appends zeros up to a multiple of 4 bytes after start (§3.1: every
// variable-length field is padded to 32 bits).
func pad(b []byte, start int) []byte {
	for (len(b)-start)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// AppendOption appends one option (§3.5): its code, the length of value,
// value and padding to 32 bits. A value longer than MaxOptionValue is cut
// there.
func AppendOption(b []byte, code uint16, value []byte) []byte {
	if len(value) > MaxOptionValue {
		value = value[:MaxOptionValue]
	}
	b = binary.LittleEndian.AppendUint16(b, code)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(value)))
	start := len(b)
	b = append(b, value...)
	return pad(b, start)
}

// appendOptions appends opts (options encoded by AppendOption) ended by
// opt_endofopt, or nothing when there are none (§3.5: the options are
// optional, and so is their end when there are none).
func appendOptions(b, opts []byte) []byte {
	if len(opts) == 0 {
		return b
	}
	b = append(b, opts...)
	return AppendOption(b, OptEndOfOpt, nil)
}

// beginBlock appends the block type and a length to be set by endBlock
// (§3.1), and returns where the block starts.
func beginBlock(b []byte, typ uint32) ([]byte, int) {
	start := len(b)
	b = binary.LittleEndian.AppendUint32(b, typ)
	return binary.LittleEndian.AppendUint32(b, 0), start
}

// endBlock sets the Block Total Length of the block at start and appends
// its trailing copy (§3.1).
func endBlock(b []byte, start int) []byte {
	total := uint32(len(b) - start + 4)
	binary.LittleEndian.PutUint32(b[start+4:], total)
	return binary.LittleEndian.AppendUint32(b, total)
}

// AppendSectionHeader appends a Section Header Block (§4.1): version 1.0,
// section length unknown (-1), and opts (options encoded by AppendOption,
// for instance shb_userappl; opt_endofopt is added).
func AppendSectionHeader(b []byte, opts []byte) []byte {
	b, start := beginBlock(b, BlockSectionHeader)
	b = binary.LittleEndian.AppendUint32(b, ByteOrderMagic)
	b = binary.LittleEndian.AppendUint16(b, 1) // major version
	b = binary.LittleEndian.AppendUint16(b, 0) // minor version
	b = binary.LittleEndian.AppendUint64(b, ^uint64(0))
	b = appendOptions(b, opts)
	return endBlock(b, start)
}

// AppendInterfaceDescription appends an Interface Description Block
// (§4.2) for the link type (the LINKTYPE_ value of the tcpdump.org
// registry), with snapLen (0: no limit) and opts (if_name,
// if_description, if_tsresol...; opt_endofopt is added). The interfaces
// of a section are numbered from 0 in the order of their blocks.
func AppendInterfaceDescription(b []byte, linkType uint16, snapLen uint32, opts []byte) []byte {
	b, start := beginBlock(b, BlockInterfaceDescription)
	b = binary.LittleEndian.AppendUint16(b, linkType)
	b = binary.LittleEndian.AppendUint16(b, 0) // reserved
	b = binary.LittleEndian.AppendUint32(b, snapLen)
	b = appendOptions(b, opts)
	return endBlock(b, start)
}

// AppendEnhancedPacket appends an Enhanced Packet Block (§4.3): data
// captured on interface iface at ts (in the interface's if_tsresol units),
// origLen bytes long on the wire (never less than len(data)), and opts
// (opt_comment...; opt_endofopt is added).
func AppendEnhancedPacket(b []byte, iface uint32, ts uint64, data []byte, origLen int, opts []byte) []byte {
	b, start := beginBlock(b, BlockEnhancedPacket)
	b = binary.LittleEndian.AppendUint32(b, iface)
	b = binary.LittleEndian.AppendUint32(b, uint32(ts>>32))
	b = binary.LittleEndian.AppendUint32(b, uint32(ts))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = binary.LittleEndian.AppendUint32(b, uint32(max(origLen, len(data))))
	body := len(b)
	b = append(b, data...)
	b = pad(b, body)
	b = appendOptions(b, opts)
	return endBlock(b, start)
}

// AppendInterfaceStatistics appends an Interface Statistics Block (§4.6)
// for interface iface at ts (in its if_tsresol units) with opts
// (isb_ifrecv, isb_ifdrop...; opt_endofopt is added).
func AppendInterfaceStatistics(b []byte, iface uint32, ts uint64, opts []byte) []byte {
	b, start := beginBlock(b, BlockInterfaceStatistics)
	b = binary.LittleEndian.AppendUint32(b, iface)
	b = binary.LittleEndian.AppendUint32(b, uint32(ts>>32))
	b = binary.LittleEndian.AppendUint32(b, uint32(ts))
	b = appendOptions(b, opts)
	return endBlock(b, start)
}

// AppendDecryptionSecrets appends a Decryption Secrets Block (§4.7) of
// secrets type typ (SecretsTLSKeyLog: key log lines) holding secrets,
// without options.
func AppendDecryptionSecrets(b []byte, typ uint32, secrets []byte) []byte {
	b, start := beginBlock(b, BlockDecryptionSecrets)
	b = binary.LittleEndian.AppendUint32(b, typ)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(secrets)))
	body := len(b)
	b = append(b, secrets...)
	b = pad(b, body)
	return endBlock(b, start)
}
