package capture

import (
	"bufio"
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// TestReadBufferMatchesBufio runs random sequences of views, peeks,
// discards, reads and byte reads against readBuffer and against the
// bufio.Reader it replaces (view = Peek then Discard), over readers that
// return short reads, data with the final error, and a timeout once, and
// requires the same bytes and errors at every step.
func TestReadBufferMatchesBufio(t *testing.T) {
	const size = 64
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	readers := map[string]func() io.Reader{
		"plain":    func() io.Reader { return bytes.NewReader(data) },
		"one-byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
		"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
		"data-err": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) },
		"timeout":  func() io.Reader { return iotest.TimeoutReader(bytes.NewReader(data)) },
	}
	for name, mk := range readers {
		for seed := uint64(0); seed < 200; seed++ {
			rng := rand.New(rand.NewPCG(seed, 1))
			got, want := newReadBuffer(mk(), size), bufio.NewReaderSize(mk(), size)
			for step := 0; step < 80; step++ {
				n := rng.IntN(size + 1)
				var g, w []byte
				var ge, we error
				op := rng.IntN(5)
				switch op {
				case 0: // view
					g, ge = got.view(n)
					w, we = want.Peek(n)
					w = bytes.Clone(w)
					want.Discard(len(w))
					if we == bufio.ErrBufferFull {
						t.Fatalf("n %d > size", n)
					}
				case 1: // peek
					g, ge = got.peek(n)
					w, we = want.Peek(n)
				case 2: // discard
					var gn, wn int
					gn, ge = got.discard(n)
					wn, we = want.Discard(n)
					g, w = []byte{byte(gn)}, []byte{byte(wn)}
				case 3: // read
					gb, wb := make([]byte, n), make([]byte, n)
					gn, gerr := got.Read(gb)
					wn, werr := want.Read(wb)
					g, ge, w, we = gb[:gn], gerr, wb[:wn], werr
				case 4: // byte
					gc, gerr := got.ReadByte()
					wc, werr := want.ReadByte()
					g, ge, w, we = []byte{gc}, gerr, []byte{wc}, werr
				}
				if !bytes.Equal(g, w) || ge != we {
					t.Fatalf("%s seed %d step %d op %d n %d: got %x, %v; bufio %x, %v", name, seed, step, op, n, g, ge, w, we)
				}
			}
		}
	}
}
