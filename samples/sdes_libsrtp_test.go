package samples

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/internal/pylibsrtp"
	"github.com/mikeyscope/mikeyscope/sdes"
)

// libsrtpProfile names libsrtp's profile of an SDES suite (pylibsrtp has
// these four).
var libsrtpProfile = map[string]string{
	"AES_CM_128_HMAC_SHA1_80": "AES128_CM_SHA1_80",
	"AES_CM_128_HMAC_SHA1_32": "AES128_CM_SHA1_32",
	"AEAD_AES_128_GCM":        "AEAD_AES_128_GCM",
	"AEAD_AES_256_GCM":        "AEAD_AES_256_GCM",
}

var (
	cryptoLine = regexp.MustCompile(`(?m)^a=crypto:(.*)\r$`)
	mediaPort  = regexp.MustCompile(`(?m)^m=audio (\d+) `)
	callID     = regexp.MustCompile(`(?m)^Call-ID: (.*)\r$`)
)

// sdesSide is what one side's SDP declared.
type sdesSide struct {
	port   int
	crypto []*sdes.Crypto
}

// TestSDESSamplesWithLibsrtp: libsrtp 2 (Debian python3-pylibsrtp), given
// for each stream the key its sender's a=crypto declared (read from the
// capture's SDP with package sdes, the offer's attribute of the tag the
// answer chose), unprotects every SRTP and SRTCP packet of the SDES
// samples to the plaintext the generator encrypted; and in
// sip-sdes-wrong-key it rejects exactly every packet of the callee, who
// sent with another key. Calls whose suite or MKI pylibsrtp lacks
// (AES_256_CM, MKI) are listed as skipped.
func TestSDESSamplesWithLibsrtp(t *testing.T) {
	checked := 0
	for _, name := range []string{"sdes/sip-sdes-suites", "sdes/sip-sdes-wrong-key", "sdes/sip-sdes-mikey"} {
		for _, st := range sdesCapture(t, name) {
			s, declared := st.truth, st.declared
			if declared == nil {
				t.Logf("%s %s: keyed by MIKEY (the answer kept it), not SDES", name, s.SSRC)
				continue
			}
			prof, ok := libsrtpProfile[declared.SuiteName]
			if !ok || declared.Keys[0].HasMKI {
				t.Logf("%s %s: skipped, pylibsrtp has no %s%s", name, s.SSRC, declared.SuiteName, map[bool]string{true: " with an MKI"}[declared.Keys[0].HasMKI])
				continue
			}
			k := declared.Keys[0]
			req := pylibsrtp.Request{Profile: prof, Key: hex.EncodeToString(append(append([]byte(nil), k.Key...), k.Salt...))}
			for _, b := range st.rtp {
				req.RTP = append(req.RTP, hex.EncodeToString(b))
			}
			wantRTCP := s.RTCPPackets
			if declared.UnencryptedSRTCP {
				// pylibsrtp cannot set an authentication-only SRTCP policy
				// and libsrtp rejects E=0 under its default one.
				t.Logf("%s %s: SRTCP (UNENCRYPTED_SRTCP) not given to libsrtp", name, s.SSRC)
				wantRTCP = 0
			} else {
				for _, b := range st.rtcp {
					req.RTCP = append(req.RTCP, hex.EncodeToString(b))
				}
			}
			out := pylibsrtp.Unprotect(t, req)
			if len(out.RTP) != s.RTPPackets || len(out.RTCP) != wantRTCP {
				t.Fatalf("%s %s: %d RTP / %d RTCP packets in the capture, manifest %d / %d", name, s.SSRC, len(out.RTP), len(out.RTCP), s.RTPPackets, wantRTCP)
			}
			wrong := strings.HasPrefix(s.KeyFrom, "NOT")
			for i, h := range append(out.RTP, out.RTCP...) {
				if wrong != (h == nil) {
					t.Fatalf("%s %s packet %d: libsrtp accepted=%v with the declared %s key, want %v", name, s.SSRC, i, h != nil, declared.SuiteName, !wrong)
				}
				if h == nil || i >= len(out.RTP) {
					continue
				}
				plain, _ := hex.DecodeString(*h)
				seq := binary.BigEndian.Uint16(plain[2:])
				if !bytes.Equal(plain[12:], s.Plaintext(seq)) {
					t.Fatalf("%s %s seq %d: libsrtp's plaintext differs from the generator's", name, s.SSRC, seq)
				}
			}
			checked++
		}
	}
	// sip-sdes-suites: 8 streams of the 4 suites pylibsrtp has (the two
	// AES_256_CM calls skipped); sip-sdes-wrong-key: 2; sip-sdes-mikey: the
	// 2 of the call whose answer kept SDES.
	if checked != 12 {
		t.Errorf("libsrtp checked %d streams, want 12", checked)
	}
}
