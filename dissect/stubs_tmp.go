package dissect

import "github.com/mikeyscope/mikeyscope/capture"

type flow struct{}
type connKey struct{}
type conn struct{}
type session struct{}

// Datagram handles one UDP payload.
func (e *Engine) Datagram(d *capture.Datagram) {}

// Segment handles in-order TCP bytes.
func (e *Engine) Segment(s *capture.Segment) {}

// Flush ends the pass.
func (e *Engine) Flush() {}
