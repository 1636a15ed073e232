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
// (relative to the working directory). Warnings (an unusually short key)
// are dropped: callers that show them use AddWithWarnings.
func (s *Store) Add(kind, value, source string) error {
	_, err := s.AddWithWarnings(kind, value, source)
	return err
}

// AddWithWarnings is Add returning the warnings about the value, such as a
// PSK shorter than 128 bits, for the caller to show.
func (s *Store) AddWithWarnings(kind, value, source string) ([]Warning, error) {
	p := parser{store: s, readFile: readFileLimited}
	if err := p.add(kind, value, source, ""); err != nil {
		return p.warnings, fmt.Errorf("%s: %w", source, err)
	}
	return p.warnings, nil
}

// SplitLine splits a keys-file line into its kind and value, dropping a
// comment; ok is false for a blank or comment line. The TUI's add-key
// dialog reads its line with it, as ParseFile reads a file's.
func SplitLine(line string) (kind, value string, ok bool) { return splitEntry(line) }

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

// oneToken lists the kinds whose value is one word: a second word on the
// line is an error that names it (paths may hold spaces).
var oneToken = map[string]bool{KindPSK: true, KindDHKey: true, KindTGK: true, KindSRTP: true,
	KindSAKKERSK: true, KindKMSZ: true, KindKMSKPAK: true}

// Lengths of the MIKEY-SAKKE values (RFC 6509 §2.1.1 parameter set 1: p of
// 1024 bits; RFC 6507 with P-256): uncompressed points 0x04 || x || y.
const (
	sakkePointLen = 1 + 2*128
	kpakPointLen  = 1 + 2*32
)

// add parses value for kind; baseDir resolves relative paths.
func (p *parser) add(kind, value, source, baseDir string) error {
	value = strings.TrimSpace(value)
	if value == "" {
		return fmt.Errorf("%s: missing value", kind)
	}
	if oneToken[kind] {
		if i := strings.IndexAny(value, " \t"); i >= 0 {
			extra := strings.Fields(value[i:])[0]
			if IsHexDigits(strings.TrimPrefix(extra, "0x")) {
				// Likely a key split by a space: not quoted (keys are not printed).
				return fmt.Errorf("%s: unexpected second word of %d hex digits after the value (a key split by a space?)", kind, len(extra))
			}
			// A base64 key split by a space: the value's last part and
			// the word make a key together. Not quoted either.
			head := value[:i]
			head = head[strings.LastIndexAny(head, ":=")+1:]
			if _, err := ParseValue(head + extra); err == nil {
				return fmt.Errorf("%s: unexpected second word of %d characters after the value (a key split by a space?)", kind, len(extra))
			}
			return fmt.Errorf("%s: unexpected word %q after the value (one value per line; a comment starts with \" #\")", kind, extra)
		}
	}
	s := p.store
	switch kind {
	case KindPSK:
		id, v := splitIdentity(value)
		k, err := ParseValue(v)
		if err != nil {
			return fmt.Errorf("psk: %w", err)
		}
		if len(k) < 16 {
			p.warn(source, fmt.Sprintf("psk %s of %d bytes is unusually short (under 128 bits): check that it is the whole key", mikey.KindFingerprint("psk", k), len(k)))
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
		k, err := parseHex(value)
		if err != nil {
			return fmt.Errorf("dh-key: %w", err)
		}
		s.DHKeys = append(s.DHKeys, mikey.DHKey{Private: k, Source: source})
	case KindTGK:
		k, err := parseHex(value)
		if err != nil {
			return fmt.Errorf("tgk: %w", err)
		}
		if len(k) < 16 {
			p.warn(source, fmt.Sprintf("tgk %s of %d bytes is unusually short (under 128 bits): check that it is the whole key", mikey.KindFingerprint("tgk", k), len(k)))
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
		k, err := parsePoint(v, sakkePointLen, "an RSK (RFC 6508 §2.2: a point of E, parameter set 1)")
		if err != nil {
			return fmt.Errorf("sakke-rsk: %w", err)
		}
		s.SAKKERSKs = append(s.SAKKERSKs, SAKKEKey{Identity: id, RSK: k, Source: source})
	case KindKMSZ, KindKMSKPAK:
		want, what := sakkePointLen, "the KMS public key Z (RFC 6508 §2.2: a point of E, parameter set 1)"
		if kind == KindKMSKPAK {
			want, what = kpakPointLen, "the KPAK (RFC 6507 §4.2: a P-256 point)"
		}
		k, err := parsePoint(value, want, what)
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

// parseHex reads a value that is hex only (an optional hex: or 0x prefix).
func parseHex(v string) ([]byte, error) {
	return decodeHex(strings.TrimPrefix(v, "hex:"))
}

// parsePoint reads an uncompressed elliptic curve point in hex: want bytes
// starting with 0x04.
func parsePoint(v string, want int, what string) ([]byte, error) {
	b, err := parseHex(v)
	if err != nil {
		return nil, err
	}
	if len(b) != want || b[0] != 0x04 {
		first := "starting 0x04"
		if b[0] != 0x04 {
			first = "not starting 0x04"
		}
		return nil, fmt.Errorf("%d bytes %s: %s is %d bytes, 0x04 || x || y", len(b), first, what, want)
	}
	return b, nil
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
		key, salt, ok := SplitInline(b)
		if !ok {
			return k, fmt.Errorf("inline key||salt of %d bytes fits no SRTP suite (30, 38 or 46 bytes for AES-CM with a 14-byte salt; 28 or 44 for AES-GCM)", len(b))
		}
		k.Inline, k.Key, k.Salt = b, key, salt
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
	if err := checkSRTPLengths(len(k.Key), len(k.Salt)); err != nil {
		return k, err
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
