package mikey_test

import (
	"encoding/binary"
	"encoding/hex"
	"testing"

	"github.com/mikeyscope/mikeyscope/internal/mcvectors"
	"github.com/mikeyscope/mikeyscope/mikey"
)

// TestGroupSRTPVectors: the published Etherstack vectors (mcvectors.
// GroupSRTPs) of the SRTP keys of MC media: the sender's GUK-ID from the
// GMK, its MC identity and the GMK-ID, then the master key and salt from
// the GMK as TGK with the CS ID of a group call (4) and the sender's
// GUK-ID as CSB ID; for the CSK (CS ID 6) the key id is the CSB ID.
func TestGroupSRTPVectors(t *testing.T) {
	h := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, v := range mcvectors.GroupSRTPs {
		t.Run(v.TestName, func(t *testing.T) {
			key, id := h(v.Key), binary.BigEndian.Uint32(h(v.KeyID))
			csb := id
			if v.GUKID != "" {
				csb = mikey.GUKID(key, v.Sender, id)
				if got := hex.EncodeToString(binary.BigEndian.AppendUint32(nil, csb)); got != v.GUKID {
					t.Fatalf("GUK-ID %s, want %s", got, v.GUKID)
				}
			}
			master, err := mikey.DeriveTEK(mikey.PRFFuncHMACSHA256, key, v.CSID, csb, h(v.Rand), 16)
			if err != nil {
				t.Fatal(err)
			}
			salt, err := mikey.DeriveTEKSalt(mikey.PRFFuncHMACSHA256, key, v.CSID, csb, h(v.Rand), 12)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(master) != v.Master || hex.EncodeToString(salt) != v.Salt {
				t.Errorf("master key %x salt %x, want %s %s (%s)", master, salt, v.Master, v.Salt, mcvectors.GroupSRTPSource)
			}
		})
	}
}
