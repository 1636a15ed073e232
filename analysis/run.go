package analysis

import (
	"context"
	"errors"
	"io"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
)

// Progress is called every progressEvery frames with the frames read so far.
type Progress func(frames uint64)

const progressEvery = 4096

// Run reads src to its end (or until ctx is done), passing every packet
// through the network decoder and the dissector into a, then finishes the
// analysis. A damaged capture is not an error: it becomes a finding and the
// report covers everything read before the damage. Run returns an error only
// when the context was cancelled.
func Run(ctx context.Context, src capture.Source, a *Analyzer, dopts dissect.Options, progress Progress) error {
	eng := dissect.NewEngine(a, dopts)
	dec := capture.NewDecoder(eng, capture.DecoderOptions{})
	var p capture.Packet
	var frames uint64
	var runErr error
	for {
		if frames%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				runErr = err
				break
			}
			if progress != nil && frames > 0 {
				progress(frames)
			}
		}
		err := src.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			var re *capture.ReadError
			frame := frames + 1
			if errors.As(err, &re) && re.Frame != 0 {
				frame = re.Frame
			}
			a.ReadError(frame, err)
			break
		}
		frames++
		a.Frame(&p)
		dec.Packet(&p)
	}
	dec.Flush()
	eng.Flush()
	a.Finish()
	if progress != nil {
		progress(frames)
	}
	return runErr
}
