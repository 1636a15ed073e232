package srtp

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func mustContext(t testing.TB, p Policy, keys ...MasterKey) *Context {
	t.Helper()
	c, err := NewContext(p, keys...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func defaultKey() MasterKey {
	return MasterKey{Key: crossKey32[:16], Salt: crossSalt14}
}

// TestLossReorderDuplicates feeds a stream with gaps, a late packet, a
// duplicate and a wrap, and checks the counters.
func TestLossReorderDuplicates(t *testing.T) {
	c := mustContext(t, DefaultPolicy(), defaultKey())
	sender := NewStream(3)
	enc := map[uint16][]byte{}
	for _, seq := range []uint16{65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3} {
		e, err := c.EncryptRTP(nil, testRTP(seq, 77, 30), sender)
		if err != nil {
			t.Fatal(err)
		}
		enc[seq] = e
	}
	// Order received: 65530, 65531, 65534 (2 lost), 65532 (late), 65531 (dup),
	// 0 (wrap, 65535 lost... then 65533 arrives later), 65535 (late across wrap), 3 (1, 2 lost)
	order := []uint16{65530, 65531, 65534, 65532, 65531, 0, 65535, 3, 65533}
	rx := NewStream(3)
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	type want struct {
		roc       uint32
		dup, late bool
	}
	wants := []want{{3, false, false}, {3, false, false}, {3, false, false}, {3, false, true}, {3, true, false},
		{4, false, false}, {3, false, true}, {4, false, false}, {3, false, true}}
	for i, seq := range order {
		out, res, err := c.DecryptRTP(nil, enc[seq], rx, base.Add(time.Duration(i)*time.Millisecond))
		if err != nil {
			t.Fatalf("seq %d: %v", seq, err)
		}
		if !bytes.Equal(out, testRTP(seq, 77, 30)) {
			t.Fatalf("seq %d: wrong plaintext", seq)
		}
		w := wants[i]
		if res.ROC != w.roc || res.Duplicate != w.dup || res.OutOfOrder != w.late || res.ROCAdjusted {
			t.Fatalf("seq %d: %+v want %+v", seq, res, w)
		}
	}
	s := rx.Stats
	// Lost: 65532,65533 (+2), 65532 late (-1), 65535 (+1 at 0), 65535 late (-1), 1,2 (+2), 65533 late (-1) = 2
	if s.Packets != 9 || s.Authenticated != 9 || s.Decrypted != 9 || s.Duplicates != 1 || s.OutOfOrder != 3 || s.Lost != 2 {
		t.Errorf("stats %+v", s)
	}
	if s.ROC != 4 || s.ROCChanges != 1 || s.HighestIndex != 4<<16|3 || !s.PayloadTypes.Has(96) || s.PayloadTypes.Has(0) {
		t.Errorf("stats %+v", s)
	}
	if !s.FirstTime.Equal(base) || !s.LastTime.Equal(base.Add(8*time.Millisecond)) {
		t.Errorf("times %v %v", s.FirstTime, s.LastTime)
	}
	js, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"packets":9`, `"authenticated":9`, `"auth_failed":0`, `"decrypted":9`, `"lost":2`,
		`"duplicates":1`, `"out_of_order":3`, `"payload_types":[96]`, `"first_time":"2026-01-02T03:04:05Z"`, `"last_time":`, `"roc":4`} {
		if !strings.Contains(string(js), key) {
			t.Errorf("JSON %s lacks %s", js, key)
		}
	}
	var back Stats
	if err := json.Unmarshal(js, &back); err != nil || back != s {
		t.Errorf("JSON round trip: %v\n%+v\n%+v", err, back, s)
	}
}

func TestEstimateROC(t *testing.T) {
	tests := []struct {
		roc     uint32
		sl, seq uint16
		want    uint32
	}{
		{5, 100, 200, 5},
		{5, 100, 65000, 4},  // s_l < 2^15 and SEQ - s_l > 2^15: previous ROC
		{5, 40000, 100, 6},  // s_l >= 2^15 and s_l - 2^15 > SEQ: next ROC
		{5, 40000, 7300, 5}, // s_l - 2^15 = 7232 < 7300
		{5, 32768, 0, 5},
		{0, 10, 65535, 0xffffffff},
	}
	for _, tc := range tests {
		s := &Stream{indexState: indexState{started: true, roc: tc.roc, sl: tc.sl}}
		if got := s.estimateROC(tc.seq); got != tc.want {
			t.Errorf("ROC %d s_l %d seq %d: got %d want %d", tc.roc, tc.sl, tc.seq, got, tc.want)
		}
	}
}

// TestKeyDerivationRate checks that with a non-zero KDR the session keys
// change with index DIV kdr (RFC 3711 §4.3.1): packets are sealed with
// keys derived independently (prfOutput with r) and opened by a context
// that must re-derive as the index crosses each boundary.
func TestKeyDerivationRate(t *testing.T) {
	p := DefaultPolicy()
	p.KDR = 1 << 4
	mk := defaultKey()
	rx := mustContext(t, p, mk)
	st := NewStream(1)
	prf := rx.keys[0].prf
	for i := 0; i < 70; i++ {
		seq := uint16(65500 + i)
		roc := uint32(1)
		if seq < 65500 {
			roc = 2
		}
		idx := uint64(roc)<<16 | uint64(seq)
		r := idx / p.KDR
		enc, auth, salt := make([]byte, 16), make([]byte, 20), make([]byte, 14)
		prfOutput(prf, mk.Salt, labelRTPEncryption, r, enc)
		prfOutput(prf, mk.Salt, labelRTPAuth, r, auth)
		prfOutput(prf, mk.Salt, labelRTPSalt, r, salt)
		pd := DefaultPolicy()
		tx, err := newSessionContext(pd, enc, salt, auth)
		if err != nil {
			t.Fatal(err)
		}
		plain := testRTP(seq, 5, 50)
		pkt, err := tx.SealRTP(nil, plain, roc, 0)
		if err != nil {
			t.Fatal(err)
		}
		out, res, err := rx.DecryptRTP(nil, pkt, st, time.Time{})
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		if !bytes.Equal(out, plain) || res.ROC != roc {
			t.Fatalf("packet %d: wrong plaintext or ROC", i)
		}
		// A KDR=0 context must not open it when r != 0 keys differ.
		if i == 0 {
			if _, _, err := mustContext(t, DefaultPolicy(), mk).DecryptRTP(nil, pkt, NewStream(1), time.Time{}); !errors.Is(err, ErrAuthFailed) {
				t.Fatalf("KDR ignored: %v", err)
			}
		}
	}
	// RTCP with KDR: r = SRTCP index DIV kdr.
	tx := mustContext(t, p, mk)
	sst := NewStream(0)
	sst.SetRTCPIndex(10)
	rst := NewStream(0)
	for i := 0; i < 40; i++ {
		plain := testRTCP(i, 5)
		pkt, err := tx.EncryptRTCP(nil, plain, sst)
		if err != nil {
			t.Fatal(err)
		}
		out, _, err := rx.DecryptRTCP(nil, pkt, rst, time.Time{})
		if err != nil || !bytes.Equal(out, plain) {
			t.Fatalf("RTCP %d: %v", i, err)
		}
	}
}

// TestTransformsRoundTrip seals and opens with policies pion cannot
// produce: AES-192, f8, HMAC tag lengths, independent switches.
func TestTransformsRoundTrip(t *testing.T) {
	with := func(f func(*Policy)) Policy { p := DefaultPolicy(); f(&p); return p }
	policies := []Policy{
		with(func(p *Policy) { p.KeyLen = 24 }),
		with(func(p *Policy) { p.Cipher = CipherAESF8 }),
		with(func(p *Policy) { p.Cipher = CipherAESF8; p.SRTCPEncrypt = false }),
		with(func(p *Policy) { p.TagLen, p.RTCPTagLen = 20, 4 }),
		with(func(p *Policy) { p.SRTPAuth = false }),
		with(func(p *Policy) { p.Auth = AuthNull; p.RTCPAuth = AuthNull }),
		with(func(p *Policy) { p.Auth, p.ROCRate = AuthRCCm1, 3 }),
		with(func(p *Policy) { p.Auth, p.ROCRate, p.TagLen = AuthRCCm3, 2, 4 }),
		with(func(p *Policy) { p.MKILen = 2; p.KeyLen = 32 }),
		with(func(p *Policy) { p.AuthKeyLen = 32; p.RTCPAuthKeyLen = 16 }),
	}
	for _, p := range policies {
		t.Run(p.String(), func(t *testing.T) {
			k := MasterKey{Key: crossKey32[:p.KeyLen], Salt: crossSalt14}
			if p.MKILen > 0 {
				k.MKI = []byte{1, 2}
			}
			c := mustContext(t, p, k)
			tx, rx := NewStream(0xfffffffe), NewStream(0xfffffffe)
			verifiable := 0
			for i := 0; i < 100; i++ {
				seq := uint16(65500 + i)
				plain := testRTP(seq, 42, 10+i)
				pkt, err := c.EncryptRTP(nil, plain, tx)
				if err != nil {
					t.Fatal(err)
				}
				if p.SRTPEncrypt && bytes.Contains(pkt, plain[len(plain)-8:]) && len(plain) > 40 {
					t.Fatalf("packet %d: payload visible after encryption", i)
				}
				out, res, err := c.DecryptRTP(nil, pkt, rx, time.Time{})
				if err != nil {
					t.Fatalf("packet %d: %v", i, err)
				}
				if !bytes.Equal(out, plain) {
					t.Fatalf("packet %d: plaintext differs", i)
				}
				if res.Authenticated {
					verifiable++
				}
				want := uint32(0xfffffffe)
				if seq < 65500 {
					want = 0xffffffff
				}
				if res.ROC != want {
					t.Fatalf("packet %d ROC %d", i, res.ROC)
				}
			}
			switch {
			case !p.SRTPAuth || p.Auth == AuthNull || p.Auth == AuthRCCm3:
				if verifiable != 0 {
					t.Errorf("%d packets claim authentication", verifiable)
				}
			case p.Auth == AuthRCCm1:
				if verifiable != 34 { // SEQ % 3 == 0
					t.Errorf("RCCm1: %d authenticated, want 34", verifiable)
				}
			default:
				if verifiable != 100 {
					t.Errorf("%d authenticated", verifiable)
				}
			}
			tx.SetRTCPIndex(0x7ffffff0)
			for i := 0; i < 10; i++ {
				plain := testRTCP(i, 42)
				pkt, err := c.EncryptRTCP(nil, plain, tx)
				if err != nil {
					t.Fatal(err)
				}
				out, res, err := c.DecryptRTCP(nil, pkt, rx2(rx), time.Time{})
				if err != nil || !bytes.Equal(out, plain) {
					t.Fatalf("RTCP %d: %v", i, err)
				}
				if res.Encrypted != p.SRTCPEncrypt || res.Index != uint64(0x7ffffff0+i) {
					t.Fatalf("RTCP %d: %+v", i, res)
				}
			}
		})
	}
}

// rx2 returns a fresh RTCP stream for the SSRC of rx.
func rx2(rx *Stream) *Stream { return NewStreamSSRC(rx.SSRC, 0) }

func TestRekeyWithoutMKI(t *testing.T) {
	old, cur := defaultKey(), MasterKey{Key: bytes.Repeat([]byte{9}, 16), Salt: crossSalt14}
	tx := mustContext(t, DefaultPolicy(), old, cur)
	rx := mustContext(t, DefaultPolicy(), old, cur)
	sst, rst := NewStream(0), NewStream(0)
	for i := 0; i < 10; i++ {
		if i == 5 {
			if err := tx.SetSendKey(1); err != nil {
				t.Fatal(err)
			}
		}
		pkt, err := tx.EncryptRTP(nil, testRTP(uint16(i), 1, 20), sst)
		if err != nil {
			t.Fatal(err)
		}
		_, res, err := rx.DecryptRTP(nil, pkt, rst, time.Time{})
		if err != nil || res.KeyIndex != i/5 || res.ROCAdjusted {
			t.Fatalf("packet %d: key %d err %v", i, res.KeyIndex, err)
		}
	}
	if rst.Stats.KeysUsed != 3 {
		t.Errorf("keys used %b", rst.Stats.KeysUsed)
	}
}

func TestInPlaceAndOverlap(t *testing.T) {
	for _, p := range []Policy{DefaultPolicy(), GCMPolicy(16)} {
		k := MasterKey{Key: crossKey32[:16], Salt: crossSalt14[:p.SaltLen]}
		c := mustContext(t, p, k)
		plain := testRTP(10, 1, 100)
		buf := make([]byte, len(plain), len(plain)+64)
		copy(buf, plain)
		pkt, err := c.SealRTP(buf[:0], buf, 0, 0) // in place
		if err != nil {
			t.Fatal(err)
		}
		if &pkt[0] != &buf[0] {
			t.Fatal("SealRTP in place reallocated")
		}
		out, _, err := c.DecryptRTP(pkt[:0], pkt, NewStream(0), time.Time{})
		if err != nil || !bytes.Equal(out, plain) || &out[0] != &pkt[0] {
			t.Fatalf("in place: %v", err)
		}
		pkt, _ = c.SealRTP(nil, plain, 0, 0)
		if _, _, err := c.DecryptRTP(pkt[1:1], pkt, NewStream(0), time.Time{}); !errors.Is(err, ErrBufferOverlap) {
			t.Fatalf("overlap: %v", err)
		}
	}
}

func TestSSRCMismatchAndNilStream(t *testing.T) {
	c := mustContext(t, DefaultPolicy(), defaultKey())
	pkt, _ := c.SealRTP(nil, testRTP(1, 1, 10), 0, 0)
	if _, _, err := c.DecryptRTP(nil, pkt, NewStreamSSRC(2, 0), time.Time{}); !errors.Is(err, ErrSSRCMismatch) {
		t.Fatal(err)
	}
	if _, _, err := c.DecryptRTP(nil, pkt, nil, time.Time{}); !errors.Is(err, ErrNoStream) {
		t.Fatal(err)
	}
}

func TestTruncatedPackets(t *testing.T) {
	for _, p := range []Policy{DefaultPolicy(), GCMPolicy(32)} {
		k := MasterKey{Key: crossKey32[:p.KeyLen], Salt: crossSalt14[:p.SaltLen]}
		c := mustContext(t, p, k)
		pkt, _ := c.SealRTP(nil, testRTP(7, 1, 30), 0, 0)
		rtcp, _ := c.SealRTCP(nil, testRTCP(1, 1), 1, 0)
		for n := 0; n < len(pkt); n++ {
			if _, _, err := c.DecryptRTP(nil, pkt[:n], NewStream(0), time.Time{}); err == nil {
				t.Fatalf("%v: RTP truncated to %d accepted", p, n)
			}
		}
		for n := 0; n < len(rtcp); n++ {
			if _, _, err := c.DecryptRTCP(nil, rtcp[:n], NewStream(0), time.Time{}); err == nil {
				t.Fatalf("%v: RTCP truncated to %d accepted", p, n)
			}
		}
	}
}

func TestPolicyValidateAndString(t *testing.T) {
	with := func(f func(*Policy)) Policy { p := DefaultPolicy(); f(&p); return p }
	good := []struct {
		p    Policy
		name string
	}{
		{DefaultPolicy(), "AES_CM_128_HMAC_SHA1_80"},
		{with(func(p *Policy) { p.TagLen = 4 }), "AES_CM_128_HMAC_SHA1_32"},
		{with(func(p *Policy) { p.KeyLen = 32 }), "AES_256_CM_HMAC_SHA1_80"},
		{with(func(p *Policy) { p.KeyLen = 24 }), "AES_192_CM_HMAC_SHA1_80"},
		{GCMPolicy(16), "AEAD_AES_128_GCM"},
		{GCMPolicy(32), "AEAD_AES_256_GCM"},
		{with(func(p *Policy) { p.Cipher = CipherAESF8 }), "F8_128_HMAC_SHA1_80"},
		{with(func(p *Policy) { p.Cipher = CipherNull; p.SRTPEncrypt = false }), "NULL_HMAC_SHA1_80,UNENCRYPTED_SRTP"},
		{with(func(p *Policy) { p.Auth, p.ROCRate, p.TagLen = AuthRCCm2, 10, 14 }), "AES_CM_128_RCCm2_112_R10"},
		{with(func(p *Policy) { p.KDR, p.MKILen = 1<<16, 4 }), "AES_CM_128_HMAC_SHA1_80,KDR=65536,MKI4"},
	}
	for _, g := range good {
		if err := g.p.Validate(); err != nil {
			t.Errorf("%s: %v", g.name, err)
		}
		if got := g.p.String(); got != g.name {
			t.Errorf("String() = %q, want %q", got, g.name)
		}
	}
	bad := []Policy{
		with(func(p *Policy) { p.KeyLen = 20 }),
		with(func(p *Policy) { p.SaltLen = 12 }),
		with(func(p *Policy) { p.Cipher = CipherAESF8; p.KeyLen = 32 }),
		with(func(p *Policy) { p.Cipher = 3 }),
		with(func(p *Policy) { p.Auth = 9 }),
		with(func(p *Policy) { p.TagLen = 0 }),
		with(func(p *Policy) { p.TagLen = 21 }),
		with(func(p *Policy) { p.KDR = 3 }),
		with(func(p *Policy) { p.KDR = 1 << 25 }),
		with(func(p *Policy) { p.RTCPAuth = AuthRCCm2 }),
		with(func(p *Policy) { p.Auth, p.TagLen = AuthRCCm1, 3 }),
		with(func(p *Policy) { *p = GCMPolicy(24) }),
		with(func(p *Policy) { *p = GCMPolicy(16); p.SaltLen = 14 }),
		with(func(p *Policy) { *p = GCMPolicy(16); p.AEADTagLen = 10 }),
		with(func(p *Policy) { *p = GCMPolicy(16); p.Auth, p.TagLen = AuthRCCm2, 10 }),
		with(func(p *Policy) { p.MKILen = -1 }),
	}
	for i, p := range bad {
		if err := p.Validate(); !errors.Is(err, ErrPolicy) {
			t.Errorf("bad policy %d (%v) accepted", i, p)
		}
	}
	if _, err := NewContext(DefaultPolicy(), MasterKey{Key: make([]byte, 15), Salt: crossSalt14}); !errors.Is(err, ErrPolicy) {
		t.Error("short key accepted")
	}
	if _, err := NewContext(DefaultPolicy()); !errors.Is(err, ErrPolicy) {
		t.Error("no key accepted")
	}
	p := DefaultPolicy()
	p.MKILen = 1
	if _, err := NewContext(p, MasterKey{Key: crossKey32[:16], Salt: crossSalt14, MKI: []byte{1}},
		MasterKey{Key: crossKey32[1:17], Salt: crossSalt14, MKI: []byte{1}}); !errors.Is(err, ErrPolicy) {
		t.Error("duplicate MKI accepted")
	}
}

func TestMasterKeyNeverPrinted(t *testing.T) {
	k := MasterKey{Key: bytes.Repeat([]byte{0xab}, 16), Salt: bytes.Repeat([]byte{0xcd}, 14), MKI: []byte{1}}
	for _, s := range []string{k.String(), k.GoString(), jsonOrEmpty(k)} {
		if strings.Contains(strings.ToLower(s), "abab") || strings.Contains(strings.ToLower(s), "cdcd") {
			t.Errorf("key material printed: %s", s)
		}
	}
	if len(k.Fingerprint()) != 8 || !strings.Contains(k.String(), k.Fingerprint()) {
		t.Errorf("fingerprint %q in %q", k.Fingerprint(), k.String())
	}
}

func jsonOrEmpty(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func TestObserveRTP(t *testing.T) {
	s := NewStream(0)
	for _, seq := range []uint16{65534, 65535, 2, 1, 1} {
		if _, err := s.ObserveRTP(testRTP(seq, 5, 10), time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.ObserveRTP([]byte{0x80, 0}, time.Time{}); err == nil {
		t.Fatal("short packet accepted")
	}
	st := s.Stats
	if st.Packets != 6 || st.Malformed != 1 || st.Unverified != 5 || st.ROC != 1 || st.Lost != 1 ||
		st.OutOfOrder != 1 || st.Duplicates != 1 || st.HighestIndex != 1<<16|2 {
		t.Errorf("stats %+v", st)
	}
}

// TestLateAcrossROCZero: a packet from before the first one, estimated at
// ROC -1, is late, and the ROC stays 0.
func TestLateAcrossROCZero(t *testing.T) {
	p := DefaultPolicy()
	p.SRTPAuth = false // nothing to verify: the estimate alone decides
	c := mustContext(t, p, defaultKey())
	st := NewStream(0)
	for _, tc := range []struct {
		seq  uint16
		roc  uint32
		late bool
	}{{10, 0, false}, {65530, 0xffffffff, true}, {11, 0, false}} {
		pkt, _ := c.SealRTP(nil, testRTP(tc.seq, 1, 5), tc.roc, 0)
		_, res, err := c.DecryptRTP(nil, pkt, st, time.Time{})
		if err != nil || res.ROC != tc.roc || res.OutOfOrder != tc.late {
			t.Fatalf("seq %d: %+v %v", tc.seq, res, err)
		}
	}
	if st.ROC() != 0 || st.Stats.ROCChanges != 0 {
		t.Errorf("ROC %d stats %+v", st.ROC(), st.Stats)
	}
}

// TestCloneConcurrent decrypts two SSRCs of one crypto session on two
// goroutines with cloned contexts (run with -race).
func TestCloneConcurrent(t *testing.T) {
	c := mustContext(t, DefaultPolicy(), defaultKey())
	var pkts [2][][]byte
	for s := range pkts {
		tx := NewStream(0)
		for i := 0; i < 200; i++ {
			p, err := c.EncryptRTP(nil, testRTP(uint16(65500+i), uint32(s+1), 50), tx)
			if err != nil {
				t.Fatal(err)
			}
			pkts[s] = append(pkts[s], p)
		}
	}
	errs := make(chan error, 2)
	for s := range pkts {
		cc := c.Clone()
		go func() {
			st := NewStream(0)
			for _, p := range pkts[s] {
				if _, _, err := cc.DecryptRTP(nil, p, st, time.Time{}); err != nil {
					errs <- err
					return
				}
			}
			if st.ROC() != 1 {
				errs <- errors.New("ROC did not advance")
				return
			}
			errs <- nil
		}()
	}
	for range pkts {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestSearchROC(t *testing.T) {
	for _, cp := range []crossProfile{crossProfiles()[0], crossProfiles()[6]} {
		key, salt := crossKeys(cp.policy)
		plain, enc := pionStream(t, cp.profile, key, salt, 3, 51234, 7, 2)
		c := mustContext(t, cp.policy, MasterKey{Key: bytes.Repeat([]byte{1}, len(key)), Salt: salt}, MasterKey{Key: key, Salt: salt})
		roc, k, found, err := c.SearchROC(enc[0], 0, 65535)
		if err != nil || !found || roc != 51234 || k != 1 {
			t.Fatalf("%s: roc %d key %d found %v err %v", cp.name, roc, k, found, err)
		}
		if _, _, found, _ := c.SearchROC(enc[0], 0, 50000); found {
			t.Fatalf("%s: found outside range", cp.name)
		}
		st := NewStream(0)
		st.SetROC(roc)
		out, _, err := c.DecryptRTP(nil, enc[1], st, time.Time{})
		if err != nil || !bytes.Equal(out, plain[1]) {
			t.Fatalf("%s: after SearchROC: %v", cp.name, err)
		}
	}
	c := mustContext(t, DefaultPolicy(), defaultKey())
	if _, _, _, err := c.SearchROC(testRTP(1, 1, 20), 10, 5); !errors.Is(err, ErrPolicy) {
		t.Errorf("reversed range: %v", err)
	}
	if _, _, _, err := c.SearchROC(testRTP(1, 1, 20), 0, MaxROCSpan); !errors.Is(err, ErrPolicy) {
		t.Errorf("range too wide: %v", err)
	}
	if _, _, _, err := c.SearchROC([]byte{0x80}, 0, 1); !errors.Is(err, ErrShortPacket) {
		t.Errorf("short: %v", err)
	}
}

func TestRTCPWrongKeyDuplicatesAndMKI(t *testing.T) {
	p := DefaultPolicy()
	p.MKILen = 1
	tx := mustContext(t, p, MasterKey{Key: crossKey32[:16], Salt: crossSalt14, MKI: []byte{5}})
	wrong := mustContext(t, p, MasterKey{Key: crossKey32[1:17], Salt: crossSalt14, MKI: []byte{5}})
	other := mustContext(t, p, MasterKey{Key: crossKey32[:16], Salt: crossSalt14, MKI: []byte{6}})
	sst := NewStream(0)
	var pkts [][]byte
	for i := 0; i < 4; i++ {
		pkt, err := tx.EncryptRTCP(nil, testRTCP(i, 8), sst)
		if err != nil {
			t.Fatal(err)
		}
		pkts = append(pkts, pkt)
	}
	ws := NewStream(0)
	for _, pkt := range pkts {
		if out, _, err := wrong.DecryptRTCP(nil, pkt, ws, time.Time{}); !errors.Is(err, ErrAuthFailed) || out != nil {
			t.Fatalf("wrong key: %v", err)
		}
		if _, _, err := other.DecryptRTCP(nil, pkt, NewStream(0), time.Time{}); !errors.Is(err, ErrUnknownMKI) {
			t.Fatalf("unknown MKI: %v", err)
		}
	}
	if ws.Stats.AuthFailed != 4 || ws.Stats.Authenticated != 0 {
		t.Errorf("stats %+v", ws.Stats)
	}
	rs := NewStream(0)
	for _, i := range []int{0, 2, 1, 2, 3} {
		_, res, err := tx.DecryptRTCP(nil, pkts[i], rs, time.Time{})
		if err != nil || res.Index != uint64(i) {
			t.Fatalf("packet %d: %v %+v", i, err, res)
		}
	}
	if rs.Stats.Duplicates != 1 || rs.Stats.OutOfOrder != 1 || rs.Stats.Lost != 0 || rs.Stats.Decrypted != 5 {
		t.Errorf("stats %+v", rs.Stats)
	}
}

func TestMKISet(t *testing.T) {
	var m MKISet
	for i := 0; i < 12; i++ {
		m.Add([]byte{byte(i % 10), 1})
	}
	m.Add(bytes.Repeat([]byte{7}, 20))
	if m.Len() != 8 || m.Overflow != 3 || !bytes.Equal(m.At(3), []byte{3, 1}) || m.At(8) != nil {
		t.Fatalf("set %+v", m)
	}
	js, err := json.Marshal(m)
	if err != nil || !strings.HasPrefix(string(js), `["0001","0101",`) {
		t.Fatalf("JSON %s %v", js, err)
	}
	var back MKISet
	if err := json.Unmarshal(js, &back); err != nil || back.Len() != 8 || !bytes.Equal(back.At(7), []byte{7, 1}) {
		t.Fatalf("round trip %+v %v", back, err)
	}
	// A copy (as Stats are copied into reports) does not see later additions.
	var orig MKISet
	orig.Add([]byte{1})
	cp := orig
	orig.Add([]byte{2})
	cp.Add([]byte{3})
	if cp.Len() != 2 || !bytes.Equal(cp.At(1), []byte{3}) || orig.Len() != 2 || !bytes.Equal(orig.At(1), []byte{2}) {
		t.Fatalf("copies share additions: original %v %v, copy %v %v", orig.At(0), orig.At(1), cp.At(0), cp.At(1))
	}
	// Seen on the decrypt path, known and unknown.
	p := DefaultPolicy()
	p.MKILen = 2
	c := mustContext(t, p, MasterKey{Key: crossKey32[:16], Salt: crossSalt14, MKI: []byte{0, 1}})
	d := mustContext(t, p, MasterKey{Key: crossKey32[:16], Salt: crossSalt14, MKI: []byte{0, 2}})
	st := NewStream(0)
	pkt, _ := c.SealRTP(nil, testRTP(1, 1, 10), 0, 0)
	pkt2, _ := d.SealRTP(nil, testRTP(2, 1, 10), 0, 0)
	c.DecryptRTP(nil, pkt, st, time.Time{})
	c.DecryptRTP(nil, pkt2, st, time.Time{})
	c.DecryptRTP(nil, pkt, st, time.Time{})
	if st.Stats.MKIs.Len() != 2 || st.Stats.UnknownMKI != 1 || !bytes.Equal(st.Stats.MKIs.At(1), []byte{0, 2}) {
		t.Errorf("stats %+v", st.Stats)
	}
}
