package ui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mikeyscope/mikeyscope/analysis"
)

// signalPlaces says where a signalling message was seen when it came by
// HEP or was seen more than once: " (via hep agent 2002; also capture
// frame 12)"; "" otherwise.
func signalPlaces(sg *analysis.Signal) string {
	var parts []string
	if sg.Via != "" {
		parts = append(parts, "via "+sg.Via)
	}
	for _, c := range sg.AlsoSeen {
		parts = append(parts, fmt.Sprintf("also %s frame %d", c.Via, c.Frame))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
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
