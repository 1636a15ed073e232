package scenario

import (
	"container/heap"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
)

// Generator yields frames in time order.
type Generator interface {
	PeekTime() (time.Time, bool)
	Next() (*Frame, bool, error)
}

type genHeap struct {
	g []Generator
	t []time.Time
}

func (h *genHeap) Len() int { return len(h.g) }
func (h *genHeap) Less(i, j int) bool {
	if h.t[i].Equal(h.t[j]) {
		return i < j
	}
	return h.t[i].Before(h.t[j])
}
func (h *genHeap) Swap(i, j int) { h.g[i], h.g[j] = h.g[j], h.g[i]; h.t[i], h.t[j] = h.t[j], h.t[i] }
func (h *genHeap) Push(x any) {
	g := x.(Generator)
	t, _ := g.PeekTime()
	h.g, h.t = append(h.g, g), append(h.t, t)
}
func (h *genHeap) Pop() any {
	n := len(h.g) - 1
	g := h.g[n]
	h.g, h.t = h.g[:n], h.t[:n]
	return g
}

// Write merges the generators by frame time and writes every frame to w.
// Frames with equal times keep the order of the generators that produced
// them only approximately (heap order), which is deterministic for a given
// input. onFrame, when not nil, sees each frame with its 1-based number.
func Write(w *pcapwrite.Writer, gens []Generator, onFrame func(n int, f *Frame) error) error {
	h := &genHeap{}
	for _, g := range gens {
		if t, ok := g.PeekTime(); ok {
			h.g, h.t = append(h.g, g), append(h.t, t)
		}
	}
	heap.Init(h)
	for h.Len() > 0 {
		g := h.g[0]
		f, ok, err := g.Next()
		if err != nil {
			return err
		}
		if ok {
			if err := w.WriteFrame(f.Time, f.Data); err != nil {
				return err
			}
			if onFrame != nil {
				if err := onFrame(w.Frames(), f); err != nil {
					return err
				}
			}
		}
		if t, more := g.PeekTime(); more && ok {
			h.t[0] = t
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	return nil
}
