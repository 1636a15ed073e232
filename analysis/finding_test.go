package analysis

import (
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestCatalogue checks that codes are unique and well formed, every kind
// says a cause and a fix, and the README documents every code.
func TestCatalogue(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^[a-z]+\.[a-z0-9-]+$`)
	seen := map[string]bool{}
	for _, k := range Catalogue {
		if !re.MatchString(k.Code) {
			t.Errorf("code %q is not of the form area.name", k.Code)
		}
		if seen[k.Code] {
			t.Errorf("code %q twice in the catalogue", k.Code)
		}
		seen[k.Code] = true
		if k.Severity < SeverityNote || k.Severity > SeverityError || k.Title == "" || k.Cause == "" || k.Fix == "" {
			t.Errorf("kind %q is incomplete", k.Code)
		}
		if !strings.Contains(string(readme), "`"+k.Code+"`") {
			t.Errorf("README does not document %s", k.Code)
		}
	}
}

func TestErrorPayloadFindingExplainsEveryCode(t *testing.T) {
	for code := uint8(0); code <= 15; code++ {
		f := ErrorPayloadFinding(7, 1, code, "x")
		if f.Code != KindErrorPayload.Code || f.Frame != 7 || f.Cause == KindErrorPayload.Cause || f.Fix == "" {
			t.Errorf("code %d: %+v", code, f)
		}
	}
	if f := ErrorPayloadFinding(1, 1, 200, "unknown (200)"); !strings.Contains(f.Cause, "200") {
		t.Errorf("unregistered code: %+v", f)
	}
}

func TestParseSeverity(t *testing.T) {
	for in, want := range map[string]Severity{"note": SeverityNote, "WARNING": SeverityWarning, "error": SeverityError, "none": SeverityError + 1} {
		got, err := ParseSeverity(in)
		if err != nil || got != want {
			t.Errorf("ParseSeverity(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseSeverity("fatal"); err == nil {
		t.Error("ParseSeverity accepted fatal")
	}
}

// TestCompareFindingsIsTheReportOrder: sorting findings raised in order
// (numbered as add numbers them) by CompareFindings gives SortFindings'
// stable order, ties of frame, severity and code included; so does merging
// sorted subsets of them (the report merges the findings of retired
// sessions this way).
func TestCompareFindingsIsTheReportOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := []Kind{KindDecodeError, KindNoKey, KindSRTPUndecryptable, KindTCPGap, KindCaptureLimit}
	for round := 0; round < 200; round++ {
		var raised []*Finding
		for i := range 1 + rng.IntN(60) {
			f := kinds[rng.IntN(len(kinds))].New(uint64(rng.IntN(8)), rng.IntN(4), fmt.Sprint(i))
			f.seq = uint64(i + 1)
			raised = append(raised, f)
		}
		want := slices.Clone(raised)
		SortFindings(want)
		got := slices.Clone(raised)
		slices.SortFunc(got, CompareFindings)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: CompareFindings order differs from SortFindings", round)
		}
		// Per session, sorted, then merged: the same list.
		parts := map[int][]*Finding{}
		for _, f := range raised {
			parts[f.Session] = append(parts[f.Session], f)
		}
		var merged []*Finding
		for _, p := range parts {
			SortFindings(p)
			merged = append(merged, p...)
		}
		slices.SortStableFunc(merged, CompareFindings)
		if !slices.Equal(merged, want) {
			t.Fatalf("round %d: merged parts differ from the sorted whole", round)
		}
	}
	a, b := KindNoKey.New(5, 1, ""), KindNoKey.New(5, 2, "")
	a.seq, b.seq = 1, 2
	if CompareFindings(a, b) >= 0 || CompareFindings(b, a) <= 0 || CompareFindings(a, a) != 0 {
		t.Error("ties of frame, severity and code are not ordered as raised")
	}
}
