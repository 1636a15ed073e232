package mikey

import (
	"crypto/sha256"
	"encoding/binary"
	"time"
)

// ReplayKind says how a message repeats an earlier one (RFC 3830 §5.4).
type ReplayKind uint8

const (
	// NotReplayed: neither the message nor its (CSB ID, timestamp, RAND)
	// was seen before.
	NotReplayed ReplayKind = iota
	// ReplayIdentical: the same message bytes were seen before.
	ReplayIdentical
	// ReplaySameTuple: a different message with the same CSB ID, timestamp
	// and RAND was seen before (RFC 3830 §5.2: every Initiator message
	// must use a unique timestamp).
	ReplaySameTuple
)

// String names the replay kind.
func (k ReplayKind) String() string {
	switch k {
	case NotReplayed:
		return "not replayed"
	case ReplayIdentical:
		return "identical message seen before"
	case ReplaySameTuple:
		return "same CSB ID, timestamp and RAND seen before"
	}
	return "unknown"
}

// replayEntry remembers a message by 64-bit fingerprints of its SHA-256
// digest and of its (CSB ID, timestamp, RAND) tuple: 32 bytes an entry, as
// a busy link's cache holds tens of thousands. Two different messages
// share a fingerprint with a probability of about n²/2⁶⁵ among n cached
// ones (below 10⁻¹⁰ at the largest cache the analyzer keeps).
type replayEntry struct {
	msg, tuple uint64
	ref        int
	at         int64 // Unix seconds (every year of a capture fits)
}

// ReplayCache remembers recent messages (as fingerprints of their digests,
// as RFC 3830 §5.4 suggests) and reports repeats: the last Size messages
// (NewReplayCache), or those of the last Window of time, at most Max
// (NewReplayWindow). RFC 3830 §5.4 asks a receiver to keep the messages
// within its allowed clock skew: an older replay fails the timestamp check.
// The zero value is not usable. Not safe for concurrent use.
type ReplayCache struct {
	// queue holds the entries oldest first from head; it grows up to max.
	queue  []replayEntry
	head   int
	max    int
	window time.Duration  // 0: bounded by count only
	msgs   map[uint64]int // fingerprint -> entry sequence number
	tuple  map[uint64]int
	seq    int // sequence number of queue[head]
}

// NewReplayCache returns a cache holding at most size entries (minimum 1);
// the oldest entry is evicted first.
func NewReplayCache(size int) *ReplayCache {
	size = max(size, 1)
	return &ReplayCache{
		max:   size,
		msgs:  map[uint64]int{},
		tuple: map[uint64]int{},
	}
}

// NewReplayWindow returns a cache holding the messages checked within the
// last window of time (the at of CheckAt), and at most limit of them
// (minimum 1), so that a flood cannot grow it without bound.
func NewReplayWindow(window time.Duration, limit int) *ReplayCache {
	c := NewReplayCache(limit)
	c.window = window
	return c
}

// Len returns the number of cached messages.
func (c *ReplayCache) Len() int {
	return len(c.queue) - c.head
}

// Check is CheckAt without a time (for caches bounded by count).
func (c *ReplayCache) Check(raw []byte, csbID uint32, ts uint64, hasTS bool, rand []byte, ref int) (ReplayKind, int) {
	return c.CheckAt(raw, csbID, ts, hasTS, rand, ref, time.Time{})
}

// CheckAt records a message seen at time at and reports whether it repeats
// one in the cache, and if so the ref (e.g. a frame number) recorded with
// the first. raw is the whole message; the tuple is (CSB ID, 64-bit
// timestamp, RAND). A message with no timestamp should pass hasTS false:
// only identical bytes are then detected. A windowed cache first forgets
// the messages seen before at minus its window.
func (c *ReplayCache) CheckAt(raw []byte, csbID uint32, ts uint64, hasTS bool, rand []byte, ref int, at time.Time) (ReplayKind, int) {
	if c.window > 0 {
		limit := at.Add(-c.window).Unix()
		for c.Len() > 0 && c.queue[c.head].at < limit {
			c.pop()
		}
	}
	sum := sha256.Sum256(raw)
	md := binary.BigEndian.Uint64(sum[:8])
	var td uint64
	if hasTS {
		var b [12]byte
		binary.BigEndian.PutUint32(b[:4], csbID)
		binary.BigEndian.PutUint64(b[4:], ts)
		h := sha256.New()
		h.Write(b[:])
		h.Write(rand)
		var d [sha256.Size]byte
		td = binary.BigEndian.Uint64(h.Sum(d[:0]))
	}
	if i, ok := c.msgs[md]; ok {
		return ReplayIdentical, c.entry(i).ref
	}
	if hasTS {
		if i, ok := c.tuple[td]; ok {
			return ReplaySameTuple, c.entry(i).ref
		}
	}
	if c.Len() >= c.max {
		c.pop()
	}
	if c.head > 0 && c.head*2 >= len(c.queue) {
		n := copy(c.queue, c.queue[c.head:])
		clear(c.queue[n:])
		c.queue = c.queue[:n]
		c.head = 0
	}
	n := c.seq + c.Len()
	c.queue = append(c.queue, replayEntry{msg: md, tuple: td, ref: ref, at: at.Unix()})
	c.msgs[md] = n
	if hasTS {
		c.tuple[td] = n
	}
	return NotReplayed, 0
}

// entry returns the entry with sequence number n.
func (c *ReplayCache) entry(n int) *replayEntry {
	return &c.queue[c.head+n-c.seq]
}

// pop forgets the oldest entry.
func (c *ReplayCache) pop() {
	old := c.queue[c.head]
	if c.msgs[old.msg] == c.seq {
		delete(c.msgs, old.msg)
	}
	if j, ok := c.tuple[old.tuple]; ok && j == c.seq {
		delete(c.tuple, old.tuple)
	}
	c.queue[c.head] = replayEntry{}
	c.head++
	c.seq++
}
