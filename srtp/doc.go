// Package srtp decrypts and authenticates SRTP and SRTCP packets (RFC 3711)
// for analysis. It implements the AES-CM (128/192/256, RFC 3711 §4.1.1,
// RFC 6188), AES-f8 (RFC 3711 §4.1.2), AES-GCM (RFC 7714) and NULL
// transforms, HMAC-SHA1 and NULL authentication with any tag length, the
// RFC 4771 roll-over counter carrying transforms (RCCm1/2/3), non-zero key
// derivation rates (RFC 3711 §4.3.1), MKIs, independent on/off switches for
// SRTP/SRTCP encryption and SRTP authentication, and RFC 6904 header
// extension encryption (AES-CM).
//
// The pieces:
//
//   - Policy: the crypto parameters, independent of signalling;
//     DefaultPolicy (RFC 3711 §8.2), GCMPolicy (RFC 7714), Validate and
//     String (the SDES suite names of RFC 4568 §6.2, RFC 6188 and
//     RFC 7714). Signalling is read elsewhere: the analysis turns a MIKEY
//     SP payload's description (mikey.SPPayload.SRTP) or an SDES suite
//     into a Policy; this package imports no other of the project.
//   - Context: the master keys of one crypto session (several when they
//     are told apart by MKI, or tried in turn without one), with
//     DecryptRTP/DecryptRTCP for receivers and EncryptRTP/EncryptRTCP/
//     SealRTP/SealRTCP for generators and tests.
//   - Stream: per-SSRC state: ROC and highest sequence number (RFC 3711
//     §3.3.1), a replay window whose duplicates are counted, not dropped,
//     and Stats, the stream health counters.
//   - ParseRTPHeader, ParseRTCPHeader, NextRTCP: allocation-free header
//     parsers shared with the dissector.
//
// Decryption never panics on malformed input and, once a Context and a
// destination buffer exist, allocates nothing per packet (AES-CM keystreams
// come from a key expanded once, aesctr.go; without AES-NI, and with
// -tags purego, crypto/cipher.NewCTR allocates 512 bytes per packet).
//
// A Context and its Streams are not safe for concurrent use; Clone gives
// each goroutine its own Context. One stream's packets can still be
// authenticated and decrypted on several goroutines: GuessRTP predicts in
// packet order what DecryptRTP will try first, OpenGuess does that work on
// any goroutine (one Worker context each), and DecryptRTP, called in
// packet order as always, takes the verdict when its first try is exactly
// the guess (ahead.go); a guess whose opening is still running can be
// abandoned (Stream.AbandonGuess) and DecryptRTP then does the work.
package srtp
