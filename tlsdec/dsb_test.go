package tlsdec

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapbuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
	"github.com/mikeyscope/mikeyscope/tlsdec/tlstest"

	"github.com/mikeyscope/mikeyscope/internal/pcapng"
)

// byteOrder appends and reads integers in one byte order.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// pcapngBlock builds one block (pcapng §3.1) in byte order o.
func pcapngBlock(o byteOrder, typ uint32, body []byte) []byte {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	b := o.AppendUint32(nil, typ)
	b = o.AppendUint32(b, uint32(12+len(body)))
	b = append(b, body...)
	return o.AppendUint32(b, uint32(12+len(body)))
}

func shb(o byteOrder) []byte {
	body := o.AppendUint32(nil, pcapng.ByteOrderMagic)
	body = o.AppendUint16(body, 1)
	body = o.AppendUint16(body, 0)
	body = o.AppendUint64(body, ^uint64(0))
	return pcapngBlock(o, pcapng.BlockSectionHeader, body)
}

func dsb(o byteOrder, secretsType uint32, secrets string) []byte {
	body := o.AppendUint32(nil, secretsType)
	body = o.AppendUint32(body, uint32(len(secrets)))
	body = append(body, secrets...)
	return pcapngBlock(o, pcapng.BlockDecryptionSecrets, body)
}

func idb(o byteOrder) []byte {
	body := o.AppendUint16(nil, 1) // Ethernet
	body = o.AppendUint16(body, 0)
	body = o.AppendUint32(body, 65535)
	return pcapngBlock(o, 1, body)
}

func TestReadDSBs(t *testing.T) {
	line1 := "CLIENT_RANDOM " + rnd1 + " " + ms48
	line2 := "CLIENT_TRAFFIC_SECRET_0 " + rnd2 + " " + s32 + "\n"
	for _, o := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
		file := append(shb(o), idb(o)...)
		file = append(file, dsb(o, pcapng.SecretsTLSKeyLog, line1)...)
		file = append(file, dsb(o, 0x57474b4c, "WireGuard keys, not TLS")...)
		file = append(file, pcapngBlock(o, 6, make([]byte, 40))...) // an EPB
		file = append(file, shb(o)...)                              // a second section
		file = append(file, dsb(o, pcapng.SecretsTLSKeyLog, line2)...)
		got, err := ReadDSBs(bytes.NewReader(file))
		if err != nil {
			t.Fatalf("%v: %v", o, err)
		}
		if want := line1 + "\n" + line2; string(got) != want {
			t.Errorf("%v: got %q, want %q", o, got, want)
		}
		if kl := mustKeyLog(t, got); kl.Len() != 2 {
			t.Errorf("%v: %d key log entries", o, kl.Len())
		}
		// Every truncation returns the secrets before the damage and an
		// error naming a block offset, never a panic.
		boundary := map[int]bool{}
		for off := 0; off < len(file); off += int(o.Uint32(file[off+4:])) {
			boundary[off] = true
		}
		for n := 1; n < len(file); n++ {
			got, err := ReadDSBs(bytes.NewReader(file[:n]))
			var de *DSBError
			if boundary[n] && err == nil {
				continue
			}
			if err == nil || (!errors.As(err, &de) && !errors.Is(err, ErrNotPcapng)) {
				t.Fatalf("%v: truncated at %d: err %v", o, n, err)
			}
			if !strings.HasPrefix(line1+"\n"+line2, string(got)) {
				t.Fatalf("%v: truncated at %d: secrets %q", o, n, got)
			}
		}
	}
	bad := []struct {
		name string
		file []byte
	}{
		{"classic pcap", []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0}},
		{"empty", nil},
	}
	for _, b := range bad {
		if _, err := ReadDSBs(bytes.NewReader(b.file)); !errors.Is(err, ErrNotPcapng) {
			t.Errorf("%s: err %v, want ErrNotPcapng", b.name, err)
		}
	}
	// A secrets length beyond its block is rejected, not allocated.
	o := binary.LittleEndian
	body := o.AppendUint32(nil, pcapng.SecretsTLSKeyLog)
	body = o.AppendUint32(body, 0x7fffffff)
	file := append(shb(o), pcapngBlock(o, pcapng.BlockDecryptionSecrets, body)...)
	if _, err := ReadDSBs(bytes.NewReader(file)); err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Errorf("oversized secrets: err %v", err)
	}
}

// writeSessionPcap writes a recorded TLS session as TCP frames between a
// client and server port 322 (RTSPS) with pcapbuild.
func writeSessionPcap(t *testing.T, path string, s *tlstest.Session) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := pcapwrite.NewWriter(f, pcapwrite.FormatPcap)
	if err != nil {
		t.Fatal(err)
	}
	conn := pcapbuild.NewTCPConn(&framebuild.Builder{},
		netip.MustParseAddrPort("192.0.2.10:50322"), netip.MustParseAddrPort("192.0.2.20:322"), 1000, 5000)
	frames, err := conn.Handshake()
	if err != nil {
		t.Fatal(err)
	}
	for _, wr := range s.Writes {
		var cuts []int
		for c := 1400; c < len(wr.Data); c += 1400 {
			cuts = append(cuts, c)
		}
		segs, err := conn.Data(wr.FromClient, wr.Data, cuts...)
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, segs...)
	}
	ts := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, fr := range frames {
		if err := w.WriteFrame(ts.Add(time.Duration(i)*time.Millisecond), fr); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
}

// TestDSBFromEditcap injects a real key log into a capture with Wireshark's
// editcap and reads it back; tshark then decrypts the same capture with the
// embedded secrets as an independent implementation.
func TestDSBFromEditcap(t *testing.T) {
	editcap, err := exec.LookPath("editcap")
	if err != nil {
		t.Skip("editcap not installed (apt-get install tshark): skipping the pcapng DSB cross-check")
	}
	steps := rtspScript()[:4]
	s := runSession(t, tlstest.Options{}, steps)
	dir := t.TempDir()
	pcap, keys, ng := filepath.Join(dir, "s.pcap"), filepath.Join(dir, "keys.txt"), filepath.Join(dir, "s.pcapng")
	writeSessionPcap(t, pcap, s)
	if err := os.WriteFile(keys, s.KeyLog, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(editcap, "--inject-secrets", "tls,"+keys, pcap, ng).CombinedOutput(); err != nil {
		t.Fatalf("editcap: %v: %s", err, out)
	}
	f, err := os.Open(ng)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	text, err := ReadDSBs(f)
	if err != nil {
		t.Fatalf("ReadDSBs: %v", err)
	}
	if strings.TrimSpace(string(text)) != strings.TrimSpace(string(s.KeyLog)) {
		t.Fatalf("DSB secrets differ from the key log:\n%s\nvs\n%s", text, s.KeyLog)
	}
	c, d := feedSession(t, mustKeyLog(t, text), s)
	if c.Status().State != StateDecrypting || !bytes.Equal(d.app[1], expected(steps, true)) {
		t.Fatalf("decryption with DSB secrets: %v", c.Status())
	}
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed: skipping the decryption cross-check")
	}
	// tshark's own TLS decryption of the pcapng, with only the injected
	// secrets, must give the bytes we sent.
	out, err := exec.Command(tshark, "-r", ng, "-q", "-z", "follow,tls,raw,0").Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	var first, second []byte // unindented and tab-indented follow chunks
	inBody := false
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "=====") {
			inBody = true
			continue
		}
		trimmed := strings.TrimSpace(line)
		b, err := hex.DecodeString(trimmed)
		if err != nil || trimmed == "" || !inBody {
			continue
		}
		if strings.HasPrefix(line, "\t") {
			second = append(second, b...)
		} else {
			first = append(first, b...)
		}
	}
	cli, srv := expected(steps, true), expected(steps, false)
	if !(bytes.Equal(first, cli) && bytes.Equal(second, srv)) && !(bytes.Equal(first, srv) && bytes.Equal(second, cli)) {
		t.Errorf("tshark decrypted %d/%d bytes, want %d/%d bytes as sent", len(first), len(second), len(cli), len(srv))
	}
}

func FuzzReadDSBs(f *testing.F) {
	o := binary.LittleEndian
	f.Add(append(shb(o), dsb(o, pcapng.SecretsTLSKeyLog, "CLIENT_RANDOM "+rnd1+" "+ms48)...))
	f.Add(append(shb(binary.BigEndian), dsb(binary.BigEndian, pcapng.SecretsTLSKeyLog, "x")...))
	f.Add(append(shb(o), idb(o)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ReadDSBs(bytes.NewReader(data))
		if len(got) > len(data) {
			t.Fatalf("%d secret bytes from %d input bytes", len(got), len(data))
		}
		var de *DSBError
		if err != nil && !errors.As(err, &de) && !errors.Is(err, ErrNotPcapng) {
			t.Fatalf("unexpected error type %T: %v", err, err)
		}
	})
}
