package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mikeyscope/mikeyscope/analysis"
)

// hepLine summarises the HEP traffic of the pass in one line.
func hepLine(h *analysis.HEPSummary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "HEP: %d packets, %d SIP", h.Packets, h.SIP)
	var types []string
	for t := range h.ByType {
		if t != "sip" {
			types = append(types, t)
		}
	}
	sort.Strings(types)
	for _, t := range types {
		fmt.Fprintf(&b, ", %d %s (not analysed)", h.ByType[t], t)
	}
	var formats []string
	for f := range h.Inflated {
		formats = append(formats, f)
	}
	sort.Strings(formats)
	for i, f := range formats {
		formats[i] = fmt.Sprintf("%d %s", h.Inflated[f], f)
	}
	if len(formats) > 0 {
		fmt.Fprintf(&b, ", inflated %s", strings.Join(formats, ", "))
	}
	var agents []string
	for _, a := range h.Agents {
		name := "agent " + a.ID
		switch {
		case a.ID == "" && a.Node != "":
			name = "node " + a.Node
		case a.ID == "":
			name = "agent without id"
		case a.Node != "":
			name += " (" + a.Node + ")"
		}
		agents = append(agents, fmt.Sprintf("%s (%d)", name, a.Packets))
	}
	if len(agents) > 0 {
		fmt.Fprintf(&b, "; from %s", strings.Join(agents, ", "))
	}
	for _, x := range []struct {
		n    uint64
		what string
	}{{uint64(h.Duplicates), "also seen on the capture or by another agent"}, {h.KeepAlives, "keep-alives"}, {h.Malformed, "malformed"},
		{h.AuthFailed, "with a wrong auth key"}, {h.Oversized, "oversized, dropped"}, {h.Flood, "over a sender's rate, dropped"},
		{h.Overrun, "dropped while the analysis was behind"}} {
		if x.n > 0 {
			fmt.Fprintf(&b, "; %d %s", x.n, x.what)
		}
	}
	return b.String()
}

// signalVia names the HEP agents that mirrored a session's signalling.
func signalVia(ss *analysis.Session) string {
	var vias []string
	for _, sg := range ss.Signals {
		for _, v := range append([]string{sg.Via}, copyVias(sg)...) {
			if v != "" && v != "capture" && !slices.Contains(vias, v) {
				vias = append(vias, v)
			}
		}
	}
	if len(vias) == 0 {
		return ""
	}
	return "via " + strings.Join(vias, ", ")
}

func copyVias(sg *analysis.Signal) []string {
	var v []string
	for _, c := range sg.AlsoSeen {
		v = append(v, c.Via)
	}
	return v
}

// seenText is the verbose signalling line's note of where the message was
// seen.
func seenText(sg *analysis.Signal) string {
	if seen := sg.Seen(); seen != "" {
		return "  (" + seen + ")"
	}
	return ""
}
