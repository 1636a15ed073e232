package analysis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/keys"
)

// TestDecryptAheadSameReports: every sample, with its keys (and TLS key
// log) and without, gives the same JSON report byte for byte, and the media
// hook the same packets and plaintexts in the same order, whether its SRTP
// packets are decrypted in order by the analyzer alone or opened ahead by
// one or two workers (every packet size opened ahead here); and with keys
// the guesses are taken.
func TestDecryptAheadSameReports(t *testing.T) {
	var files []string
	for _, pat := range []string{"*.pcap*", "*/*.pcap*"} {
		m, err := filepath.Glob(filepath.Join("..", "samples", pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("only %d samples found", len(files))
	}
	defer func(w, b, e int) {
		aheadWorkersOverride, aheadMinBytesOverride, batchEventsOverride = w, b, e
		aheadTally, aheadWorkerHook, aheadAnalyzerIdle = nil, nil, false
	}(aheadWorkersOverride, aheadMinBytesOverride, batchEventsOverride)
	aheadMinBytesOverride = 1
	var guessed, taken, abandoned int
	var commits atomic.Int64 // batches with guesses handled
	aheadTally = func(g, tk, ab int) {
		guessed += g
		taken += tk
		abandoned += ab
		commits.Add(1)
	}
	for _, file := range files {
		base := strings.TrimSuffix(strings.TrimSuffix(file, ".pcapng"), ".pcap")
		for _, withKeys := range []bool{false, true} {
			kf := base + ".keys"
			if _, err := os.Stat(kf); withKeys && err != nil {
				continue
			}
			name := strings.TrimPrefix(base, filepath.Join("..", "samples")+"/")
			if withKeys {
				name += "+keys"
			}
			t.Run(name, func(t *testing.T) {
				if !withKeys {
					kf = ""
				}
				aheadWorkersOverride, batchEventsOverride = 0, 0
				want, wantMedia := aheadReport(t, file, kf)
				for _, shape := range []struct {
					workers, batch int
					slow           bool
				}{{1, 0, false}, {2, 0, false}, {1, 5, false}, {2, 16, false}, {1, 8, true}} {
					aheadWorkersOverride, batchEventsOverride = shape.workers, shape.batch
					aheadWorkerHook, aheadAnalyzerIdle = nil, shape.slow
					if shape.slow {
						// A worker that loses its core now and then: every
						// fifth chunk it takes, it waits until two more
						// batches have been handled (or 20 ms), so the
						// analyzer (which here opens nothing itself)
						// handles that chunk's batch without it and
						// abandons the guesses not yet opened.
						var claims atomic.Int64
						aheadWorkerHook = func() {
							if claims.Add(1)%5 != 0 {
								return
							}
							start := commits.Load()
							for deadline := time.Now().Add(20 * time.Millisecond); commits.Load() < start+2 && time.Now().Before(deadline); {
								time.Sleep(50 * time.Microsecond)
							}
						}
					}
					got, gotMedia := aheadReport(t, file, kf)
					if got != want {
						t.Errorf("%+v: report differs:\n%s\nin order:\n%s", shape, got, want)
					}
					if gotMedia != wantMedia {
						t.Errorf("%+v: media hook saw other packets or plaintexts", shape)
					}
				}
			})
		}
	}
	aheadWorkerHook, aheadAnalyzerIdle = nil, false
	t.Logf("%d packets guessed, %d guesses taken, %d abandoned", guessed, taken, abandoned)
	if taken == 0 || taken < guessed/2 {
		t.Fatalf("%d packets guessed, only %d guesses taken", guessed, taken)
	}
	if abandoned == 0 {
		t.Fatal("no guess was abandoned with slow workers")
	}
}

// aheadReport analyses a capture (with keysFile unless empty, and the TLS
// key log of the keys or beside the capture) and returns its JSON report
// and a digest of what the media hook saw.
func aheadReport(t *testing.T, file, keysFile string) (string, string) {
	t.Helper()
	t.Setenv("SSLKEYLOGFILE", "")
	opts := Options{Trees: true}
	if keysFile != "" {
		st, _, err := keys.ParseFile(keysFile)
		if err != nil {
			t.Fatal(err)
		}
		opts.Keys = st
		kl, err := LoadTLSKeyLog(st, []string{file})
		if err != nil {
			t.Fatal(err)
		}
		opts.TLSKeyLog = kl
	}
	h := sha256.New()
	opts.Hook = func(s *Stream, p *dissect.MediaPacket, plain []byte) {
		h.Write([]byte(s.SSRC))
		h.Write([]byte{byte(p.Frame), byte(p.Frame >> 8), byte(len(plain)), byte(len(plain) >> 8)})
		h.Write(plain)
	}
	src, err := capture.OpenFiles(file)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a := New(opts)
	a.SetInputs([]string{filepath.Base(file)})
	if err := Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(a.Finish())
	if err != nil {
		t.Fatal(err)
	}
	return string(b), hex.EncodeToString(h.Sum(nil))
}
