// Command tuiheap drives the terminal UI headless over a capture (as
// `mikeyscope FILE` does: analysis.StartJob with the TUI's options, the
// ui package on a simulated 200x60 terminal), waits until the pass is done
// and shown, goes to the end of the sessions list and back, sorts it by
// each column in turn (reversing it once), back to time, and prints the
// live heap (after two garbage collections, the UI and the job still
// alive) and the peak RSS.
// bench/memory.sh runs it for its "tui" form (TUI=1).
//
//	go run ./bench/tuiheap [-keys FILE] CAPTURE
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/ui"
)

func main() {
	keyFile := flag.String("keys", "", "keys file")
	heapProfile := flag.String("heapprofile", "", "write a profile of the live heap at the end to this file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: tuiheap [-keys FILE] CAPTURE")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *keyFile, *heapProfile); err != nil {
		fmt.Fprintln(os.Stderr, "tuiheap:", err)
		os.Exit(1)
	}
}

func run(file, keyFile, heapProfile string) error {
	if heapProfile != "" {
		runtime.MemProfileRate = 4096
	}
	st := &keys.Store{}
	if keyFile != "" {
		var err error
		if st, _, err = keys.ParseFile(keyFile); err != nil {
			return err
		}
	}
	fi, err := os.Stat(file)
	if err != nil {
		return err
	}
	open := func() (capture.Source, error) { return capture.OpenFiles(file) }
	// The options cmd/mikeyscope's runUI gives a file analysis.
	opts := analysis.Options{Keys: st, Trees: true, SignalText: true, MaxSessions: analysis.DefaultMaxSessions}
	job, err := analysis.StartJob(open, []string{file}, fi.Size(), false, opts, dissect.Options{MaxSessions: analysis.DefaultMaxSessions})
	if err != nil {
		return err
	}
	defer job.Close()
	screen := tcell.NewSimulationScreen("UTF-8")
	if err := screen.Init(); err != nil {
		return err
	}
	u := ui.New(job, screen, ui.Options{Title: file})
	done := make(chan error, 1)
	go func() { done <- u.Run() }()
	time.Sleep(200 * time.Millisecond)
	screen.SetSize(200, 60)
	for !job.Progress().Done {
		time.Sleep(50 * time.Millisecond)
	}
	// The UI shows the last snapshot (it follows the job's updates).
	time.Sleep(time.Second)
	for _, k := range []struct {
		key tcell.Key
		r   rune
	}{{tcell.KeyEnd, 0}, {tcell.KeyHome, 0}, {tcell.KeyRune, 's'}, {tcell.KeyRune, 'S'}, {tcell.KeyRune, 'S'}} {
		screen.InjectKey(k.key, k.r, tcell.ModNone)
		time.Sleep(300 * time.Millisecond)
	}
	for range 6 { // back to sorting by time
		screen.InjectKey(tcell.KeyRune, 's', tcell.ModNone)
	}
	time.Sleep(time.Second)
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p := job.Progress()
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("%s: %d frames, %d sessions retired; live heap %.2f MiB in %d objects; peak RSS %.1f MiB\n",
		file, p.Frames, p.Retired, float64(ms.HeapAlloc)/(1<<20), ms.HeapObjects, float64(ru.Maxrss)/1024)
	if heapProfile != "" {
		f, err := os.Create(heapProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			return err
		}
	}
	runtime.KeepAlive(u)
	u.Stop()
	return <-done
}
