// Command gen writes the RTSPS samples of samples/rtsps: an RTSP session
// over TLS (a real crypto/tls session recorded by tlsdec/tlstest) whose
// SETUP carries a KeyMgmt header with a MIKEY-NULL message (RFC 4567 §3.2)
// keying the camera's video, and whose SRTP/SRTCP is interleaved inside the
// TLS stream (RFC 2326 §10.12). Three captures:
//
//   - rtsps-tls13.pcap with rtsps-tls13.keylog (TLS 1.3),
//   - rtsps-tls12.pcap with rtsps-tls12.keylog (TLS 1.2, ECDHE-ECDSA AES-GCM),
//   - rtsps-tls13-dsb.pcapng: another TLS 1.3 session with its key log in
//     a Decryption Secrets Block (pcapng §4.7, as editcap --inject-secrets
//     writes it),
//
// each with a keys file (the first two with a tls-keylog line). TLS key
// exchange is randomised by crypto/tls, so unlike the other samples these
// are not reproducible byte for byte; the media, the MIKEY message and the
// timestamps are.
//
//	go run ./samples/rtsps/gen -out samples/rtsps
package main

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pion/srtp/v3"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapbuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapng"
	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	mskeys "github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/tlsdec/tlstest"
)

// Fixed parameters of the session (README documents them).
var (
	start  = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	client = netip.MustParseAddrPort("192.0.2.50:51000")
	server = netip.MustParseAddrPort("198.51.100.7:322")
	url    = "rtsps://cam.example.org:322/stream"
	video  = scenario.NullKey{
		SSRC: 0x1c0ffee1,
		Key:  []byte{0x4d, 0x49, 0x4b, 0x45, 0x59, 0x2d, 0x4e, 0x55, 0x4c, 0x4c, 0x2d, 0x76, 0x69, 0x64, 0x65, 0x6f},
		Salt: []byte{0x73, 0x61, 0x6c, 0x74, 0x2d, 0x6f, 0x66, 0x2d, 0x76, 0x69, 0x64, 0x65, 0x6f, 0x21},
		MKI:  []byte{0, 0, 0, 1},
	}
	csbID     = uint32(0x52545350) // "RTSP"
	mikeyRand = []byte("RTSPS sample RND")
)

const (
	// VideoPackets is the number of SRTP packets the camera sends, in
	// groups of PacketsPerWrite per TLS write; an SRTCP sender report
	// follows each group.
	VideoPackets    = 40
	PacketsPerWrite = 4
	VideoSize       = 600 // scenario.VideoPayload size
	FirstSeq        = 3000
	FirstTS         = 90000
	mss             = 1448
)

func main() {
	out := flag.String("out", "samples/rtsps", "directory to write the samples to")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	variants := []struct {
		name  string
		opts  tlstest.Options
		dsb   bool
		title string
	}{
		{"rtsps-tls13", tlstest.Options{MinVersion: tls.VersionTLS13}, false, "TLS 1.3"},
		{"rtsps-tls12", tlstest.Options{MaxVersion: tls.VersionTLS12}, false, "TLS 1.2"},
		{"rtsps-tls13-dsb", tlstest.Options{MinVersion: tls.VersionTLS13}, true, "TLS 1.3, key log in a pcapng Decryption Secrets Block"},
	}
	for _, v := range variants {
		s, err := Session(v.opts)
		if err != nil {
			return fmt.Errorf("%s: %w", v.name, err)
		}
		var keys strings.Builder
		fmt.Fprintf(&keys, "# mikeyscope keys for samples/rtsps/%s: RTSPS (%s) with MIKEY-NULL in SETUP\n%s\n", v.name, v.title, mskeys.PublicMarker)
		fmt.Fprintf(&keys, "# The MIKEY-NULL message carries the SRTP key in the clear; only the TLS\n# secrets are needed. For cross-checks: srtp 0x%08x=%x:%x (MKI %x)\n", video.SSRC, video.Key, video.Salt, video.MKI)
		if v.dsb {
			pcap, err := Capture(s, pcapwrite.FormatPcapng)
			if err != nil {
				return err
			}
			if pcap, err = InjectSecrets(pcap, s.KeyLog); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, v.name+".pcapng"), pcap, 0o644); err != nil {
				return err
			}
			keys.WriteString("# The TLS key log is inside the capture (Decryption Secrets Block).\n")
		} else {
			pcap, err := Capture(s, pcapwrite.FormatPcap)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, v.name+".pcap"), pcap, 0o644); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, v.name+".keylog"), s.KeyLog, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(&keys, "tls-keylog %s.keylog\n", v.name)
		}
		if err := os.WriteFile(filepath.Join(dir, v.name+".keys"), []byte(keys.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Script returns the RTSP messages and interleaved media of the session.
func Script() ([]tlstest.Step, error) {
	mk, err := scenario.NullMessage(csbID, start, mikeyRand, []scenario.NullKey{video})
	if err != nil {
		return nil, err
	}
	track := url + "/trackID=1"
	sess := "Session: 5a17e5e5"
	transport := fmt.Sprintf("Transport: RTP/SAVP/TCP;unicast;interleaved=0-1;ssrc=%08X", video.SSRC)
	keyMgmt := `KeyMgmt: prot=mikey; uri="` + track + `"; data="` + base64.StdEncoding.EncodeToString(mk) + `"`
	steps := []tlstest.Step{
		{FromClient: true, Data: scenario.RTSPRequest("DESCRIBE", url, 1, []string{"Accept: application/sdp"}, "", nil)},
		{Data: scenario.RTSPResponse(200, "OK", 1, []string{"Content-Base: " + url + "/"}, "application/sdp", scenario.CameraSDP(server.Addr(), 1700000000, url, ""))},
		{FromClient: true, Data: scenario.RTSPRequest("SETUP", track, 2, []string{transport, keyMgmt}, "", nil)},
		{Data: scenario.RTSPResponse(200, "OK", 2, []string{sess + ";timeout=60", transport}, "", nil)},
		{FromClient: true, Data: scenario.RTSPRequest("PLAY", url, 3, []string{sess, "Range: npt=0.000-"}, "", nil)},
		{Data: scenario.RTSPResponse(200, "OK", 3, []string{sess, "Range: npt=0.000-"}, "", nil)},
	}
	snd, err := scenario.NewSender(scenario.StreamParams{SSRC: video.SSRC, PayloadType: scenario.PayloadVideo,
		FirstSeq: FirstSeq, FirstTS: FirstTS, TSStep: 3000, CNAME: "camera",
		Profile: srtp.ProtectionProfileAes128CmHmacSha1_80, Key: video.Key, Salt: video.Salt, MKI: video.MKI})
	if err != nil {
		return nil, err
	}
	for k := 0; k < VideoPackets; k += PacketsPerWrite {
		var w []byte
		for i := k; i < k+PacketsPerWrite && i < VideoPackets; i++ {
			seq := snd.Seq()
			p, err := snd.Next(scenario.VideoPayload(video.SSRC, seq, VideoSize), i%PacketsPerWrite == PacketsPerWrite-1, false)
			if err != nil {
				return nil, err
			}
			if w, err = pcapbuild.AppendInterleaved(w, 0, p); err != nil {
				return nil, err
			}
		}
		sr, err := snd.SenderReport(start.Add(time.Second + time.Duration(k)*40*time.Millisecond))
		if err != nil {
			return nil, err
		}
		if w, err = pcapbuild.AppendInterleaved(w, 1, sr); err != nil {
			return nil, err
		}
		steps = append(steps, tlstest.Step{Data: w})
	}
	steps = append(steps,
		tlstest.Step{FromClient: true, Data: scenario.RTSPRequest("TEARDOWN", url, 4, []string{sess}, "", nil)},
		tlstest.Step{Data: scenario.RTSPResponse(200, "OK", 4, []string{sess}, "", nil)})
	return steps, nil
}

// Session records one TLS session playing the script.
func Session(opts tlstest.Options) (*tlstest.Session, error) {
	steps, err := Script()
	if err != nil {
		return nil, err
	}
	return tlstest.Run(opts, steps)
}

// Capture puts the session's writes into TCP segments of at most mss
// bytes, 2 ms apart (the TCP handshake and close around them).
func Capture(s *tlstest.Session, f pcapwrite.Format) ([]byte, error) {
	var buf bytes.Buffer
	w, err := pcapwrite.NewWriter(&buf, f)
	if err != nil {
		return nil, err
	}
	b := &framebuild.Builder{}
	conn := pcapbuild.NewTCPConn(b, client, server, 0x3a000000, 0x5b000000)
	t := start
	write := func(frames [][]byte, err error) error {
		if err != nil {
			return err
		}
		for _, fr := range frames {
			if err := w.WriteFrame(t, fr); err != nil {
				return err
			}
			t = t.Add(2 * time.Millisecond)
		}
		return nil
	}
	if err := write(conn.Handshake()); err != nil {
		return nil, err
	}
	for _, wr := range s.Writes {
		var cuts []int
		for c := mss; c < len(wr.Data); c += mss {
			cuts = append(cuts, c)
		}
		if err := write(conn.Data(wr.FromClient, wr.Data, cuts...)); err != nil {
			return nil, err
		}
	}
	if err := write(conn.Close(true)); err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// InjectSecrets inserts a Decryption Secrets Block (pcapng §4.7, secrets
// type TLS key log) carrying keyLog after the first Interface Description
// Block of a little-endian pcapng file.
func InjectSecrets(file, keyLog []byte) ([]byte, error) {
	le := binary.LittleEndian
	off := 0
	for i := 0; i < 2; i++ { // SHB, then IDB
		if off+8 > len(file) {
			return nil, errors.New("pcapng shorter than its header blocks")
		}
		typ, n := le.Uint32(file[off:]), int(le.Uint32(file[off+4:]))
		want := uint32(pcapng.BlockSectionHeader)
		if i == 1 {
			want = pcapng.BlockInterfaceDescription
		}
		if typ != want || n < 12 || off+n > len(file) {
			return nil, fmt.Errorf("pcapng block %d: type %#x length %d", i, typ, n)
		}
		off += n
	}
	out := make([]byte, 0, len(file)+len(keyLog)+32)
	out = append(out, file[:off]...)
	out = pcapng.AppendDecryptionSecrets(out, pcapng.SecretsTLSKeyLog, keyLog)
	return append(out, file[off:]...), nil
}
