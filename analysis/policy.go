package analysis

import (
	"errors"
	"fmt"

	"github.com/mikeyscope/mikeyscope/mikey"
	"github.com/mikeyscope/mikeyscope/srtp"
)

// policyFor returns the SRTP policy of policy number no in the exchange's
// SP payloads (initiator first), with the RFC 3830 §6.10.1 defaults when
// there is none. The description's notes are findings of the message that
// carries the payload (checkPolicy).
func policyFor(ex *keyExchange, no uint8) (srtp.Policy, error) {
	var sp *mikey.SPPayload // nil: the defaults
	for _, mm := range []*MIKEYMessage{ex.init, ex.resp} {
		if mm == nil || !mm.decoded {
			continue
		}
		if sp = mm.Parsed().PolicyFor(no); sp != nil && sp.Prot == mikey.ProtSRTP {
			break
		}
		sp = nil
	}
	d, _, err := sp.SRTP()
	return srtpPolicy(d, err)
}

// srtpPolicy turns the description of an SRTP SP payload (mikey.SRTPPolicy,
// and the error SPPayload.SRTP gave with it) into the srtp package's
// Policy, field by field, and checks that srtp can use it. A description
// error keeps its words after srtp.ErrPolicy.
func srtpPolicy(d mikey.SRTPPolicy, descErr error) (srtp.Policy, error) {
	p := srtp.DefaultPolicy()
	if d.Encr == mikey.SRTPEncrAESGCM {
		p = srtp.GCMPolicy(d.KeyLen)
	}
	if descErr != nil {
		var pe *mikey.SRTPPolicyError
		if errors.As(descErr, &pe) {
			return p, fmt.Errorf("%w: %s", srtp.ErrPolicy, pe.Reason)
		}
		return p, fmt.Errorf("%w: %v", srtp.ErrPolicy, descErr)
	}
	var ok bool
	if p.Cipher, ok = srtpCiphers[d.Encr]; !ok {
		return p, fmt.Errorf("%w: encryption algorithm %v", srtp.ErrPolicy, d.Encr)
	}
	p.KeyLen, p.SaltLen, p.KDR = d.KeyLen, d.SaltLen, d.KDR
	p.SRTPEncrypt, p.SRTCPEncrypt, p.SRTPAuth = d.SRTPEncryption, d.SRTCPEncryption, d.SRTPAuthentication
	if p.Auth, ok = srtpAuths[d.SRTPAuthAlg]; !ok {
		return p, fmt.Errorf("%w: authentication algorithm %v", srtp.ErrPolicy, d.SRTPAuthAlg)
	}
	if p.RTCPAuth, ok = srtpAuths[d.SRTCPAuthAlg]; !ok {
		return p, fmt.Errorf("%w: authentication algorithm %v", srtp.ErrPolicy, d.SRTCPAuthAlg)
	}
	p.AuthKeyLen, p.TagLen = d.SRTPAuthKeyLen, d.SRTPTagLen
	p.RTCPAuthKeyLen, p.RTCPTagLen = d.SRTCPAuthKeyLen, d.SRTCPTagLen
	p.AEADTagLen, p.ROCRate = d.AEADTagLen, d.ROCRate
	return p, p.Validate()
}

// srtpCiphers and srtpAuths are the SRTP transforms of MIKEY's registry
// values (RFC 3830 Tables 6.10.1.b/c, RFC 4771, RFC 7714 §14.3).
var (
	srtpCiphers = map[mikey.SRTPEncrAlg]srtp.Cipher{
		mikey.SRTPEncrNULL: srtp.CipherNull, mikey.SRTPEncrAESCM: srtp.CipherAESCM,
		mikey.SRTPEncrAESF8: srtp.CipherAESF8, mikey.SRTPEncrAESGCM: srtp.CipherAESGCM,
	}
	srtpAuths = map[mikey.SRTPAuthAlg]srtp.Auth{
		mikey.SRTPAuthNULL: srtp.AuthNull, mikey.SRTPAuthHMACSHA1: srtp.AuthHMACSHA1,
		mikey.SRTPAuthRCCm1: srtp.AuthRCCm1, mikey.SRTPAuthRCCm2: srtp.AuthRCCm2, mikey.SRTPAuthRCCm3: srtp.AuthRCCm3,
	}
)

// suppliedPolicy guesses the SRTP policy of a directly supplied key from the
// lengths of its key and salt (srtp.PolicyForKeyLengths: AES-CM with an
// 80-bit tag for 16+14, 24+14, 32+14; AES-GCM for 16+12 and 32+12).
func suppliedPolicy(keyLen, saltLen int) (srtp.Policy, error) {
	if p, ok := srtp.PolicyForKeyLengths(keyLen, saltLen); ok {
		return p, nil
	}
	return srtp.DefaultPolicy(), fmt.Errorf("no SRTP suite has a %d-byte key and a %d-byte salt", keyLen, saltLen)
}
