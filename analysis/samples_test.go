package analysis_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/srtp"
)

// truth is the manifest the sample generator writes beside each capture.
type truth struct {
	File     string `json:"file"`
	Frames   uint64 `json:"frames"`
	Messages []struct {
		Frame   uint64 `json:"frame"`
		Message string `json:"message"`
		MIKEY   int    `json:"mikey_messages"`
	} `json:"messages"`
	MIKEY []struct {
		Frame    uint64   `json:"frame"`
		Carrier  string   `json:"carrier"`
		DataType int      `json:"data_type"`
		CSBID    string   `json:"csb_id"`
		SSRCs    []string `json:"ssrcs"`
		Length   int      `json:"length"`
	} `json:"mikey"`
	Streams []struct {
		SSRC        string `json:"ssrc"`
		Src         string `json:"src"`
		Dst         string `json:"dst"`
		RTPPackets  uint64 `json:"rtp_packets"`
		RTCPPackets uint64 `json:"rtcp_packets"`
		Policy      string `json:"policy"`
		CSID        int    `json:"cs_id"`
		KeyFP       string `json:"master_key_fingerprint"`
		SaltFP      string `json:"master_salt_fingerprint"`
		MKI         string `json:"mki"`
		Payload     string `json:"payload"`
	} `json:"streams"`
}

func loadTruth(t *testing.T, name string) *truth {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "samples", name+".truth.json"))
	if err != nil {
		t.Fatalf("sample manifest: %v", err)
	}
	var tr truth
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatalf("sample manifest %s: %v", name, err)
	}
	return &tr
}

// payloadHook counts the decrypted RTP packets in *checked and those whose
// payload is not the generator's scenario.Payload in *differ.
func payloadHook(checked, differ *int) analysis.MediaHook {
	return func(s *analysis.Stream, p *dissect.MediaPacket, plain []byte) {
		if plain == nil || p.Kind != dissect.KindRTP {
			return
		}
		h, err := srtp.ParseRTPHeader(plain)
		*checked++
		if err != nil || !bytes.Equal(plain[h.HeaderLen:], scenario.Payload(h.SSRC, h.SequenceNumber)) {
			*differ++
		}
	}
}

// analyse runs the whole pipeline over a sample with the given keys.
func analyse(t *testing.T, file string, st *keys.Store, hook analysis.MediaHook) *analysis.Report {
	t.Helper()
	src, err := capture.OpenFiles(filepath.Join("..", "samples", file))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a := analysis.New(analysis.Options{Keys: st, Hook: hook, Trees: true})
	a.SetInputs([]string{file})
	if err := analysis.Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	return a.Finish()
}

func sampleKeys(t *testing.T, name string) *keys.Store {
	t.Helper()
	st, _, err := keys.ParseFile(filepath.Join("..", "samples", name+".keys"))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

var samples = []struct {
	name, file string
	auth       analysis.KeyStatus // expected auth of every MIKEY message
	codes      []string           // exact set of finding codes expected
}{
	{"sip-udp-psk", "sip-udp-psk.pcap", "verified", nil},
	{"sip-tcp-psk", "sip-tcp-psk.pcap", "verified", nil},
	{"sip-udp-fragmented", "sip-udp-fragmented.pcap", "verified", nil},
	{"sip-ipv6-fragmented", "sip-ipv6-fragmented.pcapng", "verified", nil},
	{"rtsp-null-mikey", "rtsp-null-mikey.pcap", "in-clear", []string{"mikey.keys-in-clear", "mikey.no-integrity", "mikey.tek-key-and-salt"}},
	{"sip-udp-gcm", "sip-udp-gcm.pcap", "verified", nil},
	{"sip-udp-dhhmac", "sip-udp-dhhmac.pcap", "verified", nil},
	{"sip-udp-roc", "sip-udp-roc.pcap", "verified", nil},
	{"sip-hep-psk", "sip-hep-psk.pcap", "verified", nil},
	{"rtsp-rekey", "rtsp-rekey.pcap", "in-clear", []string{"mikey.keys-in-clear", "mikey.no-integrity", "mikey.tek-key-and-salt"}},
}

// TestSamplesWithKeys checks every sample against its manifest: the MIKEY
// messages at their frames, verified with the sample's keys; the crypto
// sessions with the master keys the generator used (by fingerprint); every
// SRTP/SRTCP packet authenticated and decrypted; and each decrypted RTP
// payload equal to the plaintext the generator encrypted with pion/srtp.
func TestSamplesWithKeys(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			tr := loadTruth(t, s.name)
			mismatches, checked := 0, 0
			hook := func(st *analysis.Stream, p *dissect.MediaPacket, plain []byte) {
				if plain == nil || p.Kind != dissect.KindRTP {
					return
				}
				h, err := srtp.ParseRTPHeader(plain)
				if err != nil {
					t.Errorf("frame %d: decrypted RTP does not parse: %v", p.Frame, err)
					return
				}
				var want []byte
				for _, ts := range tr.Streams {
					if ts.SSRC != fmt.Sprintf("0x%08x", h.SSRC) {
						continue
					}
					switch {
					case ts.Payload == "scenario.Payload(ssrc, seq)":
						want = scenario.Payload(h.SSRC, h.SequenceNumber)
					case strings.HasPrefix(ts.Payload, "scenario.VideoPayload(ssrc, seq, "):
						var size int
						fmt.Sscanf(strings.TrimPrefix(ts.Payload, "scenario.VideoPayload(ssrc, seq, "), "%d", &size)
						want = scenario.VideoPayload(h.SSRC, h.SequenceNumber, size)
					default:
						t.Fatalf("unknown payload rule %q", ts.Payload)
					}
				}
				checked++
				if !bytes.Equal(plain[h.HeaderLen:], want) {
					mismatches++
				}
			}
			r := analyse(t, s.file, sampleKeys(t, s.name), hook)

			if r.Summary.Frames != tr.Frames {
				t.Errorf("frames = %d, want %d", r.Summary.Frames, tr.Frames)
			}
			if len(r.Sessions) != 1 {
				t.Fatalf("sessions = %d, want 1", len(r.Sessions))
			}
			ss := r.Sessions[0]
			// Signalling messages at their frames.
			var gotSig, wantSig []uint64
			for _, sg := range ss.Signals {
				gotSig = append(gotSig, sg.Frame)
			}
			for _, m := range tr.Messages {
				wantSig = append(wantSig, m.Frame)
			}
			if fmt.Sprint(gotSig) != fmt.Sprint(wantSig) {
				t.Errorf("signalling frames = %v, want %v", gotSig, wantSig)
			}
			// MIKEY messages.
			if len(ss.MIKEY) != len(tr.MIKEY) {
				t.Fatalf("MIKEY messages = %d, want %d", len(ss.MIKEY), len(tr.MIKEY))
			}
			for i, m := range ss.MIKEY {
				w := tr.MIKEY[i]
				if w.Carrier == "rtsp-keymgmt" { // the manifest uses the vectors' carrier names
					w.Carrier = dissect.WhereRTSPHeader
				}
				if m.Frame != w.Frame || m.CSBID != w.CSBID || m.Where != w.Carrier || m.Length != w.Length {
					t.Errorf("MIKEY %d = frame %d csb %s in %s len %d, want frame %d csb %s in %s len %d",
						i, m.Frame, m.CSBID, m.Where, m.Length, w.Frame, w.CSBID, w.Carrier, w.Length)
				}
				if pm := m.Parsed(); pm == nil || int(pm.Header.DataType) != w.DataType {
					t.Errorf("MIKEY %d data type = %s, want %d", i, m.DataType, w.DataType)
				}
				if m.Auth != s.auth {
					t.Errorf("MIKEY frame %d auth = %q (%s), want %q", m.Frame, m.Auth, m.Detail, s.auth)
				}
				if m.Tree == nil || len(m.Tree.Children) == 0 {
					t.Errorf("MIKEY frame %d has no field tree", m.Frame)
				}
			}
			// Crypto sessions carry the generator's master keys.
			for _, ts := range tr.Streams {
				var cs *analysis.CryptoSession
				for _, c := range ss.CryptoSessions {
					if c.SSRC == ts.SSRC && cs == nil { // the first key of the stream (re-keys follow)
						cs = c
					}
				}
				if cs == nil {
					t.Errorf("no crypto session for SSRC %s", ts.SSRC)
					continue
				}
				if cs.KeyFP != "key:"+ts.KeyFP || cs.SaltFP != "salt:"+ts.SaltFP {
					t.Errorf("SSRC %s keys %s/%s, want key:%s/salt:%s", ts.SSRC, cs.KeyFP, cs.SaltFP, ts.KeyFP, ts.SaltFP)
				}
				if cs.Policy != ts.Policy {
					t.Errorf("SSRC %s policy %s, want %s", ts.SSRC, cs.Policy, ts.Policy)
				}
				if ts.MKI != "" && cs.MKI != "0x"+ts.MKI {
					t.Errorf("SSRC %s MKI %s, want 0x%s", ts.SSRC, cs.MKI, ts.MKI)
				}
			}
			// Every packet authenticated and decrypted.
			for _, ts := range tr.Streams {
				for _, kind := range []string{"rtp", "rtcp"} {
					want := ts.RTPPackets
					if kind == "rtcp" {
						want = ts.RTCPPackets
					}
					var st *analysis.Stream
					for _, x := range ss.Streams {
						if x.SSRC == ts.SSRC && x.Kind == kind {
							st = x
						}
					}
					if st == nil {
						if want > 0 {
							t.Errorf("no %s stream for SSRC %s", kind, ts.SSRC)
						}
						continue
					}
					if st.Packets != want || st.Authenticated != want || st.Decrypted != want || st.AuthFailed != 0 {
						t.Errorf("%s %s: packets %d authenticated %d decrypted %d failed %d, want %d each and 0 failed",
							kind, ts.SSRC, st.Packets, st.Authenticated, st.Decrypted, st.AuthFailed, want)
					}
				}
			}
			if checked == 0 || mismatches != 0 {
				t.Errorf("decrypted payloads: %d checked, %d differ from the generator's plaintext", checked, mismatches)
			}
			if got := findingCodes(r); fmt.Sprint(got) != fmt.Sprint(sortedUnique(s.codes)) {
				t.Errorf("finding codes = %v, want %v", got, sortedUnique(s.codes))
			}
		})
	}
}

func findingCodes(r *analysis.Report) []string {
	var codes []string
	for _, f := range r.Findings {
		codes = append(codes, f.Code)
	}
	return sortedUnique(codes)
}

func sortedUnique(in []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// TestSamplesWithoutKeys: the PSK samples give "no key" verdicts and the
// streams stay undecrypted, with the findings that say so.
func TestSamplesWithoutKeys(t *testing.T) {
	r := analyse(t, "sip-udp-psk.pcap", nil, nil)
	ss := r.Sessions[0]
	for _, m := range ss.MIKEY {
		if m.Auth != "no-key" {
			t.Errorf("frame %d auth = %s, want no-key", m.Frame, m.Auth)
		}
	}
	for _, st := range ss.Streams {
		if st.Authenticated != 0 || st.Decrypted != 0 || st.KeyStatus != "no-key" {
			t.Errorf("stream %s %s: authenticated %d decrypted %d status %s", st.Kind, st.SSRC, st.Authenticated, st.Decrypted, st.KeyStatus)
		}
	}
	codes := findingCodes(r)
	for _, want := range []string{"mikey.no-key", "srtp.no-key"} {
		if !contains(codes, want) {
			t.Errorf("findings %v lack %s", codes, want)
		}
	}
}

// TestSampleWrongPSK: a PSK that is not the call's is "no key fits" (the
// responder's verification shows the peers agree); bound to the caller's
// identity it is a MAC mismatch. Either way no keys come out and nothing
// is decrypted.
func TestSampleWrongPSK(t *testing.T) {
	for _, tc := range []struct {
		value  string
		status analysis.KeyStatus
		code   string
	}{
		{"00112233445566778899aabbccddeeff", "no-key-fits", "mikey.no-key-fits"},
		{"sip:alice@example.com=00112233445566778899aabbccddeeff", "failed", "mikey.mac-mismatch"},
	} {
		st := &keys.Store{}
		if err := st.Add("psk", tc.value, "test"); err != nil {
			t.Fatal(err)
		}
		r := analyse(t, "sip-udp-psk.pcap", st, nil)
		ss := r.Sessions[0]
		if ss.MIKEY[0].Auth != tc.status || ss.KeyStatus != tc.status {
			t.Errorf("%s: auth = %s, session key status = %s, want %s", tc.value, ss.MIKEY[0].Auth, ss.KeyStatus, tc.status)
		}
		if len(ss.CryptoSessions) != 0 {
			t.Errorf("crypto sessions = %d, want none from a wrong key", len(ss.CryptoSessions))
		}
		for _, s := range ss.Streams {
			if s.Decrypted != 0 {
				t.Errorf("stream %s decrypted %d packets with a wrong key", s.SSRC, s.Decrypted)
			}
		}
		if !contains(findingCodes(r), tc.code) {
			t.Errorf("%s: findings %v lack %s", tc.value, findingCodes(r), tc.code)
		}
	}
}

// TestSampleDirectSRTPKey: keys given directly with --srtp decrypt a stream
// even when the MIKEY exchange cannot be opened.
func TestSampleDirectSRTPKey(t *testing.T) {
	st := &keys.Store{}
	if err := st.Add("srtp", "0x88a14bfb=a91bc9a3492799975d54e3cb347be13a:b6c19b83d38eec6d05937eebef7a", "test"); err != nil {
		t.Fatal(err)
	}
	r := analyse(t, "sip-udp-psk.pcap", st, nil)
	found := false
	for _, s := range r.Sessions[0].Streams {
		switch s.SSRC {
		case "0x88a14bfb":
			found = true
			if s.Authenticated != s.Packets || s.Packets == 0 {
				t.Errorf("%s %s: %d of %d authenticated", s.Kind, s.SSRC, s.Authenticated, s.Packets)
			}
		default:
			if s.Authenticated != 0 {
				t.Errorf("%s %s authenticated without a key", s.Kind, s.SSRC)
			}
		}
	}
	if !found {
		t.Fatal("stream 0x88a14bfb not found")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
