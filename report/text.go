// Package report renders an analysis.Report as text (for people) and JSON
// (for audits and CI, schema mikeyscope.report/v1, documented in
// docs/report-schema.json).
package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/internal/safetext"
	"github.com/mikeyscope/mikeyscope/mikey"
)

// TextOptions selects what the text report shows.
type TextOptions struct {
	Verbose bool // include every signalling message and the causes/fixes of notes
	// Trees prints each MIKEY message's full field tree (with byte
	// offsets) under it, as report --tree does in JSON.
	Trees bool
	// Spool holds sessions written out during the pass (NewTextSpool with
	// the same options); they are listed with the report's own, by ID.
	Spool *Spool
}

// WriteText writes the human-readable report. Wire-derived text is passed
// through safetext.Escape so control characters and bidirectional
// overrides cannot reach the terminal.
func WriteText(w io.Writer, r *analysis.Report, opts TextOptions) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	s := r.Summary
	// A capture that spans days shows dates with every time.
	stamp := clockStamp
	if analysis.SpansDays(s.First, s.Last) {
		stamp = dateStamp
	}
	p("mikeyscope report: %s\n", strings.Join(r.Inputs, ", "))
	p("  %d frames, %s", s.Frames, byteCount(s.Bytes))
	if !s.First.IsZero() {
		p(", %s to %s (%s)", stamp(s.First), stamp(s.Last), analysis.FormatDuration(s.Last.Sub(s.First)))
	}
	p("\n  %d sessions, %d MIKEY messages, %d streams; findings: %d errors, %d warnings, %d notes\n",
		s.Sessions, s.MIKEYMessages, s.Streams, s.Errors, s.Warnings, s.Notes)
	if s.ReadError != "" {
		p("  capture read stopped early: %s\n", safetext.Escape(s.ReadError))
	}
	if l := s.Live; l != nil {
		p("  live capture: the kernel passed %d packets, dropped %d (ring full %d times); the exact filter removed %d\n",
			l.Received, l.Dropped, l.RingFreezes, l.FilterRemoved)
	}
	if w := s.Write; w != nil {
		p("  -w files: %d frames written", w.FramesWritten)
		if w.Failure != "" {
			p("; writing failed (%s): %d frames not written", safetext.Escape(w.Failure), w.FramesNotWritten)
			if w.FirstFrameNotWritten > 0 {
				p(", from frame %d on", w.FirstFrameNotWritten)
			}
		}
		p("\n")
	}
	if s.RecordedDrops > 0 {
		p("  the capturing tool recorded %d dropped packets\n", s.RecordedDrops)
	}
	if s.HEP != nil {
		p("  %s\n", safetext.Escape(hepLine(s.HEP)))
	}
	for _, c := range findingsByCode(r.Findings, r.Retired) {
		switch {
		case c.sessions == 0:
			p("  %-7s %-28s %6d capture-wide\n", c.severity, c.code, c.n)
		case c.wide > 0:
			p("  %-7s %-28s %6d in %d session(s) and capture-wide\n", c.severity, c.code, c.n, c.sessions)
		default:
			p("  %-7s %-28s %6d in %d session(s)\n", c.severity, c.code, c.n, c.sessions)
		}
	}

	findingsBySession := map[int][]*analysis.Finding{}
	var global []*analysis.Finding
	for _, f := range r.Findings {
		if f.Session == 0 {
			global = append(global, f)
		} else {
			findingsBySession[f.Session] = append(findingsBySession[f.Session], f)
		}
	}

	dated := analysis.SpansDays(s.First, s.Last)
	err := mergeSessions(r.Sessions, opts.Spool, "text", func(ss *analysis.Session) error {
		writeSession(bw, ss, opts, stamp)
		writeSessionFindings(bw, findingsBySession[ss.ID], opts)
		return nil
	}, func(id int, b []byte, split int) error {
		// The spool holds the session with clock times, then with dates.
		if dated {
			bw.Write(b[split:])
		} else {
			bw.Write(b[:split])
		}
		writeSessionFindings(bw, findingsBySession[id], opts)
		return nil
	})
	if err != nil {
		return err
	}
	if len(r.Streams) > 0 {
		p("\nStreams not tied to any session\n")
		for _, st := range r.Streams {
			writeStream(bw, st)
		}
	}
	if len(global) > 0 {
		p("\nOther findings\n")
		for _, f := range global {
			writeFinding(bw, f, opts, "  ")
		}
	}
	if len(r.Keys) > 0 {
		p("\nSupplied keys\n")
		for _, k := range r.Keys {
			p("  %-8s %s (%s)", k.Kind, k.Fingerprint, safetext.Escape(k.Source))
			if len(k.Verified) > 0 {
				p(" verified frames %s", analysis.FrameList(k.Verified))
			} else {
				p(" verified nothing")
			}
			p("\n")
		}
	}
	if len(r.MCKeys) > 0 {
		p("\nDistributed MC keys\n")
		for _, k := range r.MCKeys {
			p("  %s %s %s", safetext.Escape(k.Purpose), safetext.Escape(k.KeyID), safetext.Escape(k.Key))
			if k.KeyHex != "" {
				p(" (%s)", k.KeyHex)
			}
			for i, d := range k.Deliveries {
				sep := ";"
				if i == 0 {
					sep = ", delivered in"
				}
				p("%s frame %d", sep, d.Frame)
				if d.Member != "" {
					p(" to %s", safetext.Escape(d.Member))
				}
				if d.GUKID != "" {
					p(" (GUK-ID %s %s)", d.GUKID, safetext.Escape(d.GUKCheck))
				}
			}
			if k.Purpose == "GMK" {
				p("; keyed %d SRTP streams of other dialogs", k.Streams)
			}
			p("\n")
		}
	}
	return bw.Flush()
}

// writeSession writes a session's part of the text report up to its
// findings (a spool keeps it so; the findings come from the report).
//
// stamp writes times: clockStamp, or dateStamp when the capture spans
// days (which a spool does not know yet: it keeps both renderings).
func writeSession(bw *bufio.Writer, ss *analysis.Session, opts TextOptions, stamp func(time.Time) string) {
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("\nSession %d  %s  %s\n", ss.ID, strings.ToUpper(ss.Carrier), safetext.Escape(ss.Title()))
	p("  %s to %s", stamp(ss.Start), stamp(ss.End))
	if ss.Transport != "" {
		p(", over %s", ss.Transport)
	}
	mode := ss.Mode
	if mode == "" {
		mode = "no MIKEY"
	}
	p("; MIKEY mode %s; keys %s", mode, ss.KeyStatus)
	if ss.Keying != "" && !strings.HasPrefix(ss.Keying, "MIKEY") {
		p("; keying %s", safetext.Escape(ss.Keying))
	}
	p("\n")
	if ss.Carrier == "sip" {
		final := ss.FinalStatus
		if final == "" {
			final = "none seen"
		}
		p("  Call-ID %s; final response %s\n", safetext.Escape(ss.Key), safetext.Escape(final))
	}
	if len(ss.Path) > 0 {
		p("  relayed by proxy: %s (%d legs)\n", safetext.Escape(strings.Join(ss.Path, " -> ")), len(ss.Path)-1)
	}
	if via := signalVia(ss); via != "" {
		p("  signalling %s\n", safetext.Escape(via))
	}
	if opts.Verbose && len(ss.Signals) > 0 {
		p("  Signalling\n")
		for _, sg := range ss.Signals {
			mark := ""
			if sg.MIKEY > 0 {
				mark = "  [MIKEY]"
			}
			if sg.RelayOf != 0 {
				mark += fmt.Sprintf("  (relay of frame %d)", sg.RelayOf)
			}
			p("    frame %-6d %s  %s -> %s  %s%s%s\n", sg.Frame, stamp(sg.Time), sg.Src, sg.Dst, safetext.Escape(sg.Summary), mark, safetext.Escape(seenText(sg)))
		}
	}
	if len(ss.MIKEY) > 0 {
		p("  MIKEY messages\n")
		for _, m := range ss.MIKEY {
			p("    frame %-6d %s  %s -> %s  %s (%s)  CSB ID %s  in %s  auth: %s", m.Frame, stamp(m.Time), m.Src, m.Dst,
				m.DataType, m.Role, m.CSBID, m.Where, m.Auth)
			if m.KeyFP != "" {
				p(" with %s", m.KeyFP)
			}
			if m.RelayOf != 0 {
				p(" (relayed copy of frame %d)", m.RelayOf)
			}
			if m.Detail != "" {
				p(" (%s)", safetext.Escape(m.Detail))
			}
			if m.Error != "" {
				p("\n      decode error: %s", safetext.Escape(m.Error))
			}
			if m.MC != nil {
				p("\n      MC key: %s", safetext.Escape(m.MC.String()))
			}
			p("\n")
			if opts.Trees && m.Tree != nil {
				writeTree(bw, m.Tree, 3)
			}
		}
	}
	if len(ss.CryptoSessions) > 0 {
		p("  Crypto sessions\n")
		for _, cs := range ss.CryptoSessions {
			if cs.Source == "sdes" && cs.Media != nil {
				p("    SDES media %d tag %d  %s", *cs.Media, cs.Tag, safetext.Escape(cs.Policy))
			} else {
				p("    CS %d  SSRC %s  ROC %d  policy %d %s", cs.CSID, cs.SSRC, cs.ROC, cs.PolicyNo, cs.Policy)
			}
			if cs.MKI != "" {
				p("  MKI %s", cs.MKI)
			}
			switch {
			case cs.KeyHex != "":
				p("  key %s salt %s", cs.KeyHex, cs.SaltHex)
			case cs.KeyFP != "":
				p("  key %s", cs.KeyFP)
			default:
				p("  key unknown")
			}
			if cs.FromFrame != 0 {
				p("  from frame %d", cs.FromFrame)
			} else if cs.Source != "" {
				p("  from %s", cs.Source)
			}
			p("\n")
		}
	}
	if len(ss.Streams) > 0 {
		p("  Streams\n")
		for _, st := range ss.Streams {
			writeStream(bw, st)
		}
	}
}

// writeSessionFindings writes the findings of a session.
func writeSessionFindings(bw *bufio.Writer, fs []*analysis.Finding, opts TextOptions) {
	if len(fs) > 0 {
		fmt.Fprintf(bw, "  Findings\n")
		for _, f := range fs {
			writeFinding(bw, f, opts, "    ")
		}
	}
}

// writeTree prints a MIKEY field tree, two spaces a level from depth, each
// field with its byte offset and length; wire text is escaped.
func writeTree(w *bufio.Writer, f *mikey.Field, depth int) {
	w.WriteString(strings.Repeat("  ", depth))
	w.WriteString(safetext.Escape(f.Label()))
	w.WriteByte('\n')
	for _, c := range f.Children {
		writeTree(w, c, depth+1)
	}
}

func writeStream(w io.Writer, st *analysis.Stream) {
	fmt.Fprintf(w, "    %-4s %s  %s -> %s  packets %d, authenticated %d, auth failed %d, decrypted %d",
		st.Kind, st.SSRC, st.Src, st.Dst, st.Packets, st.Authenticated, st.AuthFailed, st.Decrypted)
	h := st.Health
	if h.Lost > 0 || h.Duplicates > 0 || h.OutOfOrder > 0 {
		fmt.Fprintf(w, ", lost %d, duplicates %d, out of order %d", h.Lost, h.Duplicates, h.OutOfOrder)
	}
	if st.MaxJitterMS > 0 {
		fmt.Fprintf(w, ", RFC 3550 interarrival jitter %.2f ms last, %.2f ms max", st.JitterMS, st.MaxJitterMS)
	}
	fmt.Fprintf(w, "  [%s]\n", st.KeyStatus)
}

func writeFinding(w io.Writer, f *analysis.Finding, opts TextOptions, indent string) {
	where := ""
	if f.Frame != 0 {
		where = fmt.Sprintf(" frame %d", f.Frame)
	}
	count := ""
	if f.Count > 1 {
		count = fmt.Sprintf(" (x%d)", f.Count)
	}
	fmt.Fprintf(w, "%s%-7s %s%s: %s%s\n", indent, f.Severity, f.Code, where, safetext.Escape(f.Summary), count)
	if f.Severity > analysis.SeverityNote || opts.Verbose {
		fmt.Fprintf(w, "%s        cause: %s\n%s        fix:   %s\n", indent, safetext.Escape(f.Cause), indent, safetext.Escape(f.Fix))
	}
}

// clockStamp writes a capture time of a capture within one day.
func clockStamp(t time.Time) string { return analysis.FormatTime(t, false) }

// dateStamp writes a capture time with its date, for captures that span
// days.
func dateStamp(t time.Time) string { return analysis.FormatTime(t, true) }

func byteCount(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// codeCount is how often one finding code occurs in a report.
type codeCount struct {
	code     string
	severity analysis.Severity
	n        int
	sessions int // distinct sessions
	wide     int // capture-wide findings (session 0)
}

// findingsByCode counts the findings per code, most severe first, then most
// frequent: the overview an audit of a large capture starts from.
//
// retired tallies the findings of sessions written out during the pass
// (analysis.Report.Retired), which fs does not hold.
func findingsByCode(fs []*analysis.Finding, retired map[string]analysis.CodeTally) []codeCount {
	byCode := map[string]*codeCount{}
	seen := map[string]map[int]bool{}
	for code, t := range retired {
		byCode[code] = &codeCount{code: code, severity: t.Severity, n: t.Findings, sessions: t.Sessions}
		seen[code] = map[int]bool{}
	}
	for _, f := range fs {
		c := byCode[f.Code]
		if c == nil {
			c = &codeCount{code: f.Code, severity: f.Severity}
			byCode[f.Code] = c
			seen[f.Code] = map[int]bool{}
		}
		c.n++
		c.severity = max(c.severity, f.Severity)
		if f.Session == 0 {
			c.wide++
		}
		if f.Session != 0 && !seen[f.Code][f.Session] {
			seen[f.Code][f.Session] = true
			c.sessions++
		}
	}
	out := make([]codeCount, 0, len(byCode))
	for _, c := range byCode {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].severity != out[j].severity {
			return out[i].severity > out[j].severity
		}
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		return out[i].code < out[j].code
	})
	return out
}
