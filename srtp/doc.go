// Package srtp decrypts and authenticates SRTP and SRTCP packets (RFC 3711)
// for analysis: it implements the AES-CM (128/192/256, RFC 3711 §4.1.1,
// RFC 6188), AES-f8 (RFC 3711 §4.1.2), AES-GCM (RFC 7714) and NULL
// transforms, HMAC-SHA1 and NULL authentication with any tag length, the
// RFC 4771 roll-over counter carrying transforms (RCCm1/2/3), non-zero key
// derivation rates (RFC 3711 §4.3.1), MKIs, and independent on/off switches
// for SRTP/SRTCP encryption and SRTP authentication.
//
// A Context holds the keys of one crypto session (one or more master keys,
// told apart by MKI). A Stream holds the per-SSRC receiver state: the
// roll-over counter (ROC), the highest index, a replay window and the
// stream statistics. Decryption never panics on malformed input and does
// not allocate per packet once a Context and a destination buffer exist
// (the AES-CM path pays one allocation inside crypto/cipher.NewCTR, see
// cipherCTR).
//
// A Context and its Streams are not safe for concurrent use: give each
// goroutine its own Context.
package srtp
