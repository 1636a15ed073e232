package mikey

import (
	"crypto/sha256"
	"encoding/binary"
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

type replayDigest [20]byte

type replayEntry struct {
	msg, tuple replayDigest
	ref        int
}

// ReplayCache remembers the last Size messages (as 20-byte digests, as
// RFC 3830 §5.4 suggests) and reports repeats. The zero value is not
// usable; create one with NewReplayCache. Not safe for concurrent use.
type ReplayCache struct {
	ring  []replayEntry
	next  int
	full  bool
	msgs  map[replayDigest]int // digest -> ring index
	tuple map[replayDigest]int
}

// NewReplayCache returns a cache holding at most size entries (minimum 1);
// the oldest entry is evicted first.
func NewReplayCache(size int) *ReplayCache {
	size = max(size, 1)
	return &ReplayCache{
		ring:  make([]replayEntry, size),
		msgs:  make(map[replayDigest]int, size),
		tuple: make(map[replayDigest]int, size),
	}
}

// Len returns the number of cached messages.
func (c *ReplayCache) Len() int {
	if c.full {
		return len(c.ring)
	}
	return c.next
}

// Check records a message and reports whether it repeats one in the
// cache, and if so the ref (e.g. a frame number) recorded with the first.
// raw is the whole message; the tuple is (CSB ID, 64-bit timestamp, RAND).
// A message with no timestamp should pass hasTS false: only identical
// bytes are then detected.
func (c *ReplayCache) Check(raw []byte, csbID uint32, ts uint64, hasTS bool, rand []byte, ref int) (ReplayKind, int) {
	sum := sha256.Sum256(raw)
	md := replayDigest(sum[:20])
	var td replayDigest
	if hasTS {
		h := sha256.New()
		var b [12]byte
		binary.BigEndian.PutUint32(b[:4], csbID)
		binary.BigEndian.PutUint64(b[4:], ts)
		h.Write(b[:])
		h.Write(rand)
		copy(td[:], h.Sum(nil))
	}
	if i, ok := c.msgs[md]; ok {
		return ReplayIdentical, c.ring[i].ref
	}
	if hasTS {
		if i, ok := c.tuple[td]; ok {
			return ReplaySameTuple, c.ring[i].ref
		}
	}
	if c.full {
		old := c.ring[c.next]
		if c.msgs[old.msg] == c.next {
			delete(c.msgs, old.msg)
		}
		if j, ok := c.tuple[old.tuple]; ok && j == c.next {
			delete(c.tuple, old.tuple)
		}
	}
	c.ring[c.next] = replayEntry{msg: md, tuple: td, ref: ref}
	c.msgs[md] = c.next
	if hasTS {
		c.tuple[td] = c.next
	}
	c.next++
	if c.next == len(c.ring) {
		c.next, c.full = 0, true
	}
	return NotReplayed, 0
}
