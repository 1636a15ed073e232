package analysis_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
)

// TestFinishSharesWhatSnapshotCopies checks, on every sample with its
// keys, that the report Finish makes from the analyzer's own objects is the
// document a Snapshot (copies) gives at the same point, also when Finish is
// called twice.
func TestFinishSharesWhatSnapshotCopies(t *testing.T) {
	for _, file := range sampleCaptures(t) {
		src, err := capture.OpenFiles(file)
		if err != nil {
			t.Fatal(err)
		}
		a := analysis.New(sampleOptions(t, file))
		err = analysis.Run(context.Background(), src, a, dissect.Options{}, nil)
		src.Close()
		if err != nil {
			t.Fatal(err)
		}
		snap := mustJSON(t, a.Snapshot())
		if got := mustJSON(t, a.Finish()); got != snap {
			t.Errorf("%s: Finish's report differs from a snapshot's", file)
		}
		if got := mustJSON(t, a.Finish()); got != snap {
			t.Errorf("%s: second Finish's report differs", file)
		}
	}
}

func mustJSON(t *testing.T, r *analysis.Report) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
