package capture_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/mikeyscope/mikeyscope/capture"
)

// printer is a capture.Handler that prints what the network layer finds.
type printer struct{}

func (printer) Datagram(d *capture.Datagram) {
	fmt.Printf("frame %d: UDP %s -> %s %q\n", d.Frame, d.Src, d.Dst, d.Payload)
}
func (printer) Segment(s *capture.Segment) {
	fmt.Printf("frame %d: TCP %s -> %s %q\n", s.Frame, s.Src, s.Dst, s.Payload)
}
func (printer) Problem(p *capture.Problem) { fmt.Printf("frame %d: problem: %s\n", p.Frame, p.Detail) }

// Example reads a capture and feeds every frame to a Decoder: the pass every
// mikeyscope analysis makes.
func Example() {
	src, err := capture.OpenReader("example.pcap", bytes.NewReader(examplePcap()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer src.Close()
	dec := capture.NewDecoder(printer{}, capture.DecoderOptions{})
	var p capture.Packet
	for {
		if err := src.Next(&p); err != nil {
			if err != io.EOF {
				fmt.Println(err) // a *capture.ReadError names file, frame and offset
			}
			break
		}
		dec.Packet(&p)
	}
	dec.Flush()
	// Output:
	// frame 1: UDP 192.0.2.1:5060 -> 192.0.2.2:5060 "OPTIONS sip:b SIP/2.0\r\n"
}

// examplePcap builds a one-frame pcap in memory.
func examplePcap() []byte {
	ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolUDP,
		SrcIP: net.IPv4(192, 0, 2, 1), DstIP: net.IPv4(192, 0, 2, 2)}
	udp := &layers.UDP{SrcPort: 5060, DstPort: 5060}
	udp.SetNetworkLayerForChecksum(ip)
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
	buf := gopacket.NewSerializeBuffer()
	gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		eth, ip, udp, gopacket.Payload("OPTIONS sip:b SIP/2.0\r\n"))
	var out bytes.Buffer
	w := pcapgo.NewWriter(&out)
	w.WriteFileHeader(65535, layers.LinkTypeEthernet)
	w.WritePacket(gopacket.CaptureInfo{Timestamp: time.Unix(1700000000, 0), CaptureLength: len(buf.Bytes()), Length: len(buf.Bytes())}, buf.Bytes())
	return out.Bytes()
}
