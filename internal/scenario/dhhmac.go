package scenario

import (
	"fmt"

	"github.com/mikeyscope/mikeyscope/mikey"
)

// DHParams are the Diffie-Hellman choices of a DHHMAC exchange (RFC 4650):
// the OAKLEY group and the private values of initiator and responder.
type DHParams struct {
	Group  mikey.DHGroup
	XI, XR []byte
}

// dhhmacKEMAC is the KEMAC of a DHHMAC message (RFC 4650 §4.2): no key
// data (encryption NULL, empty Encr data) and an HMAC-SHA-1 MAC, with the
// RFC 3830 algorithm numbers (NULL 0, HMAC-SHA-1 1) that implementations
// use rather than those printed in RFC 4650 Table 4.2.a.
func dhhmacKEMAC() *mikey.KEMACPayload {
	return &mikey.KEMACPayload{EncrAlg: mikey.EncrNULL, MACAlg: mikey.MACHMACSHA1160, MAC: make([]byte, 20)}
}

// DHHMACInit returns the initiator's DHHMAC message HDR, T, RAND, IDi, IDr,
// SP, DHi, KEMAC (RFC 4650 §3, data type 7); the KEMAC MAC is HMAC-SHA-1
// under auth_key derived from the PSK with the initiator's RAND (RFC 3830
// §4.1.4) over the message up to the MAC field.
func (x *PSKExchange) DHHMACInit(dh DHParams) ([]byte, error) {
	dhi, err := mikey.NewDHPayload(dh.Group, dh.XI)
	if err != nil {
		return nil, fmt.Errorf("scenario: DHi: %w", err)
	}
	m := &mikey.Message{Header: x.header(mikey.DataTypeDHHMACInit, false), Payloads: []mikey.Payload{
		&mikey.TPayload{TSType: mikey.TSTypeNTPUTC, Value: x.ts()},
		&mikey.RANDPayload{Rand: x.Rand},
		&mikey.IDPayload{IDType: mikey.IDURI, Data: []byte(x.IDi)},
		&mikey.IDPayload{IDType: mikey.IDURI, Data: []byte(x.IDr)},
		x.Suite.SP(0),
		dhi,
		dhhmacKEMAC(),
	}}
	return x.sealDHHMAC(m)
}

// DHHMACResp returns the responder's DHHMAC message HDR, T, IDr, IDi, DHr,
// DHi, KEMAC (RFC 4650 §3, data type 8), its MAC keyed like the
// initiator's (the responder's message has no RAND of its own).
func (x *PSKExchange) DHHMACResp(dh DHParams) ([]byte, error) {
	dhi, err := mikey.NewDHPayload(dh.Group, dh.XI)
	if err != nil {
		return nil, fmt.Errorf("scenario: DHi: %w", err)
	}
	dhr, err := mikey.NewDHPayload(dh.Group, dh.XR)
	if err != nil {
		return nil, fmt.Errorf("scenario: DHr: %w", err)
	}
	m := &mikey.Message{Header: x.header(mikey.DataTypeDHHMACResp, false), Payloads: []mikey.Payload{
		&mikey.TPayload{TSType: mikey.TSTypeNTPUTC, Value: x.ts()},
		&mikey.IDPayload{IDType: mikey.IDURI, Data: []byte(x.IDr)},
		&mikey.IDPayload{IDType: mikey.IDURI, Data: []byte(x.IDi)},
		dhr,
		dhi,
		dhhmacKEMAC(),
	}}
	return x.sealDHHMAC(m)
}

func (x *PSKExchange) sealDHHMAC(m *mikey.Message) ([]byte, error) {
	keys, err := mikey.DeriveMessageKeys(mikey.PRFFuncMIKEY1, x.PSK, x.CSBID, x.Rand, 0, 20, 0)
	if err != nil {
		return nil, err
	}
	return sealLastMAC(m, keys.Auth.Reveal())
}

// DHTGK returns the TGK g^(xi·xr) mod p of the exchange (RFC 4650 §3),
// computed from the initiator's side.
func DHTGK(dh DHParams) ([]byte, error) {
	dhr, err := mikey.DHPublic(dh.Group, dh.XR)
	if err != nil {
		return nil, err
	}
	return mikey.DHShared(dh.Group, dh.XI, dhr)
}
