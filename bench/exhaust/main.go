// Command exhaust writes a hostile capture built to exhaust mikeyscope's
// resource limits (issue #8): tens of thousands of SIP Call-IDs each
// announcing its own media flow, tens of thousands of SSRCs on one flow,
// IPv4 datagrams whose last fragment never comes (many small ones and large
// ones), TCP connections with a hole at their start and data waiting beyond
// it, connections that open and never finish a SIP message, and SIP
// messages over the size limit. Running mikeyscope on it must end in
// bounded memory with capture.limit findings; see docs/hardening.md.
//
//	go run ./bench/exhaust -out bench/out/hostile.pcap [-scale 1] [-calls N]
//
// The output is deterministic and streamed (nothing is held in memory);
// the traffic itself is made by internal/hostile.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/mikeyscope/mikeyscope/internal/hostile"
	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
)

func main() {
	out := flag.String("out", "bench/out/hostile.pcap", "capture file to write")
	scale := flag.Int("scale", 1, "multiplies every count of the hostile mix")
	calls := flag.Int("calls", 0, "SIP Call-IDs with a broken MIKEY message (0: 40,000 times -scale)")
	flag.Parse()
	cfg := hostile.Scaled(max(*scale, 1))
	if *calls > 0 {
		cfg.Calls = *calls
	}
	if err := run(*out, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench/exhaust:", err)
		os.Exit(1)
	}
}

func run(path string, cfg hostile.Config) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w, err := pcapwrite.NewWriter(bw, pcapwrite.FormatPcap)
	if err != nil {
		f.Close()
		return err
	}
	if err := hostile.Write(cfg, w.WriteFrame); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	fmt.Printf("%s: %d frames\n", path, w.Frames())
	return f.Close()
}
