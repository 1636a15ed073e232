package analysis_test

import (
	"fmt"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/mikey"
)

// TestPolicyFindingsOrder: the findings of one SP payload are raised (and
// so listed by report --jsonl) in checkPolicy's order: the notes of its
// description, then the transforms common peers lack.
func TestPolicyFindingsOrder(t *testing.T) {
	var got []string
	f := newFeed(analysis.Options{Finding: func(f *analysis.Finding) {
		if f.Code == analysis.KindTagLenAsAuthKeyLen.Code || f.Code == analysis.KindPolicyUnsupported.Code || f.Code == analysis.KindPolicyParameter.Code {
			got = append(got, f.Code+": "+f.Summary)
		}
	}})
	f.invite(nullMessage(t, func(m *mikey.Message) {
		sp := payloadOf[*mikey.SPPayload](m)
		sp.Params = []mikey.SPParam{mikey.SPUint(mikey.SPAuthKeyLen, 10), mikey.SPUint(mikey.SPEncrAlg, 3),
			mikey.SPUint(mikey.SPKeyDerivRate, 16), mikey.SPUint(mikey.SPAuthAlg, 2), mikey.SPUint(mikey.SPSRTPEncr, 2)}
	}))
	f.finish()
	// SP payload at 47, parameters from 52, 3 bytes each.
	want := []string{
		"mikey.policy-parameter: policy 0, offset 64: SRTP encryption off/on = 2 is neither 0 (off) nor 1 (on); taken as on",
		"mikey.tag-length-as-auth-key-length: policy 0: session auth key length = 10 at offset 52 (a tag length, not a key length)",
		"mikey.policy-unsupported: policy 0: encryption algorithm SEED-CTR",
		"mikey.policy-unsupported: policy 0: key derivation rate 16 (common implementations only support 0)",
		"mikey.policy-unsupported: policy 0: authentication algorithm 2 (RFC 4771 RCC mode)",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("findings\n%q\nwant\n%q", got, want)
	}
}
