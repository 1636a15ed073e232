package analysis

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestStatusText: the text forms are the JSON values of the report schema
// (docs/report-schema.json), which must not change.
func TestStatusText(t *testing.T) {
	for _, tc := range []struct {
		s    interface{ String() string }
		want string
	}{
		{KeyNone, "none"}, {KeyNotChecked, "not-checked"}, {KeyVerified, "verified"},
		{KeyNotProtected, "not-protected"}, {KeyInClear, "in-clear"}, {KeyNoKey, "no-key"},
		{KeyNoKeyFits, "no-key-fits"}, {KeyFailed, "failed"},
		{StreamDecrypting, "decrypting"}, {StreamPartlyFailing, "partly failing"}, {StreamFailing, "failing"},
		{StreamDecryptingNoTag, "decrypting (no tag)"}, {StreamKeyed, "keyed"},
		{StreamUnknownSSRC, "unknown-ssrc"}, {StreamNoKey, "no-key"}, {StreamNoExchange, "no-exchange"},
	} {
		if got := tc.s.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.s, got, tc.want)
		}
	}
}

func TestStatusJSON(t *testing.T) {
	b, err := json.Marshal(struct {
		S *Session
		M *MIKEYMessage
		T *Stream
	}{&Session{KeyStatus: KeyNoKeyFits}, &MIKEYMessage{Auth: KeyNotProtected}, &Stream{KeyStatus: StreamPartlyFailing}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"key_status":"no-key-fits"`, `"auth":"not-protected"`, `"key_status":"partly failing"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	var back struct{ S *Session }
	if err := json.Unmarshal(b, &back); err != nil || back.S.KeyStatus != KeyNoKeyFits {
		t.Errorf("unmarshal: %v, key status %q", err, back.S.KeyStatus)
	}
}
