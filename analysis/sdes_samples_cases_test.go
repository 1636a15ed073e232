package analysis_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	truthpkg "github.com/mikeyscope/mikeyscope/samples"
)

// TestSDESSamples analyses the SDES samples with no key flags at all (the
// keys are in the SDP; sip-sdes-mikey needs its PSK for the call whose
// answer kept MIKEY) and checks every stream of the generator's manifest:
// all its packets authenticated and decrypted to the plaintext the
// generator encrypted, except the callee of sip-sdes-wrong-key, whose
// every packet fails; and the exact findings.
func TestSDESSamples(t *testing.T) {
	cases := []struct {
		name     string
		withKeys bool
		failing  map[string]bool // SSRCs whose every packet must fail
		codes    map[string]int  // exact finding counts
		keying   []string
	}{
		{name: "sdes/sip-sdes-suites", codes: map[string]int{analysis.KindSDESKeysInClear.Code: 12},
			keying: []string{"SDES AES_CM_128_HMAC_SHA1_80 tag 2", "SDES AES_CM_128_HMAC_SHA1_32 tag 1", "SDES AES_256_CM_HMAC_SHA1_80 tag 1",
				"SDES AES_256_CM_HMAC_SHA1_32 tag 1", "SDES AEAD_AES_128_GCM tag 1", "SDES AEAD_AES_256_GCM tag 1"}},
		{name: "sdes/sip-sdes-more-suites", codes: map[string]int{analysis.KindSDESKeysInClear.Code: 6},
			keying: []string{"SDES AES_192_CM_HMAC_SHA1_80 tag 1", "SDES AES_192_CM_HMAC_SHA1_32 tag 1", "SDES F8_128_HMAC_SHA1_80 tag 1"}},
		{name: "sdes/sip-sdes-wrong-key", failing: map[string]bool{"0x5fa84732": true},
			codes:  map[string]int{analysis.KindSDESKeysInClear.Code: 2, analysis.KindSRTPAuthFailed.Code: 2},
			keying: []string{"SDES AES_CM_128_HMAC_SHA1_80 tag 1"}},
		{name: "sdes/sip-sdes-mikey", withKeys: true,
			codes:  map[string]int{analysis.KindSDESKeysInClear.Code: 3, analysis.KindCryptoAndKeyMgmt.Code: 4},
			keying: []string{"SDES AES_CM_128_HMAC_SHA1_80 tag 1", "MIKEY PSK"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, err := truthpkg.Load(c.name)
			if err != nil {
				t.Fatal(err)
			}
			plain := map[uint32]map[uint16][]byte{}
			hook := func(s *analysis.Stream, p *dissect.MediaPacket, pt []byte) {
				if pt == nil || p.Kind != dissect.KindRTP {
					return
				}
				if plain[p.SSRC] == nil {
					plain[p.SSRC] = map[uint16][]byte{}
				}
				plain[p.SSRC][p.Seq] = append([]byte(nil), pt[12:]...)
			}
			var r *analysis.Report
			if c.withKeys {
				r = analyse(t, c.name+".pcap", sampleKeys(t, c.name), hook)
			} else {
				r = analyse(t, c.name+".pcap", nil, hook)
			}
			byssrc := map[string]*analysis.Stream{}
			var keying []string
			for _, s := range r.Sessions {
				keying = append(keying, s.Keying)
				for _, st := range s.Streams {
					byssrc[st.Kind+st.SSRC] = st
				}
			}
			if fmt.Sprint(keying) != fmt.Sprint(c.keying) {
				t.Errorf("keying %q, want %q", keying, c.keying)
			}
			for _, ts := range tr.Streams {
				rtp, rtcp := byssrc["rtp"+ts.SSRC], byssrc["rtcp"+ts.SSRC]
				if rtp == nil || rtcp == nil {
					t.Fatalf("%s: stream missing", ts.SSRC)
				}
				if c.failing[ts.SSRC] {
					if rtp.AuthFailed != uint64(ts.RTPPackets) || rtp.Decrypted != 0 || rtcp.AuthFailed != uint64(ts.RTCPPackets) {
						t.Errorf("%s: %+v / %+v, want every packet failing", ts.SSRC, rtp, rtcp)
					}
					continue
				}
				if rtp.Decrypted != uint64(ts.RTPPackets) || rtp.Authenticated != uint64(ts.RTPPackets) || rtp.AuthFailed != 0 ||
					rtcp.Authenticated != uint64(ts.RTCPPackets) || rtcp.AuthFailed != 0 {
					t.Errorf("%s (%s): rtp %d/%d decrypted, rtcp %d/%d authenticated", ts.SSRC, ts.Policy, rtp.Decrypted, ts.RTPPackets, rtcp.Authenticated, ts.RTCPPackets)
				}
				for i := 0; i < ts.RTPPackets; i++ {
					seq := uint16(ts.FirstSeq + i)
					if string(plain[ts.SSRCValue()][seq]) != string(ts.Plaintext(seq)) {
						t.Fatalf("%s seq %d: plaintext differs from the generator's", ts.SSRC, seq)
					}
				}
			}
			got := map[string]int{}
			for _, f := range r.Findings {
				got[f.Code]++
			}
			if fmt.Sprint(sortedMap(got)) != fmt.Sprint(sortedMap(c.codes)) {
				t.Errorf("findings %v, want %v: %s", got, c.codes, describeFindings(r))
			}
		})
	}
}

func sortedMap(m map[string]int) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(out)
	return out
}

// TestSDESAttributeOffsets: each a=crypto attribute of the report points
// at its text in the signalling message (tag, suite, key-param), with the
// answer's chosen attributes marked selected and the keys by fingerprint
// only.
func TestSDESAttributeOffsets(t *testing.T) {
	src, err := capture.OpenFiles(filepath.Join("..", "samples", "sdes", "sip-sdes-suites.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a := analysis.New(analysis.Options{SignalText: true, Trees: true})
	if err := analysis.Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	r := a.Finish()
	n, selected := 0, 0
	for _, s := range r.Sessions {
		raw := map[uint64][]byte{}
		for _, sg := range s.Signals {
			raw[sg.Frame] = sg.Raw
		}
		for _, at := range s.SDES {
			n++
			msg := raw[at.Frame]
			if at.Offset < 0 || at.Offset+at.Length > len(msg) {
				t.Fatalf("frame %d: attribute at %d+%d outside the %d-byte message", at.Frame, at.Offset, at.Length, len(msg))
			}
			text := string(msg[at.Offset : at.Offset+at.Length])
			if !strings.HasPrefix(text, fmt.Sprintf("%d %s inline:", at.Tag, at.Suite)) || string(msg[at.Offset-9:at.Offset]) != "a=crypto:" {
				t.Errorf("frame %d: offset %d points at %q", at.Frame, at.Offset, text)
			}
			if len(at.Keys) != 1 || !strings.HasPrefix(string(msg[at.Keys[0].Offset:]), "inline:") || !strings.HasPrefix(at.Keys[0].KeyFP, "key:") || at.Keys[0].KeyHex != "" {
				t.Errorf("frame %d: keys %+v", at.Frame, at.Keys)
			}
			if at.Tree == nil || at.Tree.Children[1].Offset != at.Offset+len(fmt.Sprint(at.Tag))+1 {
				t.Errorf("frame %d: tree %+v", at.Frame, at.Tree)
			}
			if at.Selected {
				selected++
			}
		}
	}
	// 6 calls: 7 offered attributes (call 1 offers two), 6 answers; all
	// but call 1's tag 1 key a direction.
	if n != 13 || selected != 12 {
		t.Errorf("%d attributes, %d selected; want 13 and 12", n, selected)
	}
}
