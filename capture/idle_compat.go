package capture

import (
	"errors"
	"time"
)

// NOTE for the merge with the "live" branch: that branch declares ErrIdle
// and IdleReporter in capture/live.go with the same meaning; delete this
// file when both are in one tree.

// ErrIdle is returned by Next of a Source told to report idleness
// (IdleReporter) when no packet arrived for a while. The Source stays
// usable: the next call waits for packets again. It lets the reader flush
// what it holds while the traffic pauses.
var ErrIdle = errors.New("capture: no packet for a while")

// IdleReporter is implemented by Sources that can return ErrIdle: live
// captures, and the sources of WithIdle. After ReportIdle(d), Next returns
// ErrIdle when no packet arrived within about d.
type IdleReporter interface {
	ReportIdle(d time.Duration)
}
