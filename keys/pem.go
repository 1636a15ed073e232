package keys

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
)

// maxKeyFile bounds any file read for keys.
const maxKeyFile = 1 << 20

// readFileLimited reads a file of at most maxKeyFile bytes.
func readFileLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > maxKeyFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxKeyFile)
	}
	return b, nil
}

// parseRSAKeys reads every RSA private key in PEM data: "RSA PRIVATE KEY"
// (PKCS#1) and "PRIVATE KEY" (PKCS#8) blocks. A file with a single DER key
// is accepted too.
func parseRSAKeys(data []byte) ([]*rsa.PrivateKey, error) {
	var out []*rsa.PrivateKey
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch block.Type {
		case "RSA PRIVATE KEY", "PRIVATE KEY":
			if _, enc := block.Headers["Proc-Type"]; enc {
				return nil, errors.New("encrypted PEM keys are not supported; decrypt with openssl first")
			}
			k, err := parseRSADER(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%s block: %w", block.Type, err)
			}
			out = append(out, k)
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("encrypted PKCS#8 keys are not supported; decrypt with openssl first")
		}
	}
	if len(out) == 0 {
		if k, err := parseRSADER(data); err == nil {
			return []*rsa.PrivateKey{k}, nil
		}
		return nil, errors.New("no RSA private key (PEM RSA PRIVATE KEY or PRIVATE KEY block) found")
	}
	return out, nil
}

func parseRSADER(der []byte) (*rsa.PrivateKey, error) {
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("PKCS#8 key is %T, not RSA", k)
	}
	return rk, nil
}

// parseCerts reads every CERTIFICATE block of PEM data, or one DER
// certificate.
func parseCerts(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("CERTIFICATE block: %w", err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		c, err := x509.ParseCertificate(data)
		if err != nil {
			return nil, errors.New("no certificate (PEM CERTIFICATE block or DER) found")
		}
		out = append(out, c)
	}
	return out, nil
}
