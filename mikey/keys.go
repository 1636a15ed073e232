package mikey

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
)

// Keys is the material a user supplied for opening MIKEY exchanges. Every
// key carries a Source ("--psk", "keys.txt:3") and has a short fingerprint
// ("psk:3f2a9c1d") by which results name it.
type Keys struct {
	PSKs  []PSK
	RSA   []RSAKey
	DH    []DHKey
	TGKs  []TGK
	Certs []Cert
	// SAKKE is the key material for MIKEY-SAKKE (RFC 6509).
	SAKKE SAKKEKeys
}

// PSK is a pre-shared key (RFC 3830 §3.1), optionally bound to the identity
// of an ID or IDR payload.
type PSK struct {
	Key      Secret
	Identity string // empty: try on every message
	Source   string
}

// Fingerprint returns "psk:" and the first 4 bytes of SHA-256 of the key.
func (k PSK) Fingerprint() string { return KindFingerprint("psk", k.Key) }

// RSAKey is an RSA private key, for PKE envelope keys (RFC 3830 §3.2) and
// RSA-R responder messages (RFC 4738).
type RSAKey struct {
	Private *rsa.PrivateKey
	Source  string
}

// Fingerprint returns "rsa:" and the first 4 bytes of SHA-256 of the
// public key's PKIX encoding (the same for the key and its certificate).
func (k RSAKey) Fingerprint() string {
	if k.Private == nil {
		return "rsa:"
	}
	return PublicKeyFingerprint(&k.Private.PublicKey)
}

// PublicKeyFingerprint returns "rsa:" and the first 4 bytes of SHA-256 of
// the PKIX encoding of pub.
func PublicKeyFingerprint(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "rsa:"
	}
	sum := sha256.Sum256(der)
	return "rsa:" + hex.EncodeToString(sum[:4])
}

// DHKey is one side's Diffie-Hellman private value xi or xr (RFC 3830 §3.3).
type DHKey struct {
	Private Secret
	Source  string
}

// Fingerprint returns "dh:" and the first 4 bytes of SHA-256 of the value.
func (k DHKey) Fingerprint() string { return KindFingerprint("dh", k.Private) }

// TGK is a TEK generation key supplied directly.
type TGK struct {
	Key    Secret
	Source string
}

// Fingerprint returns "tgk:" and the first 4 bytes of SHA-256 of the key.
func (k TGK) Fingerprint() string { return KindFingerprint("tgk", k.Key) }

// Cert is a peer certificate for verifying SIGN payloads.
type Cert struct {
	Cert   *x509.Certificate
	Source string
}

// Fingerprint returns "cert:" and the first 4 bytes of SHA-256 of the DER.
func (c Cert) Fingerprint() string {
	if c.Cert == nil {
		return "cert:"
	}
	return KindFingerprint("cert", c.Cert.Raw)
}
