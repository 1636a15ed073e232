package keys

import (
	"fmt"

	"github.com/mikeyscope/mikeyscope/mikey"
)

// Store holds every supplied key with its source.
type Store struct {
	PSKs       []mikey.PSK
	RSAKeys    []mikey.RSAKey
	Certs      []mikey.Cert
	DHKeys     []mikey.DHKey
	TGKs       []mikey.TGK
	SRTP       []SRTPKey
	SAKKERSKs  []SAKKEKey
	KMSZ       []RawKey
	KMSKPAK    []RawKey
	TLSKeyLogs []Path
}

// SRTPKey is an SRTP master key and salt for one SSRC or for any.
type SRTPKey struct {
	SSRC    uint32
	AnySSRC bool
	// Key and Salt are set when the entry gives them apart
	// (<keyhex>:<salthex>). For an inline entry Inline holds key||salt and
	// Key and Salt are a guess from its length (see SplitInline); the SRTP
	// policy decides the real split.
	Key, Salt mikey.Secret
	Inline    mikey.Secret
	Source    string
}

// Fingerprint returns "srtp:" and the fingerprint of key||salt.
func (k SRTPKey) Fingerprint() string {
	if len(k.Inline) > 0 {
		return mikey.KindFingerprint("srtp", k.Inline)
	}
	return mikey.KindFingerprint("srtp", append(append([]byte(nil), k.Key...), k.Salt...))
}

// SAKKEKey is a SAKKE receiver secret key, optionally bound to an identity.
type SAKKEKey struct {
	Identity string
	RSK      mikey.Secret
	Source   string
}

// Fingerprint returns "sakke:" and the fingerprint of the RSK.
func (k SAKKEKey) Fingerprint() string { return mikey.KindFingerprint("sakke", k.RSK) }

// RawKey is a value stored as parsed, for other packages to interpret.
type RawKey struct {
	Value  mikey.Secret
	Source string
}

// Path is a file named by an entry (tls-keylog), resolved against the
// keys file's directory.
type Path struct {
	Path   string
	Source string
}

// Warning is a problem that does not stop parsing.
type Warning struct {
	Source string // "keys.txt" or "keys.txt:3"
	Text   string
}

func (w Warning) String() string { return w.Source + ": " + w.Text }

// Len returns the number of entries.
func (s *Store) Len() int {
	return len(s.PSKs) + len(s.RSAKeys) + len(s.Certs) + len(s.DHKeys) + len(s.TGKs) +
		len(s.SRTP) + len(s.SAKKERSKs) + len(s.KMSZ) + len(s.KMSKPAK) + len(s.TLSKeyLogs)
}

// Merge appends the entries of o to s.
func (s *Store) Merge(o *Store) {
	if o == nil {
		return
	}
	s.PSKs = append(s.PSKs, o.PSKs...)
	s.RSAKeys = append(s.RSAKeys, o.RSAKeys...)
	s.Certs = append(s.Certs, o.Certs...)
	s.DHKeys = append(s.DHKeys, o.DHKeys...)
	s.TGKs = append(s.TGKs, o.TGKs...)
	s.SRTP = append(s.SRTP, o.SRTP...)
	s.SAKKERSKs = append(s.SAKKERSKs, o.SAKKERSKs...)
	s.KMSZ = append(s.KMSZ, o.KMSZ...)
	s.KMSKPAK = append(s.KMSKPAK, o.KMSKPAK...)
	s.TLSKeyLogs = append(s.TLSKeyLogs, o.TLSKeyLogs...)
}

// MIKEY returns the keys MIKEY key recovery uses (PSKs, RSA keys,
// certificates, DH values, TGKs). The secrets are shared, not copied.
func (s *Store) MIKEY() *mikey.Keys {
	return &mikey.Keys{PSKs: s.PSKs, RSA: s.RSAKeys, DH: s.DHKeys, TGKs: s.TGKs, Certs: s.Certs}
}

// Summary lists one line per entry: kind, fingerprint and source. It never
// shows key bytes.
func (s *Store) Summary() []string {
	var out []string
	for _, k := range s.PSKs {
		id := ""
		if k.Identity != "" {
			id = " for " + k.Identity
		}
		out = append(out, fmt.Sprintf("%s%s (%d bytes) from %s", k.Fingerprint(), id, len(k.Key), k.Source))
	}
	for _, k := range s.RSAKeys {
		out = append(out, fmt.Sprintf("%s (%d-bit RSA private key) from %s", k.Fingerprint(), k.Private.N.BitLen(), k.Source))
	}
	for _, c := range s.Certs {
		out = append(out, fmt.Sprintf("%s (%s) from %s", c.Fingerprint(), c.Cert.Subject, c.Source))
	}
	for _, k := range s.DHKeys {
		out = append(out, fmt.Sprintf("%s from %s", k.Fingerprint(), k.Source))
	}
	for _, k := range s.TGKs {
		out = append(out, fmt.Sprintf("%s (%d bytes) from %s", k.Fingerprint(), len(k.Key), k.Source))
	}
	for _, k := range s.SRTP {
		ssrc := "any SSRC"
		if !k.AnySSRC {
			ssrc = fmt.Sprintf("SSRC 0x%08x", k.SSRC)
		}
		out = append(out, fmt.Sprintf("%s for %s from %s", k.Fingerprint(), ssrc, k.Source))
	}
	for _, k := range s.SAKKERSKs {
		out = append(out, fmt.Sprintf("%s from %s", k.Fingerprint(), k.Source))
	}
	for _, k := range s.KMSZ {
		out = append(out, fmt.Sprintf("%s from %s", mikey.KindFingerprint("kms-z", k.Value), k.Source))
	}
	for _, k := range s.KMSKPAK {
		out = append(out, fmt.Sprintf("%s from %s", mikey.KindFingerprint("kms-kpak", k.Value), k.Source))
	}
	for _, p := range s.TLSKeyLogs {
		out = append(out, fmt.Sprintf("tls-keylog %s from %s", p.Path, p.Source))
	}
	return out
}
