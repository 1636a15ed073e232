package scenario

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"testing"

	"github.com/mikeyscope/mikeyscope/mikey"
)

func TestDHHMACMessages(t *testing.T) {
	x := testExchange()
	dh := DHParams{Group: mikey.DHOakley5, XI: bytes.Repeat([]byte{0x81}, 32), XR: bytes.Repeat([]byte{0x92}, 32)}
	keys, err := mikey.DeriveMessageKeys(mikey.PRFFuncMIKEY1, x.PSK, x.CSBID, x.Rand, 0, 20, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := map[mikey.DataType][]mikey.PayloadType{
		mikey.DataTypeDHHMACInit: {mikey.PayloadT, mikey.PayloadRAND, mikey.PayloadID, mikey.PayloadID, mikey.PayloadSP, mikey.PayloadDH, mikey.PayloadKEMAC},
		mikey.DataTypeDHHMACResp: {mikey.PayloadT, mikey.PayloadID, mikey.PayloadID, mikey.PayloadDH, mikey.PayloadDH, mikey.PayloadKEMAC},
	}
	var dhValues [][]byte
	for dt, build := range map[mikey.DataType]func(DHParams) ([]byte, error){
		mikey.DataTypeDHHMACInit: x.DHHMACInit, mikey.DataTypeDHHMACResp: x.DHHMACResp,
	} {
		raw, err := build(dh)
		if err != nil {
			t.Fatal(err)
		}
		if mikey.DataType(raw[1]) != dt {
			t.Fatalf("data type %d, want %d", raw[1], dt)
		}
		h := hmac.New(sha1.New, keys.Auth.Reveal())
		h.Write(raw[:len(raw)-20])
		if !bytes.Equal(h.Sum(nil), raw[len(raw)-20:]) {
			t.Fatalf("data type %d: KEMAC MAC does not verify", dt)
		}
		m, err := mikey.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Payloads) != len(wantTypes[dt]) {
			t.Fatalf("data type %d: %d payloads", dt, len(m.Payloads))
		}
		for i, p := range m.Payloads {
			if p.Type() != wantTypes[dt][i] {
				t.Fatalf("data type %d payload %d is %d", dt, i, p.Type())
			}
			if d, ok := p.(*mikey.DHPayload); ok {
				if len(d.Value) != 192 {
					t.Fatalf("OAKLEY 5 value of %d bytes", len(d.Value))
				}
				dhValues = append(dhValues, d.Value)
			}
			if k, ok := p.(*mikey.KEMACPayload); ok && (k.EncrAlg != mikey.EncrNULL || len(k.EncrData) != 0 || k.MACAlg != mikey.MACHMACSHA1160) {
				t.Fatalf("DHHMAC KEMAC %+v", k)
			}
		}
	}
	// Both sides reach the same TGK: (g^xr)^xi from DHTGK and (g^xi)^xr.
	tgk, err := DHTGK(dh)
	if err != nil {
		t.Fatal(err)
	}
	dhi, _ := mikey.DHPublic(dh.Group, dh.XI)
	other, err := mikey.DHShared(dh.Group, dh.XR, dhi)
	if err != nil || !bytes.Equal(tgk, other) || len(tgk) != 192 {
		t.Fatalf("TGKs differ or wrong length (%v)", err)
	}
	// DHi appears in the init and again (echoed, second DH) in the response.
	if len(dhValues) != 3 || !bytes.Contains(bytes.Join(dhValues, nil), dhi) {
		t.Fatal("DHi not found in the messages")
	}
}
