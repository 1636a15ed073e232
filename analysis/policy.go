package analysis

import (
	"fmt"

	"github.com/mikeyscope/mikeyscope/mikey"
	"github.com/mikeyscope/mikeyscope/srtp"
)

// policyFor returns the SRTP policy of policy number no in the exchange's
// SP payloads (initiator first), with the RFC 3830 §6.10.1 defaults when
// there is none.
func policyFor(ex *keyExchange, no uint8) (srtp.Policy, error) {
	for _, mm := range []*MIKEYMessage{ex.init, ex.resp} {
		if mm == nil || !mm.decoded {
			continue
		}
		if sp := mm.Parsed().PolicyFor(no); sp != nil && sp.Prot == mikey.ProtSRTP {
			p, _, err := srtp.PolicyFromSP(sp)
			return p, err
		}
	}
	return srtp.DefaultPolicy(), nil
}

// suppliedPolicy guesses the SRTP policy of a directly supplied key from the
// lengths of its key and salt (RFC 4568 suites: 16+14 AES_CM_128, 24+14
// AES_192_CM, 32+14 AES_256_CM, 16+12 and 32+12 AEAD_AES_GCM).
func suppliedPolicy(keyLen, saltLen int) (srtp.Policy, error) {
	p := srtp.DefaultPolicy()
	switch {
	case saltLen == 14 && (keyLen == 16 || keyLen == 24 || keyLen == 32):
		p.KeyLen = keyLen
	case saltLen == 12 && (keyLen == 16 || keyLen == 32):
		p = srtp.GCMPolicy(keyLen)
	default:
		return p, fmt.Errorf("no SRTP suite has a %d-byte key and a %d-byte salt", keyLen, saltLen)
	}
	return p, nil
}
