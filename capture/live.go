package capture

// LiveOptions tunes a live capture. Zero fields take the defaults shown.
type LiveOptions struct {
	// Snaplen is the largest frame captured (262144).
	Snaplen int
	// Promiscuous puts the interface in promiscuous mode for the capture.
	Promiscuous bool
	// BufferSize is the kernel receive buffer in bytes (8 MiB).
	BufferSize int
}

func (o LiveOptions) withDefaults() LiveOptions {
	if o.Snaplen <= 0 {
		o.Snaplen = 262144
	}
	if o.BufferSize <= 0 {
		o.BufferSize = 8 << 20
	}
	return o
}

// LiveStats counts what a live capture saw and what the kernel dropped.
type LiveStats struct {
	Received uint64 // frames delivered by the kernel (before the filter)
	Dropped  uint64 // frames the kernel dropped because the buffer was full
}

// StatsReporter is implemented by the Source of OpenLive.
type StatsReporter interface {
	Stats() LiveStats
}
