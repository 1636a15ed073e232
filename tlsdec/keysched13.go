package tlsdec

import (
	"encoding/binary"
	"hash"

	"golang.org/x/crypto/hkdf"
)

// expandLabel is HKDF-Expand-Label of RFC 8446 §7.1:
//
//	HKDF-Expand(Secret, HkdfLabel{length, "tls13 " + Label, Context}, Length)
func expandLabel(h func() hash.Hash, secret []byte, label string, context []byte, length int) []byte {
	info := make([]byte, 0, 2+1+6+len(label)+1+len(context))
	info = binary.BigEndian.AppendUint16(info, uint16(length))
	info = append(info, byte(6+len(label)))
	info = append(info, "tls13 "...)
	info = append(info, label...)
	info = append(info, byte(len(context)))
	info = append(info, context...)
	out := make([]byte, length)
	// hkdf.Expand only fails when more than 255*HashLen bytes are asked for.
	if _, err := hkdf.Expand(h, secret, info).Read(out); err != nil {
		return nil
	}
	return out
}

// trafficKeys derives the record key and IV of a TLS 1.3 traffic secret
// (RFC 8446 §7.3).
func trafficKeys(s *suite, secret []byte) (key, iv []byte) {
	return expandLabel(s.prfHash, secret, "key", nil, s.keyLen),
		expandLabel(s.prfHash, secret, "iv", nil, 12)
}

// nextTrafficSecret is application_traffic_secret_N+1 of RFC 8446 §7.2.
func nextTrafficSecret(s *suite, secret []byte) []byte {
	return expandLabel(s.prfHash, secret, "traffic upd", nil, s.hashSize)
}
