package ui

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/mikey"
	"github.com/mikeyscope/mikeyscope/srtp"
)

// Real MIKEY messages (from /work/shared/vectors/mikey-messages.jsonl):
// the RFC 4567 §5.1 PSK offer and answer, and the ONVIF/Genetec MIKEY-NULL
// message of an RTSP SETUP.
const (
	rfc4567Offer  = "AQAFgM0XflABAAAAAAAAAAAAAAsAyONQ6gAAAAAGEEoo2pee4hp2UaDX8ZE22YwKAAAPZG9uYWxkQGR1Y2suY29tAQAAAAAAAQAk0JKpgaVkDaawi9whVBtBt0KZ14ymNuu62+Nv3ozPLygwK/GbAV9iemnGUIZ19fWQUOSrzKTAv9zV"
	rfc4567Answer = "AQEFgM0XflABAAAAAAAAAAAAAAYAyONQ6gAAAAAJAAAQbWlja2V5QG1vdXNlLmNvbQABn8HdGE5BMDXFIuGEga+62AgY5cc="
	onvifSetup    = "AQAFAP1td9ABAADCD1UcAAAAAAoAAdOOGc75XD0BAAAAGAABAQEBEAIBAQMBFAcBAQgBAQoBAQsBCgAAACcAIQAe30C59UrClE0e27UP5h/Wty9UL8+dfzg+2ttmmo3kBAAAAC8A"
)

// fixturePSK is the key the fake backend accepts in AddKey.
const fixturePSK = "psk 000102030405060708090a0b0c0d0e0f"

// hostileFrom and hostileHeader are wire text that must show literally.
const (
	hostileFrom   = `"[red]evil[-]" <sip:alice@atlanta.example>`
	hostileHeader = "X-Evil: [red]evil[-]\x1b[2J"
)

var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func mikeyMsg(b64 string, frame uint64, src, dst, where, role string, auth analysis.KeyStatus) *analysis.MIKEYMessage {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		panic(err) // test data
	}
	m, _ := mikey.Parse(raw)
	return &analysis.MIKEYMessage{Frame: frame, Time: t0.Add(time.Duration(frame) * time.Millisecond),
		Src: src, Dst: dst, Where: where, Length: len(raw), DataType: "PSK", Role: role,
		Auth: auth, Tree: m.Tree(), Raw: raw}
}

func signal(frame uint64, src, dst, summary string, nmikey int, raw string) *analysis.Signal {
	return &analysis.Signal{Frame: frame, Time: t0.Add(time.Duration(frame) * time.Millisecond),
		Src: src, Dst: dst, Summary: summary, MIKEY: nmikey, Raw: []byte(raw)}
}

const (
	alice  = "192.0.2.10:5060"
	bob    = "192.0.2.20:5060"
	client = "192.0.2.40:50000"
	camera = "192.0.2.30:554"
)

var inviteText = "INVITE sip:bob@biloxi.example SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds\r\n" +
	"From: " + hostileFrom + ";tag=1928301774\r\n" +
	"To: <sip:bob@biloxi.example>\r\n" +
	"Call-ID: a84b4c76e66710@pc33.atlanta.example\r\n" +
	hostileHeader + "\r\n" +
	"Content-Type: application/sdp\r\n\r\n" +
	"v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\ns=-\r\n" +
	"a=key-mgmt:mikey " + rfc4567Offer + "\r\n" +
	"m=audio 49000 RTP/SAVP 98\r\n"

// fixtureReport builds the realistic report of the tests: a SIP PSK call
// (verified with two decrypting streams once keyed, no key before) and an
// RTSP session with keys in clear and a failing stream, with findings.
func fixtureReport(keyed, showKeys bool) *analysis.Report {
	sipAuth, sipStatus, streamStatus := analysis.KeyNoKey, analysis.KeyNoKey, analysis.StreamNoKey
	var decrypted uint64
	if keyed {
		sipAuth, sipStatus, streamStatus, decrypted = "verified", "verified", "decrypting", 500
	}
	sip := &analysis.Session{ID: 1, Carrier: "sip", Key: "a84b4c76e66710@pc33.atlanta.example",
		Start: t0, End: t0.Add(30 * time.Second), From: hostileFrom, To: "<sip:bob@biloxi.example>",
		Transport: "udp", Mode: "PSK", KeyStatus: sipStatus}
	sip.Signals = []*analysis.Signal{
		signal(1, alice, bob, "INVITE sip:bob@biloxi.example", 1, inviteText),
		signal(2, bob, alice, "100 Trying", 0, "SIP/2.0 100 Trying\r\n\r\n"),
		signal(5, bob, alice, "200 OK", 1, "SIP/2.0 200 OK\r\nContent-Type: application/sdp\r\n\r\na=key-mgmt:mikey "+rfc4567Answer+"\r\n"),
		signal(6, alice, bob, "ACK sip:bob@biloxi.example", 0, "ACK sip:bob@biloxi.example SIP/2.0\r\n\r\n"),
	}
	sip.MIKEY = []*analysis.MIKEYMessage{
		mikeyMsg(rfc4567Offer, 1, alice, bob, "sdp-session", "initiator", sipAuth),
		mikeyMsg(rfc4567Answer, 5, bob, alice, "sdp-session", "response", sipAuth),
	}
	if keyed {
		sip.CryptoSessions = []*analysis.CryptoSession{
			{CSID: 1, SSRC: "0x11111111", Policy: "AES-CM-128 HMAC-SHA1-80", KeyFP: "kfp:7d1a0c33", SaltFP: "sfp:0e44a9b1", FromFrame: 1, Source: "mikey"},
			{CSID: 2, SSRC: "0x22222222", Policy: "AES-CM-128 HMAC-SHA1-80", KeyFP: "kfp:be02f17c", SaltFP: "sfp:91c3d2aa", FromFrame: 1, Source: "mikey"},
		}
		if showKeys {
			sip.CryptoSessions[0].KeyHex = "e1f97a0d3e018be0d64fa32c06de4139"
			sip.CryptoSessions[0].SaltHex = "0ec675ad498afeebb6960b3aabe6"
		}
	}
	for i, ssrc := range []string{"0x11111111", "0x22222222"} {
		src, dst := "192.0.2.10:49000", "192.0.2.20:49030"
		if i == 1 {
			src, dst = dst, src
		}
		sip.Streams = append(sip.Streams, &analysis.Stream{SSRC: ssrc, Kind: "rtp", Src: src, Dst: dst,
			Packets: 500, Authenticated: decrypted, Decrypted: decrypted, KeyStatus: streamStatus,
			Health: srtp.Stats{Packets: 500, Authenticated: decrypted, Decrypted: decrypted}})
	}

	rtsp := &analysis.Session{ID: 2, Carrier: "rtsp", Key: "15405670", Start: t0.Add(5 * time.Second),
		End: t0.Add(40 * time.Second), URL: "rtsp://192.0.2.30:554/stream1", Transport: "tcp",
		Mode: "NULL", KeyStatus: "in-clear"}
	rtsp.Signals = []*analysis.Signal{
		signal(20, client, camera, "DESCRIBE rtsp://192.0.2.30:554/stream1", 0, "DESCRIBE rtsp://192.0.2.30:554/stream1 RTSP/1.0\r\nCSeq: 1\r\n\r\n"),
		signal(21, camera, client, "200 OK (DESCRIBE)", 0, "RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n"),
		signal(22, client, camera, "SETUP rtsp://192.0.2.30:554/stream1/trackID=0", 1,
			"SETUP rtsp://192.0.2.30:554/stream1/trackID=0 RTSP/1.0\r\nCSeq: 2\r\nKeyMgmt: prot=mikey; data=\""+onvifSetup+"\"\r\n\r\n"),
		signal(23, camera, client, "200 OK (SETUP)", 0, "RTSP/1.0 200 OK\r\nCSeq: 2\r\nSession: 15405670\r\n\r\n"),
		signal(24, client, camera, "PLAY rtsp://192.0.2.30:554/stream1", 0, "PLAY rtsp://192.0.2.30:554/stream1 RTSP/1.0\r\nCSeq: 3\r\n\r\n"),
	}
	rtsp.MIKEY = []*analysis.MIKEYMessage{mikeyMsg(onvifSetup, 22, client, camera, "rtsp-keymgmt-header", "initiator", "in-clear")}
	rtsp.CryptoSessions = []*analysis.CryptoSession{{CSID: 1, SSRC: "0xc20f551c", Policy: "AES-CM-128 HMAC-SHA1-80",
		KeyFP: "kfp:55aa0102", SaltFP: "sfp:99887766", FromFrame: 22, Source: "mikey"}}
	rtsp.Streams = []*analysis.Stream{{SSRC: "0xc20f551c", Kind: "rtp", Src: "192.0.2.30:5000", Dst: "192.0.2.40:6000",
		Packets: 300, AuthFailed: 300, KeyStatus: "failing",
		Health: srtp.Stats{Packets: 300, AuthFailed: 300, Lost: 2}}}

	findings := []*analysis.Finding{
		analysis.KindKeysInClear.New(22, 2, ""),
		analysis.KindNoIntegrity.New(22, 2, ""),
		analysis.KindSRTPAuthFailed.New(30, 2, "300 of 300 SRTP packets of SSRC 0xc20f551c fail authentication"),
	}
	if !keyed {
		findings = append(findings, analysis.KindNoKey.New(1, 1, ""))
	}
	findings = append(findings, analysis.KindTCPGap.New(40, 0, "12 bytes missing in 192.0.2.40:50000 -> 192.0.2.30:554"))
	analysis.SortFindings(findings)
	r := &analysis.Report{Schema: analysis.Schema, Inputs: []string{"call.pcap"}, Sessions: []*analysis.Session{sip, rtsp}, Findings: findings}
	r.Streams = []*analysis.Stream{{SSRC: "0xdeadbeef", Kind: "rtp", Src: "198.51.100.7:7000", Dst: "198.51.100.8:7002",
		Packets: 40, KeyStatus: "no-exchange", Health: srtp.Stats{Packets: 40}}}
	for _, f := range findings {
		var c analysis.FindingCounts // capture-level findings count in the summary only
		fc := &c
		if f.Session > 0 {
			fc = &r.Sessions[f.Session-1].FindingCounts
		}
		switch f.Severity {
		case analysis.SeverityError:
			fc.Errors++
			r.Summary.Errors++
		case analysis.SeverityWarning:
			fc.Warnings++
			r.Summary.Warnings++
		default:
			fc.Notes++
			r.Summary.Notes++
		}
	}
	if keyed {
		r.Keys = []analysis.KeyUse{{Fingerprint: "psk:3f2a9c10", Kind: "psk", Source: "added in the UI", Verified: []uint64{1, 5}}}
	}
	r.Summary.Sessions, r.Summary.Frames = 2, 1000
	return r
}

// fakeBackend serves fixture reports; AddKey with fixturePSK keys the SIP
// call.
type fakeBackend struct {
	mu       sync.Mutex
	keyed    bool
	showKeys bool
	paused   bool
	report   *analysis.Report
	updates  chan struct{}
	added    []string
}

func newFakeBackend(keyed, showKeys bool) *fakeBackend {
	return &fakeBackend{keyed: keyed, showKeys: showKeys, report: fixtureReport(keyed, showKeys), updates: make(chan struct{}, 1)}
}

func (f *fakeBackend) Snapshot() *analysis.Report {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.report
}

func (f *fakeBackend) Progress() analysis.JobProgress {
	f.mu.Lock()
	defer f.mu.Unlock()
	return analysis.JobProgress{Frames: 1000, Bytes: 50000, TotalBytes: 100000, Paused: f.paused}
}

func (f *fakeBackend) SetPaused(p bool) {
	f.mu.Lock()
	f.paused = p
	f.mu.Unlock()
	f.notify()
}

func (f *fakeBackend) AddKey(spec string) error {
	f.mu.Lock()
	f.added = append(f.added, spec)
	if strings.TrimSpace(spec) != fixturePSK {
		f.mu.Unlock()
		return errors.New("psk: not the key of this capture")
	}
	f.keyed = true
	f.report = fixtureReport(true, f.showKeys)
	f.mu.Unlock()
	f.notify()
	return nil
}

func (f *fakeBackend) notify() {
	select {
	case f.updates <- struct{}{}:
	default:
	}
}

func (f *fakeBackend) Updates() <-chan struct{} { return f.updates }

// bigReport has n sessions, for the benchmark.
func bigReport(n int) *analysis.Report {
	base := fixtureReport(true, false)
	r := &analysis.Report{Schema: analysis.Schema, Findings: base.Findings}
	for i := 0; i < n; i++ {
		s := *base.Sessions[i%2]
		s.ID = i + 1
		s.Start = t0.Add(time.Duration(i*7919%n) * time.Millisecond)
		s.From = fmt.Sprintf("<sip:user%d@example.net>", i)
		r.Sessions = append(r.Sessions, &s)
	}
	return r
}
