package analysis

import (
	"fmt"

	"github.com/mikeyscope/mikeyscope/srtp"
)

// addSuppliedSRTP binds the SRTP keys given directly (--srtp, keys file) to
// their SSRC, or to any SSRC not otherwise keyed. Caller holds a.mu (or runs
// before the pass).
func (a *Analyzer) addSuppliedSRTP() {
	if a.opts.Keys == nil {
		return
	}
	for i, k := range a.opts.Keys.SRTP {
		key, salt := k.Key.Reveal(), k.Salt.Reveal()
		pol, err := suppliedPolicy(len(key), len(salt))
		cs := &CryptoSession{
			SSRC:   fmt.Sprintf("0x%08x", k.SSRC),
			Policy: pol.String(),
			KeyFP:  k.Fingerprint(),
			Source: k.Source,
			ssrc:   k.SSRC,
		}
		if k.AnySSRC {
			cs.SSRC = "*"
		}
		if err != nil {
			a.add(KindSRTPAuthFailed.New(0, 0, fmt.Sprintf("supplied SRTP key %d (%s, %s) is unusable: %v", i+1, k.Fingerprint(), k.Source, err)))
			continue
		}
		mk := srtp.MasterKey{Key: key, Salt: salt}
		ctx, err := srtp.NewContext(pol, mk)
		if err != nil {
			a.add(KindSRTPAuthFailed.New(0, 0, fmt.Sprintf("supplied SRTP key %d (%s, %s) is unusable: %v", i+1, k.Fingerprint(), k.Source, err)))
			continue
		}
		b := &binding{ctx: ctx, cs: cs, ssrc: k.SSRC, keys: []srtp.MasterKey{mk}, policy: pol, supplied: true}
		if k.AnySSRC {
			a.media.wildcard = b
		} else {
			a.media.supplied[k.SSRC] = b
		}
	}
	a.media.gen++
}
