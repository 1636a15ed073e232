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
	// KMSCerts and KeySets come from KMS provisioning documents
	// (--kms-xml, TS 33.180 Annex D).
	KMSCerts []KMSCert
	KeySets  []KeySet
	// KMSURIs (--kms-uri) and KeyPeriods (--key-period) describe a KMS
	// known without its certificate, for the UIDs of TS 33.180 §F.2.1.
	KMSURIs    []Value
	KeyPeriods []KeyPeriodEntry
}

// Value is a string entry with its source.
type Value struct {
	Value  string
	Source string
}

// KeyPeriodEntry is a --key-period SECONDS[:OFFSET].
type KeyPeriodEntry struct {
	Period mikey.KeyPeriod
	Source string
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
		len(s.SRTP) + len(s.SAKKERSKs) + len(s.KMSZ) + len(s.KMSKPAK) + len(s.TLSKeyLogs) +
		len(s.KMSCerts) + len(s.KeySets) + len(s.KMSURIs) + len(s.KeyPeriods)
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
	s.KMSCerts = append(s.KMSCerts, o.KMSCerts...)
	s.KeySets = append(s.KeySets, o.KeySets...)
	s.KMSURIs = append(s.KMSURIs, o.KMSURIs...)
	s.KeyPeriods = append(s.KeyPeriods, o.KeyPeriods...)
}

// MIKEY returns the keys MIKEY key recovery uses (PSKs, RSA keys,
// certificates, DH values, TGKs, and the MIKEY-SAKKE material of
// SAKKEKeys). The secrets are shared, not copied.
func (s *Store) MIKEY() *mikey.Keys {
	return &mikey.Keys{PSKs: s.PSKs, RSA: s.RSAKeys, DH: s.DHKeys, TGKs: s.TGKs, Certs: s.Certs, SAKKE: s.SAKKEKeys()}
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
	for _, c := range s.KMSCerts {
		out = append(out, fmt.Sprintf("kms-cert %q (UserIdFormat %s, key period %v) %s %s from %s", c.URI, c.FormatRaw, c.Period,
			mikey.KindFingerprint("kms-z", c.Z), mikey.KindFingerprint("kms-kpak", c.KPAK), c.Source))
	}
	for _, k := range s.KeySets {
		what := k.Fingerprint()
		if k.Encrypted {
			what = "encrypted (xmlenc; its transport key is not supplied)"
		}
		out = append(out, fmt.Sprintf("key-set %q key period %d: %s from %s", k.UserURI, k.PeriodNo, what, k.Source))
	}
	for _, v := range s.KMSURIs {
		out = append(out, fmt.Sprintf("kms-uri %q from %s", v.Value, v.Source))
	}
	for _, v := range s.KeyPeriods {
		out = append(out, fmt.Sprintf("key-period %v from %s", v.Period, v.Source))
	}
	return out
}

// SAKKEKeys returns the MIKEY-SAKKE key material of the store in one
// place for every caller: the RSKs (bound to their users when given as
// URI=HEX or in a key set), the KMS public keys of kms-z, kms-kpak and the
// KMS certificates, the KMS certificates themselves, a KMS described by
// --kms-uri and --key-period, and the key sets' users (TS 33.180).
func (s *Store) SAKKEKeys() mikey.SAKKEKeys {
	k := mikey.SAKKEKeys{Source: "supplied keys"}
	kmsURI := ""
	if len(s.KMSURIs) > 0 {
		kmsURI = s.KMSURIs[len(s.KMSURIs)-1].Value
	}
	for _, r := range s.SAKKERSKs {
		k.RSKs = append(k.RSKs, r.RSK)
		k.RSKUsers = append(k.RSKUsers, mikey.SAKKEUser{URI: r.Identity, KMSURI: kmsURI, Source: r.Source})
		if r.Identity != "" {
			k.Users = append(k.Users, mikey.SAKKEUser{URI: r.Identity, KMSURI: kmsURI, Source: r.Source})
		}
	}
	for _, z := range s.KMSZ {
		k.Zs = append(k.Zs, z.Value.Reveal())
	}
	for _, p := range s.KMSKPAK {
		k.KPAKs = append(k.KPAKs, p.Value.Reveal())
	}
	for _, c := range s.KMSCerts {
		k.Zs = append(k.Zs, c.Z.Reveal())
		k.KPAKs = append(k.KPAKs, c.KPAK.Reveal())
		k.KMS = append(k.KMS, mikey.SAKKEKMS{URI: c.URI, Format: c.Format, Period: c.Period, Z: c.Z.Reveal(), KPAK: c.KPAK.Reveal(), Source: c.Source})
	}
	if kmsURI != "" || len(s.KeyPeriods) > 0 {
		have := false
		for _, c := range s.KMSCerts {
			have = have || c.URI == kmsURI
		}
		if !have {
			km := mikey.SAKKEKMS{URI: kmsURI, Source: "--kms-uri/--key-period"}
			if len(s.KeyPeriods) > 0 {
				km.Period = s.KeyPeriods[len(s.KeyPeriods)-1].Period
			}
			k.KMS = append(k.KMS, km)
		}
	}
	for _, ks := range s.KeySets {
		u := mikey.SAKKEUser{URI: ks.UserURI, UID: ks.UID, PeriodNo: ks.PeriodNo, HavePeriodNo: ks.HavePeriodNo, KMSURI: ks.KMSURI, Source: ks.Source}
		k.Users = append(k.Users, u)
		if ks.Encrypted || len(ks.RSK) == 0 {
			continue
		}
		k.RSKs = append(k.RSKs, ks.RSK)
		k.RSKUsers = append(k.RSKUsers, u)
	}
	return k
}
