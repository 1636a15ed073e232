package main

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/hep"
	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/heptest"
)

// compressHEPSample rewrites the sip-hep-psk sample (sngrep's HEP of the
// call, then its media) as agent would send it: each HEP packet's payload
// compressed into chunk 0x0010 ("captagent", "opensips"), or each whole
// packet gzipped ("heplify"). Other frames are kept as they are.
func compressHEPSample(t *testing.T, agent string) string {
	t.Helper()
	var fb framebuild.Builder
	rewritten := 0
	out := rewritePcap(t, sample("sip-hep-psk.pcap"), agent+".pcap", func(p *capture.Packet) ([]byte, bool) {
		frame := p.Data
		// Ethernet 14 + IPv4 20: UDP to port 9060, the HEP packets.
		if len(frame) <= 42 || frame[36] != 0x23 || frame[37] != 0x64 {
			return frame, true
		}
		payload := frame[42:]
		var hp hep.Packet
		if err := hep.Parse(payload, &hp); err != nil {
			t.Fatal(err)
		}
		var err error
		if agent == "heplify" {
			payload = heptest.GzipPacket(payload)
		} else {
			hp.Payload, hp.Compressed = heptest.Compress(t, agent, hp.Payload), true
			if payload, err = hep.Append(nil, &hp); err != nil {
				t.Fatal(err)
			}
		}
		from := netip.AddrPortFrom(netip.AddrFrom4([4]byte(frame[26:30])), uint16(frame[34])<<8|uint16(frame[35]))
		to := netip.AddrPortFrom(netip.AddrFrom4([4]byte(frame[30:34])), 9060)
		if frame, err = fb.UDP(from, to, payload); err != nil {
			t.Fatal(err)
		}
		rewritten++
		return frame, true
	})
	if rewritten != 7 {
		t.Fatalf("%d HEP packets in the sample, want 7 (sngrep sent 7)", rewritten)
	}
	return out
}

// TestHEPCompressedSample: the sample's call sent with compressed HEP, as
// captagent (zlib), OpenSIPS (gzip) and heplify 2 (whole packets gzipped)
// send it, gives the report of the uncompressed sample: the same sessions
// (MIKEY verified, streams decrypted) and findings; the summary counts the
// inflated payloads.
func TestHEPCompressedSample(t *testing.T) {
	report := func(file string) (rest map[string]json.RawMessage, hepSummary map[string]any) {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run([]string{"report", "--json", "--keys", sample("sip-hep-psk.keys"), file}, strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("%s: exit %d: %s", file, code, errb.String())
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		var sum map[string]json.RawMessage
		json.Unmarshal(doc["summary"], &sum)
		json.Unmarshal(sum["hep"], &hepSummary)
		return map[string]json.RawMessage{"sessions": doc["sessions"], "findings": doc["findings"]}, hepSummary
	}
	want, plain := report(sample("sip-hep-psk.pcap"))
	if !bytes.Contains(want["sessions"], []byte(`"decrypted"`)) {
		t.Fatalf("the uncompressed sample has no decrypted streams: %s", want["sessions"])
	}
	for _, tc := range []struct{ agent, format string }{{"captagent", "zlib"}, {"opensips", "gzip"}, {"heplify", "packet-gzip"}} {
		t.Run(tc.agent, func(t *testing.T) {
			got, h := report(compressHEPSample(t, tc.agent))
			for k := range want {
				if !bytes.Equal(got[k], want[k]) {
					t.Errorf("%s differ from the uncompressed sample's:\n%s\nwant\n%s", k, got[k], want[k])
				}
			}
			inflated, _ := h["inflated"].(map[string]any)
			if h["sip"] != plain["sip"] || h["packets"] != plain["packets"] || h["malformed"] != nil || len(inflated) != 1 || inflated[tc.format] != float64(7) {
				t.Errorf("summary.hep %v, uncompressed %v", h, plain)
			}
		})
	}
}
