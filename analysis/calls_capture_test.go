package analysis_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/keys"
)

// callSpec is scenario.NumberedCall: the i-th of a set of MIKEY-PSK calls
// made by the sample generator's call builder.
func callSpec(i int, start time.Time, packets int) scenario.SIPCallSpec {
	return scenario.NumberedCall(i, start, packets)
}

// writeCalls writes the calls into a pcap file in a test directory and
// returns its path.
func writeCalls(t *testing.T, specs []scenario.SIPCallSpec) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "calls.pcap")
	if err := scenario.WritePcap(path, specs); err != nil {
		t.Fatal(err)
	}
	return path
}

// analyseFile runs the analysis over a capture file.
func analyseFile(t *testing.T, path string, st *keys.Store) *analysis.Report {
	t.Helper()
	src, err := capture.OpenFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a := analysis.New(analysis.Options{Keys: st})
	a.SetInputs([]string{path})
	if err := analysis.Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	return a.Finish()
}
