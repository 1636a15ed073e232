// Package export writes what mikeyscope decrypted in formats other tools
// open: the whole capture with the media decrypted and the signalling
// rewritten for plain RTP, which Wireshark decodes with no options
// (WriteDecrypted, decrypted.pcapng); and per stream, a pcap of the plain
// RTP or RTCP alone in its original addressing (Wireshark needs Decode As
// for it: there is no signalling in it), a WAV file for G.711 audio
// (PCMU/PCMA, decoded to 16-bit linear PCM), and the raw payloads of other
// codecs.
package export

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/srtp"
)

// Exporter collects decrypted packets through analysis.Options.Hook and
// writes one set of files per stream into Dir.
type Exporter struct {
	Dir string
	// MaxStreams bounds the files kept open (default 256).
	MaxStreams int

	streams map[*analysis.Stream]*streamOut
	order   []*streamOut
	builder framebuild.Builder
	frame   []byte
	err     error
	// spool keeps the decrypted packets for WriteDecrypted.
	spool *spool
	// mu serialises Hook, should the analysis ever call it from several
	// goroutines; the spool tolerates calls out of capture order by up to
	// spoolReadAhead packets.
	mu sync.Mutex
}

// File is one file written.
type File struct {
	Path    string `json:"path"`
	Kind    string `json:"kind"` // pcap, wav, raw
	SSRC    string `json:"ssrc"`
	Packets int    `json:"packets"`
}

type streamOut struct {
	base    string
	ssrc    string
	rtcp    bool
	pcapF   *os.File
	pcapBuf *bufio.Writer
	pcapW   *pcapWriter
	packets int
	// audio/raw payload output, opened on the first RTP payload.
	codec   string
	payload *os.File
	pbuf    *bufio.Writer
	wav     *wavWriter
	seen    map[uint16]bool
	skipped bool
}

// New returns an Exporter writing into dir (created if needed).
func New(dir string) (*Exporter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	sp, err := newSpool(dir)
	if err != nil {
		return nil, err
	}
	return &Exporter{Dir: dir, MaxStreams: 256, streams: map[*analysis.Stream]*streamOut{}, spool: sp}, nil
}

// Hook is the analysis.MediaHook that receives the packets.
func (e *Exporter) Hook(s *analysis.Stream, p *dissect.MediaPacket, plain []byte) {
	if plain == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err != nil {
		return
	}
	e.spool.add(p, plain)
	so := e.streams[s]
	if so == nil {
		if len(e.order) >= e.MaxStreams {
			return
		}
		so = &streamOut{
			base: fmt.Sprintf("%s-%s-%s-to-%s", s.Kind, s.SSRC, sanitize(p.Src.String()), sanitize(p.Dst.String())),
			ssrc: s.SSRC,
			rtcp: p.Kind == dissect.KindRTCP,
			seen: map[uint16]bool{},
		}
		e.streams[s] = so
		e.order = append(e.order, so)
	}
	if err := e.write(so, p, plain); err != nil {
		e.err = err
	}
}

func (e *Exporter) write(so *streamOut, p *dissect.MediaPacket, plain []byte) error {
	if so.pcapW == nil {
		f, err := os.Create(filepath.Join(e.Dir, so.base+".pcap"))
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		so.pcapF = f
		so.pcapBuf = bufio.NewWriter(f)
		so.pcapW, err = newPcapWriter(so.pcapBuf)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	var err error
	e.frame, err = e.builder.AppendUDP(e.frame[:0], p.Src, p.Dst, plain)
	if err != nil {
		return fmt.Errorf("export: stream %s frame %d: %w", so.ssrc, p.Frame, err)
	}
	if err := so.pcapW.writeFrame(p.Time, e.frame); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	so.packets++
	if so.rtcp {
		return nil
	}
	h, err := srtp.ParseRTPHeader(plain)
	if err != nil {
		return nil // counted as a packet in the pcap; no payload to extract
	}
	if so.seen[h.SequenceNumber] {
		return nil // duplicate
	}
	if len(so.seen) < 1<<16 {
		so.seen[h.SequenceNumber] = true
	}
	payload := plain[h.HeaderLen:]
	if h.Padding && len(payload) > 0 {
		n := int(payload[len(payload)-1])
		if n <= len(payload) {
			payload = payload[:len(payload)-n]
		}
	}
	return e.writePayload(so, h.PayloadType, payload)
}

func (e *Exporter) writePayload(so *streamOut, pt uint8, payload []byte) error {
	if so.payload == nil {
		so.codec = codecName(pt)
		ext := ".raw"
		if so.codec == "PCMU" || so.codec == "PCMA" {
			ext = ".wav"
		}
		f, err := os.Create(filepath.Join(e.Dir, so.base+ext))
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		so.payload = f
		so.pbuf = bufio.NewWriter(f)
		if ext == ".wav" {
			so.wav, err = newWAVWriter(f, so.pbuf, 8000)
			if err != nil {
				return err
			}
		}
	}
	if so.wav != nil {
		switch {
		case so.codec == "PCMU" && pt == 0:
			return so.wav.writeULaw(payload)
		case so.codec == "PCMA" && pt == 8:
			return so.wav.writeALaw(payload)
		}
		return nil // comfort noise or DTMF inside an audio stream
	}
	_, err := so.pbuf.Write(payload)
	return err
}

// codecName names the static payload types mikeyscope exports as audio.
func codecName(pt uint8) string {
	switch pt {
	case 0:
		return "PCMU"
	case 8:
		return "PCMA"
	}
	return fmt.Sprintf("PT%d", pt)
}

// Close flushes and closes every file and returns the list written.
func (e *Exporter) Close() ([]File, error) {
	var files []File
	err := e.err
	e.spool.close()
	for _, so := range e.order {
		if so.pcapW != nil {
			if ferr := so.pcapBuf.Flush(); ferr != nil && err == nil {
				err = ferr
			}
			if ferr := so.pcapF.Close(); ferr != nil && err == nil {
				err = ferr
			}
			files = append(files, File{Path: so.pcapF.Name(), Kind: "pcap", SSRC: so.ssrc, Packets: so.packets})
		}
		if so.payload != nil {
			kind := "raw"
			if so.wav != nil {
				kind = "wav"
				if ferr := so.wav.finish(); ferr != nil && err == nil {
					err = ferr
				}
			} else if ferr := so.pbuf.Flush(); ferr != nil && err == nil {
				err = ferr
			}
			if ferr := so.payload.Close(); ferr != nil && err == nil {
				err = ferr
			}
			files = append(files, File{Path: so.payload.Name(), Kind: kind, SSRC: so.ssrc, Packets: len(so.seen)})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, err
}

func sanitize(s string) string {
	return strings.NewReplacer(":", "_", "[", "", "]", "", "/", "_").Replace(s)
}
