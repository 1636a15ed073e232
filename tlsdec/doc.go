// Package tlsdec decrypts TLS connections (RTSPS, SIPS) with key log files, so
// that the MIKEY exchanges they carry can be dissected.
//
// Secrets come from a key log in the NSS SSLKEYLOGFILE format (ParseKeyLog) or
// from the Decryption Secrets Blocks of a pcapng file (ReadDSBs). A Conn takes
// the reassembled TCP bytes of both directions of one connection, frames TLS
// records (RFC 8446 §5.1, RFC 5246 §6.2), follows the handshake in the clear,
// derives record keys with the TLS 1.2 PRF (RFC 5246 §6.3) or the TLS 1.3 key
// schedule (RFC 8446 §7), and hands back decrypted records. Everything that
// stops decryption (missing key, wrong key, capture started mid-connection,
// unsupported cipher suite) is reported as a Status value, never a panic.
//
// Only record-layer and key-schedule logic lives here; the cryptographic
// primitives are Go's crypto packages and golang.org/x/crypto.
package tlsdec
