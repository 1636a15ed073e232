package capture

import (
	"bytes"
	"encoding/binary"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// nopHandler discards events.
type nopHandler struct{ n int }

func (h *nopHandler) Datagram(d *Datagram) { h.n += len(d.Payload) }
func (h *nopHandler) Segment(s *Segment)   { h.n += len(s.Payload) }
func (h *nopHandler) Problem(*Problem)     {}

// rtpLikeFrame is a 214-byte Ethernet/IPv4/UDP frame with a 172-byte payload
// (20 ms of G.711 in RTP).
func rtpLikeFrame(t testing.TB) []byte {
	return ethernet(ipUDP(t, "10.0.0.1", 20000, "10.0.0.2", 30000, make([]byte, 172)))
}

func BenchmarkReadPcap(b *testing.B) {
	file := benchPcap(b)
	benchRead(b, file)
}

func BenchmarkReadPcapng(b *testing.B) {
	file := benchPcapng(b)
	benchRead(b, file)
}

func BenchmarkDecoderUDP(b *testing.B) {
	p := pkt(1, LinkTypeEthernet, rtpLikeFrame(b))
	h := &nopHandler{}
	d := NewDecoder(h, DecoderOptions{})
	b.SetBytes(int64(len(p.Data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		p.Frame = uint64(i + 1)
		d.Packet(p)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

// tcpBenchFrame returns an in-order data segment whose sequence number the
// benchmark rewrites in place (the decoder does not verify checksums).
func tcpBenchFrame(t testing.TB, payload int) (frame []byte, seqOff int) {
	frame = ethernet(ipTCP(t, "10.0.0.1", 40000, "10.0.0.2", 5061, 0, ack, make([]byte, payload)))
	return frame, 14 + 20 + 4
}

func BenchmarkDecoderTCP(b *testing.B) {
	frame, seqOff := tcpBenchFrame(b, 512)
	p := pkt(1, LinkTypeEthernet, frame)
	h := &nopHandler{}
	d := NewDecoder(h, DecoderOptions{})
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		binary.BigEndian.PutUint32(frame[seqOff:], uint32(i*512))
		p.Frame = uint64(i + 1)
		d.Packet(p)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

func BenchmarkDecoderFragments(b *testing.B) {
	full := ipUDP(b, "10.0.0.1", 5060, "10.0.0.2", 5060, make([]byte, 2500))
	frags := fragmentIP(b, full, piece{0, 1480}, piece{1480, 2508})
	p1, p2 := pkt(1, LinkTypeRaw, frags[0]), pkt(2, LinkTypeRaw, frags[1])
	h := &nopHandler{}
	d := NewDecoder(h, DecoderOptions{})
	b.SetBytes(int64(len(frags[0]) + len(frags[1])))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		d.Packet(p1)
		d.Packet(p2)
	}
}

func BenchmarkFilterMatch(b *testing.B) {
	p := pkt(1, LinkTypeEthernet, rtpLikeFrame(b))
	f, _ := CompileFilter("udp and (port 5060 or portrange 20000-30000) and not host 192.0.2.1")
	b.ReportAllocs()
	for range b.N {
		if !f.Match(p) {
			b.Fatal("no match")
		}
	}
}

// TestSteadyStateDoesNotAllocate: decoding in-order TCP and unfragmented
// UDP keeps memory constant however long the capture is.
func TestSteadyStateDoesNotAllocate(t *testing.T) {
	udp := pkt(1, LinkTypeEthernet, rtpLikeFrame(t))
	frame, seqOff := tcpBenchFrame(t, 100)
	tcp := pkt(2, LinkTypeEthernet, frame)
	d := NewDecoder(&nopHandler{}, DecoderOptions{})
	seq := uint32(0)
	d.Packet(tcp) // first segment creates the connection
	seq += 100
	allocs := testing.AllocsPerRun(1000, func() {
		d.Packet(udp)
		binary.BigEndian.PutUint32(frame[seqOff:], seq)
		seq += 100
		d.Packet(tcp)
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per UDP+TCP packet pair, want 0", allocs)
	}
	frames := make([]frameRec, 200)
	for i := range frames {
		frames[i] = frameRec{t: t0, data: udp.Data}
	}
	src, _ := OpenReader("x", bytes.NewReader(writePcap(t, LinkTypeEthernet, frames...)))
	var p Packet
	src.Next(&p)
	if a := testing.AllocsPerRun(100, func() {
		if err := src.Next(&p); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("%.1f allocations reading a packet, want 0", a)
	}
}

// BenchmarkOpenFilesDecode reads a 10000-frame pcap from disk and decodes
// it (UDP media plus one in-order TCP stream); one op is the whole file.
func BenchmarkOpenFilesDecode(b *testing.B) {
	udp := rtpLikeFrame(b)
	frames := make([]frameRec, 0, 10000)
	seq := uint32(1)
	for i := range cap(frames) {
		data := udp
		if i%10 == 0 {
			data = ethernet(ipTCP(b, "10.0.0.1", 40000, "10.0.0.2", 5061, seq, ack, make([]byte, 400)))
			seq += 400
		}
		frames = append(frames, frameRec{t: t0.Add(time.Duration(i) * time.Millisecond), data: data})
	}
	file := writePcap(b, LinkTypeEthernet, frames...)
	path := writeFile(b, "bench.pcap", file)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	h := &nopHandler{}
	var p Packet
	b.ResetTimer()
	for range b.N {
		src, err := OpenFiles(path)
		if err != nil {
			b.Fatal(err)
		}
		d := NewDecoder(h, DecoderOptions{})
		for src.Next(&p) == nil {
			d.Packet(&p)
		}
		d.Flush()
		src.Close()
	}
	b.ReportMetric(float64(b.N*len(frames))/b.Elapsed().Seconds(), "packets/s")
}

// BenchmarkGopacketDecodingLayerParser decodes the frame of
// BenchmarkDecoderUDP with gopacket's allocation-free DecodingLayerParser
// (Ethernet, IPv4, UDP), the reference the issue names, and builds the
// same addresses the Decoder hands on: the figure docs/pipeline.md
// compares.
func BenchmarkGopacketDecodingLayerParser(b *testing.B) {
	frame := rtpLikeFrame(b)
	var eth layers.Ethernet
	var ip4 layers.IPv4
	var udp layers.UDP
	var payload gopacket.Payload
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &ip4, &udp, &payload)
	decoded := make([]gopacket.LayerType, 0, 4)
	var sink netip.AddrPort
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := parser.DecodeLayers(frame, &decoded); err != nil || len(decoded) < 3 {
			b.Fatalf("decoded %v: %v", decoded, err)
		}
		src, _ := netip.AddrFromSlice(ip4.SrcIP)
		sink = netip.AddrPortFrom(src, uint16(udp.SrcPort))
	}
	_ = sink
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

// BenchmarkReadPcapGopacket and BenchmarkReadPcapngGopacket read the files
// of BenchmarkReadPcap and BenchmarkReadPcapng with gopacket's pcapgo
// (zero-copy where it offers it), to compare the readers (docs/pipeline.md).
func BenchmarkReadPcapGopacket(b *testing.B) {
	file := benchPcap(b)
	b.ReportAllocs()
	r, _ := pcapgo.NewReader(bytes.NewReader(file))
	b.ResetTimer()
	for range b.N {
		if _, _, err := r.ZeroCopyReadPacketData(); err != nil {
			if err != io.EOF {
				b.Fatal(err)
			}
			r, _ = pcapgo.NewReader(bytes.NewReader(file))
			r.ZeroCopyReadPacketData()
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

func BenchmarkReadPcapngGopacket(b *testing.B) {
	file := benchPcapng(b)
	b.ReportAllocs()
	r, _ := pcapgo.NewNgReader(bytes.NewReader(file), pcapgo.DefaultNgReaderOptions)
	b.ResetTimer()
	for range b.N {
		if _, _, err := r.ZeroCopyReadPacketData(); err != nil {
			if err != io.EOF {
				b.Fatal(err)
			}
			r, _ = pcapgo.NewNgReader(bytes.NewReader(file), pcapgo.DefaultNgReaderOptions)
			r.ZeroCopyReadPacketData()
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

// benchRead reads file with OpenReader b.N packets, from the start again
// at its end.
func benchRead(b *testing.B, file []byte) {
	b.ReportAllocs()
	src, _ := OpenReader("bench", bytes.NewReader(file))
	var p Packet
	b.ResetTimer()
	for range b.N {
		if err := src.Next(&p); err != nil {
			if err != io.EOF {
				b.Fatal(err)
			}
			src, _ = OpenReader("bench", bytes.NewReader(file))
			src.Next(&p)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

// benchPcap builds a pcap file of 10,000 RTP-like frames, 20 ms apart,
// and sets the benchmark's bytes per packet.
func benchPcap(b *testing.B) []byte {
	frame := rtpLikeFrame(b)
	frames := make([]frameRec, 10000)
	for i := range frames {
		frames[i] = frameRec{t: t0.Add(time.Duration(i) * 20 * time.Millisecond), data: frame}
	}
	b.SetBytes(int64(len(frame) + 16))
	return writePcap(b, LinkTypeEthernet, frames...)
}

// benchPcapng builds a pcapng file of 10,000 RTP-like frames, 20 µs apart,
// and sets the benchmark's bytes per packet.
func benchPcapng(b *testing.B) []byte {
	frame := rtpLikeFrame(b)
	n := &ngBuilder{order: binary.LittleEndian}
	n.section()
	n.iface(linkEthernet, 0)
	for i := range 10000 {
		n.epb(0, uint64(i)*20000, frame, uint32(len(frame)))
	}
	b.SetBytes(int64(len(frame) + 32))
	return n.b
}
