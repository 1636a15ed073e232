package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/export"
)

func init() {
	subcommands["export"] = runExport
}

// runExport implements `mikeyscope export --out DIR [key flags] FILE...`:
// DIR/decrypted.pcapng (the capture with its media decrypted, see
// export.WriteDecrypted) and per decrypted stream, a pcap of the plain RTP/RTCP in its original
// addressing, a WAV for PCMU/PCMA audio, raw payloads for other codecs.
func runExport(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o reportOptions
	o.register(fs)
	out := fs.String("out", "", "directory to write the exported streams into (required)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mikeyscope export --out DIR [key flags] FILE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorderFlags(fs, args)); err != nil {
		return 2
	}
	if *out == "" {
		fmt.Fprintln(stderr, "mikeyscope export: --out DIR is required")
		return 2
	}
	ex, err := export.New(*out)
	if err != nil {
		fmt.Fprintf(stderr, "mikeyscope export: %v\n", err)
		return 2
	}
	// Finished sessions leave memory as in report (analysis/retire.go):
	// export needs none of them after the pass (the streams' files are
	// written as packets come, decrypted.pcapng from the packet spool),
	// only the count of streams.
	o.writeFailures = stderr // a live capture's -w files (report's line)
	r, err := o.analyse(fs.Args(), stderr, false, ex.Hook, func(ao *analysis.Options) {
		ao.Retire = func(*analysis.Session) {}
	})
	var dec export.File
	var decErr error
	if err == nil && o.iface == "" {
		var st export.DecryptedStats
		dec, st, decErr = ex.WriteDecrypted(context.Background(), export.DecryptedOptions{Inputs: fs.Args(), TLSKeyLog: o.tlsKeyLog})
		if decErr == nil && st.Unplaced > 0 {
			fmt.Fprintf(stderr, "mikeyscope export: %d decrypted packets were not found again in the capture and stay encrypted in %s\n", st.Unplaced, export.DecryptedName)
		}
	}
	files, cerr := ex.Close()
	if cerr == nil {
		cerr = decErr
	}
	if err != nil {
		fmt.Fprintf(stderr, "mikeyscope export: %v\n", err)
		return 2
	}
	if cerr != nil {
		fmt.Fprintf(stderr, "mikeyscope export: %v\n", cerr)
		return 2
	}
	if o.writeFailed() {
		return 2 // told on stderr when it happened
	}
	if len(files) > 0 && dec.Path != "" {
		fmt.Fprintf(stdout, "%-6s %s  %d frames, decrypted media and signalling for plain RTP (open it in Wireshark)\n", dec.Kind, dec.Path, dec.Packets)
	}
	for _, f := range files {
		fmt.Fprintf(stdout, "%-4s %s  %s  %d packets\n", f.Kind, f.SSRC, f.Path, f.Packets)
	}
	if len(files) == 0 {
		fmt.Fprintf(stdout, "nothing decrypted: %d streams, none with usable keys (see `mikeyscope report`)\n", r.Summary.Streams)
		return 1
	}
	return 0
}
