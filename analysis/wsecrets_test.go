package analysis_test

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/tlsdec"
)

// writeWithSecrets runs the analysis over a sample while writing its
// packets to pcapng (as report -i ... -w --w-secrets does: the writer fed
// the packets the analysis reads, told the secrets the analysis uses) and
// returns the files written.
func writeWithSecrets(t *testing.T, sample string, kl *tlsdec.KeyLog, out string, ring capture.RingOptions) []string {
	t.Helper()
	src, err := capture.OpenFiles(sample)
	if err != nil {
		t.Fatal(err)
	}
	w, err := capture.CreatePcapng(out, ring, nil)
	if err != nil {
		t.Fatal(err)
	}
	tee := capture.Tee(src, w)
	a := analysis.New(analysis.Options{TLSKeyLog: kl, TLSSecretsUsed: func(s *tlsdec.Secrets) { w.UseSecrets(s.ClientRandom, s) }})
	if err := analysis.Run(context.Background(), tee, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := tee.Close(); err != nil {
		t.Fatal(err)
	}
	a.Finish()
	return w.Files()
}

// packetsBeforeSecrets counts the packets (Enhanced Packet Blocks) of a
// pcapng file this project wrote before its first Decryption Secrets Block
// (-1: none).
func packetsBeforeSecrets(t *testing.T, name string) int {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for len(b) >= 12 {
		typ, l := binary.LittleEndian.Uint32(b), int(binary.LittleEndian.Uint32(b[4:]))
		if l < 12 || l > len(b) {
			t.Fatalf("%s: bad block", name)
		}
		switch typ {
		case 6:
			n++
		case 10:
			return n
		}
		b = b[l:]
	}
	return -1
}

// keyLogLines are the key log lines of text, sorted, without comments.
func keyLogLines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && l[0] != '#' {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// fileSecrets reads the Decryption Secrets Blocks of a pcapng file: their
// key log lines, as keyLogLines gives them.
func fileSecrets(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dsb, err := tlsdec.ReadDSBs(f)
	if err != nil {
		t.Fatal(err)
	}
	return keyLogLines(string(dsb))
}

// tsharkTLSData is what tshark, given no key, decrypts of the RTSPS
// connection on port 322 (Decode As data: Wireshark has no RTSP-over-TLS
// dissector), decoded from hex.
func tsharkTLSData(t *testing.T, file string) string {
	t.Helper()
	out, err := exec.Command("tshark", "-r", file, "-d", "tls.port==322,data", "-Y", "data", "-T", "fields", "-e", "data.data").Output()
	if err != nil {
		t.Fatalf("tshark -r %s: %v", file, err)
	}
	var plain []byte
	for _, f := range strings.FieldsFunc(string(out), func(r rune) bool { return r == '\n' || r == ',' }) {
		b, err := hex.DecodeString(strings.TrimSpace(f))
		if err != nil {
			t.Fatalf("tshark data %q: %v", f, err)
		}
		plain = append(plain, b...)
	}
	return string(plain)
}

// TestWriteSecrets: an RTSPS capture (TLS 1.3 and 1.2) analysed with a
// key log that also holds another connection's secrets, written to pcapng
// with the secrets the analysis used: the file has one Decryption Secrets
// Block, right after the ClientHello (before the ServerHello, tshark
// numbering the frames), holding exactly the sample's key log lines and
// not the other connection's; tshark given no key decrypts the RTSP
// requests from it (and not from the sample); mikeyscope given only the
// file decrypts every SRTP and SRTCP packet. In a ring of small files,
// each file after the ClientHello's starts with the secrets, and
// mikeyscope decrypts the media of a later part alone (TLS 1.3, whose
// mid-stream key search needs no handshake).
func TestWriteSecrets(t *testing.T) {
	t.Setenv("SSLKEYLOGFILE", "")
	_, tsharkErr := exec.LookPath("tshark")
	decoy := "CLIENT_RANDOM " + strings.Repeat("5a", 32) + " " + strings.Repeat("a5", 48) + "\n"
	for _, base := range []string{"rtsps-tls13", "rtsps-tls12"} {
		t.Run(base, func(t *testing.T) {
			sample := filepath.Join("..", "samples", "rtsps", base+".pcap")
			logText, err := os.ReadFile(filepath.Join("..", "samples", "rtsps", base+".keylog"))
			if err != nil {
				t.Fatal(err)
			}
			kl, err := tlsdec.ParseKeyLog(strings.NewReader(decoy + string(logText)))
			if err != nil || kl.Len() != 2 {
				t.Fatalf("key log: %v, %d entries", err, kl.Len())
			}
			dir := t.TempDir()
			files := writeWithSecrets(t, sample, kl, filepath.Join(dir, "live.pcapng"), capture.RingOptions{})
			if len(files) != 1 {
				t.Fatalf("files %v", files)
			}
			out := files[0]
			if got, want := fileSecrets(t, out), keyLogLines(string(logText)); !slices.Equal(got, want) {
				t.Errorf("secrets written:\n%s\nwant the sample's key log lines:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if tsharkErr != nil {
				t.Log("tshark not installed: the Wireshark checks are skipped")
			} else {
				// The block follows the ClientHello's frame.
				o, err := exec.Command("tshark", "-r", sample, "-Y", "tls.handshake.type==1", "-T", "fields", "-e", "frame.number").Output()
				if err != nil {
					t.Fatal(err)
				}
				if ch := strings.TrimSpace(string(o)); ch == "" || packetsBeforeSecrets(t, out) != atoi(t, ch) {
					t.Errorf("the secrets follow packet %d; the ClientHello is frame %s", packetsBeforeSecrets(t, out), ch)
				}
				plain := tsharkTLSData(t, out)
				for _, m := range []string{"DESCRIBE rtsps://", "SETUP rtsps://", "PLAY rtsps://", "TEARDOWN rtsps://", "KeyMgmt: prot=mikey"} {
					if !strings.Contains(plain, m) {
						t.Errorf("tshark decrypts no %q from the written file (%d bytes decrypted)", m, len(plain))
					}
				}
				if plain := tsharkTLSData(t, sample); strings.Contains(plain, "DESCRIBE") {
					t.Errorf("tshark decrypts the sample without a key")
				}
			}
			// mikeyscope, given only the file.
			kl2, err := analysis.LoadTLSKeyLog(nil, []string{out})
			if err != nil || kl2.Len() != 1 {
				t.Fatalf("the file's secrets: %v, %d entries", err, kl2.Len())
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			r := runCapture(t, data, analysis.Options{TLSKeyLog: kl2})
			if len(r.Sessions) != 1 || len(r.Sessions[0].MIKEY) != 1 {
				t.Fatalf("sessions %d; findings %s", len(r.Sessions), describeFindings(r))
			}
			counts := map[string]uint64{"rtp": rtspsVideoPackets, "rtcp": rtspsSRs}
			for _, s := range r.Sessions[0].Streams {
				if s.Packets != counts[s.Kind] || s.Decrypted != s.Packets {
					t.Errorf("%s %s: %d packets, %d decrypted; want %d", s.Kind, s.SSRC, s.Packets, s.Decrypted, counts[s.Kind])
				}
			}

			// A ring of 8-packet files: each part holds the secrets.
			ringFiles := writeWithSecrets(t, sample, kl, filepath.Join(dir, "ring.pcapng"), capture.RingOptions{Packets: 8})
			if len(ringFiles) < 4 {
				t.Fatalf("ring files %v", ringFiles)
			}
			for i, rf := range ringFiles {
				if got, want := fileSecrets(t, rf), keyLogLines(string(logText)); !slices.Equal(got, want) {
					t.Errorf("ring file %d: secrets %q", i+1, got)
				}
				if i > 0 && packetsBeforeSecrets(t, rf) != 0 {
					t.Errorf("ring file %d: the secrets follow packet %d, want the start", i+1, packetsBeforeSecrets(t, rf))
				}
			}
			if base == "rtsps-tls13" {
				// A middle part alone: its TLS records decrypt with the
				// secrets it carries (the interleaved RTP appears; its
				// keys came in the SETUP, in an earlier part).
				part := ringFiles[2]
				kl3, err := analysis.LoadTLSKeyLog(nil, []string{part})
				if err != nil || kl3.Len() != 1 {
					t.Fatalf("%s: %v", part, err)
				}
				data, _ := os.ReadFile(part)
				r := runCapture(t, data, analysis.Options{TLSKeyLog: kl3})
				if !strings.Contains(describeFindings(r), "rtp SSRC "+rtspsVideoSSRC) {
					t.Errorf("%s alone: no interleaved RTP found in its TLS; findings %s", filepath.Base(part), describeFindings(r))
				}
				r = runCapture(t, data, analysis.Options{})
				if strings.Contains(describeFindings(r), "rtp SSRC "+rtspsVideoSSRC) {
					t.Errorf("%s without its secrets: interleaved RTP found", filepath.Base(part))
				}
			}
		})
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not a number: %q", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}
