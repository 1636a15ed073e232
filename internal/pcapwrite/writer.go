// Package pcapwrite writes pcap and pcapng files with gopacket's pcapgo,
// for the sample and benchmark generators and the tests: the capture
// readers are tested on files another program wrote. mikeyscope itself
// does not link it (see export/pcapfile.go).
package pcapwrite

import (
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Format selects the capture file format.
type Format int

// Capture file formats.
const (
	FormatPcap   Format = iota // libpcap, microsecond timestamps
	FormatPcapng               // pcapng with one Ethernet interface
)

// Snaplen is the snapshot length recorded in the files.
const Snaplen = 262144

// Writer writes Ethernet frames with caller-chosen timestamps to a pcap or
// pcapng stream. The output depends only on the frames and timestamps given,
// so generators are reproducible byte for byte.
type Writer struct {
	pcap  *pcapgo.Writer
	ng    *pcapgo.NgWriter
	ci    gopacket.CaptureInfo
	count int
}

// NewWriter writes the file header for format f to w and returns a Writer.
// Callers should wrap w in a bufio.Writer for large outputs and call Flush.
func NewWriter(w io.Writer, f Format) (*Writer, error) {
	switch f {
	case FormatPcap:
		pw := pcapgo.NewWriter(w)
		if err := pw.WriteFileHeader(Snaplen, layers.LinkTypeEthernet); err != nil {
			return nil, fmt.Errorf("pcapwrite: pcap header: %w", err)
		}
		return &Writer{pcap: pw}, nil
	case FormatPcapng:
		intf := pcapgo.NgInterface{
			Name:                "eth0",
			LinkType:            layers.LinkTypeEthernet,
			SnapLength:          Snaplen,
			TimestampResolution: 9,
		}
		opts := pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{
			Hardware:    "generated",
			OS:          "generated",
			Application: "mikeyscope sample generator",
		}}
		nw, err := pcapgo.NewNgWriterInterface(w, intf, opts)
		if err != nil {
			return nil, fmt.Errorf("pcapwrite: pcapng header: %w", err)
		}
		return &Writer{ng: nw}, nil
	}
	return nil, fmt.Errorf("pcapwrite: unknown format %d", f)
}

// WriteFrame writes one frame captured in full at time t.
func (w *Writer) WriteFrame(t time.Time, frame []byte) error {
	w.ci.Timestamp = t
	w.ci.CaptureLength = len(frame)
	w.ci.Length = len(frame)
	var err error
	if w.ng != nil {
		err = w.ng.WritePacket(w.ci, frame)
	} else {
		err = w.pcap.WritePacket(w.ci, frame)
	}
	if err != nil {
		return fmt.Errorf("pcapwrite: frame %d: %w", w.count+1, err)
	}
	w.count++
	return nil
}

// Frames returns the number of frames written; the last written frame has
// this 1-based number.
func (w *Writer) Frames() int { return w.count }

// Flush flushes buffered pcapng output (pcap output is unbuffered here).
func (w *Writer) Flush() error {
	if w.ng != nil {
		return w.ng.Flush()
	}
	return nil
}
