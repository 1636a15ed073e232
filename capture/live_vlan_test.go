package capture

import (
	"encoding/binary"
	"testing"
)

func TestVLANFromAuxdata(t *testing.T) {
	aux := func(status uint32, tci, tpid uint16) []byte {
		b := make([]byte, tpacketAuxdataLen)
		binary.NativeEndian.PutUint32(b, status)
		binary.NativeEndian.PutUint16(b[16:], tci)
		binary.NativeEndian.PutUint16(b[18:], tpid)
		return b
	}
	tests := []struct {
		name string
		b    []byte
		tpid uint16
		tci  uint16
		ok   bool
	}{
		{"no tag", aux(0, 0, 0), 0, 0, false},
		{"tag, TPID unknown", aux(tpStatusVLANValid, 100, 0), etherVLAN, 100, true},
		{"tag id 0 valid", aux(tpStatusVLANValid, 0, 0), etherVLAN, 0, true},
		{"802.1ad TPID", aux(tpStatusVLANValid|tpStatusVLANTPIDValid, 200, etherQinQ), etherQinQ, 200, true},
		{"old kernel: tci only", aux(0, 300, 0), etherVLAN, 300, true},
		{"short", make([]byte, 8), 0, 0, false},
	}
	for _, tc := range tests {
		tpid, tci, ok := vlanFromAuxdata(tc.b)
		if tpid != tc.tpid || tci != tc.tci || ok != tc.ok {
			t.Errorf("%s: got %#x %d %v", tc.name, tpid, tci, ok)
		}
	}
}

// TestInsertVLAN: a frame with its tag re-inserted decodes like the tagged
// frame and passes a "vlan N" filter.
func TestInsertVLAN(t *testing.T) {
	ip := ipUDP(t, "192.0.2.1", 1, "192.0.2.2", 2, []byte("tagged"))
	untagged := ethernet(ip)
	buf := make([]byte, 16+len(untagged))
	copy(buf[16:], untagged)
	start := insertVLAN(buf, 16, len(buf), etherVLAN, 100)
	got := buf[start:]
	want := ethernet(ip, etherVLAN)
	if string(got) != string(want) {
		t.Fatalf("re-tagged frame\n% x\nwant\n% x", got, want)
	}
	f, _ := CompileFilter("vlan 100 and udp")
	if !f.Match(pkt(1, LinkTypeEthernet, got)) {
		t.Error("re-tagged frame does not match vlan 100")
	}
	if s := insertVLAN(buf, 2, len(buf), etherVLAN, 1); s != 2 {
		t.Error("insertVLAN without headroom changed the frame")
	}
}
