package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/fuzzcap"
	"github.com/mikeyscope/mikeyscope/report"
)

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
		var frames [][]byte
		var p capture.Packet
		for n := 0; n < 40 && src.Next(&p) == nil; n++ {
			if p.LinkType != capture.LinkTypeEthernet {
				break
			}
			frames = append(frames, bytes.Clone(p.Data))
		}
		src.Close()
		if len(frames) > 0 {
			f.Add(fuzzcap.Join(frames))
		}
	}
	st, err := fuzzcap.SampleKeys(filepath.Join("..", "samples"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		pkts := fuzzcap.Split(data)
		a := analysis.New(analysis.Options{Keys: st, Trees: true})
		if err := analysis.Run(context.Background(), &fuzzcap.SliceSource{Pkts: pkts, Link: capture.LinkTypeEthernet}, a, dissect.Options{}, nil); err != nil {
			t.Fatal(err)
		}
		r := a.Finish()
		for _, trees := range []bool{false, true} {
			pretty := trees // both forms, a run each
			var got bytes.Buffer
			if err := report.WriteJSON(&got, r, report.JSONOptions{Trees: trees, Pretty: pretty}); err != nil {
				t.Fatalf("trees %v: %v", trees, err)
			}
			want := encodeWhole(t, r, trees, pretty)
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
