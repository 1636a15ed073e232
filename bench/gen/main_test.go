package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// expectedCallFrames is the frame count of calls.pcap for n calls: 7 SIP
// messages and 2×(250 SRTP + 1 SRTCP) per call; TCP calls (i%10 == 3) add
// the 3-way handshake, the close (3 frames) and one more INVITE segment;
// fragmented calls (i%10 == 7) add two INVITE fragments.
func expectedCallFrames(n, packetsPerDirection int) int {
	total := 0
	for i := 0; i < n; i++ {
		total += 7 + 2*(packetsPerDirection+1)
		switch i % 10 {
		case 3:
			total += 3 + 3 + 1
		case 7:
			total += 2
		}
	}
	return total
}

// expectedRTSPFrames: handshake 3, 8 RTSP messages before media, the video
// packets, one SRTCP every 250 packets and after the last, TEARDOWN and its
// reply, and the close (3 frames).
func expectedRTSPFrames(n int) int {
	srs := n / 250
	if n%250 != 0 {
		srs++
	}
	return 3 + 8 + n + srs + 2 + 3
}

func TestBenchCapturesDeterministicAndComplete(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	const calls, packets = 30, 1000
	for _, dir := range []string{a, b} {
		if err := run(dir, calls, packets, calls, ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"calls.pcap", "calls.keys", "rtsp-big.pcap", "rtsp-big.keys", "short-calls-30.pcap", "short-calls-30.keys"} {
		x, err := os.ReadFile(filepath.Join(a, name))
		if err != nil {
			t.Fatal(err)
		}
		y, _ := os.ReadFile(filepath.Join(b, name))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs", name)
		}
	}
	for name, want := range map[string]int{"calls.pcap": expectedCallFrames(calls, longCalls.Packets), "short-calls-30.pcap": expectedCallFrames(calls, shortCalls.Packets), "rtsp-big.pcap": expectedRTSPFrames(packets)} {
		n, err := countPackets(filepath.Join(a, name))
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s: %d packets, want %d", name, n, want)
		}
	}
	if got, want := expectedCallFrames(1000, longCalls.Packets), 509900; got != want {
		t.Errorf("full calls.pcap would have %d frames, want %d", got, want)
	}
	keys, _ := os.ReadFile(filepath.Join(a, "calls.keys"))
	if c := bytes.Count(keys, []byte("\npsk sip:caller")); c != calls {
		t.Errorf("calls.keys has %d psk lines, want %d", c, calls)
	}
}
