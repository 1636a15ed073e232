package dissect

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/internal/mcvectors"
)

// streamwideGMK is a MC vendor's published MIKEY-SAKKE I_MESSAGE (a GMK
// for sip:alice@streamwide.com; internal/mcvectors: Streamwide/sw_mikey_sakke
// StreamwideTestVectors.md v5, commit f599c2a0d2aa76391d173294bda56f108a39aba5).
func streamwideGMK(t testing.TB) []byte {
	t.Helper()
	return mcvectors.GMK.Wire()
}

// TestMCXMLBody: a MIKEY-SAKKE I_MESSAGE in base64 inside an element of a
// 3GPP MC XML body (SIP MESSAGE with application/vnd.3gpp.mcptt-info+xml,
// and an INVITE with SDP and the XML in multipart/mixed, the message
// wrapped over lines) is found with its offset; the MC identities of the
// body become PartyURIs; other elements and other XML are left alone.
func TestMCXMLBody(t *testing.T) {
	raw := streamwideGMK(t)
	b64 := base64.StdEncoding.EncodeToString(raw)
	wrapped := b64[:76] + "\r\n      " + b64[76:]
	xmlBody := func(msg string) string {
		return `<?xml version="1.0" encoding="UTF-8"?>` + "\r\n" +
			`<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"><mcptt-Params>` + "\r\n" +
			`  <mcptt-calling-user-id type="Normal">sip:gms@streamwide.com</mcptt-calling-user-id>` + "\r\n" +
			`  <mcptt-called-party-id type="Normal">sip:alice@streamwide.com</mcptt-called-party-id>` + "\r\n" +
			`  <mcptt-request-uri type="Normal">sip:group1@streamwide.com</mcptt-request-uri>` + "\r\n" +
			`  <call-id>c0ffee</call-id>` + "\r\n" +
			`  <mikey-sakke-i-message>` + msg + `</mikey-sakke-i-message>` + "\r\n" +
			`</mcptt-Params></mcpttinfo>` + "\r\n"
	}
	head := []string{"MESSAGE sip:alice@streamwide.com SIP/2.0", "From: <sip:gms@streamwide.com>;tag=1", "To: <sip:alice@streamwide.com>", "Call-ID: mc-1", "CSeq: 1 MESSAGE",
		"P-Asserted-Identity: <sip:gms@streamwide.com>"}
	for _, c := range []struct {
		name string
		msg  string
	}{
		{"MESSAGE with mcptt-info", withBody(head, "application/vnd.3gpp.mcptt-info+xml", xmlBody(b64))},
		{"MESSAGE with mbms-usage-info, wrapped base64", withBody(head, "application/vnd.3gpp.mcptt-mbms-usage-info+xml", xmlBody(wrapped))},
		{"INVITE with SDP and mcptt-info", withBody([]string{"INVITE sip:alice@streamwide.com SIP/2.0", "From: <sip:gms@streamwide.com>;tag=1", "To: <sip:alice@streamwide.com>", "Call-ID: mc-2", "CSeq: 1 INVITE"},
			"multipart/mixed;boundary=b", "--b\r\nContent-Type: application/sdp\r\n\r\nv=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0\r\n\r\n"+
				"--b\r\nContent-Type: application/vnd.3gpp.mcptt-info+xml\r\n\r\n"+xmlBody(b64)+"--b--\r\n")},
	} {
		rec := &recSink{}
		NewEngine(rec, Options{}).Datagram(dgram(1, "10.0.0.1:5060", "10.0.0.2:5060", []byte(c.msg)))
		if len(rec.sig) != 1 || len(rec.probs) != 0 {
			t.Fatalf("%s: %d messages, problems %v", c.name, len(rec.sig), rec.problemKinds())
		}
		m := rec.sig[0]
		if len(m.KeyMgmt) != 1 {
			t.Fatalf("%s: %d key management items", c.name, len(m.KeyMgmt))
		}
		it := m.KeyMgmt[0]
		if it.Where != WhereMCXMLBody || it.URI != "mikey-sakke-i-message" || it.Err != nil || !bytes.Equal(it.Data, raw) || it.B64 != b64 {
			t.Errorf("%s: item %s %q err %v equal %v", c.name, it.Where, it.URI, it.Err, bytes.Equal(it.Data, raw))
		}
		if !bytes.HasPrefix(m.Raw[it.Offset:], []byte(b64[:76])) {
			t.Errorf("%s: offset %d points at %q", c.name, it.Offset, m.Raw[it.Offset:it.Offset+10])
		}
		want := []string{"sip:gms@streamwide.com", "sip:alice@streamwide.com", "sip:group1@streamwide.com"}
		if strings.Join(m.PartyURIs, " ") != strings.Join(want, " ") {
			t.Errorf("%s: party URIs %q", c.name, m.PartyURIs)
		}
	}
	// Not MIKEY: short text, base64 of something else, and a DTD.
	for _, body := range []string{
		`<a><b>` + base64.StdEncoding.EncodeToString([]byte("just some text, not a key")) + `</b><c>` + hex.EncodeToString(raw[:20]) + `</c></a>`,
		`<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`,
		`<a><b>unclosed`,
	} {
		rec := &recSink{}
		NewEngine(rec, Options{}).Datagram(dgram(1, "10.0.0.1:5060", "10.0.0.2:5060", []byte(withBody(head, "application/vnd.3gpp.mcptt-info+xml", body))))
		if len(rec.sig) != 1 || len(rec.sig[0].KeyMgmt) != 0 {
			t.Errorf("%q: %d items", body, len(rec.sig[0].KeyMgmt))
		}
	}
}
