// Package keys parses the key material a user supplies to mikeyscope, from
// command-line flags, a keys file, or the file named by MIKEYSCOPE_KEYS.
//
// Each entry is a kind and a value, the same in a flag and on a line of a
// keys file (blank lines and '#' comments are ignored):
//
//	psk <hex|base64>                      tried on every MIKEY message
//	psk <identity>=<hex|base64>           bound to an ID/IDR identity
//	rsa-key <path to PEM>                 PKCS#1 or PKCS#8 RSA private key
//	cert <path to PEM or DER>             peer certificate for SIGN payloads
//	dh-key <hex>                          a Diffie-Hellman private value
//	tgk <hex>                             a TEK generation key
//	srtp <ssrc>=<keyhex>:<salthex>        SRTP master key and salt
//	srtp <ssrc>=inline:<base64 key||salt> SDES-style inline key
//	sakke-rsk [<identity>=]<hex>          SAKKE receiver secret key
//	kms-z <hex>                           SAKKE KMS public key Z
//	kms-kpak <hex>                        ECCSI KMS public auth key
//	tls-keylog <path>                     NSS key log for TLS decryption
//
// The ssrc is 0x-prefixed hex, decimal, or * for any stream. Paths in a keys
// file are relative to the file's directory. Keys are identified by
// fingerprints (mikey.Fingerprint); nothing here prints key bytes.
//
// ParseFile warns when a keys file is readable by group or others, unless
// a line of it is exactly PublicMarker: the bundled samples' keys are
// published test values, and git keeps no file modes to make them 0600.
package keys
