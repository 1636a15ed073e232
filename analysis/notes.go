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

// noteFindingsOf returns the findings msg's notes raise, in note order.
func noteFindingsOf(msg *mikey.Message, frame uint64, session int) []*Finding {
	return notesFindings(msg, msg.Notes, frame, session)
}

// notesFindings returns the findings notes about msg raise, in note order.
func notesFindings(msg *mikey.Message, notes []mikey.Note, frame uint64, session int) []*Finding {
	var out []*Finding
	for _, n := range notes {
		if nf, ok := noteFindings[n.Code]; ok {
			out = append(out, nf.kind.New(frame, session, nf.summary(msg, n)))
		}
	}
	return out
}
