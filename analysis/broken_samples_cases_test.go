package analysis_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/srtp"
)

// want is one finding a sample must produce.
type want struct {
	code    string
	frame   uint64
	summary string
}

// TestBrokenSamples runs the analysis over every capture of samples/broken
// with its keys file and checks the findings a user will see: each listed
// finding at its frame with its specifics, and no other code.
func TestBrokenSamples(t *testing.T) {
	cases := []struct {
		name  string
		finds []want
		check func(t *testing.T, r *analysis.Report)
	}{
		{"wrong-psk", []want{
			// The key is not the call's, and nothing binds it to the call:
			// the responder's verification message shows the peers agree
			// (issue 17 item 7), so no mismatch is asserted.
			{"mikey.no-key-fits", 1, "MAC of Pre-shared verifies with none of the 1 supplied key(s), and none of them is bound to this exchange; the responder's verification message (frame 4) shows that it accepted this MAC"},
			{"srtp.no-key", 6, "25 packets; the session's MIKEY exchange was not opened"},
		}, func(t *testing.T, r *analysis.Report) {
			for _, s := range r.Sessions[0].Streams {
				if s.Decrypted != 0 || s.Authenticated != 0 {
					t.Errorf("stream %s decrypted with a wrong PSK", s.SSRC)
				}
			}
		}},
		{"err-auth-failure", []want{
			{"mikey.error-payload", 4, "peer answered with MIKEY error 0 (Auth failure)"},
		}, nil},
		{"clock-skew", []want{
			{"mikey.clock-skew", 1, "timestamp 2026-11-02T07:00:00Z is -10800 s from the capture time"},
		}, allDecrypted},
		{"replay", []want{
			{"mikey.replay", 60, "identical message seen before as frame 1"},
			{"mikey.clock-skew", 60, "timestamp 2026-11-02T10:00:00Z is -600 s from the capture time"},
			{"mikey.error-payload", 61, "peer answered with MIKEY error 1 (Invalid TS)"},
		}, allDecrypted},
		{"roc-and-ssrc", []want{
			{"srtp.roc-mismatch", 6, "SSRC 0x57650b7f: packet seq 59344 authenticated only with ROC 1 (expected 0)"},
			{"srtp.unknown-ssrc", 7, "rtp SSRC 0x5eed5eed 198.51.100.20:50170 -> 192.0.2.10:49170 is not in the CS ID map, but it decrypts with the keys of crypto session 2 (announced for SSRC 0xc38e8637)"},
		}, func(t *testing.T, r *analysis.Report) {
			for _, s := range r.Sessions[0].Streams {
				switch s.SSRC {
				case "0x57650b7f":
					if s.Packets != 25 || s.Authenticated != 25 {
						t.Errorf("ROC 1 stream: %d of %d authenticated", s.Authenticated, s.Packets)
					}
				case "0x5eed5eed":
					// Not in the CS ID map, but the keys of CS ID 2 open it.
					if s.Packets != 25 || s.Decrypted != 25 {
						t.Errorf("unknown SSRC: %d of %d decrypted with the other crypto session's keys", s.Decrypted, s.Packets)
					}
				default:
					t.Errorf("unexpected stream %s", s.SSRC)
				}
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			payloadErrs := 0
			hook := func(st *analysis.Stream, p *dissect.MediaPacket, plain []byte) {
				if plain == nil || p.Kind != dissect.KindRTP {
					return
				}
				h, err := srtp.ParseRTPHeader(plain)
				if err != nil || !bytes.Equal(plain[h.HeaderLen:], scenario.Payload(h.SSRC, h.SequenceNumber)) {
					payloadErrs++
				}
			}
			r := analyse(t, "broken/"+c.name+".pcap", sampleKeys(t, "broken/"+c.name), hook)
			if payloadErrs != 0 {
				t.Errorf("%d decrypted payloads differ from scenario.Payload", payloadErrs)
			}
			var codes []string
			for _, w := range c.finds {
				codes = append(codes, w.code)
				ok := false
				for _, f := range r.Findings {
					ok = ok || (f.Code == w.code && f.Frame == w.frame && strings.Contains(f.Summary, w.summary))
				}
				if !ok {
					t.Errorf("no %s at frame %d with %q", w.code, w.frame, w.summary)
				}
			}
			if got := findingCodes(r); fmt.Sprint(got) != fmt.Sprint(sortedUnique(codes)) {
				t.Errorf("finding codes = %v, want %v", got, sortedUnique(codes))
			}
			if t.Failed() {
				t.Log(describeFindings(r))
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
}

// allDecrypted: every stream of the sample authenticates fully.
func allDecrypted(t *testing.T, r *analysis.Report) {
	t.Helper()
	for _, s := range r.Sessions[0].Streams {
		if s.Packets == 0 || s.Authenticated != s.Packets {
			t.Errorf("%s %s: %d of %d authenticated", s.Kind, s.SSRC, s.Authenticated, s.Packets)
		}
	}
}
