// Package ui is mikeyscope's terminal user interface, built on
// github.com/rivo/tview: a sessions list, a sngrep-style ladder of the
// signalling of one session, the decoded MIKEY field tree beside a hex pane,
// the keys derived and supplied, and the SRTP health and findings of each
// session's streams.
//
// The views read an analysis.Report obtained from a Backend; they never hold
// the analysis lock and never block the packet pipeline. From a
// RowsBackend (an analysis.Job) the report lists the sessions in progress
// and the finished ones stay on disk, in its spool: the sessions screen
// reads the rows it draws, a page at a time. Everything that
// came from the wire is passed through SafeText before it is displayed.
package ui

import "github.com/mikeyscope/mikeyscope/analysis"

// Backend is what the UI displays and drives; *analysis.Job satisfies it.
type Backend interface {
	// Snapshot returns a consistent copy of the model, safe to read from
	// the UI goroutine.
	Snapshot() *analysis.Report
	// Progress reports frames and bytes read, the total (0 for live),
	// and whether the pass is done, live or paused.
	Progress() analysis.JobProgress
	// SetPaused freezes the view (a live capture goes on).
	SetPaused(bool)
	// AddKey adds a keys-file line such as "psk 0011..."; the analysis is
	// redone (files) or the exchanges reopened (live).
	AddKey(spec string) error
	// Updates is signalled (coalesced) when the model changed.
	Updates() <-chan struct{}
}

var _ Backend = (*analysis.Job)(nil)

// Options configure the UI.
type Options struct {
	// Title names what is analysed (file names or the interface).
	Title string
	// ShowKeys allows revealing key bytes on an explicit key press; the
	// report carries them only when mikeyscope runs with --show-keys.
	ShowKeys bool
}
