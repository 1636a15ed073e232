package ui

import (
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/mikey"
)

// TestMessageLabelMC: a mission-critical message's tree node names the
// key's purpose, id, GUK-ID check and fingerprint, wire text escaped.
func TestMessageLabelMC(t *testing.T) {
	m := &analysis.MIKEYMessage{Role: "initiator", DataType: "SAKKE", Where: "mc-xml-body", Auth: "verified",
		MC: &mikey.MCReport{Purpose: "GMK", Role: "group", KeyID: "0x0df9bc39", GUKID: "0x06a12aea", GUKCheck: "matches", Key: "gmk:071e9c00",
			Initiator: "sip:gms@x\x1b[31m", Responder: "sip:alice@x"}}
	got := messageLabel(m)
	if !strings.Contains(got, "MC key GMK (group) key id 0x0df9bc39, GUK-ID 0x06a12aea matches, key gmk:071e9c00") || strings.Contains(got, "\x1b") {
		t.Errorf("label %q", got)
	}
}
