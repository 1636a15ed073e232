package analysis

import (
	"os"
	"regexp"
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
