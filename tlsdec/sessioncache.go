package tlsdec

import "sync"

// maxCachedSessions bounds the TLS 1.2 session cache of a key log.
const maxCachedSessions = 1 << 14

// sessionCache maps TLS 1.2 session IDs and session tickets to the master
// secret of the full handshake that created them, so that abbreviated
// handshakes (RFC 5246 §7.3, RFC 5077 §3.1) can be decrypted when the key
// log has no line for their own client random (crypto/tls, for one, logs
// only full handshakes). It is filled as connections are decrypted.
type sessionCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *sessionCache) put(kind byte, id, master []byte) {
	if len(id) == 0 || master == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string][]byte)
	}
	if len(s.m) >= maxCachedSessions {
		return
	}
	s.m[string(append([]byte{kind}, id...))] = master
}

func (s *sessionCache) get(kind byte, id []byte) []byte {
	if len(id) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[string(append([]byte{kind}, id...))]
}

const (
	cacheSessionID byte = 'i'
	cacheTicket    byte = 't'
)
