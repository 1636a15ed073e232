package scenario

import (
	"fmt"
	"time"

	"github.com/mikeyscope/mikeyscope/mikey"
)

// SP parameter values for the SRTP policy AES_CM_128_HMAC_SHA1_80
// (RFC 3830 §6.10.1 Table 6.10.1.a, RFC 3711 §8.2 defaults).
const (
	spEncrAESCM   = 1
	spAuthHMACSHA = 1
	spPRFAESCM    = 0
)

// PolicyAESCM128HMACSHA180 returns an SP payload (RFC 3830 §6.10) for SRTP
// with AES-CM-128 encryption, HMAC-SHA-1 authentication with an 80-bit tag,
// 112-bit salt, the AES-CM PRF and SRTP/SRTCP encryption and SRTP
// authentication on.
func PolicyAESCM128HMACSHA180(policyNo uint8) *mikey.SPPayload {
	p := func(t mikey.SPParamType, v byte) mikey.SPParam { return mikey.SPParam{Type: t, Value: []byte{v}} }
	return &mikey.SPPayload{PolicyNo: policyNo, Prot: mikey.ProtSRTP, Params: []mikey.SPParam{
		p(mikey.SPEncrAlg, spEncrAESCM),
		p(mikey.SPEncrKeyLen, 16),
		p(mikey.SPAuthAlg, spAuthHMACSHA),
		p(mikey.SPAuthKeyLen, 20),
		p(mikey.SPSaltKeyLen, 14),
		p(mikey.SPPRF, spPRFAESCM),
		p(mikey.SPSRTPEncr, 1),
		p(mikey.SPSRTCPEncr, 1),
		p(mikey.SPSRTPAuth, 1),
		p(mikey.SPAuthTagLen, 10),
	}}
}

// PSKExchange is a MIKEY pre-shared-key exchange (RFC 3830 §3.1): an
// initiator message carrying a TGK in a KEMAC encrypted with AES-CM-128 and
// authenticated with HMAC-SHA-1-160 under keys derived from the PSK
// (§4.1.4), and the responder's verification message.
type PSKExchange struct {
	CSBID    uint32
	Time     time.Time // T payload, NTP-UTC
	Rand     []byte    // RAND payload (16 bytes recommended, §6.11)
	IDi, IDr string    // ID payloads of type URI
	SSRCs    []uint32  // SRTP-ID map, policy 0; CS ID i+1 for SSRCs[i]
	ROCs     []uint32  // ROC of each SSRC in the map (RFC 3830 §6.1.1); nil means all 0
	PSK      []byte
	TGK      []byte
	Suite    Suite // SRTP suite of the SP payload
	// MapSSRC0 announces SSRC 0 (a placeholder, as in the RFC 4567
	// examples) for every crypto session of the map; the streams still use
	// SSRCs.
	MapSSRC0 bool
	// VNoIDs computes the V payload's MAC over the verification message
	// and T only, leaving the identities out (as minisip and other early
	// implementations do), instead of RFC 3830 §5.2's IDi || IDr || T.
	VNoIDs bool
	// OmitIDs sends no ID payloads (IDi, IDr) in either message; the
	// identities are then those of the signalling.
	OmitIDs bool
}

// srtpMap returns the SRTP-ID CS map of the exchange, with the ROCs given
// (missing ones are 0).
func srtpMap(ssrcs []uint32, rocs ...uint32) []mikey.SRTPCS {
	m := make([]mikey.SRTPCS, len(ssrcs))
	for i, s := range ssrcs {
		m[i] = mikey.SRTPCS{PolicyNo: 0, SSRC: s}
		if i < len(rocs) {
			m[i].ROC = rocs[i]
		}
	}
	return m
}

func (x *PSKExchange) header(dt mikey.DataType, v bool) mikey.Header {
	return mikey.Header{Version: 1, DataType: dt, V: v, PRF: mikey.PRFFuncMIKEY1, CSBID: x.CSBID,
		NumCS: uint8(len(x.SSRCs)), MapType: mikey.MapSRTPID, SRTPMap: srtpMap(x.mapSSRCs(), x.ROCs...)}
}

// mapSSRCs returns the SSRCs the CS map announces.
func (x *PSKExchange) mapSSRCs() []uint32 {
	if !x.MapSSRC0 {
		return x.SSRCs
	}
	return make([]uint32, len(x.SSRCs))
}

func (x *PSKExchange) ts() uint64 { return mikey.NTP64(x.Time) }

// Init returns the initiator message HDR, T, RAND, IDi, IDr, SP, KEMAC with
// the V flag set (RFC 3830 §3.1, §5.2): the KEMAC carries one TGK Key data
// sub-payload (KV NULL) encrypted with AES-CM-128 (§4.2.3) and its MAC is
// HMAC-SHA-1 over the whole message up to the MAC field (§4.2.4).
func (x *PSKExchange) Init() ([]byte, error) {
	keys, err := mikey.DeriveMessageKeys(mikey.PRFFuncMIKEY1, x.PSK, x.CSBID, x.Rand, 16, 20, 14)
	if err != nil {
		return nil, err
	}
	plain, err := mikey.MarshalKeyData([]*mikey.KeyData{{Type: mikey.KeyTGK, Key: x.TGK}})
	if err != nil {
		return nil, fmt.Errorf("scenario: TGK key data: %w", err)
	}
	enc, err := mikey.KEMACEncrypt(mikey.EncrAESCM128, keys.Encr.Reveal(), keys.Salt.Reveal(), x.CSBID, x.ts(), plain)
	if err != nil {
		return nil, err
	}
	m := &mikey.Message{Header: x.header(mikey.DataTypePSKInit, true), Payloads: []mikey.Payload{
		&mikey.TPayload{TSType: mikey.TSTypeNTPUTC, Value: x.ts()},
		&mikey.RANDPayload{Rand: x.Rand},
		&mikey.IDPayload{IDType: mikey.IDURI, Data: []byte(x.IDi)},
		&mikey.IDPayload{IDType: mikey.IDURI, Data: []byte(x.IDr)},
		x.Suite.SP(0),
		&mikey.KEMACPayload{EncrAlg: mikey.EncrAESCM128, EncrData: enc, MACAlg: mikey.MACHMACSHA1160, MAC: make([]byte, 20)},
	}}
	if x.OmitIDs {
		m.Payloads = append(m.Payloads[:2], m.Payloads[4:]...)
	}
	return sealLastMAC(m, keys.Auth.Reveal())
}

// Verify returns the responder's verification message HDR, T, IDr, V (RFC
// 3830 §3.1). T repeats the initiator's timestamp; the V payload's
// HMAC-SHA-1 covers the message up to the MAC field followed by
// IDi || IDr || T (the ID data and the 64-bit TS value, §5.2).
func (x *PSKExchange) Verify() ([]byte, error) {
	keys, err := mikey.DeriveMessageKeys(mikey.PRFFuncMIKEY1, x.PSK, x.CSBID, x.Rand, 0, 20, 0)
	if err != nil {
		return nil, err
	}
	m := &mikey.Message{Header: x.header(mikey.DataTypePSKVerify, false), Payloads: []mikey.Payload{
		&mikey.TPayload{TSType: mikey.TSTypeNTPUTC, Value: x.ts()},
		&mikey.IDPayload{IDType: mikey.IDURI, Data: []byte(x.IDr)},
		&mikey.VPayload{AuthAlg: mikey.MACHMACSHA1160, VerData: make([]byte, 20)},
	}}
	if x.OmitIDs {
		m.Payloads = append(m.Payloads[:1], m.Payloads[2:]...)
	}
	var t [8]byte
	putBE64(t[:], x.ts())
	if x.VNoIDs {
		return sealLastMAC(m, keys.Auth.Reveal(), t[:])
	}
	return sealLastMAC(m, keys.Auth.Reveal(), []byte(x.IDi), []byte(x.IDr), t[:])
}

// SRTPKeys returns the SRTP master key (16 bytes) and salt (14 bytes, 12
// for AES-GCM) of crypto session csID (1-based, the position of the SSRC
// in the map), derived from the TGK (RFC 3830 §4.1.3).
func (x *PSKExchange) SRTPKeys(csID uint8) (key, salt []byte, err error) {
	return TGKToSRTP(x.TGK, csID, x.CSBID, x.Rand, x.Suite.SaltLen())
}

// TGKToSRTP derives the SRTP master key (16 bytes) and a saltLen-byte
// master salt of a crypto session from a TGK with the MIKEY-1 PRF (RFC 3830
// §4.1.3).
func TGKToSRTP(tgk []byte, csID uint8, csbID uint32, rand []byte, saltLen int) (key, salt []byte, err error) {
	key, err = mikey.DeriveTEK(mikey.PRFFuncMIKEY1, tgk, csID, csbID, rand, 16)
	if err != nil {
		return nil, nil, err
	}
	salt, err = mikey.DeriveTEKSalt(mikey.PRFFuncMIKEY1, tgk, csID, csbID, rand, saltLen)
	return key, salt, err
}

// Error returns the responder's unauthenticated error message HDR, T, ERR
// (RFC 3830 §5.1.2, data type 6) carrying code, as sent when the
// initiator's message fails to authenticate (no key to sign it with).
func (x *PSKExchange) Error(code mikey.ErrorCode) ([]byte, error) {
	m := &mikey.Message{Header: x.header(mikey.DataTypeError, false), Payloads: []mikey.Payload{
		&mikey.TPayload{TSType: mikey.TSTypeNTPUTC, Value: x.ts()},
		&mikey.ERRPayload{Code: code},
	}}
	raw, err := m.Marshal()
	if err != nil {
		return nil, fmt.Errorf("scenario: marshal MIKEY error message: %w", err)
	}
	return raw, nil
}

// sealLastMAC marshals m, whose last payload ends with a zeroed 20-byte
// HMAC-SHA-1 field, and fills that field with the MAC over everything
// before it followed by extra (RFC 3830 §5.2).
func sealLastMAC(m *mikey.Message, authKey []byte, extra ...[]byte) ([]byte, error) {
	raw, err := m.Marshal()
	if err != nil {
		return nil, fmt.Errorf("scenario: marshal MIKEY data type %d: %w", m.Header.DataType, err)
	}
	if len(raw) < 20 {
		return nil, fmt.Errorf("scenario: MIKEY message of %d bytes has no MAC field", len(raw))
	}
	body := raw[:len(raw)-20]
	mac, err := mikey.ComputeMAC(mikey.MACHMACSHA1160, authKey, append([][]byte{body}, extra...)...)
	if err != nil {
		return nil, err
	}
	copy(raw[len(raw)-20:], mac)
	return raw, nil
}

func putBE64(b []byte, v uint64) {
	for i := 7; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
}

// NullKey is one SRTP master key carried in the clear.
type NullKey struct {
	SSRC     uint32
	Key      []byte // 16 bytes
	Salt     []byte // 14 bytes
	MKI      []byte // KV SPI: the SRTP MKI carried in every packet
	Combined bool   // true: one 30-byte TEK key||salt (ONVIF); false: TEK+SALT
}

// NullMessage returns a MIKEY-NULL message as RTSP cameras and GStreamer
// send it (RFC 3830 §3.1 with KEMAC encryption NULL and MAC NULL, RFC 4567
// over TLS): HDR (data type 0, no V), T, RAND, SP, KEMAC with one Key data
// sub-payload per key, KV SPI holding the MKI.
func NullMessage(csbID uint32, t time.Time, rand []byte, keys []NullKey) ([]byte, error) {
	ssrcs := make([]uint32, len(keys))
	kds := make([]*mikey.KeyData, len(keys))
	for i, k := range keys {
		ssrcs[i] = k.SSRC
		kd := &mikey.KeyData{Type: mikey.KeyTEKSalt, Key: k.Key, Salt: k.Salt,
			KeyValidity: mikey.KeyValidity{KV: mikey.KVSPI, SPI: k.MKI}}
		if k.Combined {
			kd.Type, kd.Key, kd.Salt = mikey.KeyTEK, append(append([]byte(nil), k.Key...), k.Salt...), nil
		}
		kds[i] = kd
	}
	m := &mikey.Message{
		Header: mikey.Header{Version: 1, DataType: mikey.DataTypePSKInit, PRF: mikey.PRFFuncMIKEY1, CSBID: csbID,
			NumCS: uint8(len(keys)), MapType: mikey.MapSRTPID, SRTPMap: srtpMap(ssrcs)},
		Payloads: []mikey.Payload{
			&mikey.TPayload{TSType: mikey.TSTypeNTPUTC, Value: mikey.NTP64(t)},
			&mikey.RANDPayload{Rand: rand},
			PolicyAESCM128HMACSHA180(0),
			&mikey.KEMACPayload{EncrAlg: mikey.EncrNULL, MACAlg: mikey.MACNULL, KeyData: kds},
		},
	}
	raw, err := m.Marshal()
	if err != nil {
		return nil, fmt.Errorf("scenario: marshal MIKEY-NULL: %w", err)
	}
	return raw, nil
}
