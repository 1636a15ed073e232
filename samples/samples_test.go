package samples

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/mikey"
)

// loadTruths returns the manifests written by samples/gen (other
// generators may add samples beside them; TestAllManifests covers those).
func loadTruths(t *testing.T) []*Truth {
	t.Helper()
	names, err := Names()
	if err != nil {
		t.Fatal(err)
	}
	var out []*Truth
	for _, n := range names {
		tr, err := Load(n)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Generator == "samples/gen" {
			out = append(out, tr)
		}
	}
	if len(out) < 11 {
		t.Fatalf("%d manifests from samples/gen, want at least 11", len(out))
	}
	return out
}

// TestAllManifests checks every manifest, whatever wrote it: its capture
// and keys file exist and the capture has the number of frames it says.
func TestAllManifests(t *testing.T) {
	names, err := Names()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		tr, err := Load(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(tr.KeysPath()); err != nil {
			t.Errorf("%s: %v", n, err)
		}
		if got := len(packets(t, tr.CapturePath())); got != tr.Frames {
			t.Errorf("%s: %d frames, manifest says %d", n, got, tr.Frames)
		}
	}
}

// crossCheckKeys reads the "# srtp 0xSSRC=key:salt" lines of a keys file.
func crossCheckKeys(t *testing.T, file string) map[uint32][2][]byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[uint32][2][]byte{}
	for _, line := range strings.Split(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, "# srtp ")
		if !ok {
			continue // includes "# srtp-rekey" lines, read by rekeyKeys
		}
		ssrcText, ks, _ := strings.Cut(rest, "=")
		keyHex, saltHex, _ := strings.Cut(ks, ":")
		ssrc, err := strconv.ParseUint(ssrcText, 0, 32)
		key, err2 := hex.DecodeString(keyHex)
		salt, err3 := hex.DecodeString(saltHex)
		if err != nil || err2 != nil || err3 != nil {
			t.Fatalf("%s: bad line %q", file, line)
		}
		keys[uint32(ssrc)] = [2][]byte{key, salt}
	}
	return keys
}

// rekeyKeys reads the "# srtp-rekey 0xSSRC=mki:key:salt" lines.
func rekeyKeys(t *testing.T, file string) map[uint32][][3][]byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint32][][3][]byte{}
	for _, line := range strings.Split(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, "# srtp-rekey ")
		if !ok {
			continue
		}
		ssrcText, v, _ := strings.Cut(rest, "=")
		parts := strings.Split(v, ":")
		ssrc, err := strconv.ParseUint(ssrcText, 0, 32)
		if err != nil || len(parts) != 3 {
			t.Fatalf("%s: bad line %q", file, line)
		}
		var e [3][]byte
		for i, p := range parts {
			if e[i], err = hex.DecodeString(p); err != nil {
				t.Fatalf("%s: bad line %q", file, line)
			}
		}
		out[uint32(ssrc)] = append(out[uint32(ssrc)], e)
	}
	return out
}

// packets returns the frames of a pcap or pcapng file.
func packets(t *testing.T, file string) [][]byte {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var read func() ([]byte, error)
	if strings.HasSuffix(file, ".pcapng") {
		r, err := pcapgo.NewNgReader(bufio.NewReader(f), pcapgo.DefaultNgReaderOptions)
		if err != nil {
			t.Fatal(err)
		}
		read = func() ([]byte, error) { d, _, err := r.ReadPacketData(); return d, err }
	} else {
		r, err := pcapgo.NewReader(bufio.NewReader(f))
		if err != nil {
			t.Fatal(err)
		}
		read = func() ([]byte, error) { d, _, err := r.ReadPacketData(); return d, err }
	}
	var out [][]byte
	for {
		d, err := read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, append([]byte(nil), d...))
	}
}

type streamCheck struct {
	ctx     *srtp.Context
	ssrc    uint32
	rtp     int
	rtcp    int
	first   int
	last    int
	nextSeq uint16
	truth   *Stream
	// rekeyFrame holds the frame where each re-key's MKI first appeared.
	rekeyFrame []int
}

// TestSamplesDecryptWithPion decrypts every SRTP and SRTCP packet of every
// sample with pion/srtp and the keys listed for cross-checks in the keys
// file, and compares each payload with the scenario functions named in the
// manifest, and the counts and frame numbers with the manifest.
func TestSamplesDecryptWithPion(t *testing.T) {
	for _, tr := range loadTruths(t) {
		t.Run(tr.Name(), func(t *testing.T) {
			for _, s := range tr.Streams {
				switch s.Policy {
				case "AES_192_CM_HMAC_SHA1_80", "AES_192_CM_HMAC_SHA1_32", "F8_128_HMAC_SHA1_80":
					t.Skipf("%s: pion/srtp has no %s; TestSDESMoreSuitesRFC3711 and TestSDESMoreSuitesWithLibsrtp check this sample", s.SSRC, s.Policy)
				}
			}
			keys := crossCheckKeys(t, tr.KeysPath())
			streams := map[uint32]*streamCheck{}
			for _, s := range tr.Streams {
				ssrc, _ := strconv.ParseUint(s.SSRC, 0, 32)
				k, ok := keys[uint32(ssrc)]
				if uint32(ssrc) != s.SSRCValue() || tr.Stream(uint32(ssrc)) != s {
					t.Fatalf("%s: SSRCValue/Stream disagree", s.SSRC)
				}
				if !ok {
					t.Fatalf("no cross-check key for %s", s.SSRC)
				}
				if mikey.Fingerprint(k[0]) != s.MasterKeyFP || mikey.Fingerprint(k[1]) != s.MasterSaltFP {
					t.Fatalf("%s: key fingerprints differ from the manifest", s.SSRC)
				}
				var opts []srtp.ContextOption
				if s.MKI != "" {
					mki, _ := hex.DecodeString(s.MKI)
					opts = append(opts, srtp.MasterKeyIndicator(mki))
				}
				profile := srtp.ProtectionProfileAes128CmHmacSha1_80
				switch s.Policy {
				case "AES_CM_128_HMAC_SHA1_80":
				case "AEAD_AES_128_GCM":
					profile = srtp.ProtectionProfileAeadAes128Gcm
				case "AEAD_AES_256_GCM":
					profile = srtp.ProtectionProfileAeadAes256Gcm
				case "AES_CM_128_HMAC_SHA1_32":
					profile = srtp.ProtectionProfileAes128CmHmacSha1_32
				case "AES_256_CM_HMAC_SHA1_80":
					profile = srtp.ProtectionProfileAes256CmHmacSha1_80
				case "AES_256_CM_HMAC_SHA1_32":
					profile = srtp.ProtectionProfileAes256CmHmacSha1_32
				default:
					t.Fatalf("%s: unknown policy %q", s.SSRC, s.Policy)
				}
				ctx, err := srtp.CreateContext(k[0], k[1], profile, opts...)
				if err != nil {
					t.Fatal(err)
				}
				ctx.SetROC(uint32(ssrc), s.FirstROC)
				rekeys := rekeyKeys(t, tr.KeysPath())[uint32(ssrc)]
				if len(rekeys) != len(s.Rekeys) {
					t.Fatalf("%s: %d re-keys in the keys file, %d in the manifest", s.SSRC, len(rekeys), len(s.Rekeys))
				}
				for i, rk := range rekeys {
					if hex.EncodeToString(rk[0]) != s.Rekeys[i].MKI || mikey.Fingerprint(rk[1]) != s.Rekeys[i].MasterKeyFP || mikey.Fingerprint(rk[2]) != s.Rekeys[i].MasterSaltFP {
						t.Fatalf("%s: re-key %d differs from the manifest", s.SSRC, i)
					}
					if err := ctx.AddCipherForMKI(rk[0], rk[1], rk[2]); err != nil {
						t.Fatal(err)
					}
				}
				streams[uint32(ssrc)] = &streamCheck{ctx: ctx, ssrc: uint32(ssrc), nextSeq: uint16(s.FirstSeq), truth: s,
					rekeyFrame: make([]int, len(s.Rekeys))}
			}
			frames := packets(t, tr.CapturePath())
			if len(frames) != tr.Frames {
				t.Fatalf("%d frames, manifest says %d", len(frames), tr.Frames)
			}
			for i, data := range frames {
				n := i + 1
				p := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
				var payloads [][]byte
				if u := innermostUDP(p); u != nil {
					payloads = append(payloads, u.Payload)
				} else if tcp, ok := p.Layer(layers.LayerTypeTCP).(*layers.TCP); ok {
					for b := tcp.Payload; len(b) >= 4 && b[0] == '$'; {
						l := int(b[2])<<8 | int(b[3])
						if len(b) < 4+l {
							t.Fatalf("frame %d: truncated interleaved frame", n)
						}
						payloads = append(payloads, b[4:4+l])
						b = b[4+l:]
					}
				}
				for _, pl := range payloads {
					checkMedia(t, n, pl, streams)
				}
			}
			for _, s := range tr.Streams {
				ssrc, _ := strconv.ParseUint(s.SSRC, 0, 32)
				c := streams[uint32(ssrc)]
				for i, f := range c.rekeyFrame {
					if f == 0 {
						t.Errorf("%s: MKI %s of re-key %d never seen", s.SSRC, s.Rekeys[i].MKI, i)
					}
				}
				if c.rtp != s.RTPPackets || c.rtcp != s.RTCPPackets || c.first != s.FirstFrame || c.last != s.LastFrame {
					t.Errorf("%s: decrypted %d RTP / %d RTCP in frames %d-%d; manifest %d / %d in %d-%d",
						s.SSRC, c.rtp, c.rtcp, c.first, c.last, s.RTPPackets, s.RTCPPackets, s.FirstFrame, s.LastFrame)
				}
			}
		})
	}
}

func checkMedia(t *testing.T, n int, pl []byte, streams map[uint32]*streamCheck) {
	t.Helper()
	if len(pl) < 12 || pl[0]>>6 != 2 {
		return
	}
	ssrc := uint32(pl[4])<<24 | uint32(pl[5])<<16 | uint32(pl[6])<<8 | uint32(pl[7])
	isRTCP := pl[1] >= 200 && pl[1] <= 204
	if !isRTCP {
		ssrc = uint32(pl[8])<<24 | uint32(pl[9])<<16 | uint32(pl[10])<<8 | uint32(pl[11])
	}
	c, ok := streams[ssrc]
	if !ok {
		return
	}
	if c.first == 0 {
		c.first = n
	}
	c.last = n
	if isRTCP {
		out, err := c.ctx.DecryptRTCP(nil, pl, nil)
		if err != nil {
			t.Fatalf("frame %d: SRTCP: %v", n, err)
		}
		if out[1] != 200 || !bytes.Contains(out, []byte{0x81, 202}) {
			t.Fatalf("frame %d: SRTCP plaintext is not SR+SDES: %x", n, out)
		}
		c.rtcp++
		return
	}
	for i := range c.truth.Rekeys {
		rk := &c.truth.Rekeys[i]
		mki, _ := hex.DecodeString(rk.MKI)
		if end := len(pl) - 10; end-len(mki) > 12 && bytes.Equal(pl[end-len(mki):end], mki) && c.rekeyFrame[i] == 0 {
			c.rekeyFrame[i] = n
			seq := int(pl[2])<<8 | int(pl[3])
			if n != rk.FromFrame || seq != rk.FromSeq {
				t.Fatalf("MKI %s first in frame %d seq %d; manifest frame %d seq %d", rk.MKI, n, seq, rk.FromFrame, rk.FromSeq)
			}
		}
	}
	var h rtp.Header
	out, err := c.ctx.DecryptRTP(nil, pl, &h)
	if err != nil {
		t.Fatalf("frame %d: SRTP: %v", n, err)
	}
	if h.SequenceNumber != c.nextSeq {
		t.Fatalf("frame %d: seq %d, want %d", n, h.SequenceNumber, c.nextSeq)
	}
	c.nextSeq++
	body := out[h.MarshalSize():]
	if int(h.PayloadType) != c.truth.PayloadType || len(body) != c.truth.PayloadSize {
		t.Fatalf("frame %d: payload type %d, %d bytes; manifest %d, %d", n, h.PayloadType, len(body), c.truth.PayloadType, c.truth.PayloadSize)
	}
	want := c.truth.Plaintext(h.SequenceNumber)
	if c.truth.PayloadKind == "video" {
		if !bytes.Equal(want, scenario.VideoPayload(ssrc, h.SequenceNumber, len(body))) {
			t.Fatal("Stream.Plaintext differs from scenario.VideoPayload")
		}
	} else if !bytes.Equal(want, scenario.Payload(ssrc, h.SequenceNumber)) {
		t.Fatal("Stream.Plaintext differs from scenario.Payload")
	}
	if !bytes.Equal(body, want) {
		t.Fatalf("frame %d: SSRC %#08x seq %d: plaintext differs from the scenario payload", n, ssrc, h.SequenceNumber)
	}
	c.rtp++
}

func TestLoadAndPaths(t *testing.T) {
	tr, err := Load("broken/wrong-psk")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Name() != "broken/wrong-psk" || filepath.Base(tr.CapturePath()) != "wrong-psk.pcap" || filepath.Base(tr.KeysPath()) != "wrong-psk.keys" {
		t.Fatalf("name %q capture %q keys %q", tr.Name(), tr.CapturePath(), tr.KeysPath())
	}
	for _, p := range []string{tr.CapturePath(), tr.KeysPath()} {
		if _, err := os.Stat(p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Load("no-such-sample"); err == nil {
		t.Fatal("missing sample loaded")
	}
	psk, err := Load("sip-udp-psk")
	if err != nil {
		t.Fatal(err)
	}
	if len(psk.Messages) != 7 || psk.Messages[0].Message != "INVITE" || psk.MIKEY[1].DataType != 1 || len(psk.Streams) != 2 {
		t.Fatalf("sip-udp-psk manifest: %+v", psk)
	}
	if psk.Stream(0) != nil || psk.Stream(psk.Streams[1].SSRCValue()) != psk.Streams[1] {
		t.Fatal("Stream lookup")
	}
}

// innermostUDP returns the last UDP layer gopacket decoded: the datagram
// inside a tunnel (gopacket decodes GTP-U on port 2152 by itself), or nil.
func innermostUDP(p gopacket.Packet) *layers.UDP {
	var u *layers.UDP
	for _, l := range p.Layers() {
		if x, ok := l.(*layers.UDP); ok {
			u = x
		}
	}
	return u
}
