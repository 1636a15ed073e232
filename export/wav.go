package export

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// wavWriter writes a RIFF/WAVE file of 16-bit mono linear PCM. The header is
// written first with zero sizes and patched by finish.
type wavWriter struct {
	f       *os.File
	w       *bufio.Writer
	samples uint32
	buf     []byte
}

func newWAVWriter(f *os.File, w *bufio.Writer, rate uint32) (*wavWriter, error) {
	h := make([]byte, 44)
	copy(h[0:], "RIFF")
	copy(h[8:], "WAVE")
	copy(h[12:], "fmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)     // fmt chunk size
	binary.LittleEndian.PutUint16(h[20:], 1)      // PCM
	binary.LittleEndian.PutUint16(h[22:], 1)      // mono
	binary.LittleEndian.PutUint32(h[24:], rate)   // sample rate
	binary.LittleEndian.PutUint32(h[28:], rate*2) // byte rate
	binary.LittleEndian.PutUint16(h[32:], 2)      // block align
	binary.LittleEndian.PutUint16(h[34:], 16)     // bits per sample
	copy(h[36:], "data")
	if _, err := w.Write(h); err != nil {
		return nil, fmt.Errorf("export: wav header: %w", err)
	}
	return &wavWriter{f: f, w: w}, nil
}

func (ww *wavWriter) writeULaw(b []byte) error { return ww.write(b, ULawToLinear) }
func (ww *wavWriter) writeALaw(b []byte) error { return ww.write(b, ALawToLinear) }

func (ww *wavWriter) write(b []byte, decode func(byte) int16) error {
	ww.buf = ww.buf[:0]
	for _, c := range b {
		ww.buf = binary.LittleEndian.AppendUint16(ww.buf, uint16(decode(c)))
	}
	ww.samples += uint32(len(b))
	_, err := ww.w.Write(ww.buf)
	return err
}

// finish flushes and patches the RIFF and data chunk sizes.
func (ww *wavWriter) finish() error {
	if err := ww.w.Flush(); err != nil {
		return err
	}
	data := ww.samples * 2
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], 36+data)
	if _, err := ww.f.WriteAt(b[:], 4); err != nil {
		return err
	}
	binary.LittleEndian.PutUint32(b[:], data)
	_, err := ww.f.WriteAt(b[:], 40)
	return err
}

var _ io.Writer = (*bufio.Writer)(nil)

// ULawToLinear decodes one G.711 μ-law byte to 16-bit linear PCM (ITU-T
// G.711 §2, the inverse of the segment encoding with bias 0x84).
func ULawToLinear(u byte) int16 {
	u = ^u
	sign := u & 0x80
	exponent := (u >> 4) & 0x07
	mantissa := u & 0x0f
	sample := ((int32(mantissa) << 3) + 0x84) << exponent
	sample -= 0x84
	if sign != 0 {
		return int16(-sample)
	}
	return int16(sample)
}

// ALawToLinear decodes one G.711 A-law byte to 16-bit linear PCM (ITU-T
// G.711 §3: even bits inverted with 0x55).
func ALawToLinear(a byte) int16 {
	a ^= 0x55
	sign := a & 0x80
	exponent := (a >> 4) & 0x07
	mantissa := int32(a & 0x0f)
	var sample int32
	if exponent == 0 {
		sample = (mantissa << 4) + 8
	} else {
		sample = ((mantissa << 4) + 0x108) << (exponent - 1)
	}
	if sign == 0 {
		return int16(-sample)
	}
	return int16(sample)
}
