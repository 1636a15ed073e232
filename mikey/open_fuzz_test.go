package mikey

import (
	"crypto"
	"strings"
	"testing"
)

// FuzzOpenExchange opens arbitrary (possibly partial) messages with a key
// of every kind. It must never panic, and must never report sessions for a
// message whose MAC failed.
func FuzzOpenExchange(f *testing.F) {
	for _, b := range readPublishedVectors(f) {
		f.Add(b, []byte(nil))
	}
	psk, tgk, rnd := []byte("0123456789abcdef"), []byte("fedcba9876543210"), []byte("RANDRANDRANDRAND")
	f.Add(buildPSKInit(f, PRFFuncMIKEY1, EncrAESCM128, MACHMACSHA1160, psk, tgk, rnd).Raw, []byte(nil))
	initKey, respKey := testRSA(f)
	xi := []byte("private value of the initiator..")
	dhi, _ := NewDHPayload(DHOakley1, xi)
	dhm := &Message{Header: testHdr(DataTypeDHHMACInit, PRFFuncMIKEY1), Payloads: []Payload{
		&TPayload{TSType: TSTypeCounter, Value: 7}, &RANDPayload{Rand: rnd}, dhi,
		&KEMACPayload{EncrAlg: EncrNULL, MACAlg: MACHMACSHA1160}}}
	if err := SealKEMAC(dhm, psk, nil, SealOptions{}); err == nil {
		f.Add(dhm.Raw, []byte(nil))
	}
	env := []byte("envelope key 16b")
	pke, _ := NewPKEPayload(&respKey.PublicKey, env, 0)
	pk := &Message{Header: testHdr(DataTypePKInit, PRFFuncMIKEY1), Payloads: []Payload{
		&TPayload{TSType: TSTypeNTPUTC, Value: testTS}, &RANDPayload{Rand: rnd},
		&KEMACPayload{EncrAlg: EncrAESKW128, MACAlg: MACNULL}, pke, &SIGNPayload{}}}
	kd := []*KeyData{{Type: KeyTGK, Key: make([]byte, 20)}}
	if err := SealKEMAC(pk, env, kd, SealOptions{EncryptedID: &IDPayload{Data: []byte("a@b")}}); err == nil {
		if err := SealSIGN(pk, initKey, SignRSAPKCS1, crypto.SHA1, false); err == nil {
			f.Add(pk.Raw, []byte(nil))
		}
	}
	keys := &Keys{
		PSKs: []PSK{{Key: psk}, {Key: []byte("bound"), Identity: "a@b"}},
		RSA:  []RSAKey{{Private: respKey}},
		DH:   []DHKey{{Private: xi}},
		TGKs: []TGK{{Key: tgk}},
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var init, resp *Message
		if m, _ := Parse(a); m != nil {
			init = m
		}
		if m, _ := Parse(b); m != nil && len(b) > 0 {
			resp = m
		}
		r := OpenExchange(init, resp, keys, OpenOptions{})
		if r == nil {
			t.Fatal("nil result")
		}
		if r.Init != nil && r.Init.Auth == AuthFailed && r.Mode == ModePSK && len(r.Sessions) > 0 {
			for _, s := range r.Sessions {
				if strings.HasPrefix(s.From, "key data") {
					t.Fatalf("sessions from a message whose MAC failed: %+v", s)
				}
			}
		}
	})
}

// FuzzAESKeyUnwrap: arbitrary wrapped data must not panic and must never
// unwrap without the integrity check passing.
func FuzzAESKeyUnwrap(f *testing.F) {
	f.Add(make([]byte, 24))
	f.Add([]byte{0x1f, 0xa6, 0x8b, 0x0a, 0x81, 0x12, 0xb4, 0x47, 0xae, 0xf3, 0x4b, 0xd8, 0xfb, 0x5a, 0x7b, 0x82, 0x9d, 0x3e, 0x86, 0x23, 0x71, 0xd2, 0xcf, 0xe5})
	kek := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	iv := []byte{0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := AESKeyUnwrap(kek, iv, data)
		if err != nil {
			return
		}
		back, err := AESKeyWrap(kek, iv, out)
		if err != nil || string(back) != string(data) {
			t.Fatalf("unwrap/wrap round trip differs")
		}
	})
}
