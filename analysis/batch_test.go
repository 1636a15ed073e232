package analysis

import (
	"bytes"
	"testing"

	"github.com/mikeyscope/mikeyscope/dissect"
)

// TestBatchQueueMediaSlots checks the two ways a media packet enters a
// batch: built in the slot MediaSlot gave, or handed over from elsewhere;
// that a slot not handed over is not queued; and that queued packets keep
// copies of their bytes when the capture's buffer is reused.
func TestBatchQueueMediaSlots(t *testing.T) {
	q := newBatchQueue(New(Options{}))
	read := []byte{0x80, 0, 0, 1, 9, 9, 9, 9}

	p := q.MediaSlot(len(read))
	p.SSRC, p.Data = 1, read
	q.Media(p)

	abandoned := q.MediaSlot(len(read)) // e.g. not RTP after all
	abandoned.SSRC, abandoned.Data = 99, read

	other := dissect.MediaPacket{SSRC: 2, Data: read[:4]}
	q.Media(&other)

	p = q.MediaSlot(len(read))
	p.SSRC, p.Data = 3, read
	q.Media(p)

	want := bytes.Clone(read)
	for i := range read {
		read[i] = 0xff // the reader's buffer is reused for the next frame
	}
	ev := q.cur.events
	if len(ev) != 3 {
		t.Fatalf("%d events queued, want 3", len(ev))
	}
	for i, w := range []struct {
		ssrc uint32
		data []byte
	}{{1, want}, {2, want[:4]}, {3, want}} {
		if ev[i].kind != evMedia || ev[i].media.SSRC != w.ssrc || !bytes.Equal(ev[i].media.Data, w.data) {
			t.Errorf("event %d: kind %d SSRC %d data %x, want media SSRC %d data %x", i, ev[i].kind, ev[i].media.SSRC, ev[i].media.Data, w.ssrc, w.data)
		}
	}
}
