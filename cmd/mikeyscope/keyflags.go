package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/mikeyscope/mikeyscope/keys"
)

// keyFlags are the key options shared by decode, report, export and the UI.
// Every flag may be repeated; each value is added to the store with the
// flag name as its source.
type keyFlags struct {
	entries  []keyEntry
	files    []string
	showKeys bool
}

type keyEntry struct{ kind, value string }

// keyFlagKinds maps flag names to keys-file entry kinds.
var keyFlagKinds = []struct{ flag, kind, help string }{
	{"psk", "psk", "pre-shared key, hex or base64, or IDENTITY=KEY to bind it to an ID/IDR identity"},
	{"rsa-key", "rsa-key", "RSA private key file (PEM, PKCS#1 or PKCS#8) for PKE envelopes and RSA-R"},
	{"cert", "cert", "peer certificate file (PEM) to verify SIGN payloads"},
	{"dh-key", "dh-key", "Diffie-Hellman private value (hex) of either side"},
	{"tgk", "tgk", "TEK generation key (hex)"},
	{"srtp", "srtp", "SRTP master key for a stream: SSRC=KEYHEX:SALTHEX or SSRC=inline:BASE64 (SSRC may be *)"},
	{"sakke-rsk", "sakke-rsk", "MIKEY-SAKKE receiver secret key (hex), or URI=HEX to bind it to its user"},
	{"kms-z", "kms-z", "MIKEY-SAKKE KMS public key Z (hex)"},
	{"kms-kpak", "kms-kpak", "MIKEY-SAKKE KMS public authentication key KPAK (hex)"},
	{"tls-keylog", "tls-keylog", "TLS key log file (SSLKEYLOGFILE format) for RTSPS/SIPS"},
	{"kms-uri", "kms-uri", "MIKEY-SAKKE KMS URI, for 3GPP UID identifiers (TS 33.180) without its certificate"},
	{"key-period", "key-period", "MIKEY-SAKKE user key period SECONDS[:OFFSET] of the KMS, for 3GPP UIDs"},
	{"kms-xml", "kms-xml", "3GPP KMS document (TS 33.180 Annex D): KmsCertificate, KmsKeySet or a KmsResponse with them"},
}

type kindValue struct {
	kf   *keyFlags
	kind string
}

func (v kindValue) String() string { return "" }
func (v kindValue) Set(s string) error {
	v.kf.entries = append(v.kf.entries, keyEntry{v.kind, s})
	return nil
}

type fileValue struct{ kf *keyFlags }

func (v fileValue) String() string { return "" }
func (v fileValue) Set(s string) error {
	v.kf.files = append(v.kf.files, s)
	return nil
}

// register adds the key flags to fs.
func (kf *keyFlags) register(fs *flag.FlagSet) {
	for _, k := range keyFlagKinds {
		fs.Var(kindValue{kf, k.kind}, k.flag, k.help)
	}
	fs.Var(fileValue{kf}, "keys", "keys file: one entry per line (psk, rsa-key, srtp, ...), # comments; also $MIKEYSCOPE_KEYS")
	fs.BoolVar(&kf.showKeys, "show-keys", false, "print derived and supplied keys (otherwise only fingerprints)")
}

// store builds the key store from the keys files, $MIKEYSCOPE_KEYS and the
// flags, printing warnings (such as a keys file readable by others) to
// stderr.
func (kf *keyFlags) store(stderr io.Writer) (*keys.Store, error) {
	st := &keys.Store{}
	env, warns, err := keys.FromEnv()
	if err != nil {
		return nil, err
	}
	if env != nil {
		st.Merge(env)
	}
	for _, f := range kf.files {
		s, w, err := keys.ParseFile(f)
		if err != nil {
			return nil, err
		}
		warns = append(warns, w...)
		st.Merge(s)
	}
	for _, e := range kf.entries {
		w, err := st.AddWithWarnings(e.kind, e.value, "--"+e.kind)
		if err != nil {
			return nil, err // names the flag: "--psk: psk: odd number of hex digits (7)..."
		}
		warns = append(warns, w...)
	}
	for _, w := range warns {
		fmt.Fprintf(stderr, "mikeyscope: warning: %s\n", w)
	}
	return st, nil
}
