package capture

import (
	"errors"
	"fmt"
)

// ReadError reports a damaged or truncated capture file. Every frame before
// the damage has been delivered when Next returns it.
type ReadError struct {
	File   string // file name as given to OpenFiles (or OpenReader)
	Frame  uint64 // 1-based frame number the damaged record would have had
	Offset int64  // byte offset of the damaged record or header in the file
	// Compressed is true when the file is gzip-compressed; Offset then counts
	// bytes of the decompressed stream.
	Compressed bool
	Err        error
}

func (e *ReadError) Error() string {
	where := "offset"
	if e.Compressed {
		where = "uncompressed offset"
	}
	if e.Frame == 0 {
		return fmt.Sprintf("capture: %s: %s %d: %v", e.File, where, e.Offset, e.Err)
	}
	return fmt.Sprintf("capture: %s: frame %d at %s %d: %v", e.File, e.Frame, where, e.Offset, e.Err)
}

func (e *ReadError) Unwrap() error { return e.Err }

// errTruncated is wrapped by ReadError when a file ends inside a record.
var errTruncated = errors.New("file truncated")

// errFormat is wrapped by ReadError when a header or record is invalid.
var errFormat = errors.New("invalid capture format")

// formatErrorf returns an error wrapping errFormat.
func formatErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errFormat}, args...)...)
}

// truncatedErrorf returns an error wrapping errTruncated.
func truncatedErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errTruncated}, args...)...)
}
