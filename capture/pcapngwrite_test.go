package capture

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/pcapng"
)

func TestParseRingOption(t *testing.T) {
	var o RingOptions
	for _, s := range []string{"filesize:102400", "files:10", "duration:60", "packets:5"} {
		if err := ParseRingOption(s, &o); err != nil {
			t.Fatal(err)
		}
	}
	if o != (RingOptions{FileSize: 102400000, Files: 10, Duration: time.Minute, Packets: 5}) {
		t.Errorf("%+v", o)
	}
	for _, c := range []struct {
		opt  string
		want RingOptions
	}{
		{"interval:3600", RingOptions{Interval: time.Hour}},
		{"printname:stdout", RingOptions{PrintName: "stdout"}},
		{"printname:/tmp/a:b", RingOptions{PrintName: "/tmp/a:b"}},
	} {
		var o RingOptions
		if err := ParseRingOption(c.opt, &o); err != nil || o != c.want || !o.active() {
			t.Errorf("%s: %+v, %v", c.opt, o, err)
		}
	}
	for _, bad := range []string{"filesize", "filesize:", "filesize:0", "files:-1", "size:10", "files:x", "", "interval:0", "interval:-5", "printname:", "printname", "interval:1.5"} {
		if err := ParseRingOption(bad, &o); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestPcapngRing: the packets of a sample written through a ring of
// 10 kB files keeping three: files named as dumpcap names them, the older
// ones removed, the kept ones holding the last packets in order (read back
// by our reader and counted by tshark), the last one ending with the
// statistics.
func TestPcapngRing(t *testing.T) {
	pkts := udpSamplePackets(t)
	dir := t.TempDir()
	var ring RingOptions
	ParseRingOption("filesize:10", &ring)
	ParseRingOption("files:3", &ring)
	w, err := CreatePcapng(filepath.Join(dir, "live.pcapng"), ring, func() LiveStats { return LiveStats{Received: 300, Dropped: 5} })
	if err != nil {
		t.Fatal(err)
	}
	for i := range pkts {
		if err := w.WritePacket(&pkts[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if len(names) != 3 {
		t.Fatalf("files %v, want the last 3", names)
	}
	re := regexp.MustCompile(`^live_(\d{5})_\d{14}\.pcapng$`)
	var seqs []int
	for _, n := range names {
		m := re.FindStringSubmatch(n)
		if m == nil {
			t.Fatalf("file name %q is not dumpcap's live_NNNNN_YYYYMMDDhhmmss.pcapng", n)
		}
		seq, _ := strconv.Atoi(m[1])
		seqs = append(seqs, seq)
	}
	if seqs[0] < 4 || seqs[1] != seqs[0]+1 || seqs[2] != seqs[1]+1 {
		t.Errorf("sequence numbers %v: older files were not written or not removed", seqs)
	}
	var back []Packet
	for i, n := range names {
		path := filepath.Join(dir, n)
		fi, _ := os.Stat(path)
		if i < 2 && fi.Size() > 10000+2000 {
			t.Errorf("%s is %d bytes, over the 10 kB limit by more than a packet", n, fi.Size())
		}
		s, err := OpenFiles(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := readAll(t, s)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if dr := s.(DropRecorder).RecordedDrops(); dr != map[bool]uint64{true: 5, false: 0}[i == 2] {
			t.Errorf("%s: recorded drops %d", n, dr)
		}
		s.Close()
		back = append(back, got...)
		if tshark, err := exec.LookPath("tshark"); err == nil {
			out, err := exec.Command(tshark, "-r", path, "-T", "fields", "-e", "frame.len").Output()
			if err != nil {
				t.Errorf("tshark -r %s: %v", n, err)
			} else if lines := strings.Fields(string(out)); len(lines) != len(got) {
				t.Errorf("tshark reads %d packets from %s, we read %d", len(lines), n, len(got))
			}
		}
	}
	tail := pkts[len(pkts)-len(back):]
	for i := range back {
		if string(back[i].Data) != string(tail[i].Data) || !back[i].Time.Equal(tail[i].Time) || back[i].LinkType != tail[i].LinkType {
			t.Fatalf("packet %d of the kept files differs from packet %d of the sample", i+1, int(tail[i].Frame))
		}
	}
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Log("tshark is not installed: the files were checked with our reader only")
	}
}

// TestPcapngSingleFile: without ring options -w writes the file named.
func TestPcapngSingleFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "one.pcapng")
	w, err := CreatePcapng(path, RingOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	frame := ethernet(ipUDP(t, "192.0.2.1", 5060, "192.0.2.2", 5060, []byte("odd length!")))
	p := Packet{Time: t0, LinkType: LinkTypeEthernet, Data: frame, OrigLen: len(frame) + 7}
	w.WritePacket(&p)
	raw := ipUDP(t, "192.0.2.1", 5060, "192.0.2.2", 5060, []byte("raw"))
	w.WritePacket(&Packet{Time: t0.Add(time.Second), LinkType: LinkTypeRaw, Data: raw, OrigLen: len(raw)})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := OpenFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, s)
	if err != nil || len(got) != 2 {
		t.Fatalf("%d packets, %v", len(got), err)
	}
	if string(got[0].Data) != string(frame) || got[0].OrigLen != len(frame)+7 || !got[0].Time.Equal(t0) || got[1].LinkType != LinkTypeRaw {
		t.Errorf("read back %+v", got)
	}
}

// fakeSecrets is a connection's key log lines.
type fakeSecrets string

func (f fakeSecrets) AppendKeyLog(b []byte) []byte { return append(b, f...) }

// pcapngBlocks lists the blocks of a pcapng file this package wrote
// (little-endian): "SHB", "IDB", "EPB", "ISB", or "DSB:" and the secrets.
func pcapngBlocks(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for len(b) > 0 {
		if len(b) < 12 {
			t.Fatalf("%s: %d bytes left", name, len(b))
		}
		typ, n := binary.LittleEndian.Uint32(b), int(binary.LittleEndian.Uint32(b[4:]))
		if n < 12 || n%4 != 0 || n > len(b) || binary.LittleEndian.Uint32(b[n-4:]) != uint32(n) {
			t.Fatalf("%s: bad block length %d", name, n)
		}
		switch typ {
		case pcapng.BlockSectionHeader:
			out = append(out, "SHB")
		case pcapng.BlockInterfaceDescription:
			out = append(out, "IDB")
		case pcapng.BlockEnhancedPacket:
			out = append(out, "EPB")
		case pcapng.BlockInterfaceStatistics:
			out = append(out, "ISB")
		case pcapng.BlockDecryptionSecrets:
			if binary.LittleEndian.Uint32(b[8:]) != pcapng.SecretsTLSKeyLog {
				t.Fatalf("%s: secrets type %x", name, b[8:12])
			}
			l := int(binary.LittleEndian.Uint32(b[12:]))
			if 16+l > n-4 {
				t.Fatalf("%s: secrets length %d in a block of %d", name, l, n)
			}
			out = append(out, "DSB:"+string(b[16:16+l]))
		default:
			t.Fatalf("%s: block type %x", name, typ)
		}
		b = b[n:]
	}
	return out
}

// TestPcapngSecrets: secrets told with UseSecrets go into a Decryption
// Secrets Block before the next packet, once per file; a new file of the
// ring starts with the secrets of the connections that had traffic in
// the previous one (not of those quiet through it, which get theirs again
// after their next packet); secrets told after the last packet end the
// last file. Wireshark reads the blocks (tshark counts the packets).
func TestPcapngSecrets(t *testing.T) {
	pkts := udpSamplePackets(t)
	const a, b, c = fakeSecrets("CLIENT_RANDOM aa 11\n"), fakeSecrets("CLIENT_RANDOM bb 22\n"), fakeSecrets("CLIENT_RANDOM cc 33\n")
	// After packet i (1-based), these connections have traffic.
	told := map[int][]fakeSecrets{1: {a}, 2: {a}, 3: {b}, 5: {a}, 6: {c}}
	dir := t.TempDir()
	ring := RingOptions{Packets: 2}
	w, err := CreatePcapng(filepath.Join(dir, "s.pcapng"), ring, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 6; i++ {
		if err := w.WritePacket(&pkts[i-1]); err != nil {
			t.Fatal(err)
		}
		for _, s := range told[i] {
			w.UseSecrets([32]byte{s[14]}, s)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files := w.Files()
	want := [][]string{
		{"SHB", "IDB", "EPB", "DSB:" + string(a), "EPB"},
		{"SHB", "DSB:" + string(a), "IDB", "EPB", "DSB:" + string(b), "EPB"},
		{"SHB", "DSB:" + string(b), "IDB", "EPB", "DSB:" + string(a), "EPB", "DSB:" + string(c)},
	}
	if len(files) != len(want) {
		t.Fatalf("files %v", files)
	}
	for i, f := range files {
		if got := pcapngBlocks(t, f); !slices.Equal(got, want[i]) {
			t.Errorf("file %d: blocks %q, want %q", i+1, got, want[i])
		}
		if tshark, err := exec.LookPath("tshark"); err == nil {
			out, err := exec.Command(tshark, "-r", f, "-T", "fields", "-e", "frame.number").Output()
			if err != nil || len(strings.Fields(string(out))) != 2 {
				t.Errorf("tshark -r %s: %v: %q", f, err, out)
			}
		}
	}
}

// TestPcapngInterval: -b interval:60 switches files when the wall clock
// reaches a multiple of 60 s, on a packet or, with no traffic, on the idle
// tick; -b printname:FILE lists each file once it is closed, in order.
func TestPcapngInterval(t *testing.T) {
	pkts := udpSamplePackets(t)
	dir := t.TempDir()
	names := filepath.Join(dir, "names.txt")
	var ring RingOptions
	for _, o := range []string{"interval:60", "printname:" + names} {
		if err := ParseRingOption(o, &ring); err != nil {
			t.Fatal(err)
		}
	}
	clock := time.Date(2026, 12, 7, 10, 0, 30, 0, time.UTC)
	// CreatePcapng with the test's clock.
	w := &PcapngWriter{path: filepath.Join(dir, "live.pcapng"), ring: ring, now: func() time.Time { return clock }}
	if err := w.openPrintName(); err != nil {
		t.Fatal(err)
	}
	if err := w.next(); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		at     string // clock time
		packet bool   // a packet, else an idle tick
		files  int    // files opened after the step
	}{
		{"10:00:40", true, 1},
		{"10:00:59", false, 1},
		{"10:00:59", true, 1},
		{"10:01:00", true, 2}, // an exact multiple switches
		{"10:01:30", true, 2},
		{"10:02:05", false, 3}, // no traffic: the tick switches
		{"10:02:06", false, 3},
		{"10:03:00", false, 4},
		{"10:03:01", true, 4},
	}
	n := 0
	for _, s := range steps {
		tm, _ := time.Parse("15:04:05", s.at)
		clock = time.Date(2026, 12, 7, tm.Hour(), tm.Minute(), tm.Second(), 0, time.UTC)
		if s.packet {
			if err := w.WritePacket(&pkts[n]); err != nil {
				t.Fatal(err)
			}
			n++
		} else {
			w.tick()
		}
		if w.seq != s.files {
			t.Fatalf("at %s: %d files, want %d", s.at, w.seq, s.files)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files := w.Files()
	wantPackets := []int{2, 2, 0, 1}
	for i, f := range files {
		if !strings.Contains(f, "_0000"+strconv.Itoa(i+1)+"_202612071"+[]string{"00030", "00100", "00205", "00300"}[i]) {
			t.Errorf("file %d named %s", i+1, f)
		}
		got := 0
		for _, b := range pcapngBlocks(t, f) {
			if b == "EPB" {
				got++
			}
		}
		if got != wantPackets[i] {
			t.Errorf("%s: %d packets, want %d", f, got, wantPackets[i])
		}
	}
	printed, err := os.ReadFile(names)
	if err != nil {
		t.Fatal(err)
	}
	if string(printed) != strings.Join(files, "\n")+"\n" {
		t.Errorf("printname wrote %q, want %q", printed, files)
	}
}

// BenchmarkPcapngWrite: the cost per packet of -w (a 200-byte RTP frame),
// without and with TLS secrets told for every packet (--w-secrets on a
// TLS connection).
func BenchmarkPcapngWrite(b *testing.B) {
	for _, secrets := range []bool{false, true} {
		name := "plain"
		if secrets {
			name = "secrets"
		}
		b.Run(name, func(b *testing.B) {
			w, err := CreatePcapng(filepath.Join(b.TempDir(), "b.pcapng"), RingOptions{}, nil)
			if err != nil {
				b.Fatal(err)
			}
			p := &Packet{Time: time.Unix(1700000000, 0), LinkType: 1, Data: make([]byte, 200), OrigLen: 200}
			s := fakeSecrets("CLIENT_RANDOM aa 11\n")
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				w.WritePacket(p)
				if secrets {
					w.UseSecrets([32]byte{1}, s)
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// udpSamplePackets reads all the packets of samples/sip-udp-psk.pcap.
func udpSamplePackets(t *testing.T) []Packet {
	t.Helper()
	pkts := readFiles(t, "../samples/sip-udp-psk.pcap")
	return pkts
}

// TestPcapngBytes pins the bytes the writer produces (the files in
// testdata/pcapngwrite were written by it): a ring of two-packet files
// with two link types, an odd-length packet shorter than on the wire,
// secrets (Decryption Secrets Blocks, a new file starting with them) and
// the statistics ending the last file, on a fixed clock. Set
// MIKEYSCOPE_WRITE_GOLDEN=1 to rewrite the files after a deliberate
// change of the format.
func TestPcapngBytes(t *testing.T) {
	dir := t.TempDir()
	clock := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	w := &PcapngWriter{path: filepath.Join(dir, "pin.pcapng"), ring: RingOptions{Packets: 2},
		stats: func() LiveStats { return LiveStats{Received: 1000, Dropped: 7} },
		now:   func() time.Time { return clock }}
	if err := w.next(); err != nil {
		t.Fatal(err)
	}
	frame := ethernet(ipUDP(t, "192.0.2.1", 5060, "192.0.2.2", 5060, []byte("odd length!")))
	raw := ipUDP(t, "2001:db8::1", 5061, "2001:db8::2", 5061, []byte("raw IPv6 over TLS"))
	const a, b = fakeSecrets("CLIENT_RANDOM aa 11\n"), fakeSecrets("CLIENT_HANDSHAKE_TRAFFIC_SECRET bb 2222\n")
	pkts := []Packet{
		{Time: t0, LinkType: LinkTypeEthernet, Data: frame, OrigLen: len(frame) + 7},
		{Time: t0.Add(1500 * time.Microsecond), LinkType: LinkTypeRaw, Data: raw, OrigLen: len(raw)},
		{Time: t0.Add(time.Second + 3), LinkType: LinkTypeEthernet, Data: frame[:len(frame)-2], OrigLen: len(frame)},
	}
	for i := range pkts {
		clock = clock.Add(time.Second)
		if err := w.WritePacket(&pkts[i]); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			w.UseSecrets([32]byte{1}, a)
		}
		if i == 1 {
			w.UseSecrets([32]byte{2}, b)
		}
	}
	w.UseSecrets([32]byte{3}, fakeSecrets("CLIENT_RANDOM cc 3\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files := w.Files()
	if len(files) != 2 {
		t.Fatalf("files %v", files)
	}
	for i, f := range files {
		got, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "pcapngwrite", "pin"+strconv.Itoa(i+1)+".pcapng")
		if os.Getenv("MIKEYSCOPE_WRITE_GOLDEN") == "1" {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("file %d differs from %s:\n got % x\nwant % x", i+1, golden, got, want)
		}
	}
}
