package capture

import (
	"testing"
)

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
