package analysis

import (
	"fmt"

	"github.com/mikeyscope/mikeyscope/mikey"
	"github.com/mikeyscope/mikeyscope/srtp"
)

// policyFor returns the SRTP policy of policy number no in the exchange's
// SP payloads (initiator first), with the RFC 3830 §6.10.1 defaults when
// there is none.
func policyFor(ex *exchange, no uint8) (srtp.Policy, error) {
	for _, mm := range []*MIKEYMessage{ex.init, ex.resp} {
		if mm == nil || mm.Message == nil {
			continue
		}
		if sp := mm.Message.PolicyFor(no); sp != nil && sp.Prot == mikey.ProtSRTP {
			return policyFromSP(sp)
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

// policyFromSP maps an SRTP security policy payload (RFC 3830 §6.10.1,
// RFC 4771 §4, RFC 7714 §14.3) to an SRTP policy, starting from the
// defaults for absent parameters. The GStreamer quirk of a tag length in
// parameter 3 (auth key length 4 or 10) is read as a tag length with a
// 20-byte key, as those senders mean.
func policyFromSP(sp *mikey.SPPayload) (srtp.Policy, error) {
	p := srtp.DefaultPolicy()
	get := func(t mikey.SPParamType) (uint64, bool) {
		prm, ok := sp.Param(t)
		if !ok {
			return 0, false
		}
		return prm.Uint()
	}
	if v, ok := get(mikey.SPEncrAlg); ok {
		switch v {
		case 0:
			p.Cipher = srtp.CipherNull
		case 1:
			p.Cipher = srtp.CipherAESCM
		case 2:
			p.Cipher = srtp.CipherAESF8
		case 6:
			p = srtp.GCMPolicy(16)
		default:
			return p, fmt.Errorf("encryption algorithm %s is not supported", encrAlgName(v))
		}
	}
	if v, ok := get(mikey.SPEncrKeyLen); ok {
		p.KeyLen = int(v)
	}
	if v, ok := get(mikey.SPSaltKeyLen); ok {
		p.SaltLen = int(v)
	}
	if v, ok := get(mikey.SPAuthAlg); ok && p.Cipher != srtp.CipherAESGCM {
		p.Auth, p.RTCPAuth = srtp.Auth(v), srtp.Auth(v)
		if v == 0 {
			p.AuthKeyLen, p.TagLen = 0, 0
		}
		if p.RTCPAuth != srtp.AuthNull && p.RTCPAuth != srtp.AuthHMACSHA1 {
			p.RTCPAuth = srtp.AuthHMACSHA1
		}
	}
	if v, ok := get(mikey.SPAuthKeyLen); ok && p.Auth != srtp.AuthNull {
		if v == 4 || v == 10 {
			if _, hasTag := get(mikey.SPAuthTagLen); !hasTag {
				p.TagLen, p.RTCPTagLen = int(v), int(v)
			}
		} else {
			p.AuthKeyLen, p.RTCPAuthKeyLen = int(v), int(v)
		}
	}
	if v, ok := get(mikey.SPAuthTagLen); ok && p.Auth != srtp.AuthNull {
		p.TagLen, p.RTCPTagLen = int(v), int(v)
	}
	if v, ok := get(mikey.SPKeyDerivRate); ok {
		p.KDR = v
	}
	if v, ok := get(mikey.SPSRTPEncr); ok {
		p.SRTPEncrypt = v != 0
	}
	if v, ok := get(mikey.SPSRTCPEncr); ok {
		p.SRTCPEncrypt = v != 0
	}
	if v, ok := get(mikey.SPSRTPAuth); ok {
		p.SRTPAuth = v != 0
	}
	if v, ok := get(mikey.SPROCRate); ok {
		p.ROCRate = uint16(v)
	}
	if v, ok := get(mikey.SPAEADAuthTagLen); ok {
		p.AEADTagLen = int(v)
	}
	if err := p.Validate(); err != nil {
		return p, err
	}
	return p, nil
}
