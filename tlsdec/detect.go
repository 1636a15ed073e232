package tlsdec

// LooksLikeClientHello reports whether the first bytes of a TCP stream are
// a TLS record carrying a ClientHello (RFC 8446 §5.1, §4.1.2): handshake
// content type, a 3.x record version, a length within the record limit and
// handshake type client_hello. Five bytes of record header and one of
// handshake are enough. It lets a caller route connections on any port to a
// Conn, not only the well-known RTSPS (322) and SIPS (5061) ports.
func LooksLikeClientHello(p []byte) bool {
	if len(p) < recordHeaderLen+1 {
		return false
	}
	length := int(p[3])<<8 | int(p[4])
	return p[0] == TypeHandshake && p[1] == 3 && p[2] <= 4 &&
		length >= 4 && length <= maxCiphertext && p[5] == hsClientHello
}
