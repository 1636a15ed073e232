package tlsdec

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Key log labels of the NSS key log format (also written by curl, OpenSSL,
// GnuTLS and Go's tls.Config.KeyLogWriter). The TLS 1.3 labels name the
// secrets of RFC 8446 §7.1.
const (
	LabelClientRandom           = "CLIENT_RANDOM" // TLS <= 1.2 master secret
	LabelClientEarlyTraffic     = "CLIENT_EARLY_TRAFFIC_SECRET"
	LabelClientHandshakeTraffic = "CLIENT_HANDSHAKE_TRAFFIC_SECRET"
	LabelServerHandshakeTraffic = "SERVER_HANDSHAKE_TRAFFIC_SECRET"
	LabelClientTraffic0         = "CLIENT_TRAFFIC_SECRET_0"
	LabelServerTraffic0         = "SERVER_TRAFFIC_SECRET_0"
	LabelExporter               = "EXPORTER_SECRET"
	LabelEarlyExporter          = "EARLY_EXPORTER_SECRET"
)

const (
	randomLen       = 32
	masterSecretLen = 48
	maxSecretLen    = 64   // SHA-512 sized secrets; larger is not a TLS secret
	maxKeyLogLine   = 1024 // longest line accepted; real lines are < 250 bytes
)

// Secrets are the key log entries of one TLS connection, identified by its
// ClientHello random. Nil slices are secrets the log did not provide.
type Secrets struct {
	ClientRandom [randomLen]byte

	MasterSecret []byte // CLIENT_RANDOM: TLS 1.0-1.2 master secret (48 bytes)

	ClientEarlyTraffic     []byte // TLS 1.3 client_early_traffic_secret
	ClientHandshakeTraffic []byte // TLS 1.3 client_handshake_traffic_secret
	ServerHandshakeTraffic []byte // TLS 1.3 server_handshake_traffic_secret
	ClientTraffic0         []byte // TLS 1.3 client_application_traffic_secret_0
	ServerTraffic0         []byte // TLS 1.3 server_application_traffic_secret_0
	Exporter               []byte // TLS 1.3 exporter_master_secret
	EarlyExporter          []byte // TLS 1.3 early_exporter_master_secret
}

// String identifies the entry by client random and secret fingerprints,
// so that printing a Secrets never reveals key material.
func (s *Secrets) String() string {
	var b strings.Builder
	b.WriteString("CLIENT_RANDOM ")
	b.WriteString(hex.EncodeToString(s.ClientRandom[:]))
	for _, f := range []struct {
		name   string
		secret []byte
	}{
		{"master", s.MasterSecret}, {"client_early", s.ClientEarlyTraffic},
		{"client_hs", s.ClientHandshakeTraffic}, {"server_hs", s.ServerHandshakeTraffic},
		{"client_app", s.ClientTraffic0}, {"server_app", s.ServerTraffic0},
		{"exporter", s.Exporter}, {"early_exporter", s.EarlyExporter},
	} {
		if f.secret != nil {
			b.WriteString(" " + f.name + "=" + Fingerprint(f.secret))
		}
	}
	return b.String()
}

// KeyLog holds parsed key log entries indexed by client random. It is safe
// for concurrent readers once parsing is done; Conns sharing it also share a
// TLS 1.2 session cache (see sessionCache), which is synchronised.
type KeyLog struct {
	byRandom map[[randomLen]byte]*Secrets
	order    [][randomLen]byte // insertion order, for deterministic iteration
	sessions sessionCache
}

// NewKeyLog returns an empty key log.
func NewKeyLog() *KeyLog {
	return &KeyLog{byRandom: make(map[[randomLen]byte]*Secrets)}
}

// Len is the number of connections (distinct client randoms) in the log.
func (k *KeyLog) Len() int {
	if k == nil {
		return 0
	}
	return len(k.byRandom)
}

// Lookup returns the secrets logged for a client random, or nil.
func (k *KeyLog) Lookup(clientRandom [randomLen]byte) *Secrets {
	if k == nil {
		return nil
	}
	return k.byRandom[clientRandom]
}

// Each calls fn for every entry in the order the entries were first seen.
func (k *KeyLog) Each(fn func(*Secrets)) {
	if k == nil {
		return
	}
	for _, r := range k.order {
		fn(k.byRandom[r])
	}
}

// Merge adds every entry of other to k; secrets already present in k win.
func (k *KeyLog) Merge(other *KeyLog) {
	other.Each(func(s *Secrets) {
		dst := k.entry(s.ClientRandom)
		for _, f := range []struct {
			dst *[]byte
			src []byte
		}{
			{&dst.MasterSecret, s.MasterSecret},
			{&dst.ClientEarlyTraffic, s.ClientEarlyTraffic},
			{&dst.ClientHandshakeTraffic, s.ClientHandshakeTraffic},
			{&dst.ServerHandshakeTraffic, s.ServerHandshakeTraffic},
			{&dst.ClientTraffic0, s.ClientTraffic0},
			{&dst.ServerTraffic0, s.ServerTraffic0},
			{&dst.Exporter, s.Exporter},
			{&dst.EarlyExporter, s.EarlyExporter},
		} {
			if *f.dst == nil && f.src != nil {
				*f.dst = f.src
			}
		}
	})
}

func (k *KeyLog) entry(r [randomLen]byte) *Secrets {
	s := k.byRandom[r]
	if s == nil {
		s = &Secrets{ClientRandom: r}
		k.byRandom[r] = s
		k.order = append(k.order, r)
	}
	return s
}

// Fingerprint identifies a secret without revealing it: the first 4 bytes of
// its SHA-256, in hex. Empty for a nil secret.
func Fingerprint(secret []byte) string {
	if secret == nil {
		return ""
	}
	sum := sha256.Sum256(secret)
	return hex.EncodeToString(sum[:4])
}

// KeyLogLineError is one line of a key log that could not be used.
type KeyLogLineError struct {
	Line   int    // 1-based line number
	Label  string // label of the line, when it had one
	Reason string
}

func (e *KeyLogLineError) Error() string {
	if e.Label != "" {
		return "key log line " + strconv.Itoa(e.Line) + " (" + e.Label + "): " + e.Reason
	}
	return "key log line " + strconv.Itoa(e.Line) + ": " + e.Reason
}

// KeyLogError lists the bad lines of a key log. ParseKeyLog returns it
// together with a KeyLog holding every good line.
type KeyLogError struct {
	Lines []*KeyLogLineError
}

func (e *KeyLogError) Error() string {
	if len(e.Lines) == 1 {
		return e.Lines[0].Error()
	}
	return fmt.Sprintf("%s (and %d more bad key log lines)", e.Lines[0].Error(), len(e.Lines)-1)
}

// maxReportedLines bounds the bad lines kept in a KeyLogError.
const maxReportedLines = 100

// ParseKeyLog reads a key log in the NSS key log format: one
// "LABEL <client random hex> <secret hex>" per line, '#' comments and blank
// lines allowed. Unknown labels (RSA, QUIC and others) are skipped. Bad lines
// do not stop parsing: the returned KeyLog holds every good line and the error,
// a *KeyLogError, names the bad lines by number. A read error is returned as
// is, with the lines read so far.
func ParseKeyLog(r io.Reader) (*KeyLog, error) {
	kl := NewKeyLog()
	br := bufio.NewReaderSize(r, 4096)
	var bad []*KeyLogLineError
	report := func(e *KeyLogLineError) {
		if len(bad) < maxReportedLines {
			bad = append(bad, e)
		}
	}
	for lineNo := 1; ; lineNo++ {
		line, tooLong, err := readLine(br)
		if tooLong {
			report(&KeyLogLineError{Line: lineNo, Reason: "line longer than " + strconv.Itoa(maxKeyLogLine) + " bytes"})
		} else if len(line) > 0 {
			if e := kl.addLine(line); e != nil {
				e.Line = lineNo
				report(e)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return kl, fmt.Errorf("key log line %d: %w", lineNo, err)
		}
	}
	if len(bad) > 0 {
		return kl, &KeyLogError{Lines: bad}
	}
	return kl, nil
}

// readLine returns the next line without its end of line. Lines longer than
// maxKeyLogLine are consumed and flagged instead of returned.
func readLine(br *bufio.Reader) (line string, tooLong bool, err error) {
	var sb []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(sb)+len(chunk) > maxKeyLogLine+2 {
			tooLong = true
			sb = sb[:0]
		} else if !tooLong {
			sb = append(sb, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if tooLong {
			return "", true, err
		}
		return strings.TrimRight(string(sb), "\r\n"), false, err
	}
}

// addLine parses one non-empty line. It returns nil for good, comment and
// unknown-label lines.
func (k *KeyLog) addLine(line string) *KeyLogLineError {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return nil
	}
	fields := strings.Fields(line)
	label := fields[0]
	var want int // expected secret length; 0 = any TLS 1.3 hash length
	switch label {
	case LabelClientRandom:
		want = masterSecretLen
	case LabelClientEarlyTraffic, LabelClientHandshakeTraffic, LabelServerHandshakeTraffic,
		LabelClientTraffic0, LabelServerTraffic0, LabelExporter, LabelEarlyExporter:
	default:
		if !isLabel(label) {
			return &KeyLogLineError{Reason: "not a key log line (no LABEL)"}
		}
		return nil // RSA, CLIENT_TRAFFIC_SECRET_1, QUIC labels...: not used here
	}
	if len(fields) != 3 {
		return &KeyLogLineError{Label: label, Reason: fmt.Sprintf("%d fields, want 3", len(fields))}
	}
	if len(fields[1]) != 2*randomLen {
		return &KeyLogLineError{Label: label, Reason: fmt.Sprintf("client random has %d hex digits, want 64", len(fields[1]))}
	}
	var random [randomLen]byte
	if _, err := hex.Decode(random[:], []byte(fields[1])); err != nil {
		return &KeyLogLineError{Label: label, Reason: "client random: " + err.Error()}
	}
	if len(fields[2])%2 != 0 || len(fields[2]) > 2*maxSecretLen {
		return &KeyLogLineError{Label: label, Reason: fmt.Sprintf("secret has %d hex digits", len(fields[2]))}
	}
	secret, err := hex.DecodeString(fields[2])
	if err != nil {
		// Not err.Error(): it would quote a character of the secret.
		return &KeyLogLineError{Label: label, Reason: "secret is not hexadecimal"}
	}
	if want != 0 && len(secret) != want {
		return &KeyLogLineError{Label: label, Reason: fmt.Sprintf("secret is %d bytes, want %d", len(secret), want)}
	}
	if want == 0 && len(secret) != 32 && len(secret) != 48 {
		return &KeyLogLineError{Label: label, Reason: fmt.Sprintf("secret is %d bytes, want 32 or 48 (SHA-256/384)", len(secret))}
	}
	s := k.entry(random)
	switch label {
	case LabelClientRandom:
		s.MasterSecret = secret
	case LabelClientEarlyTraffic:
		s.ClientEarlyTraffic = secret
	case LabelClientHandshakeTraffic:
		s.ClientHandshakeTraffic = secret
	case LabelServerHandshakeTraffic:
		s.ServerHandshakeTraffic = secret
	case LabelClientTraffic0:
		s.ClientTraffic0 = secret
	case LabelServerTraffic0:
		s.ServerTraffic0 = secret
	case LabelExporter:
		s.Exporter = secret
	case LabelEarlyExporter:
		s.EarlyExporter = secret
	}
	return nil
}

// isLabel reports whether s looks like a key log label: upper-case letters,
// digits and underscores.
func isLabel(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return len(s) > 0
}

// AppendKeyLog appends the entry's secrets to b as NSS key log lines, one
// per secret the log provided ("LABEL <client random> <secret>\n", hex),
// as ParseKeyLog reads them. The lines hold the secrets themselves: they
// are for key log files and pcapng Decryption Secrets Blocks, never for
// display.
func (s *Secrets) AppendKeyLog(b []byte) []byte {
	for _, f := range []struct {
		label  string
		secret []byte
	}{
		{LabelClientRandom, s.MasterSecret},
		{LabelClientEarlyTraffic, s.ClientEarlyTraffic},
		{LabelClientHandshakeTraffic, s.ClientHandshakeTraffic},
		{LabelServerHandshakeTraffic, s.ServerHandshakeTraffic},
		{LabelClientTraffic0, s.ClientTraffic0},
		{LabelServerTraffic0, s.ServerTraffic0},
		{LabelExporter, s.Exporter},
		{LabelEarlyExporter, s.EarlyExporter},
	} {
		if f.secret == nil {
			continue
		}
		b = append(b, f.label...)
		b = append(b, ' ')
		b = hex.AppendEncode(b, s.ClientRandom[:])
		b = append(b, ' ')
		b = hex.AppendEncode(b, f.secret)
		b = append(b, '\n')
	}
	return b
}
