package analysis_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/fuzzcap"
	"github.com/mikeyscope/mikeyscope/keys"
)

// fuzzLinkTypes are the LINKTYPE_ values the decoder understands; the first
// byte of a FuzzPipeline input picks one.
var fuzzLinkTypes = []uint16{1, 101, 228, 229, 113, 276, 0, 108, 12, 14}

// relink rewrites an untagged Ethernet frame for another link type: raw IP
// (LINKTYPE_RAW, _IPV4, _IPV6, DLT_RAW), Linux cooked v1 and v2, BSD
// loopback (host and network order family).
func relink(frame []byte, link uint16) []byte {
	if len(frame) < 14 {
		return frame
	}
	etype, ip := binary.BigEndian.Uint16(frame[12:]), frame[14:]
	family := uint32(2) // AF_INET
	if etype == 0x86dd {
		family = 24 // AF_INET6 on NetBSD/OpenBSD
	}
	var hdr []byte
	switch link {
	case 1:
		return frame
	case 113: // packet type, ARPHRD_ETHER, address length, address, protocol
		hdr = []byte{0, 0, 0, 1, 0, 6, 2, 0, 1, 2, 3, 4, 0, 0, byte(etype >> 8), byte(etype)}
	case 276: // protocol, reserved, ifindex, ARPHRD_ETHER, packet type, address length, address
		hdr = []byte{byte(etype >> 8), byte(etype), 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 1, 2, 3, 4, 0, 0}
	case 0:
		hdr = binary.LittleEndian.AppendUint32(nil, family)
	case 108:
		hdr = binary.BigEndian.AppendUint32(nil, family)
	}
	return append(hdr, ip...)
}

// samplePacketSeeds returns, for each sample capture, its first frames and
// a few later ones (signalling, then media), in FuzzPipeline framing.
func samplePacketSeeds(t testing.TB) [][][]byte {
	var seeds [][][]byte
	for _, path := range sampleCaptures(t) {
		src, err := capture.OpenFiles(path)
		if err != nil {
			t.Fatal(err)
		}
		var pkts [][]byte
		var p capture.Packet
		for n := 0; len(pkts) < 10; n++ {
			if err := src.Next(&p); err != nil {
				break
			}
			if n < 7 || n%23 == 0 {
				pkts = append(pkts, bytes.Clone(p.Data))
			}
		}
		src.Close()
		seeds = append(seeds, pkts)
	}
	return seeds
}

// fuzzKeys is a keys store with the samples' PSKs and SRTP keys.
func fuzzKeys(t testing.TB) *keys.Store {
	st, err := fuzzcap.SampleKeys(filepath.Join("..", "samples"))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// runFuzzPipeline runs the pipeline over src and checks what must hold for
// any input: every frame counted, a read error only with its finding, and a
// report that marshals.
//
// Sessions are retired as report retires them (analysis.Options.Retire):
// every session is handed out once, with a unique ID, or is left in the
// report, and the summary counts both; its findings are handed out with
// it, its own and sorted, and the summary counts them with the report's.
func runFuzzPipeline(t *testing.T, src capture.Source, opts analysis.Options, wantFrames int) {
	seen := map[int]bool{}
	var handed int
	opts.RetiredFindings = func(s *analysis.Session, fs []*analysis.Finding) {
		for i, f := range fs {
			if f.Session != s.ID || (i > 0 && analysis.CompareFindings(fs[i-1], f) >= 0) {
				t.Fatalf("finding %+v handed out with session %d, out of place", f, s.ID)
			}
		}
		handed += len(fs)
	}
	opts.Retire = func(s *analysis.Session) {
		if seen[s.ID] {
			t.Fatalf("session %d retired twice", s.ID)
		}
		seen[s.ID] = true
		if _, err := json.Marshal(s); err != nil {
			t.Fatalf("retired session does not marshal: %v", err)
		}
	}
	a := analysis.New(opts)
	if err := analysis.Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	r := a.Finish()
	for _, s := range r.Sessions {
		if seen[s.ID] {
			t.Fatalf("session %d both retired and in the report", s.ID)
		}
	}
	if r.Summary.Sessions != len(seen)+len(r.Sessions) {
		t.Fatalf("summary counts %d sessions, %d retired and %d left", r.Summary.Sessions, len(seen), len(r.Sessions))
	}
	if n := r.Summary.Errors + r.Summary.Warnings + r.Summary.Notes; n != handed+len(r.Findings) {
		t.Fatalf("summary counts %d findings, %d handed out and %d left", n, handed, len(r.Findings))
	}
	if wantFrames >= 0 && r.Summary.Frames != uint64(wantFrames) {
		t.Fatalf("%d frames counted, %d fed", r.Summary.Frames, wantFrames)
	}
	if (r.Summary.ReadError != "") != (len(findingsOf(r, "capture.file-damaged")) == 1) {
		t.Fatalf("read error %q without exactly one file-damaged finding", r.Summary.ReadError)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatalf("report does not marshal: %v", err)
	}
}

// FuzzPipeline feeds raw packet bytes of every supported link type through
// the whole pipeline: network decoding, IP defragmentation, TCP reassembly,
// TLS recognition, SIP/RTSP/SDP dissection, MIKEY decoding and opening with
// the samples' keys, SRTP/SRTCP decryption and the findings. The first byte
// picks the link type; the rest is packets framed by a 16-bit length.
func FuzzPipeline(f *testing.F) {
	for i, pkts := range samplePacketSeeds(f) {
		link := i % len(fuzzLinkTypes)
		var conv [][]byte
		for _, p := range pkts {
			conv = append(conv, relink(p, fuzzLinkTypes[link]))
		}
		f.Add(append([]byte{byte(link)}, fuzzcap.Join(conv)...))
		f.Add(append([]byte{0}, fuzzcap.Join(pkts)...))
	}
	st := fuzzKeys(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 1 || len(data) > 1<<20 {
			return
		}
		link := fuzzLinkTypes[int(data[0])%len(fuzzLinkTypes)]
		pkts := fuzzcap.Split(data[1:])
		runFuzzPipeline(t, &fuzzcap.SliceSource{Pkts: pkts, Link: capture.LinkType(link)}, analysis.Options{Keys: st, Trees: true}, len(pkts))
	})
}

// FuzzCapture feeds whole capture files (pcap, pcapng, gzip) through the
// file readers and the pipeline. Seeds are the samples, the larger ones cut
// short.
func FuzzCapture(f *testing.F) {
	for _, path := range sampleCaptures(f) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 48<<10)])
	}
	st := fuzzKeys(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := capture.OpenReader("fuzz", bytes.NewReader(data))
		if err != nil {
			return
		}
		defer src.Close()
		runFuzzPipeline(t, src, analysis.Options{Keys: st, Trees: true}, -1)
	})
}

// TestRelinkedSeedsDecode checks that the FuzzPipeline seeds are meaningful
// for every link type: the first frames of the SIP PSK sample, rewritten
// for each link type, still give its session and MIKEY message.
func TestRelinkedSeedsDecode(t *testing.T) {
	src, err := capture.OpenFiles(filepath.Join("..", "samples", "sip-udp-psk.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	var pkts [][]byte
	var p capture.Packet
	for len(pkts) < 4 && src.Next(&p) == nil {
		pkts = append(pkts, bytes.Clone(p.Data))
	}
	src.Close()
	for _, link := range fuzzLinkTypes {
		if link == 229 {
			continue // LINKTYPE_IPV6 carries IPv6 only; the sample is IPv4
		}
		var conv [][]byte
		for _, p := range pkts {
			conv = append(conv, relink(p, link))
		}
		a := analysis.New(analysis.Options{})
		if err := analysis.Run(context.Background(), &fuzzcap.SliceSource{Pkts: conv, Link: capture.LinkType(link)}, a, dissect.Options{}, nil); err != nil {
			t.Fatal(err)
		}
		r := a.Finish()
		if len(r.Sessions) != 1 || r.Summary.MIKEYMessages == 0 {
			t.Errorf("link type %d: %d sessions, %d MIKEY messages; want the sample's call", link, len(r.Sessions), r.Summary.MIKEYMessages)
		}
	}
}
