package keys

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mikeyscope/mikeyscope/mikey"
)

// Kinds of entries.
const (
	KindPSK       = "psk"
	KindRSAKey    = "rsa-key"
	KindCert      = "cert"
	KindDHKey     = "dh-key"
	KindTGK       = "tgk"
	KindSRTP      = "srtp"
	KindSAKKERSK  = "sakke-rsk"
	KindKMSZ      = "kms-z"
	KindKMSKPAK   = "kms-kpak"
	KindTLSKeyLog = "tls-keylog"
	KindKMSURI    = "kms-uri"
	KindKeyPeriod = "key-period"
	KindKMSXML    = "kms-xml"
)

// Kinds lists every entry kind, for flag registration and help.
var Kinds = []string{KindPSK, KindRSAKey, KindCert, KindDHKey, KindTGK, KindSRTP, KindSAKKERSK, KindKMSZ, KindKMSKPAK, KindTLSKeyLog, KindKMSURI, KindKeyPeriod, KindKMSXML}

// ErrUnknownKind is returned for an entry kind not in Kinds.
var ErrUnknownKind = errors.New("unknown key kind")

// Add adds one entry given as a flag: kind is the flag name, value its
// argument, source names it in results ("--psk"). Paths are taken as given
// (relative to the working directory).
func (s *Store) Add(kind, value, source string) error {
	p := parser{store: s, readFile: readFileLimited}
	if err := p.add(kind, value, source, ""); err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	return nil
}

// parser adds entries to a store; readFile is replaceable for tests and
// fuzzing.
type parser struct {
	store    *Store
	readFile func(string) ([]byte, error)
	warnings []Warning
}

func (p *parser) warn(source, text string) {
	p.warnings = append(p.warnings, Warning{Source: source, Text: text})
}

// add parses value for kind; baseDir resolves relative paths.
func (p *parser) add(kind, value, source, baseDir string) error {
	value = strings.TrimSpace(value)
	if value == "" {
		return fmt.Errorf("%s: missing value", kind)
	}
	s := p.store
	switch kind {
	case KindPSK:
		id, v := splitIdentity(value)
		k, err := decodeKey(v)
		if err != nil {
			return fmt.Errorf("psk: %w", err)
		}
		if len(k) < 16 {
			p.warn(source, fmt.Sprintf("psk of %d bytes is shorter than 128 bits", len(k)))
		}
		s.PSKs = append(s.PSKs, mikey.PSK{Key: k, Identity: id, Source: source})
	case KindRSAKey:
		path := resolve(baseDir, value)
		data, err := p.readFile(path)
		if err != nil {
			return fmt.Errorf("rsa-key: %w", err)
		}
		keys, err := parseRSAKeys(data)
		if err != nil {
			return fmt.Errorf("rsa-key %s: %w", value, err)
		}
		for _, k := range keys {
			s.RSAKeys = append(s.RSAKeys, mikey.RSAKey{Private: k, Source: source})
		}
	case KindCert:
		path := resolve(baseDir, value)
		data, err := p.readFile(path)
		if err != nil {
			return fmt.Errorf("cert: %w", err)
		}
		certs, err := parseCerts(data)
		if err != nil {
			return fmt.Errorf("cert %s: %w", value, err)
		}
		for _, c := range certs {
			s.Certs = append(s.Certs, mikey.Cert{Cert: c, Source: source})
		}
	case KindDHKey:
		k, err := decodeHex(value)
		if err != nil {
			return fmt.Errorf("dh-key: %w", err)
		}
		s.DHKeys = append(s.DHKeys, mikey.DHKey{Private: k, Source: source})
	case KindTGK:
		k, err := decodeHex(value)
		if err != nil {
			return fmt.Errorf("tgk: %w", err)
		}
		s.TGKs = append(s.TGKs, mikey.TGK{Key: k, Source: source})
	case KindSRTP:
		k, err := parseSRTP(value)
		if err != nil {
			return fmt.Errorf("srtp: %w", err)
		}
		k.Source = source
		s.SRTP = append(s.SRTP, k)
	case KindSAKKERSK:
		id, v := splitIdentity(value)
		k, err := decodeHex(v)
		if err != nil {
			return fmt.Errorf("sakke-rsk: %w", err)
		}
		s.SAKKERSKs = append(s.SAKKERSKs, SAKKEKey{Identity: id, RSK: k, Source: source})
	case KindKMSZ, KindKMSKPAK:
		k, err := decodeHex(value)
		if err != nil {
			return fmt.Errorf("%s: %w", kind, err)
		}
		if kind == KindKMSZ {
			s.KMSZ = append(s.KMSZ, RawKey{Value: k, Source: source})
		} else {
			s.KMSKPAK = append(s.KMSKPAK, RawKey{Value: k, Source: source})
		}
	case KindTLSKeyLog:
		s.TLSKeyLogs = append(s.TLSKeyLogs, Path{Path: resolve(baseDir, value), Source: source})
	case KindKMSURI:
		if strings.ContainsAny(value, " \t") {
			return fmt.Errorf("kms-uri: %q has blank space", value)
		}
		s.KMSURIs = append(s.KMSURIs, Value{Value: value, Source: source})
	case KindKeyPeriod:
		kp, err := parseKeyPeriod(value)
		if err != nil {
			return fmt.Errorf("key-period: %w", err)
		}
		s.KeyPeriods = append(s.KeyPeriods, KeyPeriodEntry{Period: kp, Source: source})
	case KindKMSXML:
		path := resolve(baseDir, value)
		data, err := p.readFile(path)
		if err != nil {
			return fmt.Errorf("kms-xml: %w", err)
		}
		certs, sets, err := ParseKMSXML(data, value)
		if err != nil {
			return fmt.Errorf("kms-xml: %w", err)
		}
		s.KMSCerts = append(s.KMSCerts, certs...)
		for _, k := range sets {
			if k.Encrypted {
				p.warn(k.Source, fmt.Sprintf("the key set of %q for key period %d is encrypted (xmlenc EncryptedKey): it needs the KMS's transport key, which is not supplied; its keys are not used", k.UserURI, k.PeriodNo))
			}
		}
		s.KeySets = append(s.KeySets, sets...)
	default:
		return fmt.Errorf("%w %q (want one of %s)", ErrUnknownKind, kind, strings.Join(Kinds, ", "))
	}
	return nil
}

// parseSRTP reads <ssrc>=<keyhex>:<salthex> or <ssrc>=inline:<base64>.
func parseSRTP(v string) (SRTPKey, error) {
	var k SRTPKey
	i := strings.IndexByte(v, '=')
	if i < 0 {
		return k, errors.New("want <ssrc>=<keyhex>:<salthex> or <ssrc>=inline:<base64>")
	}
	var err error
	if k.SSRC, k.AnySSRC, err = parseSSRC(v[:i]); err != nil {
		return k, err
	}
	rest := v[i+1:]
	if strings.HasPrefix(rest, "inline:") {
		b, err := decodeBase64(strings.TrimPrefix(rest, "inline:"))
		if err != nil {
			return k, fmt.Errorf("inline key: %w", err)
		}
		k.Inline = b
		if key, salt, ok := SplitInline(b); ok {
			k.Key, k.Salt = key, salt
		}
		return k, nil
	}
	j := strings.IndexByte(rest, ':')
	if j < 0 {
		return k, errors.New("want <keyhex>:<salthex> after the SSRC")
	}
	if k.Key, err = decodeHex(rest[:j]); err != nil {
		return k, fmt.Errorf("master key: %w", err)
	}
	if k.Salt, err = decodeHex(rest[j+1:]); err != nil {
		return k, fmt.Errorf("master salt: %w", err)
	}
	return k, nil
}

func resolve(baseDir, path string) string {
	if baseDir == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(baseDir, path)
}

// parseKeyPeriod reads SECONDS[:OFFSET] (TS 33.180 UserKeyPeriod and
// UserKeyOffset).
func parseKeyPeriod(v string) (mikey.KeyPeriod, error) {
	var kp mikey.KeyPeriod
	l, o, hasOffset := strings.Cut(v, ":")
	n, err := strconv.ParseUint(l, 10, 64)
	if err != nil || n == 0 {
		return kp, fmt.Errorf("%q: want SECONDS[:OFFSET], SECONDS a positive integer", v)
	}
	kp.Length = n
	if hasOffset {
		if kp.Offset, err = strconv.ParseUint(o, 10, 64); err != nil {
			return kp, fmt.Errorf("%q: the offset %q is not a non-negative integer", v, o)
		}
	}
	return kp, nil
}
