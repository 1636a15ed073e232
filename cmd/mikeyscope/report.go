package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/mikeyscope/mikeyscope/tlsdec"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/report"
)

func init() {
	subcommands["report"] = runReport
}

// reportOptions are the analysis options shared by report, export and the UI.
type reportOptions struct {
	keys      keyFlags
	clockSkew time.Duration
	iface     string
	filter    string
	// maxSessions bounds the SIP dialogs and RTSP sessions tracked.
	maxSessions int
	hep         hepFlags // HEP and /metrics (hep.go)
	// tlsKeyLog is what analyse loaded (export reads the files again).
	tlsKeyLog *tlsdec.KeyLog
}

func (o *reportOptions) register(fs *flag.FlagSet) {
	o.keys.register(fs)
	fs.DurationVar(&o.clockSkew, "clock-skew", analysis.DefaultClockSkew, "allowed difference between a MIKEY timestamp and the capture time")
	fs.StringVar(&o.iface, "i", "", "capture live on this interface instead of reading files")
	fs.IntVar(&o.maxSessions, "max-sessions", analysis.DefaultMaxSessions, "sessions tracked at once; past it the least recently active are dropped (a capture.limit finding says so)")
	fs.StringVar(&o.filter, "f", "", "capture filter for live capture (tcpdump syntax subset: udp, tcp, port N, host A, and/or/not)")
	o.hep.register(fs)
}

// analyse runs one pass over the files (or the live interface) and returns
// the report. A usage or file error returns an error (exit status 2).
func (o *reportOptions) analyse(files []string, stderr io.Writer, trees bool, hook analysis.MediaHook) (*analysis.Report, error) {
	st, err := o.keys.store(stderr)
	if err != nil {
		return nil, err
	}
	if err := o.checkMetrics(); err != nil {
		return nil, err
	}
	var src capture.Source
	inputs := files
	if o.live() {
		src, err = o.openLiveInputs()
		inputs = []string{o.liveTitle()}
	} else {
		if len(files) == 0 {
			return nil, fmt.Errorf("no capture file given")
		}
		src, err = capture.OpenFiles(files...)
	}
	if err != nil {
		return nil, err
	}
	defer src.Close()
	kl, err := analysis.LoadTLSKeyLog(st, files)
	if err != nil {
		return nil, err
	}
	o.tlsKeyLog = kl
	a := analysis.New(analysis.Options{Keys: st, ShowKeys: o.keys.showKeys, ClockSkew: o.clockSkew, Trees: trees, Hook: hook, TLSKeyLog: kl, MaxSessions: o.maxSessions, HEP: o.hepOptions()})
	a.SetInputs(inputs)
	stopMetrics, err := o.serveMetrics(src, a.Counters)
	if err != nil {
		return nil, err
	}
	defer stopMetrics()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	_ = analysis.Run(ctx, src, a, dissect.Options{MaxSessions: o.maxSessions}, nil)
	return a.Finish(), nil
}

// runReport implements `mikeyscope report [--json] [key flags] FILE...`.
// Exit status: 0 when no finding reaches --fail-on, 1 when one does, 2 on a
// usage or file error.
func runReport(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o reportOptions
	o.register(fs)
	asJSON := fs.Bool("json", false, "print the report as JSON (schema mikeyscope.report/v1)")
	trees := fs.Bool("tree", false, "include every MIKEY message's full field tree with byte offsets (text and JSON)")
	verbose := fs.Bool("v", false, "text: list every signalling message and the cause/fix of notes too")
	failOn := fs.String("fail-on", "error", "exit 1 when a finding reaches this severity: note, warning, error or none")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mikeyscope report [--json] [--fail-on SEVERITY] [key flags] FILE...\n       mikeyscope report -i IFACE [-f FILTER] ...\n       mikeyscope report --hep-listen udp:ADDR:PORT [-i IFACE] [--metrics ADDR] ...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorderFlags(fs, args)); err != nil {
		return 2
	}
	threshold, err := analysis.ParseSeverity(*failOn)
	if err != nil {
		fmt.Fprintf(stderr, "mikeyscope report: %v\n", err)
		return 2
	}
	r, err := o.analyse(fs.Args(), stderr, *trees, nil)
	if err != nil {
		fmt.Fprintf(stderr, "mikeyscope report: %v\n", err)
		return 2
	}
	if *asJSON {
		err = report.WriteJSON(stdout, r, report.JSONOptions{Trees: *trees})
	} else {
		err = report.WriteText(stdout, r, report.TextOptions{Verbose: *verbose, Trees: *trees})
	}
	if err != nil {
		fmt.Fprintf(stderr, "mikeyscope report: %v\n", err)
		return 2
	}
	for _, f := range r.Findings {
		if f.Severity >= threshold {
			return 1
		}
	}
	return 0
}

// reorderFlags moves flags after positional arguments to the front, so that
// `report FILE --json` works as users expect.
func reorderFlags(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' {
			flags = append(flags, a)
			name := a[1:]
			if len(name) > 0 && name[0] == '-' {
				name = name[1:]
			}
			if eq := indexByte(name, '='); eq >= 0 {
				continue
			}
			if f := fs.Lookup(name); f != nil {
				if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
					continue
				}
				if i+1 < len(args) {
					flags = append(flags, args[i+1])
					i++
				}
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

func indexByte(s string, b byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return i
		}
	}
	return -1
}
