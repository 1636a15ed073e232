package export_test

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/export"
	"github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/samples"
)

// writeDecrypted analyses a sample with its keys file (relative to
// samples/) and writes the decrypted capture; it returns its path.
func writeDecrypted(t *testing.T, keysName, file string) (string, export.DecryptedStats) {
	t.Helper()
	dir := t.TempDir()
	ex, err := export.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := keys.ParseFile(filepath.Join("..", "samples", keysName))
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join("..", "samples", file)
	kl, err := analysis.LoadTLSKeyLog(st, []string{in})
	if err != nil {
		t.Fatal(err)
	}
	src, err := capture.OpenFiles(in)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a := analysis.New(analysis.Options{Keys: st, Hook: ex.Hook, TLSKeyLog: kl})
	if err := analysis.Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	f, stats, err := ex.WriteDecrypted(context.Background(), export.DecryptedOptions{Inputs: []string{in}, TLSKeyLog: kl})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.Close(); err != nil {
		t.Fatal(err)
	}
	if f.Path != filepath.Join(dir, "decrypted.pcapng") {
		t.Fatalf("decrypted capture written to %s", f.Path)
	}
	if stats.Unplaced != 0 {
		t.Errorf("%d decrypted packets not placed in the capture", stats.Unplaced)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".decrypted-spool-*"))
	if len(left) != 0 {
		t.Errorf("spool files left behind: %v", left)
	}
	return f.Path, stats
}

func tshark(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("tshark", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

// rtspsStream is the stream of samples/rtsps (no truth manifest: its
// README and generator give it): SSRC 0x1c0ffee1, 40 video packets from
// seq 3000 with scenario.VideoPayload(ssrc, seq, 600), an SRTCP sender
// report after every 4.
var rtspsStream = &samples.Stream{SSRC: "0x1c0ffee1", RTPPackets: 40, RTCPPackets: 10, FirstSeq: 3000, PayloadKind: "video", PayloadSize: 600}

// TestDecryptedCaptureTshark: for every sample with media, the decrypted
// capture opened by tshark with no options (no Decode As, no heuristics)
// shows every stream of the generator's manifest as RTP with all its
// packets and their plaintext, its SRTCP as RTCP, and -z rtp,streams lists
// the streams with no loss. RTSPS signalling is plain RTSP on port 322,
// which Wireshark does not know as RTSP: that is the one case given
// -d tcp.port==322,rtsp (README).
func TestDecryptedCaptureTshark(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not installed; skipping the decrypted capture cross-check (apt-get install tshark)")
	}
	cases := []struct {
		sample, file string
		extra        []string
		streams      []*samples.Stream
	}{
		{sample: "sip-udp-psk", file: "sip-udp-psk.pcap"},
		{sample: "sip-tcp-psk", file: "sip-tcp-psk.pcap"},
		{sample: "sip-udp-fragmented", file: "sip-udp-fragmented.pcap"},
		{sample: "sip-ipv6-fragmented", file: "sip-ipv6-fragmented.pcapng"},
		{sample: "sip-udp-gcm", file: "sip-udp-gcm.pcap"},
		{sample: "sip-udp-dhhmac", file: "sip-udp-dhhmac.pcap"},
		{sample: "sip-udp-roc", file: "sip-udp-roc.pcap"},
		{sample: "sip-gtpu-psk", file: "sip-gtpu-psk.pcap"},
		{sample: "rtsp-null-mikey", file: "rtsp-null-mikey.pcap"},
		{sample: "rtsp-rekey", file: "rtsp-rekey.pcap"},
		{sample: "sdes/sip-sdes-suites", file: "sdes/sip-sdes-suites.pcap"},
		{sample: "sdes/sip-sdes-mikey", file: "sdes/sip-sdes-mikey.pcap"},
		{sample: "sdes/sip-sdes-more-suites", file: "sdes/sip-sdes-more-suites.pcap"},
		{sample: "rtsps/rtsps-tls13", file: "rtsps/rtsps-tls13.pcap", extra: []string{"-d", "tcp.port==322,rtsp"}, streams: []*samples.Stream{rtspsStream}},
		{sample: "rtsps/rtsps-tls12", file: "rtsps/rtsps-tls12.pcap", extra: []string{"-d", "tcp.port==322,rtsp"}, streams: []*samples.Stream{rtspsStream}},
		{sample: "rtsps/rtsps-tls13-dsb", file: "rtsps/rtsps-tls13-dsb.pcapng", extra: []string{"-d", "tcp.port==322,rtsp"}, streams: []*samples.Stream{rtspsStream}},
	}
	lossRE := regexp.MustCompile(`(0x[0-9A-F]{8})\s+\S+\s+(\d+)\s+(-?\d+) \(`)
	for _, c := range cases {
		t.Run(c.sample, func(t *testing.T) {
			streams := c.streams
			if streams == nil {
				tr, err := samples.Load(c.sample)
				if err != nil {
					t.Fatal(err)
				}
				streams = tr.Streams
			}
			path, stats := writeDecrypted(t, c.sample+".keys", c.file)
			wantRTP := 0
			for _, s := range streams {
				wantRTP += s.RTPPackets
			}
			if stats.Decrypted < wantRTP {
				t.Errorf("%d packets decrypted into the capture, want at least the %d RTP packets", stats.Decrypted, wantRTP)
			}
			args := append([]string{"-r", path}, c.extra...)
			out := tshark(t, append(args, "-T", "fields", "-e", "rtp.ssrc", "-e", "rtp.seq", "-e", "rtp.payload", "-e", "rtcp.senderssrc")...)
			got := map[uint32]map[uint16]string{}
			rtcp := map[uint32]int{}
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				f := strings.Split(l, "\t")
				if len(f) != 4 {
					continue
				}
				if f[3] != "" {
					for _, s := range strings.Split(f[3], ",") {
						v, _ := strconv.ParseUint(s, 0, 32)
						rtcp[uint32(v)]++
					}
				}
				if f[0] == "" {
					continue
				}
				// A frame holding several interleaved packets lists each
				// field once per packet, comma-separated.
				ssrcs, seqs, pls := strings.Split(f[0], ","), strings.Split(f[1], ","), strings.Split(f[2], ",")
				if len(seqs) != len(ssrcs) || len(pls) != len(ssrcs) {
					t.Fatalf("tshark fields: %d SSRCs, %d sequence numbers, %d payloads", len(ssrcs), len(seqs), len(pls))
				}
				for i := range ssrcs {
					ssrc, err1 := strconv.ParseUint(ssrcs[i], 0, 32)
					seq, err2 := strconv.ParseUint(seqs[i], 10, 16)
					if err1 != nil || err2 != nil {
						t.Fatalf("tshark fields %q %q", ssrcs[i], seqs[i])
					}
					if got[uint32(ssrc)] == nil {
						got[uint32(ssrc)] = map[uint16]string{}
					}
					got[uint32(ssrc)][uint16(seq)] = strings.ReplaceAll(pls[i], ":", "")
				}
			}
			for _, s := range streams {
				pk := got[s.SSRCValue()]
				if len(pk) != s.RTPPackets {
					t.Errorf("stream %s: tshark decodes %d RTP packets, want %d", s.SSRC, len(pk), s.RTPPackets)
					continue
				}
				for i := 0; i < s.RTPPackets; i++ {
					seq := uint16(s.FirstSeq + i)
					if pk[seq] != hexString(s.Plaintext(seq)) {
						t.Fatalf("stream %s seq %d: tshark's RTP payload is not the plaintext the generator encrypted", s.SSRC, seq)
					}
				}
				if rtcp[s.SSRCValue()] != s.RTCPPackets {
					t.Errorf("stream %s: tshark decodes %d RTCP packets from it, want %d", s.SSRC, rtcp[s.SSRCValue()], s.RTCPPackets)
				}
			}
			out = tshark(t, append(args, "-q", "-z", "rtp,streams")...)
			listed := map[string]bool{}
			for _, m := range lossRE.FindAllStringSubmatch(out, -1) {
				listed[strings.ToLower(m[1])] = true
				if m[3] != "0" {
					t.Errorf("rtp,streams: %s lost %s packets\n%s", m[1], m[3], out)
				}
			}
			for _, s := range streams {
				if !listed[s.SSRC] {
					t.Errorf("rtp,streams does not list %s:\n%s", s.SSRC, out)
				}
			}
		})
	}
}

// TestDecryptedCaptureKeepsUndecrypted: with a wrong key nothing
// decrypts, and the decrypted capture holds every frame of the input
// unchanged (SDP still RTP/SAVP with its key-mgmt line).
func TestDecryptedCaptureKeepsUndecrypted(t *testing.T) {
	path, stats := writeDecrypted(t, "broken/wrong-psk.keys", "broken/wrong-psk.pcap")
	if stats.Decrypted != 0 || stats.Signalling != 0 || stats.Rebuilt != 0 {
		t.Fatalf("with the wrong key: %+v", stats)
	}
	in := readFrames(t, filepath.Join("..", "samples", "broken", "wrong-psk.pcap"))
	out := readFrames(t, path)
	if len(in) != len(out) {
		t.Fatalf("%d frames in, %d out", len(in), len(out))
	}
	for i := range in {
		if !bytes.Equal(in[i].Data, out[i].Data) || !in[i].Time.Equal(out[i].Time) {
			t.Fatalf("frame %d changed", i+1)
		}
	}
}

// TestDecryptedCaptureFrames: on a UDP sample every input frame is in the
// output at its time; the decrypted ones are shorter by the tag, the
// SIP messages with SDP by the key lines, the rest unchanged.
func TestDecryptedCaptureFrames(t *testing.T) {
	path, stats := writeDecrypted(t, "sip-udp-psk.keys", "sip-udp-psk.pcap")
	in := readFrames(t, filepath.Join("..", "samples", "sip-udp-psk.pcap"))
	out := readFrames(t, path)
	if len(in) != len(out) || stats.Frames != len(in) {
		t.Fatalf("%d frames in, %d out (stats %+v)", len(in), len(out), stats)
	}
	tr, err := samples.Load("sip-udp-psk")
	if err != nil {
		t.Fatal(err)
	}
	if stats.Signalling != 2 || stats.Decrypted != 204 {
		t.Errorf("stats %+v, want the INVITE and 200 OK rewritten and 204 packets decrypted", stats)
	}
	for i := range in {
		if !in[i].Time.Equal(out[i].Time) {
			t.Fatalf("frame %d: time %v, want %v", i+1, out[i].Time, in[i].Time)
		}
		d := len(in[i].Data) - len(out[i].Data)
		switch {
		case i+1 == tr.Messages[0].Frame || i+1 == tr.Messages[3].Frame:
			if d <= 0 || bytes.Contains(out[i].Data, []byte("key-mgmt")) || !bytes.Contains(out[i].Data, []byte("RTP/AVP")) {
				t.Errorf("frame %d: SDP not rewritten", i+1)
			}
		case bytes.Equal(in[i].Data, out[i].Data):
		case d == 10 || d == 14: // SRTP tag; SRTCP tag and E||index
		default:
			t.Errorf("frame %d: %d bytes shorter", i+1, d)
		}
	}
}

func readFrames(t *testing.T, path string) []capture.Packet {
	t.Helper()
	src, err := capture.OpenFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out []capture.Packet
	for {
		var p capture.Packet
		err := src.Next(&p)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		p.Data = append([]byte(nil), p.Data...)
		out = append(out, p)
	}
}
