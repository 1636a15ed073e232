// Command gen writes the sample captures of mikeyscope (samples/*.pcap,
// *.pcapng) with their keys files and truth manifests. The output is
// deterministic: fixed seeds, fixed timestamps starting 2026-11-02T10:00:00Z.
//
//	go run ./samples/gen -out samples
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
)

// sample is one capture the generator writes.
type sample struct {
	name   string // file name without extension
	format pcapwrite.Format
	build  func() (*built, error)
}

// built is what a sample builder returns: the frame generators, the
// manifest to fill and the keys file text.
type built struct {
	gens    []scenario.Generator
	truth   *Truth
	record  func(n int, f *scenario.Frame) error
	keys    string
	builder *framebuild.Builder
}

var catalogue = []sample{
	{"sip-udp-psk", pcapwrite.FormatPcap, sipUDPPSK},
	{"sip-tcp-psk", pcapwrite.FormatPcap, sipTCPPSK},
	{"rtsp-null-mikey", pcapwrite.FormatPcap, rtspNullMIKEY},
	{"rtsp-rekey", pcapwrite.FormatPcap, rtspRekey},
	{"sip-udp-fragmented", pcapwrite.FormatPcap, sipUDPFragmented},
	{"sip-ipv6-fragmented", pcapwrite.FormatPcapng, sipIPv6Fragmented},
	{"sip-udp-gcm", pcapwrite.FormatPcap, sipUDPGCM},
	{"sip-udp-dhhmac", pcapwrite.FormatPcap, sipUDPDHHMAC},
	{"sip-udp-roc", pcapwrite.FormatPcap, sipUDPROC},
	{"sip-gtpu-psk", pcapwrite.FormatPcap, sipGTPU},
	{"sip-udp-proxied", pcapwrite.FormatPcap, sipUDPProxied},
	{"sip-hep-psk", pcapwrite.FormatPcap, sipHEP},
	{"broken/wrong-psk", pcapwrite.FormatPcap, brokenWrongPSK},
	{"broken/err-auth-failure", pcapwrite.FormatPcap, brokenErrorAnswer},
	{"broken/clock-skew", pcapwrite.FormatPcap, brokenClockSkew},
	{"sdes/sip-sdes-suites", pcapwrite.FormatPcap, sdesSuitesSample},
	{"sdes/sip-sdes-wrong-key", pcapwrite.FormatPcap, sdesWrongKeySample},
	{"sdes/sip-sdes-mikey", pcapwrite.FormatPcap, sdesMIKEYSample},
	{"sdes/sip-sdes-more-suites", pcapwrite.FormatPcap, sdesMoreSuitesSample},
}

func main() {
	out := flag.String("out", ".", "directory to write the samples to")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	for _, s := range catalogue {
		if err := writeSample(dir, s); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

func ext(f pcapwrite.Format) string {
	if f == pcapwrite.FormatPcapng {
		return ".pcapng"
	}
	return ".pcap"
}

func writeSample(dir string, s sample) error {
	b, err := s.build()
	if err != nil {
		return err
	}
	file := s.name + ext(s.format)
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, file)), 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, file))
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	w, err := pcapwrite.NewWriter(bw, s.format)
	if err != nil {
		return err
	}
	if err := scenario.Write(w, b.gens, b.record); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	b.truth.Generator = "samples/gen"
	b.truth.File = filepath.Base(file)
	b.truth.Format = ext(s.format)[1:]
	b.truth.Keys = filepath.Base(s.name) + ".keys"
	if err := os.WriteFile(filepath.Join(dir, s.name+".keys"), []byte(b.keys), 0o644); err != nil {
		return err
	}
	return writeTruth(b.truth, dir, s.name)
}
