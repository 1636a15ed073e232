package capture

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
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
	for _, bad := range []string{"filesize", "filesize:", "filesize:0", "files:-1", "size:10", "files:x", ""} {
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
	src, err := OpenFiles("../samples/sip-udp-psk.pcap")
	if err != nil {
		t.Fatal(err)
	}
	pkts, err := readAll(t, src)
	src.Close()
	if err != nil {
		t.Fatal(err)
	}
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
