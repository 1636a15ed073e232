package analysis

import (
	"fmt"

	"github.com/mikeyscope/mikeyscope/mikey"
)

// noteFinding is how one kind of mikey.Note becomes a finding: its kind in
// the catalogue and the summary it is given.
type noteFinding struct {
	kind    Kind
	summary func(msg *mikey.Message, n mikey.Note) string
}

// noteFindings is the one table that turns mikey's notes into findings,
// by code. A code that is not here raises no finding (its text still shows
// in the message's detail).
var noteFindings = map[mikey.NoteCode]noteFinding{
	mikey.NoteTrailingPadding: {KindTrailingBytes, trailingSummary},
	mikey.NoteTrailingBytes:   {KindTrailingBytes, trailingSummary},

	// Notes of an SRTP SP payload's description (mikey.SPPayload.SRTP).
	// NoteUnsupported is not here: what cannot be decrypted is the crypto
	// session's policy ("unusable: ..."), and an uncommon cipher is
	// mikey.policy-unsupported (checkPolicy).
	mikey.NoteAuthKeyLenIsTagLen: {KindTagLenAsAuthKeyLen, tagLenSummary},
	mikey.NoteAuthKeyLenTagSized: {KindTagLenAsAuthKeyLen, tagLenSummary},
	mikey.NoteUnknownParam:       {KindPolicyParameter, policyNoteSummary},
	mikey.NoteDuplicateParam:     {KindPolicyParameter, policyNoteSummary},
	mikey.NoteBadValue:           {KindPolicyParameter, policyNoteSummary},
	mikey.NoteOnOffValue:         {KindPolicyParameter, policyNoteSummary},
	mikey.NoteFECOrder:           {KindPolicyParameter, policyNoteSummary},
	mikey.NoteAuthWithAEAD:       {KindPolicyParameter, policyNoteSummary},

	// Mission-critical key distribution (TS 33.180), MCKey.Problems.
	mikey.NoteMCUnknownPurpose: {KindMCKeyPurpose, noteText},
	mikey.NoteMCCryptoSession:  {KindMCKeyPurpose, noteText},
	mikey.NoteMCMKICSBID:       {KindMCKeyPurpose, noteText},
	mikey.NoteMCKeyIDPurpose:   {KindMCKeyPurpose, noteText},
	mikey.NoteMCGUKID:          {KindMCGUKID, noteText},
	mikey.NoteMCKeyType:        {KindMCKeyPurpose, noteText},
	mikey.NoteMCDPPKID:         {KindMCKeyPurpose, noteText},
}

// noteText is the summary of a note that says all in its text.
func noteText(_ *mikey.Message, n mikey.Note) string { return n.Text }

func trailingSummary(msg *mikey.Message, n mikey.Note) string {
	return fmt.Sprintf("%d byte(s) after the last payload at offset %d: %s", len(msg.Trailing), n.Offset, n.Text)
}

// tagLenSummary: type 3 of an SP payload holds 4 or 10.
func tagLenSummary(msg *mikey.Message, n mikey.Note) string {
	sp, q := spParamAt(msg, n.Offset)
	v, _ := q.Uint()
	return fmt.Sprintf("policy %d: session auth key length = %d at offset %d (a tag length, not a key length)", sp.PolicyNo, v, n.Offset)
}

// policyNoteSummary: the note's words, after the policy number.
func policyNoteSummary(msg *mikey.Message, n mikey.Note) string {
	sp, _ := spParamAt(msg, n.Offset)
	return fmt.Sprintf("policy %d, offset %d: %s", sp.PolicyNo, n.Offset, n.Text)
}

// spParamAt returns the SP payload of msg and its parameter at byte offset
// off (an empty payload and parameter when none is there).
func spParamAt(msg *mikey.Message, off int) (*mikey.SPPayload, mikey.SPParam) {
	for _, sp := range msg.SP() {
		for _, q := range sp.Params {
			if q.Offset == off {
				return sp, q
			}
		}
	}
	return &mikey.SPPayload{}, mikey.SPParam{}
}

// findingsOfNotes returns the findings notes about msg raise, in note
// order.
func findingsOfNotes(msg *mikey.Message, notes []mikey.Note, frame uint64, session int) []*Finding {
	var out []*Finding
	for _, n := range notes {
		if nf, ok := noteFindings[n.Code]; ok {
			out = append(out, nf.kind.New(frame, session, nf.summary(msg, n)))
		}
	}
	return out
}
