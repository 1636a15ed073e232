package ui

import (
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
)

func TestSignalPlaces(t *testing.T) {
	for _, tc := range []struct {
		sg   analysis.Signal
		want string
	}{
		{analysis.Signal{}, ""},
		{analysis.Signal{Via: "hep agent 2002"}, " (via hep agent 2002)"},
		{analysis.Signal{AlsoSeen: []analysis.SignalCopy{{Frame: 7, Via: "hep agent 3 (sbc)"}}}, " (also hep agent 3 (sbc) frame 7)"},
		{analysis.Signal{Via: "hep agent 2002", AlsoSeen: []analysis.SignalCopy{{Frame: 1, Via: "capture"}}}, " (via hep agent 2002; also capture frame 1)"},
	} {
		if got := signalPlaces(&tc.sg); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.sg, got, tc.want)
		}
	}
	s := &analysis.Session{Signals: []*analysis.Signal{{Via: "hep agent 1"}, {}, {Via: "hep agent 2"}, {Via: "hep agent 1"}}}
	if got := flowVia(s); got != " via hep agent 1, hep agent 2" {
		t.Errorf("flowVia %q", got)
	}
}
