// Command pipeprof runs the whole analysis pipeline (analysis.Run, as
// `mikeyscope report` does) over a capture and prints the wall time, the
// CPU time, packets/s and MB/s, optionally writing CPU and heap profiles
// for `go tool pprof` (issue #9).
//
//	go run ./bench/pipeprof -keys bench/out/rtsp-big.keys -cpuprofile cpu.prof bench/out/rtsp-big.pcap
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/keys"
)

func main() {
	keyFile := flag.String("keys", "", "keys file")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	memProfile := flag.String("memprofile", "", "write an allocation profile to this file")
	heapProfile := flag.String("heapprofile", "", "write a profile of the heap live at the end of the last pass (the analyzer's state) to this file")
	count := flag.Int("n", 1, "passes")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: pipeprof [-keys FILE] [-cpuprofile FILE] [-memprofile FILE] [-n PASSES] CAPTURE")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *keyFile, *cpuProfile, *memProfile, *heapProfile, *count); err != nil {
		fmt.Fprintln(os.Stderr, "pipeprof:", err)
		os.Exit(1)
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func run(file, keyFile, cpuProfile, memProfile, heapProfile string, passes int) error {
	var st *keys.Store
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
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if memProfile != "" || heapProfile != "" {
		runtime.MemProfileRate = 4096
	}
	var last *analysis.Analyzer
	for i := 0; i < passes; i++ {
		wall, cpu := time.Now(), cpuTime()
		src, err := capture.OpenFiles(file)
		if err != nil {
			return err
		}
		a := analysis.New(analysis.Options{Keys: st})
		if err := analysis.Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
			return err
		}
		src.Close()
		frames := a.Finish().Summary.Frames
		last = a
		w, c := time.Since(wall), cpuTime()-cpu
		fmt.Printf("%s: %d frames, wall %.3f s (%.0f packets/s, %.1f MB/s), CPU %.3f s (%.1f MB/s of CPU)\n",
			file, frames, w.Seconds(), float64(frames)/w.Seconds(), float64(fi.Size())/1e6/w.Seconds(),
			c.Seconds(), float64(fi.Size())/1e6/c.Seconds())
	}
	if heapProfile != "" {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Printf("live heap after the last pass: %.1f MB in %d objects\n", float64(ms.HeapAlloc)/1e6, ms.HeapObjects)
		f, err := os.Create(heapProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			return err
		}
		runtime.KeepAlive(last)
	}
	if memProfile != "" {
		f, err := os.Create(memProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		return pprof.Lookup("allocs").WriteTo(f, 0)
	}
	return nil
}
