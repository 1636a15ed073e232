// Package tlsdec decrypts TLS connections (RTSPS on port 322, SIPS on 5061)
// with key log files, so that the MIKEY exchanges they carry can be
// dissected.
//
// Secrets come from a key log in the NSS SSLKEYLOGFILE format (ParseKeyLog),
// written by browsers, curl, OpenSSL, GnuTLS and Go's tls.Config.KeyLogWriter,
// or from the Decryption Secrets Blocks of a pcapng file (ReadDSBs, as
// written by "editcap --inject-secrets"); several logs combine with
// KeyLog.Merge. One KeyLog serves every connection of a capture.
//
// A Conn takes the reassembled TCP bytes of both directions of one
// connection (capture.Segment: Payload, GapBefore, Frame), frames TLS
// records across any segmentation (RFC 8446 §5.1, RFC 5246 §6.2), follows
// the handshake in the clear, derives record keys with the TLS 1.0-1.2 PRF
// (RFC 5246 §6.3, RFC 2246 §6.3) or the TLS 1.3 key schedule (RFC 8446 §7),
// and hands back each decrypted record as a Plaintext. Application data
// (Type == TypeApplicationData) is the RTSP or SIP byte stream of its
// direction, with GapBefore marking bytes lost in the capture.
//
// Supported: TLS 1.3 AES-128/256-GCM and ChaCha20-Poly1305 with handshake
// and application secrets, KeyUpdate, HelloRetryRequest and 0-RTT early
// data; TLS 1.0-1.2 AES-GCM, ChaCha20-Poly1305 and AES-CBC with HMAC-SHA1/
// SHA256/SHA384 (MAC-then-encrypt or encrypt-then-MAC, RFC 7366), session
// resumption by session ID or ticket and renegotiation. After lost bytes the
// record layer is found again by trial decryption; a capture that starts
// after a TLS 1.3 handshake is decrypted when the key log holds its traffic
// secrets.
//
// Everything that stops decryption (missing key, wrong key, capture started
// mid-connection, unsupported version or suite, not TLS at all) is reported
// as a Status value that never contains key material; nothing panics on
// hostile input and buffering is bounded by one maximum-size record per
// direction.
//
// Only record-layer and key-schedule logic lives here; the cryptographic
// primitives are Go's crypto packages and golang.org/x/crypto.
package tlsdec
