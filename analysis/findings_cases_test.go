package analysis_test

// Issue #6: every finding of the catalogue is produced by an input that
// triggers it, with its catalogue severity, at the right frame and with the
// specifics in its summary; and the same input produces no other finding
// than the ones listed (so a finding does not fire where it should not).
// The clean samples (samples_test.go) give the other half: none of these
// findings appear on a correct capture.
//
// Most cases drive an analysis.Analyzer directly with hand-built dissector
// events (SIP messages carrying MIKEY bytes built with the mikey package,
// SRTP packets protected with the srtp package); findings about the capture
// itself (TCP, fragments, frames, files, TLS) run analysis.Run over crafted
// captures (findings_capture_cases_test.go), and MIKEY-SAKKE cases use a
// freshly generated KMS (findings_sakke_cases_test.go).

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/mikey"
	"github.com/mikeyscope/mikeyscope/srtp"
)

// findingCase is one input and the finding it must produce.
type findingCase struct {
	name string
	code string
	run  func(t *testing.T) *analysis.Report
	// frame is the frame the finding is attached to (0: not tied to one).
	frame uint64
	// severity overrides the catalogue severity (0: the catalogue's).
	severity analysis.Severity
	// summary lists substrings the summary must carry (the specifics).
	summary []string
	// also lists the other codes the input produces; the report's code set
	// must be exactly {code} ∪ also.
	also []string
}

// TestFindingCasesCoverCatalogue: the table has a case for every code.
func TestFindingCasesCoverCatalogue(t *testing.T) {
	have := map[string]bool{}
	for _, c := range allFindingCases() {
		have[c.code] = true
	}
	for _, k := range analysis.Catalogue {
		if !have[k.Code] {
			t.Errorf("no finding case produces %s", k.Code)
		}
	}
	for code := range have {
		if catalogueKind(code).Code == "" {
			t.Errorf("case for %s, which is not in the catalogue", code)
		}
	}
}

func allFindingCases() []findingCase {
	var all []findingCase
	all = append(all, mikeyFindingCases()...)
	all = append(all, mediaFindingCases()...)
	all = append(all, captureFindingCases()...)
	all = append(all, tlsFindingCases()...)
	all = append(all, sakkeFindingCases()...)
	all = append(all, trustFindingCases()...)
	all = append(all, hepFindingCases()...)
	all = append(all, sdesFindingCases()...)
	all = append(all, mcFindingCases()...)
	all = append(all, mcGroupFindingCases()...)
	return all
}

// TestFindingCases runs every case.
func TestFindingCases(t *testing.T) {
	for _, c := range allFindingCases() {
		t.Run(c.code+"/"+c.name, func(t *testing.T) {
			r := c.run(t)
			if t.Failed() {
				return
			}
			t.Log(describeFindings(r))
			checkFinding(t, r, c)
		})
	}
}

func catalogueKind(code string) analysis.Kind {
	for _, k := range analysis.Catalogue {
		if k.Code == code {
			return k
		}
	}
	return analysis.Kind{}
}

func checkFinding(t *testing.T, r *analysis.Report, c findingCase) {
	t.Helper()
	want := c.severity
	if want == 0 {
		want = catalogueKind(c.code).Severity
	}
	var got []*analysis.Finding
	for _, f := range r.Findings {
		if f.Code == c.code {
			got = append(got, f)
		}
	}
	if len(got) == 0 {
		t.Fatalf("no %s finding; findings: %s", c.code, describeFindings(r))
	}
	var match *analysis.Finding
	for _, f := range got {
		ok := f.Frame == c.frame
		for _, s := range c.summary {
			ok = ok && strings.Contains(f.Summary, s)
		}
		if ok {
			match = f
			break
		}
	}
	if match == nil {
		t.Fatalf("no %s finding at frame %d with summary containing %q; got: %s", c.code, c.frame, c.summary, describeFindings(r))
	}
	if match.Severity != want {
		t.Errorf("%s severity = %v, want %v", c.code, match.Severity, want)
	}
	if k := catalogueKind(c.code); match.Cause == "" || match.Fix == "" || (c.code != analysis.KindErrorPayload.Code && (match.Cause != k.Cause || match.Fix != k.Fix)) {
		t.Errorf("%s cause/fix not the catalogue's: %q / %q", c.code, match.Cause, match.Fix)
	}
	wantCodes := sortedUnique(append([]string{c.code}, c.also...))
	if got := findingCodes(r); fmt.Sprint(got) != fmt.Sprint(wantCodes) {
		t.Errorf("finding codes = %v, want exactly %v; findings: %s", got, wantCodes, describeFindings(r))
	}
}

func describeFindings(r *analysis.Report) string {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "\n  [%s %s frame %d] %s", f.Severity, f.Code, f.Frame, f.Summary)
	}
	if b.Len() == 0 {
		return "(none)"
	}
	return b.String()
}

// ---- event feeding ----

var (
	caseT0      = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	caseCaller  = netip.MustParseAddrPort("192.0.2.10:5060")
	caseCallee  = netip.MustParseAddrPort("198.51.100.20:5060")
	caseCallerM = netip.MustParseAddrPort("192.0.2.10:40000")
	caseCalleeM = netip.MustParseAddrPort("198.51.100.20:50000")
)

const (
	caseCallID = "call-6@example.org"
	ssrcA      = uint32(0xa1a1a1a1)
	ssrcB      = uint32(0xb2b2b2b2)
	caseCSB    = uint32(0x0badcafe)
)

// feed drives an Analyzer with one SIP dialog's events; frames number from 1.
type feed struct {
	a     *analysis.Analyzer
	frame uint64
	t     time.Time
}

func newFeed(opts analysis.Options) *feed {
	return &feed{a: analysis.New(opts), t: caseT0}
}

// next advances the frame number and the clock (10 ms a frame).
func (f *feed) next() uint64 {
	f.frame++
	f.t = caseT0.Add(time.Duration(f.frame-1) * 10 * time.Millisecond)
	return f.frame
}

// sip delivers a SIP message of the dialog; mikeyMsgs go in session-level
// a=key-mgmt items of its SDP body (audio RTP/SAVP).
func (f *feed) sip(request bool, method string, status int, sdp *dissect.SDPInfo, mikeyMsgs ...[]byte) uint64 {
	fr := f.next()
	m := &dissect.SignalMessage{
		Frame: fr, Time: f.t, Transport: "udp", Carrier: dissect.CarrierSIP,
		SessionKey: caseCallID, Conn: "udp:" + caseCaller.String() + "-" + caseCallee.String(),
		Request: request, Method: method, Version: "SIP/2.0", CSeq: 1, CSeqMethod: method,
		From: "<sip:alice@example.org>;tag=a1", To: "<sip:bob@example.org>", FromTag: "a1",
		CallID: caseCallID, MediaIndex: -1, SDP: sdp,
	}
	if request {
		m.Src, m.Dst, m.URI = caseCaller, caseCallee, "sip:bob@example.org"
	} else {
		m.Src, m.Dst, m.Status, m.Reason, m.ToTag = caseCallee, caseCaller, status, statusReason(status), "b2"
		m.To = "<sip:bob@example.org>;tag=b2"
	}
	for _, b := range mikeyMsgs {
		m.KeyMgmt = append(m.KeyMgmt, dissect.KeyMgmtItem{Where: dissect.WhereSDPSession, MediaIndex: -1, Prot: "mikey", Data: b, Offset: -1})
	}
	f.a.Signal(m)
	return fr
}

func statusReason(s int) string {
	switch s {
	case 200:
		return "OK"
	case 488:
		return "Not Acceptable Here"
	}
	return "Whatever"
}

func (f *feed) invite(mikeyMsgs ...[]byte) uint64 {
	return f.sip(true, "INVITE", 0, audioSDP("RTP/SAVP", len(mikeyMsgs) > 0), mikeyMsgs...)
}

func (f *feed) answer(status int, mikeyMsgs ...[]byte) uint64 {
	return f.sip(false, "INVITE", status, audioSDP("RTP/SAVP", len(mikeyMsgs) > 0), mikeyMsgs...)
}

// audioSDP is one audio m= section with the given protocol.
func audioSDP(proto string, keyMgmt bool) *dissect.SDPInfo {
	km := -1
	if keyMgmt {
		km = 0
	}
	return &dissect.SDPInfo{Strict: true, SessionKeyMgmt: keyMgmt, Media: []dissect.SDPMedia{{
		Index: 0, Type: "audio", Proto: proto, Addr: caseCallerM.Addr(), Port: caseCallerM.Port(),
		RTCPPort: caseCallerM.Port() + 1, Formats: []string{"0"}, KeyMgmtItem: km,
	}}}
}

// rtp delivers one (S)RTP packet of the dialog's audio from the caller.
func (f *feed) rtp(pkt []byte) uint64 {
	fr := f.next()
	h, err := srtp.ParseRTPHeader(pkt)
	if err != nil {
		panic(err) // test packets are built by the test
	}
	f.a.Media(&dissect.MediaPacket{
		Frame: fr, Time: f.t, Src: caseCallerM, Dst: caseCalleeM, Interleaved: -1,
		SessionKey: caseCallID, MediaIndex: 0, Kind: dissect.KindRTP, Learnt: true,
		SSRC: h.SSRC, Seq: h.SequenceNumber, Timestamp: h.Timestamp, PT: h.PayloadType, Data: pkt,
	})
	return fr
}

func (f *feed) finish() *analysis.Report { return f.a.Finish() }

// ---- MIKEY messages ----

var (
	casePSK     = bytes.Repeat([]byte{0x42}, 20)
	caseWrong   = bytes.Repeat([]byte{0x5a}, 20)
	caseTGK     = seq(0x10, 16)
	caseRAND    = seq(0x80, 16)
	caseKey     = seq(0x01, 16)
	caseSalt    = seq(0x31, 14)
	caseOtherKy = seq(0x61, 16)
)

func seq(start byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

func pskStore(t *testing.T, psk []byte) *keys.Store {
	t.Helper()
	st := &keys.Store{}
	if err := st.Add("psk", hex.EncodeToString(psk), "test"); err != nil {
		t.Fatal(err)
	}
	return st
}

// pskExchange is a MIKEY-PSK exchange (V flag set) keying ssrcA and ssrcB.
func pskExchange(psk []byte) *scenario.PSKExchange {
	return &scenario.PSKExchange{CSBID: caseCSB, Time: caseT0, Rand: caseRAND,
		IDi: "sip:alice@example.org", IDr: "sip:bob@example.org",
		SSRCs: []uint32{ssrcA, ssrcB}, PSK: psk, TGK: caseTGK}
}

func must(t *testing.T) func(b []byte, err error) []byte {
	return func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}

// aesCMPolicy is the RFC 3711 default SRTP policy as an SP payload.
func aesCMPolicy() *mikey.SPPayload { return scenario.PolicyAESCM128HMACSHA180(0) }

// nullMessage builds a MIKEY-NULL initiator message (HDR, T, RAND, SP,
// KEMAC with encryption and MAC NULL, one TEK+SALT Key data for ssrcA with
// ROC 0), lets mod change it, and marshals it.
func nullMessage(t *testing.T, mod func(m *mikey.Message)) []byte {
	t.Helper()
	m := &mikey.Message{
		Header: mikey.Header{Version: 1, DataType: mikey.DataTypePSKInit, PRF: mikey.PRFFuncMIKEY1, CSBID: caseCSB,
			NumCS: 1, MapType: mikey.MapSRTPID, SRTPMap: []mikey.SRTPCS{{PolicyNo: 0, SSRC: ssrcA}}},
		Payloads: []mikey.Payload{
			&mikey.TPayload{TSType: mikey.TSTypeNTPUTC, Value: mikey.NTP64(caseT0)},
			&mikey.RANDPayload{Rand: caseRAND},
			aesCMPolicy(),
			&mikey.KEMACPayload{EncrAlg: mikey.EncrNULL, MACAlg: mikey.MACNULL,
				KeyData: []*mikey.KeyData{{Type: mikey.KeyTEKSalt, Key: caseKey, Salt: caseSalt}}},
		},
	}
	if mod != nil {
		mod(m)
	}
	return must(t)(m.Marshal())
}

// nullFindings are the findings every MIKEY-NULL message gives.
var nullFindings = []string{analysis.KindKeysInClear.Code, analysis.KindNoIntegrity.Code}

func payloadOf[T mikey.Payload](m *mikey.Message) T {
	var zero T
	for _, p := range m.Payloads {
		if x, ok := p.(T); ok {
			return x
		}
	}
	return zero
}

func removePayload[T mikey.Payload](m *mikey.Message) {
	out := m.Payloads[:0]
	for _, p := range m.Payloads {
		if _, ok := p.(T); !ok {
			out = append(out, p)
		}
	}
	m.Payloads = out
}

// setParam sets an SRTP policy parameter of the message's SP payload.
func setParam(m *mikey.Message, typ mikey.SPParamType, v uint8) {
	sp := payloadOf[*mikey.SPPayload](m)
	for i := range sp.Params {
		if sp.Params[i].Type == typ {
			sp.Params[i].Value = []byte{v}
			return
		}
	}
	sp.Params = append(sp.Params, mikey.SPUint(typ, v))
}

// verifyLike builds a PSK verification message (HDR, T, SP) answering the
// NULL message, without a V payload, for pairing tests.
func verifyLike(t *testing.T, csb uint32, ssrc uint32, sp *mikey.SPPayload) []byte {
	t.Helper()
	m := &mikey.Message{
		Header: mikey.Header{Version: 1, DataType: mikey.DataTypePSKVerify, PRF: mikey.PRFFuncMIKEY1, CSBID: csb,
			NumCS: 1, MapType: mikey.MapSRTPID, SRTPMap: []mikey.SRTPCS{{PolicyNo: 0, SSRC: ssrc}}},
		Payloads: []mikey.Payload{&mikey.TPayload{TSType: mikey.TSTypeNTPUTC, Value: mikey.NTP64(caseT0)}},
	}
	if sp != nil {
		m.Payloads = append(m.Payloads, sp)
	}
	return must(t)(m.Marshal())
}

// filetime is t as a Windows FILETIME (100 ns units since 1601-01-01).
func filetime(t time.Time) uint64 {
	return uint64(t.Unix()+11644473600)*10_000_000 + uint64(t.Nanosecond()/100)
}

// pkInit builds a MIKEY-PK initiator message (RFC 3830 §3.2): CERT of the
// initiator, envelope key for the responder's RSA key, KEMAC sealed with
// the envelope key, SIGN by the initiator.
func pkInit(t *testing.T, initKey, respKey *rsa.PrivateKey) *mikey.Message {
	t.Helper()
	return pkInitCert(t, initKey, respKey, true)
}

// pkInitCert is pkInit, with or without the initiator's CERT payload.
func pkInitCert(t *testing.T, initKey, respKey *rsa.PrivateKey, withCert bool) *mikey.Message {
	t.Helper()
	env := seq(0xe0, 16)
	pke, err := mikey.NewPKEPayload(&respKey.PublicKey, env, 0)
	if err != nil {
		t.Fatal(err)
	}
	m := &mikey.Message{
		Header: mikey.Header{Version: 1, DataType: mikey.DataTypePKInit, PRF: mikey.PRFFuncMIKEY1, CSBID: caseCSB,
			NumCS: 1, MapType: mikey.MapSRTPID, SRTPMap: []mikey.SRTPCS{{PolicyNo: 0, SSRC: ssrcA}}},
		Payloads: []mikey.Payload{
			&mikey.TPayload{TSType: mikey.TSTypeNTPUTC, Value: mikey.NTP64(caseT0)},
			&mikey.RANDPayload{Rand: caseRAND},
			&mikey.CERTPayload{CertType: 0, Data: selfSignedCert(t, initKey, "alice")},
			&mikey.IDPayload{IDType: mikey.IDURI, Data: []byte("sip:bob@example.org")},
			aesCMPolicy(),
			&mikey.KEMACPayload{EncrAlg: mikey.EncrAESCM128, MACAlg: mikey.MACHMACSHA1160},
			pke,
			&mikey.SIGNPayload{},
		},
	}
	if !withCert {
		m.Payloads = append(m.Payloads[:2], m.Payloads[3:]...)
	}
	kd := []*mikey.KeyData{{Type: mikey.KeyTGK, Key: caseTGK}}
	if err := mikey.SealKEMAC(m, env, kd, mikey.SealOptions{EncryptedID: &mikey.IDPayload{IDType: mikey.IDURI, Data: []byte("sip:alice@example.org")}}); err != nil {
		t.Fatal(err)
	}
	if err := mikey.SealSIGN(m, initKey, mikey.SignRSAPKCS1, crypto.SHA1, false); err != nil {
		t.Fatal(err)
	}
	return m
}

var (
	rsaOnce      sync.Once
	rsaA, rsaB   *rsa.PrivateKey
	rsaOnceError error
)

func rsaKeys(t *testing.T) (*rsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	rsaOnce.Do(func() {
		if rsaA, rsaOnceError = rsa.GenerateKey(rand.Reader, 2048); rsaOnceError != nil {
			return
		}
		rsaB, rsaOnceError = rsa.GenerateKey(rand.Reader, 2048)
	})
	if rsaOnceError != nil {
		t.Fatal(rsaOnceError)
	}
	return rsaA, rsaB
}

func selfSignedCert(t *testing.T, k *rsa.PrivateKey, cn string) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: caseT0.AddDate(-1, 0, 0), NotAfter: caseT0.AddDate(1, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// ---- SRTP packets ----

// rtpPacket is a plaintext RTP packet (PCMU, 160-byte payload).
func rtpPacket(ssrc uint32, seqNo uint16) []byte {
	p := make([]byte, 12, 12+160)
	p[0], p[1] = 0x80, 0
	binary.BigEndian.PutUint16(p[2:], seqNo)
	binary.BigEndian.PutUint32(p[4:], uint32(seqNo)*160)
	binary.BigEndian.PutUint32(p[8:], ssrc)
	return append(p, scenario.Payload(ssrc, seqNo)...)
}

// srtpPackets protects n RTP packets of ssrc (seq from first) with the
// default policy under key/salt (and mki when set) at the given ROC.
func srtpPackets(t *testing.T, key, salt, mki []byte, ssrc uint32, first uint16, n int, roc uint32) [][]byte {
	t.Helper()
	p := srtp.DefaultPolicy()
	p.MKILen = len(mki)
	ctx, err := srtp.NewContext(p, srtp.MasterKey{Key: key, Salt: salt, MKI: mki})
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for i := 0; i < n; i++ {
		pkt, err := ctx.SealRTP(nil, rtpPacket(ssrc, first+uint16(i)), roc, 0)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pkt)
	}
	return out
}

// ---- MIKEY cases ----

func mikeyFindingCases() []findingCase {
	cs := []findingCase{
		{name: "truncated KEMAC", code: analysis.KindDecodeError.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				raw := nullMessage(t, nil)
				m, err := mikey.Parse(raw)
				if err != nil {
					t.Fatal(err)
				}
				// Cut the message 3 bytes into the KEMAC payload.
				off := m.KEMAC().Offset
				f := newFeed(analysis.Options{})
				f.invite(raw[:off+3])
				return f.finish()
			},
			// The header and the payloads before the KEMAC decoded: T, RAND, SP.
			// KEMAC at 82 (HDR 10+9, T 10, RAND 18, SP 5+30): its Encr data len
			// field at 84 is cut after one byte.
			summary: []string{"MIKEY message in sdp-session (85 bytes): KEMAC payload at offset 84"}},
		{name: "padding after the last payload", code: analysis.KindTrailingBytes.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				raw := nullMessage(t, nil)
				f := newFeed(analysis.Options{})
				f.invite(append(raw, 0, 0, 0))
				return f.finish()
			},
			summary: []string{"3 byte(s) after the last payload at offset 123"}, also: nullFindings},
		{name: "base64 error", code: analysis.KindBadKeyMgmt.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				m := &dissect.SignalMessage{Frame: f.next(), Time: f.t, Carrier: dissect.CarrierSIP, SessionKey: caseCallID,
					Request: true, Method: "INVITE", URI: "sip:bob@example.org", Src: caseCaller, Dst: caseCallee, MediaIndex: -1,
					KeyMgmt: []dissect.KeyMgmtItem{{Where: dissect.WhereSDPSession, MediaIndex: -1, Prot: "mikey", Offset: 211,
						Err: fmt.Errorf("base64 at offset 211: illegal base64 data at input byte 5")}}}
				f.a.Signal(m)
				return f.finish()
			},
			summary: []string{"sdp-session: base64 at offset 211"}},
		{name: "dissector problem", code: analysis.KindBadKeyMgmt.Code, frame: 4,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.a.Problem(&dissect.Problem{Frame: 4, Time: caseT0, Src: caseCaller, Dst: caseCallee, Kind: dissect.ProblemKeyMgmt,
					Carrier: dissect.CarrierRTSP, Offset: 97, Detail: "KeyMgmt header without data parameter"})
				return f.finish()
			},
			summary: []string{"192.0.2.10:5060 -> 198.51.100.20:5060: KeyMgmt header without data parameter (offset 97)"}},
		{name: "kerberos", code: analysis.KindUnknownKeyMgmt.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.a.Signal(&dissect.SignalMessage{Frame: f.next(), Time: f.t, Carrier: dissect.CarrierSIP, SessionKey: caseCallID,
					Request: true, Method: "INVITE", URI: "sip:bob@example.org", Src: caseCaller, Dst: caseCallee, MediaIndex: -1,
					KeyMgmt: []dissect.KeyMgmtItem{{Where: dissect.WhereSDPMedia, MediaIndex: 0, Prot: "kerberos", Offset: 40,
						Err: fmt.Errorf("a=key-mgmt: %w", mikey.ErrNotMIKEY)}}})
				return f.finish()
			},
			summary: []string{`sdp-media names protocol "kerberos"`}},
		{name: "no RAND", code: analysis.KindRANDMissing.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, func(m *mikey.Message) { removePayload[*mikey.RANDPayload](m) }))
				return f.finish()
			},
			summary: []string{"Pre-shared has no RAND payload"}, also: nullFindings},
		{name: "FILETIME", code: analysis.KindTimestampNotNTP.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, func(m *mikey.Message) {
					payloadOf[*mikey.TPayload](m).Value = filetime(caseT0)
				}))
				return f.finish()
			},
			summary: []string{fmt.Sprintf("0x%016x", filetime(caseT0)), "as a Windows FILETIME it is 2026-11-02T10:00:00Z"}, also: nullFindings},
		// Issue 17 item 7: a key that is not this call's is not evidence
		// that the peers' keys differ.
		{name: "another call's PSK", code: analysis.KindNoKeyFits.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{Keys: pskStore(t, caseWrong)})
				f.invite(must(t)(pskExchange(casePSK).Init()))
				r := f.finish()
				if a, ks := r.Sessions[0].MIKEY[0].Auth, r.Sessions[0].KeyStatus; a != "no-key-fits" || ks != "no-key-fits" {
					t.Errorf("auth %s, key status %s, want no-key-fits", a, ks)
				}
				return r
			},
			summary: []string{"MAC of Pre-shared verifies with none of the 1 supplied key(s)", "none of them is bound to this exchange"},
			// The V flag is set and no answer follows.
			also: []string{analysis.KindNoResponse.Code}},
		{name: "another call's PSK, answered", code: analysis.KindNoKeyFits.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{Keys: pskStore(t, caseWrong)})
				f.invite(must(t)(pskExchange(casePSK).Init()))
				f.answer(200, must(t)(pskExchange(casePSK).Verify()))
				r := f.finish()
				if a := r.Sessions[0].MIKEY[1].Auth; a != "no-key-fits" {
					t.Errorf("response auth %s, want no-key-fits", a)
				}
				return r
			},
			summary: []string{"the responder's verification message (frame 2) shows that it accepted this MAC, so the peers agree on a key that was not supplied"}},
		{name: "wrong PSK bound to the caller", code: analysis.KindMACMismatch.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				st := &keys.Store{}
				if err := st.Add("psk", "sip:alice@example.org="+hex.EncodeToString(caseWrong), "k.txt:1"); err != nil {
					t.Fatal(err)
				}
				f := newFeed(analysis.Options{Keys: st})
				f.invite(must(t)(pskExchange(casePSK).Init()))
				r := f.finish()
				if a := r.Sessions[0].KeyStatus; a != "failed" {
					t.Errorf("key status %s, want failed", a)
				}
				return r
			},
			summary: []string{"MAC of Pre-shared does not verify with any of 1 supplied key(s)", `is bound to "sip:alice@example.org", an identity of this exchange`},
			also:    []string{analysis.KindNoResponse.Code}},
		{name: "wrong PSK, peer says Auth failure", code: analysis.KindMACMismatch.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{Keys: pskStore(t, caseWrong)})
				f.invite(must(t)(pskExchange(casePSK).Init()))
				f.answer(488, must(t)(pskExchange(casePSK).Error(0)))
				r := f.finish()
				for _, fd := range r.Findings {
					if fd.Code == analysis.KindNoKeyFits.Code {
						t.Errorf("no-key-fits finding kept after the error payload revised the verdict: %s", fd.Summary)
					}
				}
				return r
			},
			summary: []string{"the peer answered with MIKEY error Auth failure (frame 2)"},
			also:    []string{analysis.KindErrorPayload.Code}},
		{name: "initiator used another PSK than the responder", code: analysis.KindMACMismatch.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{Keys: pskStore(t, casePSK)})
				f.invite(must(t)(pskExchange(caseWrong).Init()))
				f.answer(200, must(t)(pskExchange(casePSK).Verify()))
				return f.finish()
			},
			summary: []string{"the response (frame 2) verified with psk:", "so the initiator used another key"}},
		{name: "V with another PSK", code: analysis.KindVMismatch.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{Keys: pskStore(t, casePSK)})
				f.invite(must(t)(pskExchange(casePSK).Init()))
				f.answer(200, must(t)(pskExchange(caseWrong).Verify()))
				r := f.finish()
				if a := r.Sessions[0].MIKEY[0].Auth; a != "verified" {
					t.Errorf("initiator auth = %s, want verified", a)
				}
				return r
			},
			summary: []string{"V payload MAC of PSK ver msg", "any of 1 supplied key(s)"}},
		{name: "no PSK", code: analysis.KindNoKey.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(must(t)(pskExchange(casePSK).Init()))
				f.answer(200, must(t)(pskExchange(casePSK).Verify()))
				return f.finish()
			},
			summary: []string{"Pre-shared: KEMAC encrypted with AES-CM-128"}},
		{name: "NULL KEMAC", code: analysis.KindKeysInClear.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, nil))
				return f.finish()
			},
			summary: []string{"Pre-shared carries its key data unencrypted"}, also: []string{analysis.KindNoIntegrity.Code}},
		{name: "encrypted KEMAC, NULL MAC", code: analysis.KindNoIntegrity.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				m := &mikey.Message{}
				if err := m.Unmarshal(nullMessage(t, nil)); err != nil {
					t.Fatal(err)
				}
				k := m.KEMAC()
				k.EncrAlg, k.MACAlg = mikey.EncrAESCM128, mikey.MACNULL
				if err := mikey.SealKEMAC(m, casePSK, []*mikey.KeyData{{Type: mikey.KeyTEKSalt, Key: caseKey, Salt: caseSalt}}, mikey.SealOptions{}); err != nil {
					t.Fatal(err)
				}
				f := newFeed(analysis.Options{Keys: pskStore(t, casePSK)})
				f.invite(m.Raw)
				r := f.finish()
				if len(r.Sessions[0].CryptoSessions) != 1 {
					t.Errorf("the PSK should open the KEMAC: %+v", r.Sessions[0].MIKEY[0])
				}
				return r
			},
			summary: []string{"Pre-shared has MAC algorithm NULL and no signature"}},
		{name: "PK with a damaged SIGN", code: analysis.KindSignatureInvalid.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				initKey, respKey := rsaKeys(t)
				m := pkInit(t, initKey, respKey)
				raw := append([]byte(nil), m.Raw...)
				raw[len(raw)-1] ^= 0x01 // last byte of the signature
				st := &keys.Store{RSAKeys: []mikey.RSAKey{{Private: respKey, Source: "bob.pem"}}}
				f := newFeed(analysis.Options{Keys: st})
				f.invite(raw)
				r := f.finish()
				mm := r.Sessions[0].MIKEY[0]
				if len(r.Sessions[0].CryptoSessions) != 1 {
					t.Errorf("the envelope key should still open the KEMAC: %s %s", mm.Auth, mm.Detail)
				}
				return r
			},
			summary: []string{"SIGN payload of Public key does not verify (2 key(s) or certificate(s) tried, among them the message's own CERT payload)"}},
		// Issue 17 item 7: a signature that no supplied certificate
		// verifies, in a message that carries none, says only that the
		// signer's certificate was not supplied.
		{name: "PK signed by a signer whose certificate was not supplied", code: analysis.KindNoKeyFits.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				initKey, respKey := rsaKeys(t)
				m := pkInitCert(t, initKey, respKey, false)
				bob, err := x509.ParseCertificate(selfSignedCert(t, respKey, "bob"))
				if err != nil {
					t.Fatal(err)
				}
				st := &keys.Store{RSAKeys: []mikey.RSAKey{{Private: respKey, Source: "bob.pem"}}, Certs: []mikey.Cert{{Cert: bob, Source: "bob.crt"}}}
				f := newFeed(analysis.Options{Keys: st})
				f.invite(m.Raw)
				r := f.finish()
				if len(r.Sessions[0].CryptoSessions) != 1 {
					t.Errorf("the envelope key should open the KEMAC: %+v", r.Sessions[0].MIKEY[0])
				}
				for _, fd := range r.Findings {
					if fd.Code == analysis.KindSignatureInvalid.Code {
						t.Errorf("signature-invalid without evidence: %s", fd.Summary)
					}
				}
				return r
			},
			summary: []string{"SIGN payload of Public key verifies with none of the 2 supplied certificate(s) or key(s), and the message carries no certificate"}},
		{name: "10 minutes slow", code: analysis.KindClockSkew.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, func(m *mikey.Message) {
					payloadOf[*mikey.TPayload](m).Value = mikey.NTP64(caseT0.Add(-10 * time.Minute))
				}))
				return f.finish()
			},
			summary: []string{"timestamp 2026-11-02T09:50:00Z is -600 s from the capture time (allowed ±300 s)"}, also: nullFindings},
		// Issue 17 item 8: days of skew are written in days.
		{name: "999 days slow", code: analysis.KindClockSkew.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, func(m *mikey.Message) {
					payloadOf[*mikey.TPayload](m).Value = mikey.NTP64(caseT0.Add(-(999*24*time.Hour + 17*time.Hour + 28*time.Minute + 44*time.Second)))
				}))
				return f.finish()
			},
			summary: []string{"is 999 days 17h 28m 44s behind the capture time, -86376524 s (allowed ±300 s)"}, also: nullFindings},
		{name: "one day fast", code: analysis.KindClockSkew.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, func(m *mikey.Message) {
					payloadOf[*mikey.TPayload](m).Value = mikey.NTP64(caseT0.Add(24*time.Hour + 5*time.Second))
				}))
				return f.finish()
			},
			summary: []string{"is 1 day 0h 0m 5s ahead of the capture time, +86405 s"}, also: nullFindings},
		{name: "custom skew of 1 minute", code: analysis.KindClockSkew.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				raw := nullMessage(t, func(m *mikey.Message) {
					payloadOf[*mikey.TPayload](m).Value = mikey.NTP64(caseT0.Add(90 * time.Second))
				})
				// Within the default 5 minutes: no finding.
				f := newFeed(analysis.Options{})
				f.invite(raw)
				if codes := findingCodes(f.finish()); contains(codes, analysis.KindClockSkew.Code) {
					t.Errorf("90 s reported with the default skew: %v", codes)
				}
				f = newFeed(analysis.Options{ClockSkew: time.Minute})
				f.invite(raw)
				return f.finish()
			},
			summary: []string{"is +90 s from the capture time (allowed ±60 s)"}, also: nullFindings},
		{name: "same message twice", code: analysis.KindReplay.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				raw := nullMessage(t, nil)
				f := newFeed(analysis.Options{})
				f.invite(raw)
				f.invite(raw)
				return f.finish()
			},
			summary: []string{"as frame 1"}, also: nullFindings},
		{name: "V flag, no answer", code: analysis.KindNoResponse.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{Keys: pskStore(t, casePSK)})
				f.invite(must(t)(pskExchange(casePSK).Init()))
				f.sip(false, "INVITE", 200, nil) // answer without MIKEY
				return f.finish()
			},
			summary: []string{"Pre-shared with CSB ID 0x0badcafe has the V flag set"}},
		{name: "verification alone", code: analysis.KindOrphanResponse.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{Keys: pskStore(t, casePSK)})
				f.sip(true, "INVITE", 0, nil, must(t)(pskExchange(casePSK).Verify()))
				return f.finish()
			},
			summary: []string{"PSK ver msg with CSB ID 0x0badcafe answers no initiator message"}},
		{name: "CSB ID changed", code: analysis.KindResponseMismatch.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, nil))
				f.answer(200, verifyLike(t, caseCSB+1, ssrcA, nil))
				return f.finish()
			},
			summary: []string{"has CSB ID 0x0badcaff; the initiator's message (frame 1) has 0x0badcafe"}, also: nullFindings},
		{name: "SSRC changed", code: analysis.KindResponseMismatch.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, nil))
				f.answer(200, verifyLike(t, caseCSB, ssrcB, nil))
				return f.finish()
			},
			summary: []string{"crypto session 1: response SSRC 0xb2b2b2b2, initiator SSRC 0xa1a1a1a1"}, also: nullFindings},
		{name: "KDR 2^16", code: analysis.KindPolicyUnsupported.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, func(m *mikey.Message) { setParam(m, mikey.SPKeyDerivRate, 16) }))
				return f.finish()
			},
			summary: []string{"policy 0: key derivation rate 16"}, also: nullFindings},
		{name: "RCC mode", code: analysis.KindPolicyUnsupported.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, func(m *mikey.Message) { setParam(m, mikey.SPAuthAlg, 2) }))
				return f.finish()
			},
			summary: []string{"policy 0: authentication algorithm 2 (RFC 4771 RCC mode)"}, also: nullFindings},
		{name: "conflicting key length", code: analysis.KindPolicyConflict.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, nil))
				sp := aesCMPolicy()
				sp.Params[1].Value = []byte{32} // encryption key length
				f.answer(200, verifyLike(t, caseCSB, ssrcA, sp))
				return f.finish()
			},
			summary: []string{"policy 0: ", "is 16 in the offer and 32 in the answer"}, also: nullFindings},
		{name: "GStreamer 3=10", code: analysis.KindTagLenAsAuthKeyLen.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, func(m *mikey.Message) {
					sp := payloadOf[*mikey.SPPayload](m)
					sp.Params = []mikey.SPParam{mikey.SPUint(mikey.SPEncrAlg, 1), mikey.SPUint(mikey.SPEncrKeyLen, 16),
						mikey.SPUint(mikey.SPAuthAlg, 1), mikey.SPUint(mikey.SPAuthKeyLen, 10)}
				}))
				return f.finish()
			},
			// SP payload at 47: next, policy no, prot, params length (5 bytes), then 3 params of 3 bytes.
			summary: []string{"policy 0: session auth key length = 10 at offset 61"}, also: nullFindings},
		{name: "ONVIF key||salt", code: analysis.KindTEKKeyAndSalt.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, func(m *mikey.Message) {
					m.KEMAC().KeyData = []*mikey.KeyData{{Type: mikey.KeyTEK, Key: append(append([]byte(nil), caseKey...), caseSalt...)}}
				}))
				return f.finish()
			},
			summary: []string{"TEK key data of 30 bytes"}, also: nullFindings},
		{name: "placeholder SSRC", code: analysis.KindSSRCZero.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, func(m *mikey.Message) { m.Header.SRTPMap[0].SSRC = 0 }))
				// The placeholder binds the first stream seen: it decrypts.
				for _, p := range srtpPackets(t, caseKey, caseSalt, nil, ssrcB, 100, 3, 0) {
					f.rtp(p)
				}
				r := f.finish()
				if s := r.Sessions[0].Streams; len(s) != 1 || s[0].Authenticated != 3 {
					t.Errorf("streams %+v, want one with 3 authenticated packets", s)
				}
				return r
			},
			summary: []string{"crypto session 1 has SSRC 0"}, also: nullFindings},
	}
	cs = append(cs,
		findingCase{name: "same CSB ID, T and RAND, other bytes", code: analysis.KindReplay.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, nil))
				f.invite(nullMessage(t, func(m *mikey.Message) { m.KEMAC().KeyData[0].Key = caseOtherKy }))
				return f.finish()
			},
			summary: []string{"same CSB ID, timestamp and RAND seen before as frame 1"}, also: nullFindings},
		findingCase{name: "PK without the RSA key", code: analysis.KindNoKey.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				initKey, respKey := rsaKeys(t)
				f := newFeed(analysis.Options{})
				f.invite(pkInit(t, initKey, respKey).Raw)
				r := f.finish()
				if mm := r.Sessions[0].MIKEY[0]; mm.Auth != "no-key" {
					t.Errorf("auth %s (%s)", mm.Auth, mm.Detail)
				}
				return r
			},
			summary: []string{"Public key: KEMAC encrypted with AES-CM-128; no supplied key opens it"}},
		findingCase{name: "fewer crypto sessions in the answer", code: analysis.KindResponseMismatch.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, func(m *mikey.Message) {
					m.Header.NumCS = 2
					m.Header.SRTPMap = append(m.Header.SRTPMap, mikey.SRTPCS{SSRC: ssrcB})
				}))
				f.answer(200, verifyLike(t, caseCSB, ssrcA, nil))
				return f.finish()
			},
			summary: []string{"response has 1 crypto sessions, the initiator's message (frame 1) has 2"}, also: nullFindings},
	)
	// Notes of the SP payload's description (mikey.SPPayload.SRTP).
	cs = append(cs,
		findingCase{name: "SP parameter given twice", code: analysis.KindPolicyParameter.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, func(m *mikey.Message) {
					sp := payloadOf[*mikey.SPPayload](m)
					sp.Params = []mikey.SPParam{mikey.SPUint(mikey.SPEncrAlg, 1), mikey.SPUint(mikey.SPEncrKeyLen, 16), mikey.SPUint(mikey.SPEncrKeyLen, 16)}
				}))
				return f.finish()
			},
			// SP payload at 47, parameters from 52, 3 bytes each.
			summary: []string{"policy 0, offset 58: Session Encr. key length given twice (16, then 16); using 16"}, also: nullFindings},
		findingCase{name: "3=10 with 11=4", code: analysis.KindTagLenAsAuthKeyLen.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, func(m *mikey.Message) {
					sp := payloadOf[*mikey.SPPayload](m)
					sp.Params = []mikey.SPParam{mikey.SPUint(mikey.SPEncrAlg, 1), mikey.SPUint(mikey.SPAuthKeyLen, 10), mikey.SPUint(mikey.SPAuthTagLen, 4)}
				}))
				return f.finish()
			},
			summary: []string{"policy 0: session auth key length = 10 at offset 55 (a tag length, not a key length)"}, also: nullFindings},
	)
	// AES-f8 is named by the algorithm.
	cs = append(cs, findingCase{name: "AES-f8", code: analysis.KindPolicyUnsupported.Code, frame: 1,
		run: func(t *testing.T) *analysis.Report {
			f := newFeed(analysis.Options{})
			f.invite(nullMessage(t, func(m *mikey.Message) { setParam(m, mikey.SPEncrAlg, 2) }))
			return f.finish()
		},
		summary: []string{"policy 0: encryption algorithm AES-f8"}, also: nullFindings})
	// Every ERR code (RFC 3830 §6.12, RFC 4738, RFC 6043), answered in a 488.
	for code := 0; code <= 15; code++ {
		code := code
		cs = append(cs, findingCase{name: fmt.Sprintf("ERR %d", code), code: analysis.KindErrorPayload.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{Keys: pskStore(t, casePSK)})
				x := pskExchange(casePSK)
				f.invite(must(t)(x.Init()))
				f.answer(488, must(t)(x.Error(mikey.ErrorCode(code))))
				r := f.finish()
				for _, fd := range r.Findings {
					if fd.Code == analysis.KindErrorPayload.Code && (fd.Cause == analysis.KindErrorPayload.Cause || !strings.Contains(fd.Cause, errCodeWords[code])) {
						t.Errorf("ERR %d cause %q does not explain the code (want %q in it)", code, fd.Cause, errCodeWords[code])
					}
				}
				return r
			},
			summary: []string{fmt.Sprintf("peer answered with MIKEY error %d (%s)", code, ianaErrorNames[code])}})
	}
	return cs
}

// ianaErrorNames are the MIKEY error names of the IANA registry
// (/work/shared/rfc/iana-mikey-registry.md; RFC 3830 §6.12 Table 6.12).
var ianaErrorNames = []string{
	"Auth failure", "Invalid TS", "Invalid PRF", "Invalid MAC", "Invalid EA", "Invalid HA",
	"Invalid DH", "Invalid ID", "Invalid Cert", "Invalid SP", "Invalid SPpar", "Invalid DT",
	"Unspecified error", "Unsupported message type", "Invalid TICKET", "Invalid TPpar",
}

// errCodeWords must appear in the explanation of each code.
var errCodeWords = []string{
	"Authentication failure", "timestamp", "PRF", "MAC algorithm", "Encryption algorithm", "Hash function",
	"DH group", "ID not supported", "Certificate", "SP type", "SP parameters", "Data type",
	"Unspecified", "RSA-R", "TICKET", "TP parameters",
}

// ---- media and SDP cases ----

func mediaFindingCases() []findingCase {
	return []findingCase{
		{name: "wrong key", code: analysis.KindSRTPAuthFailed.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, nil))
				for _, p := range srtpPackets(t, caseOtherKy, caseSalt, nil, ssrcA, 1000, 5, 0) {
					f.rtp(p)
				}
				return f.finish()
			},
			summary: []string{"rtp SSRC 0xa1a1a1a1 192.0.2.10:40000 -> 198.51.100.20:50000: 5 of 5 packets fail authentication with the keys from frame 1"},
			also:    nullFindings},
		{name: "ROC off by one", code: analysis.KindSRTPROC.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, nil)) // CS ID map: ROC 0
				for _, p := range srtpPackets(t, caseKey, caseSalt, nil, ssrcA, 7, 4, 1) {
					f.rtp(p)
				}
				r := f.finish()
				if s := r.Sessions[0].Streams; len(s) != 1 || s[0].Authenticated != 4 {
					t.Errorf("streams %+v, want 4 packets authenticated with ROC 1", s)
				}
				return r
			},
			summary: []string{"SSRC 0xa1a1a1a1: packet seq 7 authenticated only with ROC 1 (expected 0)"}, also: nullFindings},
		{name: "SSRC not in the map", code: analysis.KindSRTPUnknownSSRC.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, nil))
				for _, p := range srtpPackets(t, caseKey, caseSalt, nil, 0xdeadbeef, 1, 3, 0) {
					f.rtp(p)
				}
				return f.finish()
			},
			summary: []string{"rtp SSRC 0xdeadbeef 192.0.2.10:40000 -> 198.51.100.20:50000 is not in the CS ID map, but it decrypts with the keys of crypto session 1 (announced for SSRC 0xa1a1a1a1)"}, also: nullFindings},
		{name: "SSRC not in the map, under no known key", code: analysis.KindSRTPUnknownSSRC.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, nil))
				otherKey := append([]byte(nil), caseKey...)
				otherKey[0] ^= 0xff
				for _, p := range srtpPackets(t, otherKey, caseSalt, nil, 0xdeadbeef, 1, 3, 0) {
					f.rtp(p)
				}
				r := f.finish()
				if s := r.Sessions[0].Streams; len(s) != 1 || s[0].Decrypted != 0 {
					t.Errorf("streams %+v, want nothing decrypted", s)
				}
				return r
			},
			summary: []string{"rtp SSRC 0xdeadbeef 192.0.2.10:40000 -> 198.51.100.20:50000 (3 packets) is not in the CS ID map"}, also: nullFindings},
		{name: "MKI not announced", code: analysis.KindSRTPUnknownMKI.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.invite(nullMessage(t, func(m *mikey.Message) {
					m.KEMAC().KeyData[0].KeyValidity = mikey.KeyValidity{KV: mikey.KVSPI, SPI: []byte{0, 0, 0, 1}}
				}))
				for _, p := range srtpPackets(t, caseKey, caseSalt, []byte{0, 0, 0, 2}, ssrcA, 1, 3, 0) {
					f.rtp(p)
				}
				return f.finish()
			},
			summary: []string{"rtp SSRC 0xa1a1a1a1: 3 packets carry an MKI no key exchange announced"}, also: nullFindings},
		{name: "a=crypto answered, MIKEY absent", code: analysis.KindSRTPNoKeyExchange.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				sdp := audioSDP("RTP/SAVP", false)
				sdp.Media[0].Crypto = []string{"1 AES_CM_128_HMAC_SHA1_80 inline:..."}
				f.sip(true, "INVITE", 0, sdp)
				for _, p := range srtpPackets(t, caseKey, caseSalt, nil, ssrcA, 1, 2, 0) {
					f.rtp(p)
				}
				return f.finish()
			},
			summary: []string{"rtp SSRC 0xa1a1a1a1 192.0.2.10:40000 -> 198.51.100.20:50000: 2 packets on SRTP media with no key exchange"},
			also:    []string{analysis.KindSDESMalformed.Code, analysis.KindSDESKeysInClear.Code}},
		{name: "media on no signalled flow", code: analysis.KindSRTPNoKeyExchange.Code, frame: 0, severity: analysis.SeverityNote,
			run: func(t *testing.T) *analysis.Report {
				a := analysis.New(analysis.Options{})
				for i, p := range srtpPackets(t, caseKey, caseSalt, nil, ssrcB, 1, 2, 0) {
					a.Media(&dissect.MediaPacket{Frame: uint64(i + 1), Time: caseT0, Src: caseCalleeM, Dst: caseCallerM, Interleaved: -1,
						MediaIndex: -1, Kind: dissect.KindRTP, SSRC: ssrcB, Seq: uint16(i + 1), Data: p})
				}
				return a.Finish()
			},
			summary: []string{"1 RTP/RTCP stream(s) on flows no signalling in the capture describes (first: rtp SSRC 0xb2b2b2b2 198.51.100.20:50000 -> 192.0.2.10:40000)"}},
		{name: "exchange not opened", code: analysis.KindSRTPUndecryptable.Code, frame: 2,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				x := pskExchange(casePSK)
				f.invite(must(t)(x.Init()))
				key, salt := must2(t)(x.SRTPKeys(1))
				for _, p := range srtpPackets(t, key, salt, nil, ssrcA, 1, 3, 0) {
					f.rtp(p)
				}
				f.answer(200, must(t)(x.Verify()))
				return f.finish()
			},
			summary: []string{"rtp SSRC 0xa1a1a1a1 192.0.2.10:40000 -> 198.51.100.20:50000: 3 packets; the session's MIKEY exchange was not opened"},
			also:    []string{analysis.KindNoKey.Code}},
		{name: "RTP/SAVP without keys", code: analysis.KindSAVPWithoutKeying.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.sip(true, "INVITE", 0, audioSDP("RTP/SAVP", false))
				// Plain RTP/AVP does not need keys.
				f.sip(false, "INVITE", 200, audioSDP("RTP/AVP", false))
				return f.finish()
			},
			summary: []string{"media 0 (audio RTP/SAVP port 40000) has no a=key-mgmt or a=crypto"}},
		{name: "SDES and MIKEY", code: analysis.KindCryptoAndKeyMgmt.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				sdp := audioSDP("RTP/SAVP", true)
				sdp.Media[0].Crypto = []string{"1 AES_CM_128_HMAC_SHA1_80 inline:..."}
				f.sip(true, "INVITE", 0, sdp, nullMessage(t, nil))
				return f.finish()
			},
			summary: []string{"media 0 (audio) offers a=crypto and a=key-mgmt"},
			also:    append([]string{analysis.KindSDESMalformed.Code, analysis.KindSDESKeysInClear.Code}, nullFindings...)},
		{name: "first message a 200 OK", code: analysis.KindMidCall.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.sip(false, "INVITE", 200, nil)
				f.sip(true, "BYE", 0, nil)
				return f.finish()
			},
			summary: []string{"the first message seen of this dialog is a response (200 OK)"}},
		{name: "SIP header syntax", code: analysis.KindSignalError.Code, frame: 3,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{})
				f.a.Problem(&dissect.Problem{Frame: 3, Time: caseT0, Src: caseCaller, Dst: caseCallee, Kind: dissect.ProblemMalformed,
					Carrier: dissect.CarrierSIP, Offset: 57, Detail: "header line without a colon"})
				return f.finish()
			},
			summary: []string{"192.0.2.10:5060 -> 198.51.100.20:5060: header line without a colon (offset 57)"}},
		{name: "supplied SRTP key of no suite", code: analysis.KindSRTPAuthFailed.Code, frame: 0,
			run: func(t *testing.T) *analysis.Report {
				st := &keys.Store{SRTP: []keys.SRTPKey{{SSRC: ssrcA, Key: seq(1, 10), Salt: caseSalt, Source: "--srtp"}}}
				return analysis.New(analysis.Options{Keys: st}).Finish()
			},
			summary: []string{"supplied SRTP key 1", "--srtp", "is unusable: no SRTP suite has a 10-byte key and a 14-byte salt"}},
		{name: "RTSP session first seen at PLAY", code: analysis.KindMidCall.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				a := analysis.New(analysis.Options{})
				a.Signal(&dissect.SignalMessage{Frame: 1, Time: caseT0, Src: caseCaller, Dst: caseCallee, Transport: "tcp",
					Carrier: dissect.CarrierRTSP, SessionKey: "4711", Request: true, Method: "PLAY", URI: "rtsp://cam/stream", MediaIndex: -1})
				return a.Finish()
			},
			summary: []string{"the first message seen of this RTSP session is PLAY"}},
		{name: "too many streams", code: analysis.KindCaptureLimit.Code, frame: 3,
			run: func(t *testing.T) *analysis.Report {
				f := newFeed(analysis.Options{MaxStreams: 1})
				f.invite(nullMessage(t, nil))
				f.rtp(srtpPackets(t, caseKey, caseSalt, nil, ssrcA, 1, 1, 0)[0])
				f.rtp(srtpPackets(t, caseKey, caseSalt, nil, ssrcB, 1, 1, 0)[0])
				return f.finish()
			},
			summary: []string{"more than 1 media streams; further streams are not analysed"}, also: nullFindings},
	}
}

func must2(t *testing.T) func(a, b []byte, err error) ([]byte, []byte) {
	return func(a, b []byte, err error) ([]byte, []byte) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
}

// TestFindingCasesQuietOnCleanExchanges: the same builders, used correctly,
// give no finding (the control for the cases above).
func TestFindingCasesQuietOnCleanExchanges(t *testing.T) {
	f := newFeed(analysis.Options{Keys: pskStore(t, casePSK)})
	x := pskExchange(casePSK)
	f.invite(must(t)(x.Init()))
	f.answer(200, must(t)(x.Verify()))
	for d, ssrc := range []uint32{ssrcA, ssrcB} {
		key, salt := must2(t)(x.SRTPKeys(uint8(d + 1)))
		for _, p := range srtpPackets(t, key, salt, nil, ssrc, 1, 5, 0) {
			f.rtp(p)
		}
	}
	r := f.finish()
	if len(r.Findings) != 0 {
		t.Errorf("clean PSK exchange: %s", describeFindings(r))
	}
	for _, s := range r.Sessions[0].Streams {
		if s.Authenticated != 5 {
			t.Errorf("stream %s: %d of %d authenticated", s.SSRC, s.Authenticated, s.Packets)
		}
	}
}
