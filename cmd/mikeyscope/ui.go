package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/ui"
)

// runUI opens the terminal UI over capture files or a live interface. The
// analysis runs in the background (analysis.Job); the screens fill in as it
// reads, and keys added in the UI rerun it.
func runUI(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mikeyscope", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o reportOptions
	o.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mikeyscope [key flags] FILE...   or   mikeyscope -i IFACE [-f FILTER] [key flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorderFlags(fs, args)); err != nil {
		return 2
	}
	files := fs.Args()
	st, kl, err := o.prepare(files, stderr, "the terminal UI")
	if err != nil {
		fmt.Fprintf(stderr, "mikeyscope: %v\n", err)
		return 2
	}
	live := o.live()
	var open func() (capture.Source, error)
	var liveSrc capture.Source
	var total int64
	title := strings.Join(files, ", ")
	switch {
	case live:
		title = o.liveTitle()
		if o.filter != "" {
			title += " (" + o.filter + ")"
		}
		// Opened once, before the analysis options: the listeners' ports
		// join the HEP ports. A live Job does not reopen its source.
		src, err := o.openLiveInputs()
		if err != nil {
			fmt.Fprintf(stderr, "mikeyscope: %v\n", err)
			return 2
		}
		liveSrc = src
		open = func() (capture.Source, error) { return src, nil }
	case len(files) == 0:
		fs.Usage()
		return 2
	default:
		for _, f := range files {
			fi, err := os.Stat(f)
			if err != nil {
				fmt.Fprintf(stderr, "mikeyscope: %v\n", err)
				return 2
			}
			total += fi.Size()
		}
		open = func() (capture.Source, error) { return openFiles(files) }
	}
	opts := analysis.Options{Keys: st, ShowKeys: o.keys.showKeys, ClockSkew: o.clockSkew, Trees: true, SignalText: true, TLSKeyLog: kl, TLSSecretsUsed: o.secretsHook(), MaxSessions: o.maxSessions, HEP: o.hepOptions()}
	inputs := files
	if live {
		inputs = []string{title}
	}
	job, err := analysis.StartJob(open, inputs, total, live, opts, dissect.Options{MaxSessions: o.maxSessions})
	if err != nil {
		fmt.Fprintf(stderr, "mikeyscope: %v\n", err)
		return 2
	}
	defer job.Close()
	if live {
		stopMetrics, err := o.serveMetrics(liveSrc, job.Counters)
		if err != nil {
			fmt.Fprintf(stderr, "mikeyscope: %v\n", err)
			return 2
		}
		defer stopMetrics()
	}
	if err := ui.Run(job, ui.Options{Title: title, ShowKeys: o.keys.showKeys}); err != nil {
		fmt.Fprintf(stderr, "mikeyscope: %v\n", err)
		return 2
	}
	job.Close() // the capture stops; the -w files are closed
	if o.writer != nil {
		if f := o.writer.Stats().Failure; f != nil {
			// Shown in the status bar while the UI ran; said again
			// once the terminal is back.
			fmt.Fprintf(stderr, "mikeyscope: %s\n", writeFailureLine(*f))
			return 2
		}
	}
	return 0
}
