package analysis_test

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/srtp"
	"github.com/mikeyscope/mikeyscope/tlsdec"
)

// The RTSPS samples (samples/rtsps, README there): the camera's video SSRC,
// packet counts and payload size the generator used.
const (
	rtspsVideoSSRC    = "0x1c0ffee1"
	rtspsVideoPackets = 40
	rtspsSRs          = 10
	rtspsVideoSize    = 600
)

// TestRTSPSSamples: with the key log (a keys file tls-keylog line, or the
// pcapng Decryption Secrets Block) the MIKEY message in the SETUP's KeyMgmt
// header is found inside TLS and the interleaved SRTP/SRTCP decrypts, every
// packet authenticated and every RTP payload equal to the generator's
// plaintext; without it, tls.no-key names the session's client random.
func TestRTSPSSamples(t *testing.T) {
	for _, name := range []string{"rtsps-tls13.pcap", "rtsps-tls12.pcap", "rtsps-tls13-dsb.pcapng"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("SSLKEYLOGFILE", "")
			base := strings.TrimSuffix(strings.TrimSuffix(name, ".pcapng"), ".pcap")
			path := filepath.Join("..", "samples", "rtsps", name)
			st := sampleKeys(t, "rtsps/"+base)
			kl, err := analysis.LoadTLSKeyLog(st, []string{path})
			if err != nil || kl == nil {
				t.Fatalf("key log: %v (nil %v)", err, kl == nil)
			}
			checked, differ := 0, 0
			hook := func(s *analysis.Stream, p *dissect.MediaPacket, plain []byte) {
				if plain == nil || p.Kind != dissect.KindRTP {
					return
				}
				h, err := srtp.ParseRTPHeader(plain)
				checked++
				if err != nil || !bytes.Equal(plain[h.HeaderLen:], scenario.VideoPayload(h.SSRC, h.SequenceNumber, rtspsVideoSize)) {
					differ++
				}
			}
			r := analyseWith(t, "rtsps/"+name, analysis.Options{Keys: st, TLSKeyLog: kl, Hook: hook})
			if len(r.Sessions) != 1 || len(r.Sessions[0].MIKEY) != 1 {
				t.Fatalf("sessions %d; findings %s", len(r.Sessions), describeFindings(r))
			}
			ss := r.Sessions[0]
			if m := ss.MIKEY[0]; m.Where != dissect.WhereRTSPHeader || m.Auth != "in-clear" || m.CSBID != "0x52545350" {
				t.Errorf("MIKEY message: where %s auth %s CSB %s", m.Where, m.Auth, m.CSBID)
			}
			counts := map[string]uint64{"rtp": rtspsVideoPackets, "rtcp": rtspsSRs}
			for _, s := range ss.Streams {
				if s.SSRC != rtspsVideoSSRC || s.Packets != counts[s.Kind] || s.Authenticated != s.Packets || s.Decrypted != s.Packets {
					t.Errorf("%s %s: %d packets, %d authenticated, %d decrypted; want %d each", s.Kind, s.SSRC, s.Packets, s.Authenticated, s.Decrypted, counts[s.Kind])
				}
				delete(counts, s.Kind)
			}
			if len(counts) != 0 {
				t.Errorf("streams missing: %v", counts)
			}
			if checked != rtspsVideoPackets || differ != 0 {
				t.Errorf("payloads: %d checked, %d differ", checked, differ)
			}
			if got := findingCodes(r); strings.Join(got, " ") != "mikey.keys-in-clear mikey.no-integrity" {
				t.Errorf("findings with the key log: %s", describeFindings(r))
			}

			// Without the key log.
			random := clientRandomOf(t, path)
			r = analyseWith(t, "rtsps/"+name, analysis.Options{})
			found := false
			for _, f := range r.Findings {
				found = found || (f.Code == analysis.KindTLSNoKey.Code && strings.Contains(f.Summary, "no key for CLIENT_RANDOM "+random))
			}
			if !found || len(r.Sessions) != 0 {
				t.Errorf("without the key log (client random %s): %d sessions, findings %s", random, len(r.Sessions), describeFindings(r))
			}
		})
	}
}

// clientRandomOf reads the client random of the sample's session from its
// key log (file or DSB) and checks that the capture carries it.
func clientRandomOf(t *testing.T, path string) string {
	t.Helper()
	var log []byte
	if strings.HasSuffix(path, ".pcapng") {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if log, err = tlsdec.ReadDSBs(f); err != nil {
			t.Fatal(err)
		}
	} else {
		var err error
		if log, err = os.ReadFile(strings.TrimSuffix(path, ".pcap") + ".keylog"); err != nil {
			t.Fatal(err)
		}
	}
	fields := strings.Fields(string(log))
	if len(fields) < 3 {
		t.Fatalf("key log %q", log)
	}
	random := strings.ToLower(fields[1])
	capBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := hex.DecodeString(random)
	if err != nil || len(raw) != 32 {
		t.Fatalf("client random %q: %v", random, err)
	}
	if !bytes.Contains(capBytes, raw) {
		t.Fatalf("client random %s not in the capture", random)
	}
	return random
}

// analyseWith runs the whole pipeline over a sample with options.
func analyseWith(t *testing.T, file string, opts analysis.Options) *analysis.Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "samples", file))
	if err != nil {
		t.Fatal(err)
	}
	return runCapture(t, data, opts)
}
