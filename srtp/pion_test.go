package srtp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"

	pion "github.com/pion/srtp/v3"
)

// crossProfile pairs a pion/srtp profile and options with the equivalent
// Policy.
type crossProfile struct {
	name    string
	profile pion.ProtectionProfile
	opts    []pion.ContextOption
	policy  Policy
}

func crossProfiles() []crossProfile {
	cm := func(keyLen, tagLen int) Policy {
		p := DefaultPolicy()
		p.KeyLen, p.TagLen = keyLen, tagLen
		return p
	}
	null := func(tagLen int) Policy {
		p := cm(16, tagLen)
		p.Cipher = CipherNull
		p.SRTPEncrypt, p.SRTCPEncrypt = false, false
		return p
	}
	with := func(p Policy, f func(*Policy)) Policy { f(&p); return p }
	mki := []byte{0xde, 0xad, 0xbe, 0xef}
	return []crossProfile{
		{"AES_CM_128_HMAC_SHA1_80", pion.ProtectionProfileAes128CmHmacSha1_80, nil, cm(16, 10)},
		{"AES_CM_128_HMAC_SHA1_32", pion.ProtectionProfileAes128CmHmacSha1_32, nil, cm(16, 4)},
		{"AES_256_CM_HMAC_SHA1_80", pion.ProtectionProfileAes256CmHmacSha1_80, nil, cm(32, 10)},
		{"AES_256_CM_HMAC_SHA1_32", pion.ProtectionProfileAes256CmHmacSha1_32, nil, cm(32, 4)},
		{"NULL_HMAC_SHA1_80", pion.ProtectionProfileNullHmacSha1_80, nil, null(10)},
		{"NULL_HMAC_SHA1_32", pion.ProtectionProfileNullHmacSha1_32, nil, null(4)},
		{"AEAD_AES_128_GCM", pion.ProtectionProfileAeadAes128Gcm, nil, GCMPolicy(16)},
		{"AEAD_AES_256_GCM", pion.ProtectionProfileAeadAes256Gcm, nil, GCMPolicy(32)},
		{"AES_CM_128_HMAC_SHA1_80+MKI", pion.ProtectionProfileAes128CmHmacSha1_80,
			[]pion.ContextOption{pion.MasterKeyIndicator(mki)}, with(cm(16, 10), func(p *Policy) { p.MKILen = 4 })},
		{"AEAD_AES_256_GCM+MKI", pion.ProtectionProfileAeadAes256Gcm,
			[]pion.ContextOption{pion.MasterKeyIndicator(mki)}, with(GCMPolicy(32), func(p *Policy) { p.MKILen = 4 })},
		{"AES_CM_128_HMAC_SHA1_80 SRTP unencrypted", pion.ProtectionProfileAes128CmHmacSha1_80,
			[]pion.ContextOption{pion.SRTPNoEncryption()}, with(cm(16, 10), func(p *Policy) { p.SRTPEncrypt = false })},
		{"AES_CM_128_HMAC_SHA1_80 SRTCP unencrypted", pion.ProtectionProfileAes128CmHmacSha1_80,
			[]pion.ContextOption{pion.SRTCPNoEncryption()}, with(cm(16, 10), func(p *Policy) { p.SRTCPEncrypt = false })},
		{"AEAD_AES_128_GCM SRTP+SRTCP unencrypted", pion.ProtectionProfileAeadAes128Gcm,
			[]pion.ContextOption{pion.SRTPNoEncryption(), pion.SRTCPNoEncryption()},
			with(GCMPolicy(16), func(p *Policy) { p.SRTPEncrypt, p.SRTCPEncrypt = false, false })},
		{"AES_CM_128 RCCm2 R=4 tag 14", pion.ProtectionProfileAes128CmHmacSha1_80,
			[]pion.ContextOption{pion.RolloverCounterCarryingTransform(pion.RCCMode2, 4), pion.SRTPAuthenticationTagLength(14)},
			with(cm(16, 14), func(p *Policy) { p.Auth, p.ROCRate, p.RTCPTagLen = AuthRCCm2, 4, 10 })},
		{"AEAD_AES_128_GCM RCCm3 R=8", pion.ProtectionProfileAeadAes128Gcm,
			[]pion.ContextOption{pion.RolloverCounterCarryingTransform(pion.RCCMode3, 8)},
			with(GCMPolicy(16), func(p *Policy) { p.Auth, p.ROCRate = AuthRCCm3, 8 })},
	}
}

// testRTP builds a plaintext RTP packet; every 7th has CSRCs and a header
// extension, every 5th has padding.
func testRTP(seq uint16, ssrc uint32, n int) []byte {
	b := []byte{0x80, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint16(b[2:], seq)
	binary.BigEndian.PutUint32(b[4:], uint32(seq)*160)
	binary.BigEndian.PutUint32(b[8:], ssrc)
	if seq%7 == 0 {
		b[0] |= 0x10 | 2
		b = append(b, 1, 2, 3, 4, 5, 6, 7, 8)             // two CSRCs
		b = append(b, 0xbe, 0xde, 0, 1, 0x10, 0xaa, 0, 0) // one-byte extension
	}
	for i := 0; i < n; i++ {
		b = append(b, byte(int(seq)+i*31))
	}
	if seq%5 == 0 {
		b[0] |= 0x20
		b = append(b, 0, 0, 3)
	}
	return b
}

// testRTCP builds a plaintext sender report + SDES compound packet.
func testRTCP(i int, ssrc uint32) []byte {
	b := make([]byte, 28)
	b[0], b[1] = 0x80, 200
	binary.BigEndian.PutUint16(b[2:], 6)
	binary.BigEndian.PutUint32(b[4:], ssrc)
	binary.BigEndian.PutUint32(b[8:], uint32(i))
	binary.BigEndian.PutUint32(b[20:], uint32(i*7))
	sdes := []byte{0x81, 202, 0, 2, 0, 0, 0, 0, 1, 2, 'h', 'i'}
	binary.BigEndian.PutUint32(sdes[4:], ssrc)
	return append(b, sdes...)
}

var (
	crossKey32  = bytes.Repeat([]byte{0x5a, 0x13, 0xc7, 0x2e}, 8)
	crossSalt14 = []byte{0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6}
)

func crossKeys(p Policy) (key, salt []byte) {
	return crossKey32[:p.KeyLen], crossSalt14[:p.SaltLen]
}

// TestPionToOurs encrypts with pion/srtp and decrypts with this package on
// every shared profile, across a sequence number wrap (ROC 7 -> 8), RTP and
// RTCP; then the other way round.
func TestPionToOurs(t *testing.T) {
	const ssrc = 0x11223344
	const startROC = 7
	for _, cp := range crossProfiles() {
		t.Run(cp.name, func(t *testing.T) {
			key, salt := crossKeys(cp.policy)
			tx, err := pion.CreateContext(key, salt, cp.profile, cp.opts...)
			if err != nil {
				t.Fatal(err)
			}
			tx.SetROC(ssrc, startROC)
			keys := MasterKey{Key: key, Salt: salt}
			if cp.policy.MKILen > 0 {
				keys.MKI = []byte{0xde, 0xad, 0xbe, 0xef}
			}
			rx, err := NewContext(cp.policy, keys)
			if err != nil {
				t.Fatal(err)
			}
			st := NewStream(startROC)
			var plainBuf []byte
			wraps := 0
			for i := 0; i < 300; i++ {
				seq := uint16(65400 + i)
				if seq == 0 {
					wraps++
				}
				plain := testRTP(seq, ssrc, 20+i%200)
				enc, err := tx.EncryptRTP(nil, plain, nil)
				if err != nil {
					t.Fatalf("pion encrypt %d: %v", i, err)
				}
				out, res, err := rx.DecryptRTP(plainBuf, enc, st, time.Unix(int64(i), 0))
				if err != nil {
					t.Fatalf("packet %d seq %d: %v", i, seq, err)
				}
				plainBuf = out
				if !bytes.Equal(out, plain) {
					t.Fatalf("packet %d: plaintext differs\n got %x\nwant %x", i, out, plain)
				}
				wantROC := uint32(startROC + wraps)
				if res.ROC != wantROC || res.Index != uint64(wantROC)<<16|uint64(seq) || res.ROCAdjusted {
					t.Fatalf("packet %d: result %+v, want ROC %d", i, res, wantROC)
				}
				verifiable := cp.policy.IsAEAD() || cp.policy.Auth != AuthRCCm3
				if res.Authenticated != verifiable {
					t.Fatalf("packet %d: authenticated=%v", i, res.Authenticated)
				}
			}
			if st.Stats.Packets != 300 || st.Stats.AuthFailed != 0 || st.Stats.Lost != 0 || st.ROC() != startROC+1 {
				t.Errorf("stats %+v", st.Stats)
			}

			rst := NewStream(0)
			tx.SetIndex(ssrc, 100)
			for i := 0; i < 50; i++ {
				plain := testRTCP(i, ssrc)
				enc, err := tx.EncryptRTCP(nil, plain, nil)
				if err != nil {
					t.Fatal(err)
				}
				out, res, err := rx.DecryptRTCP(nil, enc, rst, time.Time{})
				if err != nil {
					t.Fatalf("RTCP %d: %v", i, err)
				}
				if !bytes.Equal(out, plain) {
					t.Fatalf("RTCP %d: got %x want %x", i, out, plain)
				}
				if res.Index != uint64(101+i) || res.Encrypted != cp.policy.SRTCPEncrypt || !res.Authenticated {
					t.Fatalf("RTCP %d: result %+v", i, res)
				}
			}

			// Ours -> pion.
			rxp, err := pion.CreateContext(key, salt, cp.profile, cp.opts...)
			if err != nil {
				t.Fatal(err)
			}
			rxp.SetROC(ssrc, startROC)
			sst := NewStream(startROC)
			for i := 0; i < 300; i++ {
				seq := uint16(65400 + i)
				plain := testRTP(seq, ssrc, 20+i%200)
				enc, err := rx.EncryptRTP(nil, plain, sst)
				if err != nil {
					t.Fatal(err)
				}
				out, err := rxp.DecryptRTP(nil, enc, nil)
				if err != nil {
					t.Fatalf("pion decrypt %d: %v", i, err)
				}
				if !bytes.Equal(out, plain) {
					t.Fatalf("packet %d: pion got %x want %x", i, out, plain)
				}
			}
			sst.SetRTCPIndex(5)
			for i := 0; i < 20; i++ {
				plain := testRTCP(i, ssrc)
				enc, err := rx.EncryptRTCP(nil, plain, sst)
				if err != nil {
					t.Fatal(err)
				}
				out, err := rxp.DecryptRTCP(nil, enc, nil)
				if err != nil {
					t.Fatalf("pion RTCP decrypt %d: %v", i, err)
				}
				if !bytes.Equal(out, plain) {
					t.Fatalf("RTCP %d: pion got %x want %x", i, out, plain)
				}
			}
		})
	}
}

// pionStream encrypts n packets with pion starting at seq and ROC.
func pionStream(t *testing.T, profile pion.ProtectionProfile, key, salt []byte, ssrc uint32, roc uint32, seq uint16, n int, opts ...pion.ContextOption) (plain, enc [][]byte) {
	t.Helper()
	tx, err := pion.CreateContext(key, salt, profile, opts...)
	if err != nil {
		t.Fatal(err)
	}
	tx.SetROC(ssrc, roc)
	for i := 0; i < n; i++ {
		p := testRTP(seq+uint16(i), ssrc, 40)
		e, err := tx.EncryptRTP(nil, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		plain, enc = append(plain, p), append(enc, e)
	}
	return plain, enc
}

func TestWrongKeyCountsAuthFailures(t *testing.T) {
	for _, cp := range crossProfiles()[:8] {
		t.Run(cp.name, func(t *testing.T) {
			key, salt := crossKeys(cp.policy)
			_, enc := pionStream(t, cp.profile, key, salt, 1, 0, 100, 20)
			wrong := bytes.Clone(key)
			wrong[0] ^= 1
			rx, err := NewContext(cp.policy, MasterKey{Key: wrong, Salt: salt})
			if err != nil {
				t.Fatal(err)
			}
			st := NewStream(0)
			for i, e := range enc {
				out, res, err := rx.DecryptRTP(nil, e, st, time.Time{})
				if !errors.Is(err, ErrAuthFailed) {
					t.Fatalf("packet %d: err %v", i, err)
				}
				if out != nil || res.Authenticated || res.Decrypted {
					t.Fatalf("packet %d: plaintext returned (%+v)", i, res)
				}
			}
			if st.Stats.AuthFailed != 20 || st.Stats.Authenticated != 0 || st.Stats.Decrypted != 0 || st.Stats.Packets != 20 {
				t.Errorf("stats %+v", st.Stats)
			}
		})
	}
}

func TestWrongStartROCRecovered(t *testing.T) {
	for _, cp := range []crossProfile{crossProfiles()[0], crossProfiles()[1], crossProfiles()[6]} {
		for _, delta := range []int{-1, +1, +2, -3} {
			t.Run(fmt.Sprintf("%s/delta%+d", cp.name, delta), func(t *testing.T) {
				key, salt := crossKeys(cp.policy)
				const trueROC = 40
				plain, enc := pionStream(t, cp.profile, key, salt, 9, trueROC, 1000, 10)
				rx, err := NewContext(cp.policy, MasterKey{Key: key, Salt: salt})
				if err != nil {
					t.Fatal(err)
				}
				st := NewStream(uint32(trueROC + delta))
				for i, e := range enc {
					out, res, err := rx.DecryptRTP(nil, e, st, time.Time{})
					if err != nil {
						t.Fatalf("packet %d: %v", i, err)
					}
					if !bytes.Equal(out, plain[i]) || res.ROC != trueROC {
						t.Fatalf("packet %d: wrong plaintext or ROC %d", i, res.ROC)
					}
					if adjusted := i == 0; res.ROCAdjusted != adjusted {
						t.Fatalf("packet %d: ROCAdjusted=%v", i, res.ROCAdjusted)
					}
					if i == 0 && res.EstimatedROC != uint32(trueROC+delta) {
						t.Fatalf("estimated ROC %d", res.EstimatedROC)
					}
				}
				if st.Stats.ROCAdjustments != 1 || st.ROC() != trueROC {
					t.Errorf("stats %+v", st.Stats)
				}
			})
		}
	}
	// Outside the search window: every packet fails.
	cp := crossProfiles()[0]
	key, salt := crossKeys(cp.policy)
	_, enc := pionStream(t, cp.profile, key, salt, 9, 40, 1000, 3)
	rx, _ := NewContext(cp.policy, MasterKey{Key: key, Salt: salt})
	st := NewStream(40 + DefaultROCSearch + 1)
	for _, e := range enc {
		if _, _, err := rx.DecryptRTP(nil, e, st, time.Time{}); !errors.Is(err, ErrAuthFailed) {
			t.Fatalf("ROC outside window: err %v", err)
		}
	}
}

func TestUnknownMKI(t *testing.T) {
	cp := crossProfiles()[8]
	key, salt := crossKeys(cp.policy)
	_, enc := pionStream(t, cp.profile, key, salt, 3, 0, 1, 2, cp.opts...)
	rx, err := NewContext(cp.policy, MasterKey{Key: key, Salt: salt, MKI: []byte{0, 0, 0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	st := NewStream(0)
	_, res, err := rx.DecryptRTP(nil, enc[0], st, time.Time{})
	if !errors.Is(err, ErrUnknownMKI) {
		t.Fatalf("err %v", err)
	}
	var pe *PacketError
	if !errors.As(err, &pe) || pe.Offset != len(enc[0])-10-4 {
		t.Errorf("error %v does not name the MKI offset", err)
	}
	if !bytes.Equal(res.MKI, []byte{0xde, 0xad, 0xbe, 0xef}) || st.Stats.UnknownMKI != 1 {
		t.Errorf("result MKI %x stats %+v", res.MKI, st.Stats)
	}
	// With both keys (second one right), the MKI selects it.
	rx2, err := NewContext(cp.policy,
		MasterKey{Key: bytes.Repeat([]byte{1}, 16), Salt: salt, MKI: []byte{0, 0, 0, 1}},
		MasterKey{Key: key, Salt: salt, MKI: []byte{0xde, 0xad, 0xbe, 0xef}})
	if err != nil {
		t.Fatal(err)
	}
	_, res, err = rx2.DecryptRTP(nil, enc[1], NewStream(0), time.Time{})
	if err != nil || res.KeyIndex != 1 {
		t.Fatalf("err %v key %d", err, res.KeyIndex)
	}
}
