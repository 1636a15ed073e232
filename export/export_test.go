package export_test

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/export"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/keys"
)

// exportSample runs the pipeline over a sample with its keys and exports.
func exportSample(t *testing.T, name, file string) (string, []export.File) {
	t.Helper()
	dir := t.TempDir()
	ex, err := export.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := keys.ParseFile(filepath.Join("..", "samples", name+".keys"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := capture.OpenFiles(filepath.Join("..", "samples", file))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a := analysis.New(analysis.Options{Keys: st, Hook: ex.Hook})
	if err := analysis.Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	files, err := ex.Close()
	if err != nil {
		t.Fatal(err)
	}
	return dir, files
}

// goertzel returns the power of frequency f in samples at rate sr.
func goertzel(samples []int16, f, sr float64) float64 {
	k := 2 * math.Cos(2*math.Pi*f/sr)
	var s1, s2 float64
	for _, x := range samples {
		s0 := float64(x) + k*s1 - s2
		s2, s1 = s1, s0
	}
	return s1*s1 + s2*s2 - k*s1*s2
}

// TestExportWAVTone: the sample's PCMU streams carry a 1 kHz tone; the
// exported WAV must be valid 8 kHz 16-bit mono PCM holding 100 packets of
// 160 samples, with its energy at 1 kHz and not at other frequencies.
func TestExportWAVTone(t *testing.T) {
	_, files := exportSample(t, "sip-udp-psk", "sip-udp-psk.pcap")
	var wavs, pcaps int
	for _, f := range files {
		switch f.Kind {
		case "pcap":
			pcaps++
		case "wav":
			wavs++
			b, err := os.ReadFile(f.Path)
			if err != nil {
				t.Fatal(err)
			}
			if string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" || binary.LittleEndian.Uint16(b[20:]) != 1 ||
				binary.LittleEndian.Uint32(b[24:]) != 8000 || binary.LittleEndian.Uint16(b[34:]) != 16 {
				t.Fatalf("%s: not 8 kHz 16-bit PCM WAV", f.Path)
			}
			dataLen := binary.LittleEndian.Uint32(b[40:])
			if int(dataLen) != len(b)-44 || binary.LittleEndian.Uint32(b[4:]) != uint32(len(b)-8) {
				t.Fatalf("%s: chunk sizes do not match the file", f.Path)
			}
			if dataLen != 100*160*2 {
				t.Errorf("%s: %d bytes of audio, want 100 packets of 160 samples", f.Path, dataLen)
			}
			samples := make([]int16, dataLen/2)
			for i := range samples {
				samples[i] = int16(binary.LittleEndian.Uint16(b[44+2*i:]))
			}
			tone := goertzel(samples[:8000], scenario.ToneHz, 8000)
			for _, other := range []float64{300, 2000, 3000} {
				if p := goertzel(samples[:8000], other, 8000); p*1000 > tone {
					t.Errorf("%s: power at %v Hz is %.3g, at 1 kHz %.3g", f.Path, other, p, tone)
				}
			}
		}
	}
	if wavs != 2 || pcaps != 4 {
		t.Errorf("exported %d WAV and %d pcap files, want 2 and 4: %+v", wavs, pcaps, files)
	}
}

// TestG711KnownCodes checks the decoders against G.711 reference points.
func TestG711KnownCodes(t *testing.T) {
	ulaw := map[byte]int16{0xff: 0, 0x7f: 0, 0x80: 32124, 0x00: -32124, 0xfe: 8, 0x7e: -8, 0xef: 132, 0x6f: -132}
	for c, want := range ulaw {
		if got := export.ULawToLinear(c); got != want {
			t.Errorf("μ-law %#02x = %d, want %d", c, got, want)
		}
	}
	alaw := map[byte]int16{0xd5: 8, 0x55: -8, 0xaa: 32256, 0x2a: -32256, 0xc5: 264}
	for c, want := range alaw {
		if got := export.ALawToLinear(c); got != want {
			t.Errorf("A-law %#02x = %d, want %d", c, got, want)
		}
	}
	// μ-law round trip with the generator's independent encoder.
	for s := -32000; s <= 32000; s += 97 {
		got := export.ULawToLinear(scenario.LinearToULaw(int16(s)))
		if d := math.Abs(float64(got) - float64(s)); d > math.Max(16, math.Abs(float64(s))/16) {
			t.Fatalf("μ-law round trip of %d gave %d", s, got)
		}
	}
}

// TestExportPcapReadByTshark: where tshark is installed, it reads the
// exported pcap as RTP with the original SSRC, sequence numbers and the
// plaintext payload.
func TestExportPcapReadByTshark(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not installed; skipping the cross-check of exported pcaps (apt-get install tshark)")
	}
	_, files := exportSample(t, "sip-udp-psk", "sip-udp-psk.pcap")
	for _, f := range files {
		if f.Kind != "pcap" || !strings.Contains(filepath.Base(f.Path), "rtp-") {
			continue
		}
		port := strings.Split(strings.Split(filepath.Base(f.Path), "-to-")[1], "_")
		dport := strings.TrimSuffix(port[len(port)-1], ".pcap")
		out, err := exec.Command("tshark", "-r", f.Path, "-d", "udp.port=="+dport+",rtp", "-T", "fields",
			"-e", "rtp.ssrc", "-e", "rtp.seq", "-e", "rtp.payload").Output()
		if err != nil {
			t.Fatalf("tshark: %v", err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != 100 {
			t.Fatalf("%s: tshark saw %d RTP packets, want 100", f.Path, len(lines))
		}
		for _, l := range lines {
			fields := strings.Split(l, "\t")
			if len(fields) != 3 {
				t.Fatalf("tshark line %q", l)
			}
			ssrc, _ := strconv.ParseUint(strings.TrimPrefix(fields[0], "0x"), 16, 32)
			seq, _ := strconv.ParseUint(fields[1], 10, 16)
			want := scenario.Payload(uint32(ssrc), uint16(seq))
			got := strings.ReplaceAll(fields[2], ":", "")
			if got != hexString(want) {
				t.Fatalf("%s seq %d: tshark payload differs from the plaintext", f.Path, seq)
			}
		}
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
