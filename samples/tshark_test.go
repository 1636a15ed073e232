package samples

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
	"github.com/mikeyscope/mikeyscope/mikey"
)

func needTshark(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed (apt-get install -y tshark): skipping the Wireshark cross-check of the samples")
	}
	return p
}

// tsharkFields runs tshark on file with a display filter and returns one
// row of tab-separated fields per matching frame.
func tsharkFields(t *testing.T, bin, file string, extra []string, filter string, fields ...string) [][]string {
	t.Helper()
	args := append([]string{"-n", "-r", file, "-o", "tcp.reassemble_out_of_order:TRUE"}, extra...)
	args = append(args, "-Y", filter, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,")
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %v: %v\n%s", args, err, stderr.String())
	}
	var rows [][]string
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if line != "" {
			rows = append(rows, strings.Split(line, "\t"))
		}
	}
	return rows
}

// decodeAs returns the tshark options that make it dissect the sample's UDP
// media as RTP where signalling does not tell it (tshark 4.0 does not know
// the RTP/SAVP transport of RTSP and falls back to RDT).
func decodeAs(tr *Truth) []string {
	var extra []string
	for _, s := range tr.Streams {
		if s.Transport != "udp" || !strings.HasPrefix(tr.File, "rtsp") {
			continue
		}
		if ap, err := netip.ParseAddrPort(s.Dst); err == nil {
			extra = append(extra, "-d", "udp.port=="+strconv.Itoa(int(ap.Port()))+",rtp")
		}
	}
	return extra
}

// TestSamplesWithTshark checks that Wireshark finds the SIP/RTSP messages of
// each sample in exactly the frames the manifest names, finds the MIKEY
// messages the manifest lists where its SDP dissector decodes them (session
// level), and reports no malformed packet outside SRTCP (whose encrypted
// body tshark 4.0 sometimes parses as plaintext, see README.md).
func TestSamplesWithTshark(t *testing.T) {
	bin := needTshark(t)
	for _, tr := range loadTruths(t) {
		t.Run(tr.Name(), func(t *testing.T) {
			if strings.Contains(tr.File, "-hep-") {
				t.Skip("tshark 4.0 has no HEP dissector: TestHEPSampleWithSngrep cross-checks the HEP sample")
			}
			msgFilter, proto := "sip.Method || sip.Status-Code", "SIP"
			if strings.HasPrefix(tr.File, "rtsp") {
				msgFilter, proto = "rtsp.request || rtsp.response", "RTSP"
			}
			// One pass; each row says which of the three conditions hold.
			rows := tsharkFields(t, bin, tr.CapturePath(), decodeAs(tr), msgFilter+" || _ws.malformed || mikey",
				"frame.number", "frame.protocols", "_ws.malformed", "mikey.type", "mikey.csb_id")
			var got, bad []string
			mikeyRows := map[string][]string{}
			for _, r := range rows {
				for len(r) < 5 {
					r = append(r, "")
				}
				protos := ":" + r[1] + ":"
				if strings.Contains(protos, ":"+strings.ToLower(proto)+":") && !strings.HasSuffix(protos, ":data:") &&
					(proto == "SIP" || !strings.Contains(protos, ":rtp:")) {
					got = append(got, r[0])
				}
				if r[2] != "" && !strings.Contains(protos, ":rtcp:") && !strings.Contains(protos, ":srtcp:") {
					bad = append(bad, r[0]+" "+r[1])
				}
				if r[3] != "" {
					mikeyRows[r[0]] = r
				}
			}
			var want []string
			for _, m := range tr.Messages {
				if m.Protocol != proto {
					t.Fatalf("manifest message %q is %s", m.Message, m.Protocol)
				}
				want = append(want, strconv.Itoa(m.Frame))
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("tshark finds %s messages in frames %v, manifest says %v", proto, got, want)
			}
			if len(bad) > 0 {
				t.Errorf("tshark reports malformed frames: %v", bad)
			}
			for _, m := range tr.MIKEY {
				if m.Carrier != "sdp-session" {
					continue // tshark 4.0 decodes key-mgmt only at SDP session level
				}
				r, ok := mikeyRows[strconv.Itoa(m.Frame)]
				if !ok {
					t.Errorf("tshark finds no MIKEY in frame %d", m.Frame)
					continue
				}
				if !strings.Contains(r[3], strconv.Itoa(int(m.DataType))) || !strings.Contains(r[4], m.CSBID) {
					t.Errorf("frame %d: tshark MIKEY type %s CSB ID %s, manifest %d %s", m.Frame, r[3], r[4], m.DataType, m.CSBID)
				}
			}
		})
	}
}

// TestMIKEYFieldsWithTshark puts every MIKEY message of the manifests in a
// UDP datagram to the MIKEY port 2269 (where tshark's mikey dissector runs on
// its own) and compares tshark's decoding field by field with the message
// as the project's parser reads it: header, CS map, RAND, IDs, KEMAC and,
// for MIKEY-NULL, the key data sub-payloads with their SPI.
func TestMIKEYFieldsWithTshark(t *testing.T) {
	bin := needTshark(t)
	var msgs [][]byte
	for _, tr := range loadTruths(t) {
		for _, m := range tr.MIKEY {
			raw, err := base64.StdEncoding.DecodeString(m.Base64)
			if err != nil {
				t.Fatal(err)
			}
			msgs = append(msgs, raw)
		}
	}
	file := filepath.Join(t.TempDir(), "mikey.pcap")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pcapwrite.NewWriter(f, pcapwrite.FormatPcap)
	if err != nil {
		t.Fatal(err)
	}
	var b framebuild.Builder
	src, dst := netip.MustParseAddrPort("192.0.2.1:2269"), netip.MustParseAddrPort("192.0.2.2:2269")
	for i, raw := range msgs {
		frame, err := b.UDP(src, dst, raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteFrame(time.Unix(int64(i), 0), frame); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	rows := tsharkFields(t, bin, file, nil, "mikey", "mikey.type", "mikey.v.set", "mikey.csb_id", "mikey.srtp_id.ssrc",
		"mikey.rand.data", "mikey.id.data", "mikey.kemac.encr_alg", "mikey.kemac.mac_alg", "mikey.key.type", "mikey.key.data",
		"mikey.key.salt", "mikey.key.kv.spi", "mikey.sp.auth_tag_len")
	if len(rows) != len(msgs) {
		t.Fatalf("tshark decodes %d MIKEY messages, want %d", len(rows), len(msgs))
	}
	for i, raw := range msgs {
		m, err := mikey.Parse(raw)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		h := m.Header
		want := []string{strconv.Itoa(int(h.DataType)), boolText(h.V), "0x" + hex8(h.CSBID)}
		var ssrcs []string
		for _, cs := range h.SRTPMap {
			ssrcs = append(ssrcs, "0x"+hex8(cs.SSRC))
		}
		want = append(want, strings.Join(ssrcs, ","))
		var rand, ids, encr, mac, ktype, kdata, ksalt, spi, tag []string
		for _, p := range m.Payloads {
			switch q := p.(type) {
			case *mikey.RANDPayload:
				rand = append(rand, colonHex(q.Rand))
			case *mikey.IDPayload:
				ids = append(ids, string(q.Data))
			case *mikey.KEMACPayload:
				encr, mac = append(encr, strconv.Itoa(int(q.EncrAlg))), append(mac, strconv.Itoa(int(q.MACAlg)))
				for _, kd := range q.KeyData {
					ktype = append(ktype, strconv.Itoa(int(kd.Type)))
					kdata = append(kdata, colonHex(kd.Key))
					if len(kd.Salt) > 0 {
						ksalt = append(ksalt, colonHex(kd.Salt))
					}
					if len(kd.SPI) > 0 {
						spi = append(spi, colonHex(kd.SPI))
					}
				}
			case *mikey.SPPayload:
				for _, prm := range q.Params {
					if prm.Type == mikey.SPAuthTagLen && len(prm.Value) == 1 {
						tag = append(tag, strconv.Itoa(int(prm.Value[0])))
					}
				}
			}
		}
		for _, l := range [][]string{rand, ids, encr, mac, ktype, kdata, ksalt, spi, tag} {
			want = append(want, strings.Join(l, ","))
		}
		got := rows[i]
		for len(got) < len(want) {
			got = append(got, "")
		}
		names := []string{"type", "V", "CSB ID", "SSRCs", "RAND", "IDs", "KEMAC encr", "KEMAC MAC", "key type", "key data", "salt", "SPI", "tag length"}
		for j := range want {
			if normalize(got[j]) != normalize(want[j]) {
				t.Errorf("message %d %s: tshark %q, built %q", i, names[j], got[j], want[j])
			}
		}
	}
}

func boolText(v bool) string {
	if v {
		return "1"
	}
	return "0"
}

func hex8(v uint32) string { return strconv.FormatUint(uint64(v)|1<<32, 16)[1:] }

func colonHex(b []byte) string { return hex.EncodeToString(b) }

// normalize removes the colons tshark may print between hex bytes and
// lower-cases.
func normalize(s string) string { return strings.ToLower(strings.ReplaceAll(s, ":", "")) }
