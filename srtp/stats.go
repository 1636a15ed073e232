package srtp

import (
	"encoding/json"
	"time"
)

// TypeSet is a set of 8-bit type values (RTP payload types or RTCP packet
// types): a fixed bitmap, so recording a value never allocates.
type TypeSet [4]uint64

// Add records v.
func (t *TypeSet) Add(v uint8) { t[v>>6] |= 1 << (v & 63) }

// Has reports whether v was recorded.
func (t *TypeSet) Has(v uint8) bool { return t[v>>6]&(1<<(v&63)) != 0 }

// Values returns the recorded values in increasing order.
func (t *TypeSet) Values() []uint8 {
	var out []uint8
	for v := 0; v < 256; v++ {
		if t.Has(uint8(v)) {
			out = append(out, uint8(v))
		}
	}
	return out
}

// MarshalJSON writes the set as a JSON array of numbers.
func (t TypeSet) MarshalJSON() ([]byte, error) {
	vals := t.Values()
	ints := make([]int, len(vals))
	for i, v := range vals {
		ints[i] = int(v)
	}
	return json.Marshal(ints)
}

// UnmarshalJSON reads a JSON array of numbers.
func (t *TypeSet) UnmarshalJSON(b []byte) error {
	var ints []uint8
	if err := json.Unmarshal(b, &ints); err != nil {
		return err
	}
	*t = TypeSet{}
	for _, v := range ints {
		t.Add(v)
	}
	return nil
}

// Stats is the health of one stream, updated by every DecryptRTP or
// DecryptRTCP call on it. Counting never allocates, except for recording
// an MKI the stream had not carried before (see MKISet).
type Stats struct {
	Packets       uint64 `json:"packets"`       // packets fed to the stream
	Bytes         uint64 `json:"bytes"`         // their total size
	Malformed     uint64 `json:"malformed"`     // packets rejected before authentication (short, bad header)
	Authenticated uint64 `json:"authenticated"` // packets whose tag verified
	AuthFailed    uint64 `json:"auth_failed"`   // packets whose tag verified with no key and ROC tried
	UnknownMKI    uint64 `json:"unknown_mki"`   // packets with an MKI of no known key
	Unverified    uint64 `json:"unverified"`    // packets accepted without a tag to check (no auth, RCC)
	Decrypted     uint64 `json:"decrypted"`     // packets whose payload was decrypted
	Lost          uint64 `json:"lost"`          // index gaps not (yet) filled by late packets
	Duplicates    uint64 `json:"duplicates"`    // packets whose index was already seen
	OutOfOrder    uint64 `json:"out_of_order"`  // packets older than the highest index seen

	PayloadTypes TypeSet   `json:"payload_types"` // RTP payload types (or RTCP packet types) seen
	FirstTime    time.Time `json:"first_time"`
	LastTime     time.Time `json:"last_time"`

	ROC            uint32 `json:"roc"`             // current roll-over counter
	ROCChanges     uint64 `json:"roc_changes"`     // ROC increments and adoptions
	ROCAdjustments uint64 `json:"roc_adjustments"` // ROCs found by searching around the estimate
	ROCFromPacket  uint64 `json:"roc_from_packet"` // ROCs read from an RFC 4771 tag

	// KeysUsed has bit i set when master key i (Context key order) verified
	// or decrypted a packet of this stream.
	KeysUsed uint64 `json:"keys_used"`
	// MKIs are the distinct MKIs seen on the stream, known or not.
	MKIs MKISet `json:"mkis"`
	// HighestIndex is the highest authenticated packet index (48-bit SRTP
	// index, or SRTCP index).
	HighestIndex uint64 `json:"highest_index"`
}

// opened records a packet that master key key opened: authenticated (or
// accepted without a tag to check) and, when decrypted, decrypted.
func (s *Stats) opened(key int, verifiable, decrypted bool) {
	if key < 64 {
		s.KeysUsed |= 1 << key
	}
	if verifiable {
		s.Authenticated++
	} else {
		s.Unverified++
	}
	if decrypted {
		s.Decrypted++
	}
}

// observe records the arrival of a packet.
func (s *Stats) observe(at time.Time, n int) {
	s.Packets++
	s.Bytes += uint64(n)
	if !at.IsZero() {
		if s.FirstTime.IsZero() || at.Before(s.FirstTime) {
			s.FirstTime = at
		}
		if at.After(s.LastTime) {
			s.LastTime = at
		}
	}
}
