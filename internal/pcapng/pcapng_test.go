package pcapng

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
)

// unhex decodes hex written with spaces and line breaks.
func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBlocks compares each block with its bytes written out by hand from
// the draft's figures (little-endian).
func TestBlocks(t *testing.T) {
	comment := AppendOption(nil, OptComment, []byte("hi!"))
	for _, c := range []struct {
		name string
		got  []byte
		want string
	}{
		{"option padded", AppendOption(nil, OptComment, []byte("abcde")),
			"0100 0500 6162636465 000000"},
		{"option end", AppendOption(nil, OptEndOfOpt, nil), "0000 0000"},
		{"SHB", AppendSectionHeader(nil, AppendOption(nil, OptSHBUserAppl, []byte("ms"))),
			"0a0d0d0a 28000000 4d3c2b1a 0100 0000 ffffffffffffffff 0400 0200 6d730000 00000000 28000000"},
		{"SHB without options", AppendSectionHeader(nil, nil),
			"0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000"},
		{"IDB", AppendInterfaceDescription(nil, 1, 262144, AppendOption(nil, OptIfTsresol, []byte{TsresolNanoseconds})),
			"01000000 20000000 0100 0000 00000400 0900 0100 09000000 00000000 20000000"},
		{"EPB without options", AppendEnhancedPacket(nil, 2, 0x0000000100000002, []byte{0xaa, 0xbb, 0xcc}, 5, nil),
			"06000000 24000000 02000000 01000000 02000000 03000000 05000000 aabbcc00 24000000"},
		{"EPB with a comment, origLen below the data", AppendEnhancedPacket(nil, 0, 7, []byte{1, 2, 3, 4}, 1, comment),
			"06000000 30000000 00000000 00000000 07000000 04000000 04000000 01020304 0100 0300 68692100 00000000 30000000"},
		{"ISB", AppendInterfaceStatistics(nil, 1, 0x0000000300000004,
			AppendOption(AppendOption(nil, OptIsbIfRecv, binary.LittleEndian.AppendUint64(nil, 10)), OptIsbIfDrop, binary.LittleEndian.AppendUint64(nil, 2))),
			"05000000 34000000 01000000 03000000 04000000 0400 0800 0a00000000000000 0500 0800 0200000000000000 00000000 34000000"},
		{"DSB", AppendDecryptionSecrets(nil, SecretsTLSKeyLog, []byte("K 1\n\n")),
			"0a000000 1c000000 4b534c54 05000000 4b20310a 0a000000 1c000000"},
	} {
		if want := unhex(t, c.want); !bytes.Equal(c.got, want) {
			t.Errorf("%s:\n got % x\nwant % x", c.name, c.got, want)
		}
	}
}

// TestEnhancedPacketLengths: for every padding and with or without
// options, each block's two lengths agree and count its bytes.
func TestEnhancedPacketLengths(t *testing.T) {
	for n := range 9 {
		for _, opts := range [][]byte{nil, AppendOption(nil, OptComment, []byte("abc"))} {
			data := bytes.Repeat([]byte{0xee}, n)
			whole := AppendEnhancedPacket([]byte("prefix"), 1, 99, data, n+3, opts)
			blk := whole[len("prefix"):]
			total := binary.LittleEndian.Uint32(blk[4:])
			if int(total) != len(blk) || total%4 != 0 || binary.LittleEndian.Uint32(blk[len(blk)-4:]) != total {
				t.Errorf("%d bytes, options %x: total %d, block of %d", n, opts, total, len(blk))
			}
		}
	}
}

// TestOptionCut: a value too long for the 16-bit length is cut at
// MaxOptionValue.
func TestOptionCut(t *testing.T) {
	b := AppendOption(nil, OptComment, make([]byte, 70000))
	if l := binary.LittleEndian.Uint16(b[2:]); l != MaxOptionValue || len(b) != 4+MaxOptionValue+1 {
		t.Errorf("length field %d, option of %d bytes", l, len(b))
	}
}
