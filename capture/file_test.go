package capture

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/mikeyscope/mikeyscope/internal/pcapng"
)

// readAll drains a Source, copying each packet.
func readAll(t testing.TB, src Source) ([]Packet, error) {
	t.Helper()
	var out []Packet
	var p Packet
	for {
		err := src.Next(&p)
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return out, err
		}
		c := p
		c.Data = append([]byte(nil), p.Data...)
		out = append(out, c)
	}
}

// readFiles reads every packet of the files (OpenFiles, merged by time),
// failing the test on an error.
func readFiles(t testing.TB, paths ...string) []Packet {
	t.Helper()
	src, err := OpenFiles(paths...)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	pkts, err := readAll(t, src)
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(paths, ", "), err)
	}
	return pkts
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func gz(t testing.TB, b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// ngBuilder hand-builds pcapng blocks (draft-ietf-opsawg-pcapng §3-4) in a
// chosen byte order, independently of pcapgo.
type ngBuilder struct {
	order binary.AppendByteOrder
	b     []byte
}

func (n *ngBuilder) block(typ uint32, body []byte) {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	total := uint32(12 + len(body))
	n.b = n.order.AppendUint32(n.b, typ)
	n.b = n.order.AppendUint32(n.b, total)
	n.b = append(n.b, body...)
	n.b = n.order.AppendUint32(n.b, total)
}

func (n *ngBuilder) section() {
	body := n.order.AppendUint32(nil, pcapng.ByteOrderMagic)
	body = n.order.AppendUint16(body, 1)
	body = n.order.AppendUint16(body, 0)
	body = n.order.AppendUint64(body, ^uint64(0)) // section length unknown
	n.block(pcapng.BlockSectionHeader, body)
}

// iface adds an IDB; opts are (code, value) pairs.
func (n *ngBuilder) iface(link LinkType, snap uint32, opts ...any) {
	body := n.order.AppendUint16(nil, uint16(link))
	body = n.order.AppendUint16(body, 0)
	body = n.order.AppendUint32(body, snap)
	for i := 0; i < len(opts); i += 2 {
		val := opts[i+1].([]byte)
		body = n.order.AppendUint16(body, uint16(opts[i].(int)))
		body = n.order.AppendUint16(body, uint16(len(val)))
		body = append(body, val...)
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
	}
	if len(opts) > 0 {
		body = append(body, 0, 0, 0, 0) // opt_endofopt
	}
	n.block(pcapng.BlockInterfaceDescription, body)
}

func (n *ngBuilder) epb(iface uint32, ts uint64, data []byte, orig uint32) {
	body := n.order.AppendUint32(nil, iface)
	body = n.order.AppendUint32(body, uint32(ts>>32))
	body = n.order.AppendUint32(body, uint32(ts))
	body = n.order.AppendUint32(body, uint32(len(data)))
	body = n.order.AppendUint32(body, orig)
	n.block(pcapng.BlockEnhancedPacket, append(body, data...))
}

func (n *ngBuilder) spb(data []byte) {
	n.block(pcapng.BlockSimplePacket, append(n.order.AppendUint32(nil, uint32(len(data))), data...))
}

func TestReadPcap(t *testing.T) {
	f1 := []byte("frame one")
	f2 := []byte("second frame, longer")
	ts1 := time.Date(2025, 5, 6, 7, 8, 9, 123456789, time.UTC)
	ts2 := ts1.Add(1500 * time.Millisecond)
	micro := func() []byte {
		var b bytes.Buffer
		w := pcapgo.NewWriter(&b)
		w.WriteFileHeader(65535, layers.LinkTypeLinuxSLL)
		w.WritePacket(gopacket.CaptureInfo{Timestamp: ts1, CaptureLength: len(f1), Length: 60}, f1)
		w.WritePacket(gopacket.CaptureInfo{Timestamp: ts2, CaptureLength: len(f2), Length: len(f2)}, f2)
		return b.Bytes()
	}()
	// records appends the two frames as microsecond records in byte order
	// o, each header followed by extra.
	records := func(b []byte, o binary.AppendByteOrder, extra []byte) []byte {
		for _, f := range []struct {
			ts   time.Time
			data []byte
			orig int
		}{{ts1, f1, 60}, {ts2, f2, len(f2)}} {
			b = o.AppendUint32(b, uint32(f.ts.Unix()))
			b = o.AppendUint32(b, uint32(f.ts.Nanosecond()/1000))
			b = o.AppendUint32(b, uint32(len(f.data)))
			b = o.AppendUint32(b, uint32(f.orig))
			b = append(b, extra...)
			b = append(b, f.data...)
		}
		return b
	}
	// A big-endian microsecond pcap written by hand (libpcap savefile format).
	bigEndian := binary.BigEndian.AppendUint32(nil, pcapMagicMicro)
	bigEndian = binary.BigEndian.AppendUint16(bigEndian, 2)
	bigEndian = binary.BigEndian.AppendUint16(bigEndian, 4)
	bigEndian = append(bigEndian, make([]byte, 8)...)
	bigEndian = binary.BigEndian.AppendUint32(bigEndian, 262144)
	bigEndian = binary.BigEndian.AppendUint32(bigEndian, 0x10000000|uint32(linkLinuxSLL)) // FCS bits set
	bigEndian = records(bigEndian, binary.BigEndian, nil)
	nano := writePcap(t, LinkTypeLinuxSLL, frameRec{t: ts1, data: f1}, frameRec{t: ts2, data: f2})
	// Kuznetzov's modified pcap: 24-byte record headers (ifindex, protocol,
	// packet type, padding after the usual 16 bytes).
	modified := binary.LittleEndian.AppendUint32(nil, pcapMagicModified)
	modified = append(modified, micro[4:24]...)
	modified = records(modified, binary.LittleEndian, []byte{2, 0, 0, 0, 8, 0, 0, 0}) // ifindex 2, ETH_P_IP, PACKET_HOST
	usTS1 := ts1.Truncate(time.Microsecond)
	tests := []struct {
		name     string
		file     []byte
		wantTS1  time.Time
		wantOrig int
	}{
		{"microsecond LE", micro, usTS1, 60},
		{"microsecond BE", bigEndian, usTS1, 60},
		{"modified (Kuznetzov)", modified, usTS1, 60},
		{"nanosecond", nano, ts1, len(f1)},
		{"gzip nanosecond", gz(t, nano), ts1, len(f1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pkts := readFiles(t, writeFile(t, "in.cap", tc.file)) // the name says nothing: magic decides
			if len(pkts) != 2 {
				t.Fatalf("got %d packets", len(pkts))
			}
			p := pkts[0]
			if p.Frame != 1 || !p.Time.Equal(tc.wantTS1) || string(p.Data) != string(f1) || p.OrigLen != tc.wantOrig || p.LinkType != LinkTypeLinuxSLL {
				t.Errorf("frame 1 = %+v", p)
			}
			if pkts[1].Frame != 2 || !pkts[1].Time.Equal(tc.wantTS1.Add(1500*time.Millisecond)) || string(pkts[1].Data) != string(f2) {
				t.Errorf("frame 2 = %+v", pkts[1])
			}
		})
	}
}

func TestReadPcapngTwoInterfaces(t *testing.T) {
	eth := ethernet(ipUDP(t, "192.0.2.1", 1, "192.0.2.2", 2, []byte("on eth")))
	raw := ipUDP(t, "2001:db8::1", 3, "2001:db8::2", 4, []byte("on raw"))
	ts := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
	var b bytes.Buffer
	w, err := pcapgo.NewNgWriterInterface(&b, pcapgo.NgInterface{LinkType: layers.LinkTypeEthernet, SnapLength: 65535}, pcapgo.DefaultNgWriterOptions)
	if err != nil {
		t.Fatal(err)
	}
	id, err := w.AddInterface(pcapgo.NgInterface{LinkType: layers.LinkTypeRaw, SnapLength: 65535})
	if err != nil {
		t.Fatal(err)
	}
	w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(eth), Length: len(eth)}, eth)
	w.WritePacket(gopacket.CaptureInfo{Timestamp: ts.Add(time.Second), CaptureLength: len(raw), Length: len(raw), InterfaceIndex: id}, raw)
	w.Flush()
	src, err := OpenReader("two.pcapng", bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	pkts, err := readAll(t, src)
	if err != nil || len(pkts) != 2 {
		t.Fatalf("packets %d, err %v", len(pkts), err)
	}
	if pkts[0].LinkType != LinkTypeEthernet || pkts[0].Interface != 0 || !pkts[0].Time.Equal(ts) {
		t.Errorf("frame 1 = %+v", pkts[0])
	}
	if pkts[1].LinkType != LinkTypeRaw || pkts[1].Interface != 1 || !pkts[1].Time.Equal(ts.Add(time.Second)) {
		t.Errorf("frame 2 = %+v", pkts[1])
	}
	rec := decodeAll(DecoderOptions{}, &pkts[0], &pkts[1])
	dg := rec.of("udp")
	if len(dg) != 2 || dg[0].Payload != "on eth" || dg[1].Payload != "on raw" || dg[1].Frame != 2 {
		t.Errorf("decoded %v", rec.events)
	}
}

// TestReadPcapngHandBuilt covers what pcapgo's writer cannot produce:
// big-endian sections, default and binary timestamp resolutions, if_tsoffset,
// simple packet blocks, unknown blocks, a second section and LINKTYPE 276.
func TestReadPcapngHandBuilt(t *testing.T) {
	sll2Frame := sll2(ipUDP(t, "192.0.2.9", 9, "192.0.2.10", 10, []byte("cooked v2")))
	for _, order := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		n := &ngBuilder{order: order}
		n.section()
		n.iface(linkEthernet, 0)                                                                                 // 0: microseconds
		n.iface(linkLinuxSLL2, 0, pcapng.OptIfTsresol, []byte{0x80 | 10})                                        // 1: 2^-10 s
		n.iface(linkRaw, 0, pcapng.OptIfTsresol, []byte{3}, pcapng.OptIfTsoffset, order.AppendUint64(nil, 1000)) // 2: ms, +1000 s
		n.epb(0, 1_700_000_000_123_456, []byte("A"), 1)
		n.block(0x0BAD, []byte("unknown block, skipped"))
		n.epb(1, 1_700_000_000<<10|512, sll2Frame, uint32(len(sll2Frame)))
		n.epb(2, 1_700_000_000_250, []byte("C"), 100)
		n.spb([]byte("D"))
		pb := order.AppendUint16(nil, 2) // interface 2, drops 0
		pb = order.AppendUint16(pb, 0)
		pbTS := uint64(1_700_000_000_500) // milliseconds on interface 2
		pb = order.AppendUint32(pb, uint32(pbTS>>32))
		pb = order.AppendUint32(pb, uint32(pbTS))
		pb = order.AppendUint32(pb, 2)
		pb = order.AppendUint32(pb, 2)
		n.block(pcapng.BlockPacketObsolete, append(pb, "PB"...))
		n.section() // a new section forgets the interfaces
		n.iface(linkIPv4, 0, pcapng.OptIfTsresol, []byte{9})
		n.epb(0, 1_700_000_005_000_000_001, []byte("E"), 1)
		src, err := OpenReader("hand.pcapng", bytes.NewReader(n.b))
		if err != nil {
			t.Fatal(err)
		}
		pkts, err := readAll(t, src)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			data  string
			link  LinkType
			iface int
			ts    time.Time
			orig  int
		}{
			{"A", linkEthernet, 0, time.Unix(1_700_000_000, 123_456_000), 1},
			{string(sll2Frame), linkLinuxSLL2, 1, time.Unix(1_700_000_000, 500_000_000), len(sll2Frame)},
			{"C", linkRaw, 2, time.Unix(1_700_001_000, 250_000_000), 100},
			{"D", linkEthernet, 0, time.Unix(1_700_001_000, 250_000_000), 1},
			{"PB", linkRaw, 2, time.Unix(1_700_001_000, 500_000_000), 2},
			{"E", linkIPv4, 0, time.Unix(1_700_000_005, 1), 1},
		}
		if len(pkts) != len(want) {
			t.Fatalf("%v: %d packets, want %d", order, len(pkts), len(want))
		}
		for i, w := range want {
			p := pkts[i]
			if string(p.Data) != w.data || p.LinkType != w.link || p.Interface != w.iface || !p.Time.Equal(w.ts) || p.OrigLen != w.orig || p.Frame != uint64(i+1) {
				t.Errorf("%v frame %d = link %d iface %d time %v orig %d; want %+v", order, i+1, p.LinkType, p.Interface, p.Time, p.OrigLen, w)
			}
		}
		rec := decodeAll(DecoderOptions{}, &pkts[1])
		if dg := rec.of("udp"); len(dg) != 1 || dg[0].Payload != "cooked v2" {
			t.Errorf("SLL2 frame decoded to %v", rec.events)
		}
	}
}

func TestOpenFilesMerge(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	a := writePcap(t, LinkTypeRaw, frameRec{t: at(0), data: []byte("a0")}, frameRec{t: at(20), data: []byte("a20")}, frameRec{t: at(30), data: []byte("a30")})
	var ng bytes.Buffer
	w, _ := pcapgo.NewNgWriter(&ng, layers.LinkTypeEthernet)
	for _, f := range []frameRec{{t: at(10), data: []byte("b10")}, {t: at(20), data: []byte("b20")}, {t: at(40), data: []byte("b40")}} {
		w.WritePacket(gopacket.CaptureInfo{Timestamp: f.t, CaptureLength: len(f.data), Length: len(f.data)}, f.data)
	}
	w.Flush()
	pkts := readFiles(t, writeFile(t, "a.pcap", a), writeFile(t, "b.pcapng.gz", gz(t, ng.Bytes())))
	var got []string
	for i, p := range pkts {
		if p.Frame != uint64(i+1) {
			t.Errorf("packet %d has frame %d", i, p.Frame)
		}
		got = append(got, string(p.Data)+"/"+string(rune('0'+p.Input)))
	}
	want := "a0/0 b10/1 a20/0 b20/1 a30/0 b40/1" // equal times keep argument order
	if strings.Join(got, " ") != want {
		t.Errorf("merged = %v, want %v", got, want)
	}
}

func TestReadTruncated(t *testing.T) {
	frames := []frameRec{{t: t0, data: bytes.Repeat([]byte{1}, 100)}, {t: t0, data: bytes.Repeat([]byte{2}, 100)}, {t: t0, data: bytes.Repeat([]byte{3}, 100)}}
	pcapFile := writePcap(t, LinkTypeRaw, frames...)
	var ng bytes.Buffer
	w, _ := pcapgo.NewNgWriter(&ng, layers.LinkTypeRaw)
	for _, f := range frames {
		w.WritePacket(gopacket.CaptureInfo{Timestamp: f.t, CaptureLength: len(f.data), Length: len(f.data)}, f.data)
	}
	w.Flush()
	ngFile := ng.Bytes()
	ngThird := int64(len(ngFile) - 132) // each EPB is 132 bytes
	corrupt := append([]byte(nil), pcapFile...)
	binary.LittleEndian.PutUint32(corrupt[24+116+8:], 1<<30) // second record's captured length
	tests := []struct {
		name       string
		file       []byte
		wantFrames int
		wantFrame  uint64
		wantOffset int64
		wantErr    error
		compressed bool
	}{
		{"pcap cut in record data", pcapFile[:len(pcapFile)-10], 2, 3, 24 + 2*116, errTruncated, false},
		{"pcap cut in record header", pcapFile[:24+116+5], 1, 2, 24 + 116, errTruncated, false},
		{"pcap bogus length", corrupt, 1, 2, 24 + 116, errFormat, false},
		{"gzip pcap cut", gz(t, pcapFile[:len(pcapFile)-10]), 2, 3, 24 + 2*116, errTruncated, true},
		{"pcapng cut", ngFile[:len(ngFile)-1], 2, 3, ngThird, errTruncated, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "cut.pcap", tc.file)
			src, err := OpenFiles(path)
			if err != nil {
				t.Fatal(err)
			}
			pkts, err := readAll(t, src)
			if len(pkts) != tc.wantFrames {
				t.Errorf("delivered %d frames before the error, want %d", len(pkts), tc.wantFrames)
			}
			var re *ReadError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want *ReadError", err)
			}
			if re.File != path || re.Frame != tc.wantFrame || re.Offset != tc.wantOffset || !errors.Is(err, tc.wantErr) || re.Compressed != tc.compressed {
				t.Errorf("err = %+v (%v), want frame %d offset %d", re, err, tc.wantFrame, tc.wantOffset)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "frame ") {
				t.Errorf("message %q does not name file and frame", err)
			}
			if err2 := src.Next(&Packet{}); err2 != err {
				t.Errorf("error not sticky: %v", err2)
			}
		})
	}
}

func TestOpenBadFiles(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"unknown magic", []byte("GIF89a this is not a capture")},
		{"short pcap header", []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0}},
		{"bad gzip", []byte{0x1f, 0x8b, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "bad", tc.data)
			_, err := OpenFiles(path)
			var re *ReadError
			if !errors.As(err, &re) || re.File != path || re.Offset != 0 {
				t.Errorf("err = %v, want ReadError at offset 0", err)
			}
		})
	}
	if _, err := OpenFiles(filepath.Join(t.TempDir(), "missing.pcap")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	n := &ngBuilder{order: binary.LittleEndian}
	n.section()
	n.epb(3, 0, []byte("x"), 1)
	src, err := OpenReader("noiface", bytes.NewReader(n.b))
	if err != nil {
		t.Fatal(err)
	}
	_, err = readAll(t, src)
	var re *ReadError
	if !errors.As(err, &re) || re.Frame != 1 || re.Offset != 28 || !errors.Is(err, errFormat) {
		t.Errorf("EPB naming a missing interface: %v", err)
	}
}
