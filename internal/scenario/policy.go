package scenario

import (
	"github.com/pion/srtp/v3"

	"github.com/mikeyscope/mikeyscope/mikey"
)

// Suite is the SRTP crypto suite a MIKEY exchange negotiates in its SP
// payload.
type Suite uint8

// Suites the generators support.
const (
	SuiteAESCM128HMACSHA180 Suite = iota // RFC 3711 default suite
	SuiteAEADAES128GCM                   // RFC 7714 AEAD_AES_128_GCM
)

// Name returns the suite name as SDES and the manifests spell it.
func (p Suite) Name() string {
	if p == SuiteAEADAES128GCM {
		return "AEAD_AES_128_GCM"
	}
	return "AES_CM_128_HMAC_SHA1_80"
}

// Profile returns the pion/srtp protection profile of the suite.
func (p Suite) Profile() srtp.ProtectionProfile {
	if p == SuiteAEADAES128GCM {
		return srtp.ProtectionProfileAeadAes128Gcm
	}
	return srtp.ProtectionProfileAes128CmHmacSha1_80
}

// SaltLen returns the SRTP master salt length: 14 bytes for AES-CM (RFC
// 3711 §8.2), 12 bytes for AES-GCM (RFC 7714 §8.1).
func (p Suite) SaltLen() int {
	if p == SuiteAEADAES128GCM {
		return 12
	}
	return 14
}

// SP returns the SP payload of the suite.
func (p Suite) SP(policyNo uint8) *mikey.SPPayload {
	if p == SuiteAEADAES128GCM {
		return PolicyAEADAES128GCMSP(policyNo)
	}
	return PolicyAESCM128HMACSHA180(policyNo)
}

// PolicyAEADAES128GCMSP returns an SP payload for AEAD_AES_128_GCM (RFC 7714
// §14.3, §15): encryption algorithm AES-GCM (6), 16-byte key, no separate
// authentication, 12-byte salt, the AES-CM PRF, SRTP and SRTCP encryption
// on, AEAD tag length 16 (type 20); the SRTP authentication switch (type
// 10) is left out, as ONVIF lists these values, since GCM authenticates by
// itself.
func PolicyAEADAES128GCMSP(policyNo uint8) *mikey.SPPayload {
	p := func(t mikey.SPParamType, v byte) mikey.SPParam { return mikey.SPParam{Type: t, Value: []byte{v}} }
	return &mikey.SPPayload{PolicyNo: policyNo, Prot: mikey.ProtSRTP, Params: []mikey.SPParam{
		p(mikey.SPEncrAlg, 6),
		p(mikey.SPEncrKeyLen, 16),
		p(mikey.SPAuthAlg, 0),
		p(mikey.SPSaltKeyLen, 12),
		p(mikey.SPPRF, spPRFAESCM),
		p(mikey.SPSRTPEncr, 1),
		p(mikey.SPSRTCPEncr, 1),
		p(20, 16),
	}}
}
