package report_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/report"
)

// fuzzSource is a capture.Source over Ethernet frames held in memory.
type fuzzSource struct {
	pkts [][]byte
	next int
}

func (s *fuzzSource) Next(p *capture.Packet) error {
	if s.next == len(s.pkts) {
		return io.EOF
	}
	d := s.pkts[s.next]
	s.next++
	*p = capture.Packet{Frame: uint64(s.next), Time: time.Unix(1800000000, 0).Add(time.Duration(s.next) * 20 * time.Millisecond),
		Data: d, OrigLen: len(d), LinkType: capture.LinkTypeEthernet}
	return nil
}

func (s *fuzzSource) Close() error { return nil }

// FuzzWriteJSON checks that WriteJSON, which encodes the sessions and
// findings one element at a time, writes byte for byte what one
// json.Encoder writes for the whole report, with and without trees, on
// reports of fuzzed captures. The input is Ethernet frames, each framed by
// a 16-bit big-endian length (a short remainder is one more frame); the
// seeds are the first frames of every sample, analysed with the samples'
// keys so that MIKEY trees and SRTP statistics appear.
func FuzzWriteJSON(f *testing.F) {
	pcaps, _ := filepath.Glob(filepath.Join("..", "samples", "*.pcap*"))
	more, _ := filepath.Glob(filepath.Join("..", "samples", "*", "*.pcap*"))
	for _, path := range append(pcaps, more...) {
		src, err := capture.OpenFiles(path)
		if err != nil {
			f.Fatal(err)
		}
		var in []byte
		var p capture.Packet
		for n := 0; n < 40 && src.Next(&p) == nil; n++ {
			if p.LinkType != capture.LinkTypeEthernet {
				break
			}
			in = binary.BigEndian.AppendUint16(in, uint16(len(p.Data)))
			in = append(in, p.Data...)
		}
		src.Close()
		if len(in) > 0 {
			f.Add(in)
		}
	}
	var text []byte
	for _, name := range []string{"sip-udp-psk", "sip-udp-dhhmac", "sip-udp-gcm", "rtsp-rekey"} {
		b, err := os.ReadFile(filepath.Join("..", "samples", name+".keys"))
		if err != nil {
			f.Fatal(err)
		}
		text = append(append(text, b...), '\n')
	}
	st, _, err := keys.Parse(text, "samples keys", filepath.Join("..", "samples"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		var pkts [][]byte
		for len(data) > 0 {
			if len(data) < 2 {
				pkts = append(pkts, data)
				break
			}
			n := min(int(binary.BigEndian.Uint16(data)), len(data)-2)
			pkts = append(pkts, data[2:2+n])
			data = data[2+n:]
		}
		a := analysis.New(analysis.Options{Keys: st, Trees: true})
		if err := analysis.Run(context.Background(), &fuzzSource{pkts: pkts}, a, dissect.Options{}, nil); err != nil {
			t.Fatal(err)
		}
		r := a.Finish()
		for _, trees := range []bool{false, true} {
			var got bytes.Buffer
			if err := report.WriteJSON(&got, r, report.JSONOptions{Trees: trees}); err != nil {
				t.Fatalf("trees %v: %v", trees, err)
			}
			want := encodeWhole(t, r, trees)
			if !bytes.Equal(got.Bytes(), want) {
				i := 0
				for i < min(got.Len(), len(want)) && got.Bytes()[i] == want[i] {
					i++
				}
				t.Fatalf("trees %v: streamed document differs from the encoder's at byte %d (%d vs %d bytes)", trees, i, got.Len(), len(want))
			}
			if !json.Valid(got.Bytes()) {
				t.Fatalf("trees %v: not valid JSON", trees)
			}
		}
	})
}
