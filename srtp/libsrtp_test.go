package srtp

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/pylibsrtp"
)

// TestLibsrtpToOurs protects packets with libsrtp 2 (Debian
// python3-pylibsrtp) and decrypts them here, across a sequence wrap. It
// skips when /usr/bin/python3 or pylibsrtp is missing (apt-get install
// python3-pylibsrtp).
func TestLibsrtpToOurs(t *testing.T) {
	profiles := []struct {
		name   string
		policy Policy
	}{
		{"AES128_CM_SHA1_80", DefaultPolicy()},
		{"AES128_CM_SHA1_32", func() Policy { p := DefaultPolicy(); p.TagLen = 4; return p }()},
		{"AEAD_AES_128_GCM", GCMPolicy(16)},
		{"AEAD_AES_256_GCM", GCMPolicy(32)},
	}
	const ssrc = 0xcafe0001
	for _, prof := range profiles {
		t.Run(prof.name, func(t *testing.T) {
			key, salt := crossKeys(prof.policy)
			req := pylibsrtp.Request{Profile: prof.name, Key: hex.EncodeToString(append(bytes.Clone(key), salt...))}
			var plainRTP, plainRTCP [][]byte
			for i := 0; i < 200; i++ {
				p := testRTP(uint16(65450+i), ssrc, 10+i)
				plainRTP = append(plainRTP, p)
				req.RTP = append(req.RTP, hex.EncodeToString(p))
			}
			for i := 0; i < 20; i++ {
				p := testRTCP(i, ssrc)
				plainRTCP = append(plainRTCP, p)
				req.RTCP = append(req.RTCP, hex.EncodeToString(p))
			}
			resp := pylibsrtp.Protect(t, req)
			c := mustContext(t, prof.policy, MasterKey{Key: key, Salt: salt})
			st := NewStream(0)
			for i, h := range resp.RTP {
				if h == nil {
					t.Fatalf("RTP %d: libsrtp did not protect it", i)
				}
				pkt, _ := hex.DecodeString(*h)
				out, res, err := c.DecryptRTP(nil, pkt, st, time.Time{})
				if err != nil {
					t.Fatalf("RTP %d: %v", i, err)
				}
				if !bytes.Equal(out, plainRTP[i]) || !res.Authenticated {
					t.Fatalf("RTP %d: plaintext differs", i)
				}
			}
			if st.ROC() != 1 || st.Stats.Authenticated != 200 {
				t.Errorf("ROC %d stats %+v", st.ROC(), st.Stats)
			}
			rst := NewStream(0)
			for i, h := range resp.RTCP {
				if h == nil {
					t.Fatalf("RTCP %d: libsrtp did not protect it", i)
				}
				pkt, _ := hex.DecodeString(*h)
				out, res, err := c.DecryptRTCP(nil, pkt, rst, time.Time{})
				if err != nil {
					t.Fatalf("RTCP %d: %v", i, err)
				}
				if !bytes.Equal(out, plainRTCP[i]) || !res.Encrypted || !res.Authenticated {
					t.Fatalf("RTCP %d: plaintext differs or %+v", i, res)
				}
			}
		})
	}
}
