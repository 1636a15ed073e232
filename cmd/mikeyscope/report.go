package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/report"
	"github.com/mikeyscope/mikeyscope/tlsdec"
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
	bufferMiB int
	write     string
	ring      ringFlag
	wSecrets  bool
	// writer is the -w writer openLiveInputs opened (nil without -w).
	writer *capture.PcapngWriter
	// writeFailures, when set, gets one line when writing the -w files
	// fails, at once (report; the UI shows it in its status bar).
	writeFailures io.Writer
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
	fs.IntVar(&o.maxSessions, "max-sessions", analysis.DefaultMaxSessions, "sessions in progress tracked at once; past it the least recently active are written out early (a capture.limit finding says so)")
	fs.StringVar(&o.filter, "f", "", "capture filter for live capture (tcpdump syntax subset: udp, tcp, port N, host A, and/or/not), run in the kernel")
	const bufUsage = "live capture: size of the kernel's capture ring in MiB (dumpcap's -B); raise it when the report says the kernel dropped packets"
	fs.IntVar(&o.bufferMiB, "B", capture.DefaultBufferMiB, bufUsage)
	fs.IntVar(&o.bufferMiB, "buffer", capture.DefaultBufferMiB, bufUsage)
	fs.StringVar(&o.write, "w", "", "live capture: also write the captured packets to this pcapng file as they come (dumpcap's -w)")
	o.hep.register(fs)
	fs.Var(&o.ring, "b", "with -w: ring buffer option, as dumpcap's: filesize:kB, files:N, duration:s, packets:N, interval:s, printname:FILE (repeat it); files are named FILE_NNNNN_YYYYMMDDhhmmss.pcapng")
	fs.BoolVar(&o.wSecrets, "w-secrets", false, "with -w and a TLS key log: write the key log lines of the TLS connections the capture decrypts (only those) into the -w files as Decryption Secrets Blocks, so Wireshark or mikeyscope decrypt the files alone; the files then hold secrets")
}

// ringFlag collects -b options.
type ringFlag struct {
	opts capture.RingOptions
	set  bool
}

func (r *ringFlag) String() string { return "" }

func (r *ringFlag) Set(s string) error {
	r.set = true
	return capture.ParseRingOption(s, &r.opts)
}

// openFiles opens the capture files. When one is a pipe or a FIFO (which
// may pause: tcpdump -w - | ...), it is read on a goroutine of its own so
// that the analysis can show what arrived before a pause without waiting
// for more (capture.WithIdle).
func openFiles(files []string) (capture.Source, error) {
	src, err := capture.OpenFiles(files...)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil && !fi.Mode().IsRegular() {
			return capture.WithIdle(src), nil
		}
	}
	return src, nil
}

// maxBufferMiB bounds -B: the ring is locked in memory.
const maxBufferMiB = 4096

// openLive opens the live capture the flags ask for.
func (o *reportOptions) openLive() (capture.Source, error) {
	if o.bufferMiB < 1 || o.bufferMiB > maxBufferMiB {
		return nil, fmt.Errorf("-B %d: the capture ring size is 1 to %d MiB", o.bufferMiB, maxBufferMiB)
	}
	if o.ring.set && o.write == "" {
		return nil, fmt.Errorf("-b needs -w FILE")
	}
	return capture.OpenLive(o.iface, o.filter, capture.LiveOptions{BufferSize: o.bufferMiB << 20})
}

// teeWrite writes the packets of input iface of src (the interface of the
// merged live source) to the -w files. The writer sits after the merge, on
// the goroutine of the analysis, so that the TLS secrets the analysis
// finds at a ClientHello go into the file before the next packet.
func (o *reportOptions) teeWrite(src capture.Source, iface capture.Source, input int) (capture.Source, error) {
	w, err := capture.CreatePcapng(o.write, o.ring.opts, iface.(capture.StatsReporter).Stats)
	if err != nil {
		return nil, err
	}
	o.writer = w
	t := capture.TeeInput(src, w, input)
	if out := o.writeFailures; out != nil {
		t.(capture.WriteReporter).OnWriteFailure(func(f capture.WriteFailure) {
			fmt.Fprintf(out, "mikeyscope: %s\n", writeFailureLine(f))
		})
	}
	return t, nil
}

// writeFailureLine says what a -w failure lost, in one line.
func writeFailureLine(f capture.WriteFailure) string {
	if f.Frame == 0 {
		return f.Error() + "; every frame was written, the last file lacks its closing statistics block"
	}
	return fmt.Sprintf("%s; frames from %d on are not written (the capture and its analysis go on)", f.Error(), f.Frame)
}

// writeFailed reports whether writing the -w files failed (the exit
// status is then 2, the report being whole).
func (o *reportOptions) writeFailed() bool {
	return o.writer != nil && o.writer.Stats().Failure != nil
}

// checkSecrets rejects --w-secrets without a TLS key log, before the
// capture opens.
func (o *reportOptions) checkSecrets(kl *tlsdec.KeyLog) error {
	if o.wSecrets && kl == nil {
		return fmt.Errorf("--w-secrets needs a TLS key log (--tls-keylog FILE, a keys file's tls-keylog line, or SSLKEYLOGFILE)")
	}
	return nil
}

// secretsHook returns the analysis hook that puts the TLS secrets used
// into the -w files (--w-secrets), or nil.
func (o *reportOptions) secretsHook() func(*tlsdec.Secrets) {
	w := o.writer
	if !o.wSecrets || w == nil {
		return nil
	}
	return func(s *tlsdec.Secrets) { w.UseSecrets(s.ClientRandom, s) }
}

// printNameStdout says whether -b printname writes the file names to
// stdout, where the JSON report, the JSON lines or the terminal UI are.
func (o *reportOptions) printNameStdout() bool {
	return o.ring.opts.PrintName == "stdout" || o.ring.opts.PrintName == "-"
}

// checkPrintName rejects -b printname:stdout when stdout carries
// stdoutUse ("the JSON", "the terminal UI"; "": stdout is free): the file
// names would be mixed into output that is not theirs.
func (o *reportOptions) checkPrintName(stdoutUse string) error {
	if stdoutUse != "" && o.printNameStdout() {
		return fmt.Errorf("-b printname:stdout would mix the file names into %s on stdout; use printname:stderr or printname:FILE", stdoutUse)
	}
	return nil
}

// checkLiveFlags rejects live-capture flags given without -i.
func (o *reportOptions) checkLiveFlags() error {
	if o.iface == "" && (o.write != "" || o.ring.set || o.filter != "" || o.wSecrets) {
		return fmt.Errorf("-f, -w, -b and --w-secrets apply to a live capture (-i IFACE)")
	}
	if o.wSecrets && o.write == "" {
		return fmt.Errorf("--w-secrets needs -w FILE")
	}
	return nil
}

// prepare checks the flags shared by report, export and the UI once they
// are parsed, and loads the keys and the TLS key log of files, in one
// order: the keys files, --metrics (checkMetrics), the live-capture flags
// (checkLiveFlags), -b printname:stdout when stdout carries stdoutUse (""
// when the caller checks it itself or stdout is free), the TLS key log,
// --w-secrets (checkSecrets). The first error is a usage or file error
// (exit status 2).
func (o *reportOptions) prepare(files []string, stderr io.Writer, stdoutUse string) (*keys.Store, *tlsdec.KeyLog, error) {
	st, err := o.keys.store(stderr)
	if err != nil {
		return nil, nil, err
	}
	if err := o.checkMetrics(); err != nil {
		return nil, nil, err
	}
	if err := o.checkLiveFlags(); err != nil {
		return nil, nil, err
	}
	if err := o.checkPrintName(stdoutUse); err != nil {
		return nil, nil, err
	}
	kl, err := analysis.LoadTLSKeyLog(st, files)
	if err != nil {
		return nil, nil, err
	}
	if err := o.checkSecrets(kl); err != nil {
		return nil, nil, err
	}
	return st, kl, nil
}

// analyse runs one pass over the files (or the live interface) and returns
// the report. A usage or file error returns an error (exit status 2).
//
// retire, when set, adjusts the analysis options (report sets its Retire
// and Finding writers there).
func (o *reportOptions) analyse(files []string, stderr io.Writer, trees bool, hook analysis.MediaHook, retire func(*analysis.Options)) (*analysis.Report, error) {
	st, kl, err := o.prepare(files, stderr, "")
	if err != nil {
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
		src, err = openFiles(files)
	}
	if err != nil {
		return nil, err
	}
	defer src.Close()
	o.tlsKeyLog = kl
	aopts := analysis.Options{Keys: st, ShowKeys: o.keys.showKeys, ClockSkew: o.clockSkew, Trees: trees, Hook: hook, TLSKeyLog: kl, TLSSecretsUsed: o.secretsHook(), MaxSessions: o.maxSessions, HEP: o.hepOptions()}
	if retire != nil {
		retire(&aopts)
	}
	a := analysis.New(aopts)
	a.SetInputs(inputs)
	stopMetrics, err := o.serveMetrics(src, a.Counters)
	if err != nil {
		return nil, err
	}
	defer stopMetrics()
	// Interrupt (^C) or SIGTERM end a live capture; the report covers
	// everything read until then.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_ = analysis.Run(ctx, src, a, dissect.Options{MaxSessions: o.maxSessions}, nil)
	// A -w failure was told when it happened (o.writeFailures and the
	// capture.write-failed finding); Run flushed and closed the files.
	src.Close()
	writeHeapProfile() // the state of the pass is live until Finish
	r := a.Finish()
	runtime.KeepAlive(a)
	return r, nil
}

// runReport implements `mikeyscope report [--json] [key flags] FILE...`.
// Exit status: 0 when no finding reaches --fail-on, 1 when one does, 2 on a
// usage or file error.
func runReport(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o reportOptions
	o.register(fs)
	asJSON := fs.Bool("json", false, "print the report as one compact JSON document (schema mikeyscope.report/v1)")
	pretty := fs.Bool("pretty", false, "with --json: indent the document by two spaces")
	asLines := fs.Bool("jsonl", false, "print JSON lines as things happen: a finding when raised, a session when it ends, a summary last (docs/report-lines-schema.json)")
	trees := fs.Bool("tree", false, "include every MIKEY message's full field tree with byte offsets (text, JSON and JSON lines)")
	idle := fs.Duration("idle-timeout", analysis.DefaultIdleTimeout, "a session with no packet for this long of capture time has ended and is written out (an established SIP call with no media in the capture: an hour, or this when longer)")
	verbose := fs.Bool("v", false, "text: list every signalling message and the cause/fix of notes too")
	failOn := fs.String("fail-on", "error", "exit 1 when a finding reaches this severity: note, warning, error or none")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mikeyscope report [--json [--pretty] | --jsonl] [--fail-on SEVERITY] [key flags] FILE...\n       mikeyscope report -i IFACE [-f FILTER] ...\n       mikeyscope report --hep-listen udp:ADDR:PORT [-i IFACE] [--metrics ADDR] ...")
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
	usage := func(msg string) int {
		fmt.Fprintf(stderr, "mikeyscope report: %s\n", msg)
		return 2
	}
	var printNameErr error
	if *asJSON || *asLines {
		printNameErr = o.checkPrintName("the JSON")
	}
	switch {
	case *asJSON && *asLines:
		return usage("--json and --jsonl exclude each other")
	case *pretty && !*asJSON:
		return usage("--pretty applies to --json only")
	case printNameErr != nil:
		return usage(printNameErr.Error())
	case *idle <= 0:
		return usage("--idle-timeout must be positive")
	case o.maxSessions <= 0:
		return usage("--max-sessions must be positive")
	}
	// Sessions that have ended are written out during the pass: to stdout
	// with --jsonl, else to a spool file the report is assembled from.
	jopts := report.JSONOptions{Trees: *trees, Pretty: *pretty}
	topts := report.TextOptions{Verbose: *verbose, Trees: *trees}
	var lines *report.JSONLines
	var spool *report.Spool
	switch {
	case *asLines:
		lines = report.NewJSONLines(stdout, jopts)
	case *asJSON:
		spool, err = report.NewJSONSpool(jopts)
	default:
		spool, err = report.NewTextSpool(topts)
	}
	if err != nil {
		// Without a spool file (no writable temporary directory) every
		// session stays in memory, as before sessions were written out.
		fmt.Fprintf(stderr, "mikeyscope report: %v; finished sessions stay in memory\n", err)
		spool = nil
	}
	defer spool.Close()
	jopts.Spool, topts.Spool = spool, spool
	o.writeFailures = stderr
	r, err := o.analyse(fs.Args(), stderr, *trees, nil, func(ao *analysis.Options) {
		ao.IdleTimeout = *idle
		switch {
		case lines != nil:
			// Each finding is a line when raised: those of a retired
			// session need not stay.
			ao.Retire, ao.Finding = lines.Session, lines.Finding
			ao.RetiredFindings = func(*analysis.Session, []*analysis.Finding) {}
		case spool != nil:
			ao.Retire, ao.RetiredFindings = spool.Add, spool.AddFindings
		}
	})
	if err != nil {
		fmt.Fprintf(stderr, "mikeyscope report: %v\n", err)
		return 2
	}
	switch {
	case lines != nil:
		err = lines.Finish(r)
	case *asJSON:
		err = report.WriteJSON(stdout, r, jopts)
	default:
		err = report.WriteText(stdout, r, topts)
	}
	if err != nil {
		fmt.Fprintf(stderr, "mikeyscope report: %v\n", err)
		return 2
	}
	if o.writeFailed() {
		// The report is whole; the -w files the user asked for are not.
		return 2
	}
	// The summary counts every finding, those of sessions written out
	// during the pass too.
	s := r.Summary
	if (s.Errors > 0 && analysis.SeverityError >= threshold) ||
		(s.Warnings > 0 && analysis.SeverityWarning >= threshold) ||
		(s.Notes > 0 && analysis.SeverityNote >= threshold) {
		return 1
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
