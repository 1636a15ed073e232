package fuzzcap

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadPackets: every packet of a sample, as many as tshark counts,
// each with bytes of its own (the reader's buffer is reused), the frame
// numbers in order; a missing file is an error.
func TestReadPackets(t *testing.T) {
	path := filepath.Join("..", "..", "samples", "sip-udp-psk.pcap")
	pkts, err := ReadPackets(path)
	if err != nil {
		t.Fatal(err)
	}
	frames, err := ReadFrames(path)
	if err != nil || len(frames) != len(pkts) {
		t.Fatalf("ReadFrames: %d frames, %v; ReadPackets %d", len(frames), err, len(pkts))
	}
	for i, p := range pkts {
		if p.Frame != uint64(i+1) || !bytes.Equal(frames[i], p.Data) {
			t.Fatalf("packet %d: frame %d, ReadFrames' bytes differ", i+1, p.Frame)
		}
		if i > 0 && &p.Data[0] == &pkts[i-1].Data[0] {
			t.Fatalf("packets %d and %d share their bytes", i, i+1)
		}
	}
	if _, err := ReadPackets(filepath.Join(t.TempDir(), "none.pcap")); err == nil {
		t.Error("a missing file read without an error")
	}
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed (apt-get install tshark): the count is not cross-checked")
	}
	out, err := exec.Command(tshark, "-r", path, "-T", "fields", "-e", "frame.number").Output()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(string(out))); n != len(pkts) {
		t.Errorf("read %d packets, tshark counts %d", len(pkts), n)
	}
}
