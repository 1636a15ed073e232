package srtp_test

import (
	"fmt"
	"time"

	"github.com/mikeyscope/mikeyscope/mikey"
	"github.com/mikeyscope/mikeyscope/srtp"
)

// A crypto session from MIKEY: policy from the SP payload, master key and
// salt from the KEMAC, SSRC and ROC from the CS ID map, MKI from the SPI.
func Example() {
	sp := &mikey.SPPayload{Prot: mikey.ProtSRTP, Params: []mikey.SPParam{
		{Type: mikey.SPEncrAlg, Value: []byte{1}},
		{Type: mikey.SPAuthKeyLen, Value: []byte{10}}, // GStreamer quirk: a tag length
	}}
	policy, notes, err := srtp.PolicyFromSP(sp)
	if err != nil {
		panic(err)
	}
	for _, n := range notes {
		fmt.Println("note:", n.Code)
	}
	key := srtp.MasterKey{Key: make([]byte, 16), Salt: make([]byte, 14)}
	ctx, err := srtp.NewContext(policy, key)
	if err != nil {
		panic(err)
	}

	// Sender side (as a sample generator would).
	sender := srtp.NewStreamSSRC(0x1234, 5)
	rtp := []byte{0x80, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 'h', 'i'}
	pkt, _ := ctx.EncryptRTP(nil, rtp, sender)

	// Receiver: the analysis starts the stream at the CS ID map ROC; here a
	// wrong one, which the ROC search corrects.
	st := srtp.NewStreamSSRC(0x1234, 4)
	plain, res, err := ctx.DecryptRTP(nil, pkt, st, time.Unix(0, 0))
	fmt.Println(policy, err, string(plain[12:]), res.ROC, res.ROCAdjusted, res.Authenticated)
	fmt.Println(st.Stats.Packets, st.Stats.ROCAdjustments, key)
	// Output:
	// note: auth-key-len-is-tag-len
	// AES_CM_128_HMAC_SHA1_80 <nil> hi 5 true true
	// 1 1 key 0679246d
}
