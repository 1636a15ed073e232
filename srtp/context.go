package srtp

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
)

// MasterKey is one SRTP master key with its master salt and, when the
// policy uses one, its MKI (RFC 3711 §3.1, §8.1).
type MasterKey struct {
	Key  []byte
	Salt []byte
	MKI  []byte
}

// Fingerprint identifies the key without revealing it: the first 4 bytes of
// SHA-256(key || salt) in hex.
func (k MasterKey) Fingerprint() string {
	h := sha256.New()
	h.Write(k.Key)
	h.Write(k.Salt)
	return hex.EncodeToString(h.Sum(nil)[:4])
}

// String names the key by fingerprint and MKI; it never prints key
// material.
func (k MasterKey) String() string {
	s := "key " + k.Fingerprint()
	if len(k.MKI) > 0 {
		s += " mki " + hex.EncodeToString(k.MKI)
	}
	return s
}

// MarshalJSON writes the fingerprint and MKI, never the key or salt.
func (k MasterKey) MarshalJSON() ([]byte, error) {
	return []byte(`{"fingerprint":"` + k.Fingerprint() + `","mki":"` + hex.EncodeToString(k.MKI) + `"}`), nil
}

// GoString keeps %#v from printing key material.
func (k MasterKey) GoString() string { return "srtp.MasterKey{" + k.String() + "}" }

// masterKeyState is a master key with its PRF and current session keys.
type masterKeyState struct {
	mki         []byte
	salt        []byte
	fingerprint string
	prf         cipher.Block // AES keyed with the master key (the PRF of RFC 3711 §4.3.3 / RFC 6188 §5)
	rtp, rtcp   sessionKeys
}

// Context is the crypto context of one SRTP crypto session: a policy and
// one or more master keys (RFC 3711 §3.2). It is not safe for concurrent
// use; scratch buffers live here so that the packet path does not allocate.
type Context struct {
	p       Policy
	keys    []masterKeyState
	sendKey int

	// workers are the contexts Worker made; origin is the context a worker
	// context was made for.
	workers []*Context
	origin  *Context

	// scratch, reused per packet
	nonce  [12]byte
	iv     [16]byte
	f8iv   [16]byte
	f8s    [16]byte
	f8t    [16]byte
	roc    [4]byte
	sum    [20]byte
	aad    []byte
	hdrKS  []byte
	tagBuf [24]byte
}

// NewContext validates the policy and the keys and returns a context. With
// MKILen > 0 every key must carry an MKI of that length; without MKIs,
// several keys are tried in turn (a re-key without MKI).
func NewContext(p Policy, keys ...MasterKey) (*Context, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no master key", ErrPolicy)
	}
	c := &Context{p: p}
	for i, k := range keys {
		if len(k.Key) != p.KeyLen {
			return nil, fmt.Errorf("%w: master key %d (%s) is %d bytes, policy %s wants %d", ErrPolicy, i, k.Fingerprint(), len(k.Key), p, p.KeyLen)
		}
		if len(k.Salt) != p.SaltLen {
			return nil, fmt.Errorf("%w: master salt %d (%s) is %d bytes, policy %s wants %d", ErrPolicy, i, k.Fingerprint(), len(k.Salt), p, p.SaltLen)
		}
		if len(k.MKI) != p.MKILen {
			return nil, fmt.Errorf("%w: MKI of key %d (%s) is %d bytes, policy wants %d", ErrPolicy, i, k.Fingerprint(), len(k.MKI), p.MKILen)
		}
		for j := 0; j < i; j++ {
			if p.MKILen > 0 && bytes.Equal(c.keys[j].mki, k.MKI) {
				return nil, fmt.Errorf("%w: keys %d and %d share MKI %x", ErrPolicy, j, i, k.MKI)
			}
		}
		prf, err := aes.NewCipher(k.Key)
		if err != nil {
			return nil, fmt.Errorf("%w: master key %d: %v", ErrPolicy, i, err)
		}
		c.keys = append(c.keys, masterKeyState{
			mki:         bytes.Clone(k.MKI),
			salt:        bytes.Clone(k.Salt),
			fingerprint: k.Fingerprint(),
			prf:         prf,
		})
	}
	return c, nil
}

// newSessionContext builds a context from session keys directly (no key
// derivation), for the RFC 7714 vectors, which are given as session keys.
func newSessionContext(p Policy, encKey, salt, authKey []byte) (*Context, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	c := &Context{p: p, keys: make([]masterKeyState, 1)}
	k := &c.keys[0]
	for _, s := range []*sessionKeys{&k.rtp, &k.rtcp} {
		if err := s.setKeys(&c.p, encKey, salt, authKey, s == &k.rtcp); err != nil {
			return nil, err
		}
		s.fixed = true
	}
	return c, nil
}

// Policy returns the context's policy.
func (c *Context) Policy() Policy { return c.p }

// NumKeys returns the number of master keys.
func (c *Context) NumKeys() int { return len(c.keys) }

// KeyFingerprint returns the fingerprint of master key i (see
// MasterKey.Fingerprint).
func (c *Context) KeyFingerprint(i int) string {
	if i < 0 || i >= len(c.keys) {
		return ""
	}
	return c.keys[i].fingerprint
}

// SetSendKey selects the master key used by EncryptRTP/EncryptRTCP.
func (c *Context) SetSendKey(i int) error {
	if i < 0 || i >= len(c.keys) {
		return fmt.Errorf("%w: no key %d", ErrPolicy, i)
	}
	c.sendKey = i
	return nil
}

// keyForMKI returns the index of the key whose MKI is mki, or -1.
func (c *Context) keyForMKI(mki []byte) int {
	for i := range c.keys {
		if bytes.Equal(c.keys[i].mki, mki) {
			return i
		}
	}
	return -1
}

// rtpKeys returns the SRTP session keys of key k for packet index idx,
// re-deriving them when idx DIV kdr changed (RFC 3711 §4.3.1).
func (c *Context) rtpKeys(k int, idx uint64) (*sessionKeys, error) {
	return c.sessionKeys(k, idx, false)
}

// rtcpKeys is rtpKeys for SRTCP (index = SRTCP index).
func (c *Context) rtcpKeys(k int, idx uint64) (*sessionKeys, error) {
	return c.sessionKeys(k, idx, true)
}

func (c *Context) sessionKeys(k int, idx uint64, rtcp bool) (*sessionKeys, error) {
	m := &c.keys[k]
	s := &m.rtp
	if rtcp {
		s = &m.rtcp
	}
	if s.fixed {
		return s, nil
	}
	var r uint64
	if c.p.KDR != 0 {
		r = idx / c.p.KDR
	}
	if s.valid && s.r == r {
		return s, nil
	}
	if m.prf == nil { // a clone of session keys whose MAC could not be copied
		return nil, fmt.Errorf("%w: no master key to derive session keys from", ErrPolicy)
	}
	if err := s.derive(&c.p, m.prf, m.salt, r, rtcp); err != nil {
		return nil, err
	}
	return s, nil
}

// Clone returns a context with the same policy and master keys but its own
// session key state and scratch buffers, for decrypting another stream of
// the same crypto session on another goroutine. The master-key PRF blocks
// are shared (crypto/aes blocks are safe for concurrent use); session keys
// are derived again on first use.
func (c *Context) Clone() *Context {
	n := &Context{p: c.p, sendKey: c.sendKey, keys: make([]masterKeyState, len(c.keys))}
	for i, k := range c.keys {
		n.keys[i] = masterKeyState{mki: k.mki, salt: k.salt, fingerprint: k.fingerprint, prf: k.prf}
		if k.rtp.fixed { // session-key contexts (tests) cannot re-derive
			n.keys[i].rtp, n.keys[i].rtcp = k.rtp.clone(), k.rtcp.clone()
		}
	}
	return n
}

// clone returns a copy of fixed session keys with its own MAC state (the
// cipher blocks and AEAD are safe for concurrent use; a MAC is not).
func (s sessionKeys) clone() sessionKeys {
	if c, ok := s.mac.(hash.Cloner); ok {
		if m, err := c.Clone(); err == nil {
			s.mac = m
			return s
		}
	}
	if s.mac != nil {
		s.valid, s.fixed = false, false // cannot be shared: left without keys
	}
	return s
}
