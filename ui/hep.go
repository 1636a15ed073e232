package ui

import (
	"slices"
	"strings"

	"github.com/mikeyscope/mikeyscope/analysis"
)

// signalPlaces says where a signalling message was seen when it came by
// HEP or was seen more than once: " (via hep agent 2002; also capture
// frame 12)"; "" otherwise.
func signalPlaces(sg *analysis.Signal) string {
	if seen := sg.Seen(); seen != "" {
		return " (" + seen + ")"
	}
	return ""
}

// flowVia names the HEP agents of a session's signalling: " via hep agent
// 2002"; "" when all of it was captured.
func flowVia(s *analysis.Session) string {
	var vias []string
	for _, sg := range s.Signals {
		if sg.Via != "" && !slices.Contains(vias, sg.Via) {
			vias = append(vias, sg.Via)
		}
	}
	if len(vias) == 0 {
		return ""
	}
	return " via " + strings.Join(vias, ", ")
}
