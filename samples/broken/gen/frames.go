package main

import (
	"time"

	"github.com/mikeyscope/mikeyscope/internal/scenario"
)

// frameList is a scenario.Generator over frames built in advance, in time
// order (the caller appends them in order).
type frameList struct {
	frames []scenario.Frame
}

func (l *frameList) add(t time.Time, data []byte, kind scenario.FrameKind, msg string) {
	l.frames = append(l.frames, scenario.Frame{Time: t, Data: data, Kind: kind, Message: msg})
}

// PeekTime implements scenario.Generator.
func (l *frameList) PeekTime() (time.Time, bool) {
	if len(l.frames) == 0 {
		return time.Time{}, false
	}
	return l.frames[0].Time, true
}

// Next implements scenario.Generator.
func (l *frameList) Next() (*scenario.Frame, bool, error) {
	if len(l.frames) == 0 {
		return nil, false, nil
	}
	f := &l.frames[0]
	l.frames = l.frames[1:]
	return f, true, nil
}
