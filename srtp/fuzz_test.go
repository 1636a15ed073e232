package srtp

import (
	"bytes"
	"testing"
	"time"
)

// fuzzPolicies covers every transform family; fuzzContexts builds one
// context per policy.
func fuzzPolicies() []Policy {
	with := func(f func(*Policy)) Policy { p := DefaultPolicy(); f(&p); return p }
	return []Policy{
		DefaultPolicy(),
		with(func(p *Policy) { p.TagLen, p.MKILen = 4, 2 }),
		with(func(p *Policy) { p.Cipher = CipherAESF8 }),
		with(func(p *Policy) { p.KeyLen, p.KDR = 24, 4 }),
		with(func(p *Policy) { p.Auth, p.ROCRate, p.TagLen = AuthRCCm2, 2, 14 }),
		with(func(p *Policy) { p.Auth, p.TagLen = AuthRCCm3, 4 }),
		with(func(p *Policy) { p.Auth, p.RTCPAuth, p.Cipher = AuthNull, AuthNull, CipherNull }),
		GCMPolicy(16),
		with(func(p *Policy) { *p = GCMPolicy(32); p.SRTPEncrypt, p.SRTCPEncrypt, p.MKILen = false, false, 1 }),
		with(func(p *Policy) { *p = GCMPolicy(16); p.Auth, p.ROCRate = AuthRCCm3, 1 }),
		with(func(p *Policy) { p.HeaderExtIDs.Add(1); p.HeaderExtIDs.Add(2) }),
	}
}

func fuzzContexts(t testing.TB) []*Context {
	var cs []*Context
	for _, p := range fuzzPolicies() {
		k := MasterKey{Key: crossKey32[:p.KeyLen], Salt: crossSalt14[:p.SaltLen]}
		k.MKI = bytes.Repeat([]byte{7}, p.MKILen)
		cs = append(cs, mustContext(t, p, k))
	}
	return cs
}

func fuzzSeeds(f *testing.F, cs []*Context, rtcp bool) {
	for i, c := range cs {
		var pkt []byte
		var err error
		if rtcp {
			pkt, err = c.SealRTCP(nil, testRTCP(i, 9), uint32(i), 0)
		} else {
			pkt, err = c.SealRTP(nil, testRTP(uint16(i*7), 9, 20), 0, 0)
		}
		if err != nil {
			f.Fatal(err)
		}
		f.Add(pkt, uint8(i), uint32(0))
		f.Add(pkt[:len(pkt)/2], uint8(i), uint32(1))
	}
	f.Add([]byte{}, uint8(0), uint32(0))
	f.Add([]byte{0x80}, uint8(1), uint32(0))
	f.Add([]byte{0x9f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0xff, 0xff}, uint8(2), uint32(5))
}

// FuzzDecryptRTP feeds arbitrary packets to every transform; decryption
// must fail cleanly or return a plaintext no longer than the packet, and
// the packet must not be modified.
func FuzzDecryptRTP(f *testing.F) {
	cs := fuzzContexts(f)
	fuzzSeeds(f, cs, false)
	var dst []byte
	f.Fuzz(func(t *testing.T, pkt []byte, sel uint8, roc uint32) {
		c := cs[int(sel)%len(cs)]
		orig := bytes.Clone(pkt)
		st := NewStream(roc)
		for i := 0; i < 2; i++ {
			out, res, err := c.DecryptRTP(dst, pkt, st, time.Time{})
			if err == nil {
				if len(out) > len(pkt) || res.HeaderLen > len(out) {
					t.Fatalf("plaintext %d bytes from %d-byte packet", len(out), len(pkt))
				}
				dst = out[:0]
			}
		}
		if !bytes.Equal(pkt, orig) {
			t.Fatal("packet modified")
		}
		if st.Stats.Packets != 2 {
			t.Fatalf("packets %d", st.Stats.Packets)
		}
	})
}

// FuzzDecryptRTCP is FuzzDecryptRTP for SRTCP.
func FuzzDecryptRTCP(f *testing.F) {
	cs := fuzzContexts(f)
	fuzzSeeds(f, cs, true)
	f.Fuzz(func(t *testing.T, pkt []byte, sel uint8, _ uint32) {
		c := cs[int(sel)%len(cs)]
		orig := bytes.Clone(pkt)
		out, _, err := c.DecryptRTCP(nil, pkt, NewStream(0), time.Time{})
		if err == nil && len(out) > len(pkt) {
			t.Fatalf("plaintext %d bytes from %d-byte packet", len(out), len(pkt))
		}
		if !bytes.Equal(pkt, orig) {
			t.Fatal("packet modified")
		}
	})
}

// FuzzSealOpenRTP checks that whatever RTP packet is sealed opens to the
// same bytes under every policy, with the ROC given.
func FuzzSealOpenRTP(f *testing.F) {
	cs := fuzzContexts(f)
	f.Add(testRTP(7, 1, 30), uint8(0), uint32(0))
	f.Add(testRTP(65535, 2, 3), uint8(4), uint32(0xffffffff))
	f.Fuzz(func(t *testing.T, plain []byte, sel uint8, roc uint32) {
		c := cs[int(sel)%len(cs)]
		pkt, err := c.SealRTP(nil, plain, roc, 0)
		if err != nil {
			if _, perr := ParseRTPHeader(plain); perr == nil {
				t.Fatalf("seal failed on a valid header: %v", err)
			}
			return
		}
		out, res, err := c.DecryptRTP(nil, pkt, NewStream(roc), time.Time{})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		if !bytes.Equal(out, plain) || res.ROC != roc {
			t.Fatalf("round trip differs (ROC %d, want %d)", res.ROC, roc)
		}
	})
}

// FuzzParseRTPHeader checks the parser's invariants on arbitrary bytes.
func FuzzParseRTPHeader(f *testing.F) {
	f.Add(testRTP(7, 1, 10))
	f.Add(testRTP(5, 1, 0))
	f.Add(testRTP(35, 1, 4))
	f.Add([]byte{0x8f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0xb0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0, 1, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseRTPHeader(b)
		if err != nil {
			return
		}
		if h.HeaderLen > len(b) || h.HeaderLen < 12 || h.Version != 2 {
			t.Fatalf("header %+v for %d bytes", h, len(b))
		}
		if h.Extension && h.ExtensionOffset+h.ExtensionLen != h.HeaderLen {
			t.Fatalf("extension %d+%d != %d", h.ExtensionOffset, h.ExtensionLen, h.HeaderLen)
		}
		if p, err := h.Payload(b); err == nil && h.HeaderLen+len(p) > len(b) {
			t.Fatalf("payload past end")
		}
	})
}

// FuzzParseRTCPHeader walks arbitrary compound packets.
func FuzzParseRTCPHeader(f *testing.F) {
	f.Add(testRTCP(1, 2))
	f.Add([]byte{0xa0, 0xc9, 0, 1, 0, 0, 0, 4})
	f.Add([]byte{0x80, 0xc8, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		rest := b
		for n := 0; len(rest) > 0; n++ {
			h, first, r, err := NextRTCP(rest)
			if err != nil {
				return
			}
			if len(first) != h.PacketLen || h.PacketLen < 4 || len(r) >= len(rest) {
				t.Fatalf("packet %d: %+v, first %d, rest %d of %d", n, h, len(first), len(r), len(rest))
			}
			rest = r
		}
	})
}
