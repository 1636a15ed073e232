package mikey

import (
	"crypto/rsa"
	"crypto/x509"
	"errors"
)

// signer is a public key that may have made a SIGN payload.
type signer struct {
	pub    *rsa.PublicKey
	name   string // fingerprint and subject
	source string
}

// signersFor lists the RSA public keys to try on a SIGN payload of m: the
// certificates in m's CERT payloads (X.509v3 and X.509v3 Sign, DER,
// RFC 3830 §6.7), the certificates the user supplied, and the public halves
// of the user's RSA private keys.
func (x *exchange) signersFor(m *Message) ([]signer, []string) {
	var out []signer
	var notes []string
	for _, c := range m.CERTs() {
		if c.CertType != 0 && c.CertType != 2 {
			continue
		}
		cert, err := x509.ParseCertificate(c.Data)
		if err != nil {
			notes = append(notes, "CERT payload does not parse as X.509: "+err.Error())
			continue
		}
		if pub, ok := cert.PublicKey.(*rsa.PublicKey); ok {
			out = append(out, signer{pub, PublicKeyFingerprint(pub) + " " + cert.Subject.String(), "CERT payload"})
		}
	}
	for _, c := range x.keys.Certs {
		if c.Cert == nil {
			continue
		}
		if pub, ok := c.Cert.PublicKey.(*rsa.PublicKey); ok {
			out = append(out, signer{pub, PublicKeyFingerprint(pub) + " " + c.Cert.Subject.String(), c.Source})
		}
	}
	for _, k := range x.keys.RSA {
		if k.Private != nil {
			out = append(out, signer{&k.Private.PublicKey, k.Fingerprint(), k.Source})
		}
	}
	return out, notes
}

// verifySIGN checks the SIGN payload of m over each candidate layout of the
// signed bytes with each candidate signer (RFC 3830 §5.2, §6.5).
func (x *exchange) verifySIGN(m *Message, variants []macInput) SignatureVerdict {
	s := m.SIGN()
	if s == nil {
		return SignatureVerdict{Status: AuthNotApplicable}
	}
	if s.SType != SignRSAPKCS1 && s.SType != SignRSAPSS {
		return SignatureVerdict{Status: AuthNotApplicable, Scheme: SignatureScheme(s.SType.String() + " (not RSA)")}
	}
	signers, _ := x.signersFor(m)
	v := SignatureVerdict{Status: AuthNoKey}
	if len(signers) == 0 {
		return v
	}
	v.Status = AuthFailed
	for _, sg := range signers {
		v.Tried++
		v.MessageCert = v.MessageCert || sg.source == "CERT payload"
		for _, in := range variants {
			scheme, err := VerifyRSASignature(sg.pub, s.SType, concat(in.parts...), s.Signature)
			if errors.Is(err, ErrSignature) || err != nil {
				continue
			}
			v.Status, v.Scheme, v.Signer, v.CertSource = AuthVerified, scheme, sg.name, sg.source
			v.Variant = variantNote(in.name)
			return v
		}
	}
	return v
}

// VariantSignNoHeader: the signature covers the message without the SIGN
// payload's S type and length bytes (libmikey signs raw length minus the
// SIGN payload length).
const VariantSignNoHeader = "message without the SIGN payload header"

// signedWhole returns the RFC 3830 §5.2 signed bytes (the whole message up
// to the Signature field), then the message without the SIGN payload.
func signedWhole(m *Message) []macInput {
	s := m.SIGN()
	if s == nil || s.SignatureOffset < 0 || s.SignatureOffset > len(m.Raw) || s.Offset < 0 || s.Offset > s.SignatureOffset {
		return nil
	}
	return []macInput{
		{VariantRFC, [][]byte{m.Raw[:s.SignatureOffset]}},
		{VariantSignNoHeader, [][]byte{m.Raw[:s.Offset]}},
	}
}

func concat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
