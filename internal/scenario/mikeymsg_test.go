package scenario

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/mikey"
)

func testExchange() PSKExchange {
	return PSKExchange{
		CSBID: 0x11223344, Time: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC),
		Rand: bytes.Repeat([]byte{0x5a}, 16), IDi: "sip:alice@example.com", IDr: "sip:bob@example.com",
		SSRCs: []uint32{0xdeadbeef, 0xcafef00d}, PSK: bytes.Repeat([]byte{0x01}, 16), TGK: bytes.Repeat([]byte{0x02}, 16),
	}
}

func TestPSKInitLayout(t *testing.T) {
	x := testExchange()
	raw, err := x.Init()
	if err != nil {
		t.Fatal(err)
	}
	// Common header by hand (RFC 3830 §6.1): version 1, data type 0, next
	// payload T (5), V=1|PRF 0, CSB ID, #CS 2, map type 0, then the map.
	want := []byte{1, 0, 5, 0x80, 0x11, 0x22, 0x33, 0x44, 2, 0,
		0, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0,
		0, 0xca, 0xfe, 0xf0, 0x0d, 0, 0, 0, 0}
	if !bytes.Equal(raw[:len(want)], want) {
		t.Fatalf("HDR\n got %x\nwant %x", raw[:len(want)], want)
	}
	m, err := mikey.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	var types []mikey.PayloadType
	for _, p := range m.Payloads {
		types = append(types, p.Type())
	}
	wantTypes := []mikey.PayloadType{mikey.PayloadT, mikey.PayloadRAND, mikey.PayloadID, mikey.PayloadID, mikey.PayloadSP, mikey.PayloadKEMAC}
	if len(types) != len(wantTypes) {
		t.Fatalf("payloads %v, want %v", types, wantTypes)
	}
	for i := range types {
		if types[i] != wantTypes[i] {
			t.Fatalf("payloads %v, want %v", types, wantTypes)
		}
	}
	k := m.Payloads[5].(*mikey.KEMACPayload)
	if k.EncrAlg != mikey.EncrAESCM128 || k.MACAlg != mikey.MACHMACSHA1160 || len(k.MAC) != 20 {
		t.Fatalf("KEMAC %+v", k)
	}
	// The MAC is HMAC-SHA-1 under auth_key over everything before it.
	keys, err := mikey.DeriveMessageKeys(mikey.PRFFuncMIKEY1, x.PSK, x.CSBID, x.Rand, 16, 20, 14)
	if err != nil {
		t.Fatal(err)
	}
	h := hmac.New(sha1.New, keys.Auth.Reveal())
	h.Write(raw[:len(raw)-20])
	if !bytes.Equal(h.Sum(nil), raw[len(raw)-20:]) {
		t.Fatal("KEMAC MAC does not verify")
	}
	plain, err := mikey.KEMACDecrypt(mikey.EncrAESCM128, keys.Encr.Reveal(), keys.Salt.Reveal(), x.CSBID, mikey.NTP64(x.Time), k.EncrData)
	if err != nil {
		t.Fatal(err)
	}
	// Key data by hand (RFC 3830 §6.13): next 0, type TGK (0) / KV NULL (0),
	// key length 16, the key.
	if wantKD := append([]byte{0, 0, 0, 16}, x.TGK...); !bytes.Equal(plain, wantKD) {
		t.Fatalf("key data\n got %x\nwant %x", plain, wantKD)
	}
}

func TestPSKVerifyMAC(t *testing.T) {
	x := testExchange()
	raw, err := x.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if raw[1] != 1 || raw[3]&0x80 != 0 {
		t.Fatalf("data type %d, V flag %v", raw[1], raw[3]&0x80 != 0)
	}
	keys, _ := mikey.DeriveMessageKeys(mikey.PRFFuncMIKEY1, x.PSK, x.CSBID, x.Rand, 0, 20, 0)
	h := hmac.New(sha1.New, keys.Auth.Reveal())
	h.Write(raw[:len(raw)-20])
	h.Write([]byte(x.IDi))
	h.Write([]byte(x.IDr))
	ts := mikey.NTP64(x.Time)
	h.Write([]byte{byte(ts >> 56), byte(ts >> 48), byte(ts >> 40), byte(ts >> 32), byte(ts >> 24), byte(ts >> 16), byte(ts >> 8), byte(ts)})
	if !bytes.Equal(h.Sum(nil), raw[len(raw)-20:]) {
		t.Fatal("V MAC does not verify")
	}
}

func TestNullMessageKeyData(t *testing.T) {
	key, salt, mki := bytes.Repeat([]byte{0xaa}, 16), bytes.Repeat([]byte{0xbb}, 14), []byte{0, 0, 0, 7}
	for _, combined := range []bool{false, true} {
		raw, err := NullMessage(0x01020304, time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), bytes.Repeat([]byte{1}, 16),
			[]NullKey{{SSRC: 0x99, Key: key, Salt: salt, MKI: mki, Combined: combined}})
		if err != nil {
			t.Fatal(err)
		}
		// KEMAC by hand (RFC 3830 §6.2, §6.13, §6.14): it is last: next 0,
		// encr NULL, length, key data, MAC alg NULL.
		var kd []byte
		if combined {
			kd = append(append([]byte{0, 2<<4 | 1, 0, 30}, key...), salt...)
		} else {
			kd = append(append(append([]byte{0, 3<<4 | 1, 0, 16}, key...), 0, 14), salt...)
		}
		kd = append(append(kd, 4), mki...)
		want := append(append([]byte{0, 0, 0, byte(len(kd))}, kd...), 0)
		if got := raw[len(raw)-len(want):]; !bytes.Equal(got, want) {
			t.Fatalf("combined=%v KEMAC\n got %x\nwant %x", combined, got, want)
		}
	}
}
