package analysis_test

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/keys"
)

// TestOneKeySixCalls (issue 17 item 7): six MIKEY-PSK calls and the PSK of
// the third. The third verifies and decrypts; the five others are "no key
// fits", a warning that asserts nothing about their peers, not "failed"
// with a mac-mismatch error. Bound to the third caller's identity, the key
// changes nothing for the others either.
func TestOneKeySixCalls(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	var specs []scenario.SIPCallSpec
	for i := 0; i < 6; i++ {
		specs = append(specs, callSpec(i, t0.Add(time.Duration(i)*300*time.Millisecond), 10))
	}
	path := writeCalls(t, specs)
	for _, line := range []string{
		hex.EncodeToString(specs[2].Exchange.PSK),
		specs[2].Exchange.IDi + "=" + hex.EncodeToString(specs[2].Exchange.PSK),
	} {
		st := &keys.Store{}
		if err := st.Add("psk", line, "test"); err != nil {
			t.Fatal(err)
		}
		r := analyseFile(t, path, st)
		if len(r.Sessions) != 6 {
			t.Fatalf("%d sessions, want 6", len(r.Sessions))
		}
		for _, s := range r.Sessions {
			want := "no-key-fits"
			if s.Key == specs[2].Call.CallID {
				want = "verified"
				for _, st := range s.Streams {
					if st.Decrypted == 0 || st.AuthFailed != 0 {
						t.Errorf("%s: stream %s decrypted %d, auth failed %d", s.Key, st.SSRC, st.Decrypted, st.AuthFailed)
					}
				}
			}
			if s.KeyStatus.String() != want {
				t.Errorf("key %q: session %s key status %s, want %s", line[:12], s.Key, s.KeyStatus, want)
			}
		}
		fits := 0
		for _, f := range r.Findings {
			switch f.Code {
			case "mikey.mac-mismatch", "mikey.v-mismatch":
				t.Errorf("key %q: %s in session %d: %s", line[:12], f.Code, f.Session, f.Summary)
			case "mikey.no-key-fits":
				fits++
				if !strings.Contains(f.Summary, "the peers agree on a key that was not supplied") {
					t.Errorf("no-key-fits summary %q does not say the responder accepted the MAC", f.Summary)
				}
			}
		}
		if fits != 5 {
			t.Errorf("key %q: %d mikey.no-key-fits findings, want 5 (one per other call)", line[:12], fits)
		}
	}
}
