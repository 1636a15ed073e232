package mikey

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/mikeyscope/mikeyscope/mikey/eccsi"
	"github.com/mikeyscope/mikeyscope/mikey/sakke"
)

// SAKKEBuild describes a MIKEY-SAKKE I_MESSAGE to build (RFC 6509 §2.2.1),
// for tests and sample captures:
//
//	HDR, T, RAND, IDRi, IDRr, [IDRkmsi], [IDRkmsr], {SP}, SAKKE, SIGN
type SAKKEBuild struct {
	CSBID uint32
	// Time is the T payload (NTP-UTC) and fixes the key period.
	Time time.Time
	// Rand is the RAND payload (16 octets or more, RFC 3830 §6.11).
	Rand []byte
	// InitiatorURI and ResponderURI go in IDRi and IDRr (URI type) and
	// form the Identifiers with the month of Time (RFC 6509 §3.2).
	InitiatorURI, ResponderURI string
	// InitiatorKMS and ResponderKMS, when set, go in IDRkmsi and IDRkmsr.
	InitiatorKMS, ResponderKMS string
	// Sessions is the GENERIC-ID CS ID map (RFC 6043 §6.1.1).
	Sessions []GenericCS
	// Policies are the SP payloads.
	Policies []*SPPayload
	// SSV is the TGK to transport (16 octets for parameter set 1).
	SSV []byte
	// Z is the responder's KMS Public Key (0x04 || x || y).
	Z []byte
	// KPAK, SSK and PVT are the initiator's ECCSI key material (RFC 6507
	// §4.2, §5.1): KPAK and PVT uncompressed P-256 points, SSK 32 octets.
	KPAK, PVT []byte
	SSK       Secret
	// ToSelf adds a SAKKE-to-self general extension (3GPP TS 33.180 §E.5):
	// the SSV encapsulated for the initiator's Identifier under InitiatorZ
	// (Z when empty).
	ToSelf     bool
	InitiatorZ []byte
	// InitiatorID and ResponderID, when set, are the identifiers to sign
	// and encapsulate for instead of the RFC 6509 ones (a 3GPP UID,
	// mikey.MCUID). With UIDs they also go in IDR payloads with the 3GPP
	// roles 8 and 9 (TS 33.180 §E.2); the URIs are then optional.
	InitiatorID, ResponderID []byte
	UIDs                     bool
	// IDScheme is the SAKKE payload's ID scheme (1 when 0).
	IDScheme SAKKEIDScheme
	// KeyParams adds the 3GPP key parameters extension (TS 33.180 §E.6),
	// protected with the SSV, for a key of the CSB ID's purpose.
	KeyParams bool
	// Rnd supplies the ECCSI ephemeral j; nil means crypto/rand.
	Rnd io.Reader
}

// BuildSAKKE builds, signs and parses back a MIKEY-SAKKE I_MESSAGE: it
// encapsulates the SSV for the responder's Identifier (RFC 6508 §6.2.1)
// and signs the encoding up to the Signature field with ECCSI
// (RFC 6507 §5.2.1, RFC 3830 §5.2). The returned message's Raw is the wire
// encoding.
func BuildSAKKE(b SAKKEBuild) (*Message, error) {
	pp := sakke.ParameterSet1()
	Z, err := pp.ParsePoint(b.Z)
	if err != nil {
		return nil, fmt.Errorf("mikey: BuildSAKKE: KMS public key: %w", err)
	}
	kpak, err := eccsi.ParsePoint(b.KPAK)
	if err != nil {
		return nil, fmt.Errorf("mikey: BuildSAKKE: KPAK: %w", err)
	}
	pvt, err := eccsi.ParsePoint(b.PVT)
	if err != nil {
		return nil, fmt.Errorf("mikey: BuildSAKKE: PVT: %w", err)
	}
	if (b.InitiatorURI == "" && b.InitiatorID == nil) || (b.ResponderURI == "" && b.ResponderID == nil) {
		return nil, errors.New("mikey: BuildSAKKE: initiator and responder URIs or identifiers are required")
	}
	respID, initID := b.ResponderID, b.InitiatorID
	if respID == nil {
		respID = sakke.Identity(b.ResponderURI, b.Time)
	}
	if initID == nil {
		initID = sakke.Identity(b.InitiatorURI, b.Time)
	}
	scheme := b.IDScheme
	if scheme == 0 {
		scheme = 1
	}
	ed, err := pp.Encapsulate(Z, respID, b.SSV)
	if err != nil {
		return nil, fmt.Errorf("mikey: BuildSAKKE: %w", err)
	}
	m := &Message{Header: Header{
		Version: 1, DataType: DataTypeSAKKE, PRF: PRFFuncHMACSHA256, CSBID: b.CSBID,
		MapType: MapGenericID, GenericMap: b.Sessions,
	}}
	m.Payloads = append(m.Payloads,
		&TPayload{TSType: TSTypeNTPUTC, Value: NTP64(b.Time)},
		&RANDPayload{Rand: b.Rand})
	if b.InitiatorURI != "" {
		m.Payloads = append(m.Payloads, &IDRPayload{Role: RoleInitiator, IDType: IDURI, Data: []byte(b.InitiatorURI)})
	}
	if b.ResponderURI != "" {
		m.Payloads = append(m.Payloads, &IDRPayload{Role: RoleResponder, IDType: IDURI, Data: []byte(b.ResponderURI)})
	}
	if b.UIDs {
		m.Payloads = append(m.Payloads,
			&IDRPayload{Role: RoleInitiatorUID, IDType: IDURI, Data: initID},
			&IDRPayload{Role: RoleResponderUID, IDType: IDURI, Data: respID})
	}
	if b.InitiatorKMS != "" {
		m.Payloads = append(m.Payloads, &IDRPayload{Role: RoleInitiatorKMS, IDType: IDURI, Data: []byte(b.InitiatorKMS)})
	}
	if b.ResponderKMS != "" {
		m.Payloads = append(m.Payloads, &IDRPayload{Role: RoleResponderKMS, IDType: IDURI, Data: []byte(b.ResponderKMS)})
	}
	for _, sp := range b.Policies {
		m.Payloads = append(m.Payloads, sp)
	}
	if b.ToSelf {
		ext, err := sakkeToSelf(pp, b, initID, scheme)
		if err != nil {
			return nil, err
		}
		m.Payloads = append(m.Payloads, ext)
	}
	m.Payloads = append(m.Payloads, &SAKKEPayload{Params: SAKKEParams(pp.ID), IDScheme: scheme, Data: ed.Marshal(pp)})
	if b.KeyParams {
		rnd := b.Rnd
		if rnd == nil {
			rnd = rand.Reader
		}
		iv := make([]byte, 16)
		if _, err := io.ReadFull(rnd, iv); err != nil {
			return nil, err
		}
		data, err := SealMCKeyParams(b.SSV, b.CSBID, PurposeOf(b.CSBID), iv)
		if err != nil {
			return nil, err
		}
		m.Payloads = append(m.Payloads, &GenExtPayload{ExtType: GenExtMCKeyParams, Data: data})
	}
	sign := &SIGNPayload{SType: SignECCSI, Signature: make([]byte, eccsi.SignatureLen)}
	m.Payloads = append(m.Payloads, sign)
	wire, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	signed := wire[:len(wire)-eccsi.SignatureLen]
	ssk := new(big.Int).SetBytes(b.SSK)
	rnd := b.Rnd
	if rnd == nil {
		rnd = rand.Reader
	}
	sig, err := eccsi.SignRandom(rnd, kpak, initID, signed, ssk, pvt)
	if err != nil {
		return nil, fmt.Errorf("mikey: BuildSAKKE: signing: %w", err)
	}
	sigBytes, err := sig.Marshal()
	if err != nil {
		return nil, fmt.Errorf("mikey: BuildSAKKE: %w", err)
	}
	copy(wire[len(signed):], sigBytes)
	out, err := Parse(wire)
	if err != nil {
		return nil, fmt.Errorf("mikey: BuildSAKKE: the encoding does not decode: %w", err)
	}
	return out, nil
}

// sakkeToSelf builds the SAKKE-to-self general extension: a SAKKE payload
// with Next payload 0 carrying the SSV for the initiator.
func sakkeToSelf(pp *sakke.Params, b SAKKEBuild, initID []byte, scheme SAKKEIDScheme) (*GenExtPayload, error) {
	zb := b.InitiatorZ
	if len(zb) == 0 {
		zb = b.Z
	}
	Z, err := pp.ParsePoint(zb)
	if err != nil {
		return nil, fmt.Errorf("mikey: BuildSAKKE: initiator KMS public key: %w", err)
	}
	ed, err := pp.Encapsulate(Z, initID, b.SSV)
	if err != nil {
		return nil, fmt.Errorf("mikey: BuildSAKKE: SAKKE-to-self: %w", err)
	}
	p := &SAKKEPayload{Params: SAKKEParams(pp.ID), IDScheme: scheme, Data: ed.Marshal(pp)}
	data, err := p.AppendMarshal(nil, PayloadLast)
	if err != nil {
		return nil, err
	}
	return &GenExtPayload{ExtType: GenExtSAKKEToSelf, Data: data}, nil
}
