//go:build linux

package main

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/rawsend"
)

// ownTCPAddresses rewrites the RTSPS samples' addresses (192.0.2.50,
// 198.51.100.7) in Ethernet/IPv4/TCP frames to 10.H.L.1 and 10.H.L.2 (H.L
// from tag), recomputing the IPv4 and TCP checksums, and returns the
// capture filter for them.
func ownTCPAddresses(t *testing.T, frames [][]byte, tag int) string {
	t.Helper()
	a := [4]byte{10, byte(tag >> 8), byte(tag), 1}
	b := [4]byte{10, byte(tag >> 8), byte(tag), 2}
	swap := map[[4]byte][4]byte{{192, 0, 2, 50}: a, {198, 51, 100, 7}: b}
	sum := func(s uint32, p []byte) uint32 {
		for i := 0; i+1 < len(p); i += 2 {
			s += uint32(binary.BigEndian.Uint16(p[i:]))
		}
		if len(p)%2 == 1 {
			s += uint32(p[len(p)-1]) << 8
		}
		return s
	}
	fold := func(s uint32) uint16 {
		for s > 0xffff {
			s = s&0xffff + s>>16
		}
		return ^uint16(s)
	}
	for _, f := range frames {
		if len(f) < 54 || f[12] != 0x08 || f[13] != 0 || f[23] != 6 {
			t.Fatalf("not an Ethernet IPv4 TCP frame: % x", f[:min(len(f), 34)])
		}
		for _, off := range []int{26, 30} {
			if n, ok := swap[[4]byte(f[off:off+4])]; ok {
				copy(f[off:], n[:])
			}
		}
		ihl := int(f[14]&15) * 4
		total := int(binary.BigEndian.Uint16(f[16:]))
		f[24], f[25] = 0, 0
		binary.BigEndian.PutUint16(f[24:], fold(sum(0, f[14:14+ihl])))
		seg := f[14+ihl : 14+total]
		seg[16], seg[17] = 0, 0
		pseudo := append(append(append([]byte(nil), f[26:34]...), 0, 6), byte(len(seg)>>8), byte(len(seg)))
		binary.BigEndian.PutUint16(seg[16:], fold(sum(sum(0, pseudo), seg)))
	}
	return fmt.Sprintf("tcp and host %d.%d.%d.%d and host %d.%d.%d.%d", a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3])
}

// TestLiveWriteSecrets: `report --json -i lo -w DIR/live.pcapng
// --w-secrets --tls-keylog KEYLOG` on the RTSPS sample (TLS 1.3) written
// onto lo: the report decrypts the session; the file written holds the
// TLS secrets used, so tshark given no key decrypts the RTSP requests
// from it (its TCP checksums recomputed, so tshark's view is the
// sample's), and `report` of the file alone (no key log) decrypts every
// SRTP and SRTCP packet. Without --w-secrets the file holds no secret.
func TestLiveWriteSecrets(t *testing.T) {
	rawsend.NeedRoot(t)
	t.Setenv("SSLKEYLOGFILE", "")
	frames := sampleFrames(t, "rtsps/rtsps-tls13.pcap")
	filter := ownTCPAddresses(t, frames, os.Getpid()+2)
	keylog := sample("rtsps/rtsps-tls13.keylog")
	for _, secrets := range []bool{true, false} {
		t.Run(fmt.Sprintf("w-secrets=%v", secrets), func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "live.pcapng")
			args := []string{"report", "--json", "-i", "lo", "-f", filter, "-w", out, "--tls-keylog", keylog}
			if secrets {
				args = append(args, "--w-secrets")
			}
			stdout := runLiveReport(t, args, func() bool {
				_, err := os.Stat(out)
				return err == nil
			}, frames)
			if got := decryptedMedia(t, stdout); got != 50 {
				t.Errorf("live report: %d media packets decrypted, want 50", got)
			}
			// The file alone.
			var fout, ferr bytes.Buffer
			if code := run([]string{"report", "--json", out}, nil, &fout, &ferr); code == 2 {
				t.Fatalf("report %s: %s", out, ferr.String())
			}
			want := 0
			if secrets {
				want = 50
			}
			if got := decryptedMedia(t, fout.Bytes()); got != want {
				t.Errorf("report of the written file alone: %d media packets decrypted, want %d", got, want)
			}
			if _, err := exec.LookPath("tshark"); err != nil {
				t.Log("tshark not installed: the Wireshark check is skipped")
				return
			}
			o, err := exec.Command("tshark", "-r", out, "-d", "tls.port==322,data", "-Y", "data", "-T", "fields", "-e", "data.data").Output()
			if err != nil {
				t.Fatalf("tshark: %v", err)
			}
			plain, err := hex.DecodeString(strings.NewReplacer("\n", "", ",", "").Replace(string(o)))
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range []string{"DESCRIBE rtsps://", "SETUP rtsps://", "PLAY rtsps://", "TEARDOWN rtsps://"} {
				if strings.Contains(string(plain), m) != secrets {
					t.Errorf("tshark -r %s with no key: decrypts %q: %v, want %v", out, m, !secrets, secrets)
				}
			}
		})
	}
}

// decryptedMedia sums the decrypted packets of every stream of a JSON
// report.
func decryptedMedia(t *testing.T, report []byte) int {
	t.Helper()
	var rep struct {
		Sessions []struct {
			Streams []struct {
				Decrypted int `json:"decrypted"`
			} `json:"streams"`
		} `json:"sessions"`
	}
	if err := json.Unmarshal(report, &rep); err != nil {
		t.Fatalf("report: %v: %s", err, report)
	}
	n := 0
	for _, s := range rep.Sessions {
		for _, st := range s.Streams {
			n += st.Decrypted
		}
	}
	return n
}

// TestLiveIntervalPrintName: `report -i lo -w DIR/live.pcapng -b
// interval:1 -b printname:FILE` with no traffic matching its filter: a
// new file each second on the second (the writer switches on the idle
// tick, not on a packet), each listed in FILE once closed, the last one
// at the end of the capture.
func TestLiveIntervalPrintName(t *testing.T) {
	rawsend.NeedRoot(t)
	dir := t.TempDir()
	names := filepath.Join(dir, "names.txt")
	tag := os.Getpid() + 3
	filter := fmt.Sprintf("udp and host 10.%d.%d.1", byte(tag>>8), byte(tag))
	c := startChild(t, []string{"report", "--json", "-i", "lo", "-f", filter,
		"-w", filepath.Join(dir, "live.pcapng"), "-b", "interval:1", "-b", "printname:" + names})
	time.Sleep(2500 * time.Millisecond)
	c.interrupt(t)
	files, _ := filepath.Glob(filepath.Join(dir, "live_*.pcapng"))
	printed, err := os.ReadFile(names)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 || string(printed) != strings.Join(files, "\n")+"\n" {
		t.Fatalf("files %q; printname wrote %q", files, printed)
	}
	// One file a second: the names' times are consecutive seconds.
	var prev time.Time
	for i, f := range files {
		stamp := strings.TrimSuffix(f[strings.LastIndex(f, "_")+1:], ".pcapng")
		tm, err := time.ParseInLocation("20060102150405", stamp, time.Local)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if i > 0 && tm.Sub(prev) != time.Second {
			t.Errorf("%s opened %v after the file before, want 1s", filepath.Base(f), tm.Sub(prev))
		}
		prev = tm
	}
}
