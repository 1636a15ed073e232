package srtp_test

import (
	"fmt"
	"time"

	"github.com/mikeyscope/mikeyscope/srtp"
)

// A crypto session as signalling gives it (for MIKEY the analysis turns
// the SP payload's description into the policy, the KEMAC gives master key
// and salt, the CS ID map SSRC and ROC, the SPI the MKI).
func Example() {
	policy := srtp.DefaultPolicy()
	if err := policy.Validate(); err != nil {
		panic(err)
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
	// AES_CM_128_HMAC_SHA1_80 <nil> hi 5 true true
	// 1 1 key 0679246d
}
