// Package tlstest runs real TLS sessions with crypto/tls over a loopback
// TCP connection and records the bytes each side writes, with the key log, so that
// tests and sample generators can build captures of TLS traffic (RTSPS, SIPS)
// whose plaintext and secrets are known.
package tlstest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"sync"
	"time"
)

var (
	certMu    sync.Mutex
	certCache = map[bool]tls.Certificate{}
)

// Certificate returns a self-signed server certificate for "mikeyscope.test",
// with an RSA-2048 key when rsaKey is true (needed by the ECDHE_RSA and RSA
// key exchange suites) or ECDSA P-256 otherwise. Certificates are generated
// once per process.
func Certificate(rsaKey bool) (tls.Certificate, error) {
	certMu.Lock()
	defer certMu.Unlock()
	if c, ok := certCache[rsaKey]; ok {
		return c, nil
	}
	var key crypto.Signer
	var err error
	if rsaKey {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mikeyscope.test"},
		DNSNames:     []string{"mikeyscope.test"},
		NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return tls.Certificate{}, err
	}
	c := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	certCache[rsaKey] = c
	return c, nil
}
