// Command gen writes the broken sample captures of samples/broken that
// samples/gen does not: a replayed MIKEY-PSK offer (replay.pcap) and a call
// whose SRTP does not match its CS ID map (roc-and-ssrc.pcap), each with
// its keys file. The output is deterministic: fixed keys from a seeded
// generator, fixed timestamps from 2026-11-02T10:00:00Z, IP identification
// numbers from internal/framebuild's counter, SRTP protected by
// github.com/pion/srtp.
//
//	go run ./samples/broken/gen -out samples/broken
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
)

// sample is one capture with its keys file.
type sample struct {
	name  string
	build func() (gens []scenario.Generator, keys string, err error)
}

var catalogue = []sample{
	{"replay", buildReplay},
	{"roc-and-ssrc", buildROCAndSSRC},
}

func main() {
	out := flag.String("out", "samples/broken", "directory to write the samples to")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, s := range catalogue {
		pcap, keys, err := render(s)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.name+".pcap"), pcap, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, s.name+".keys"), []byte(keys), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// render builds one sample's capture bytes and keys file text.
func render(s sample) ([]byte, string, error) {
	gens, keys, err := s.build()
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	w, err := pcapwrite.NewWriter(bw, pcapwrite.FormatPcap)
	if err != nil {
		return nil, "", err
	}
	if err := scenario.Write(w, gens, nil); err != nil {
		return nil, "", err
	}
	if err := bw.Flush(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), keys, nil
}
