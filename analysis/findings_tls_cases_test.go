package analysis_test

// TLS findings: a real crypto/tls session (tlsdec/tlstest) carrying RTSP
// with a KeyMgmt header and interleaved SRTP, put into TCP frames with
// internal/pcapbuild and analysed with and without (the right) key log.

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/internal/pcapbuild"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/tlsdec"
	"github.com/mikeyscope/mikeyscope/tlsdec/tlstest"
)

var (
	rtspsClient = netip.MustParseAddrPort("192.0.2.50:51000")
	rtspsServer = netip.MustParseAddrPort("198.51.100.7:322")
)

const rtspsPackets = 6

// rtspsScript is an RTSPS session: DESCRIBE, SETUP with a KeyMgmt header
// carrying a MIKEY-NULL message keying the camera's SSRC ssrcA, PLAY, the
// camera's SRTP interleaved on channel 0, TEARDOWN.
func rtspsScript(t *testing.T) []tlstest.Step {
	t.Helper()
	url := "rtsps://cam.example.org:322/stream"
	track := url + "/trackID=1"
	km := `KeyMgmt: prot=mikey; uri="` + track + `"; data="` + base64.StdEncoding.EncodeToString(nullMessage(t, nil)) + `"`
	sess := "Session: 47114711"
	transport := fmt.Sprintf("Transport: RTP/SAVP/TCP;unicast;interleaved=0-1;ssrc=%08X", ssrcA)
	var media []byte
	for _, p := range srtpPackets(t, caseKey, caseSalt, nil, ssrcA, 1, rtspsPackets, 0) {
		var err error
		if media, err = pcapbuild.AppendInterleaved(media, 0, p); err != nil {
			t.Fatal(err)
		}
	}
	return []tlstest.Step{
		{FromClient: true, Data: scenario.RTSPRequest("DESCRIBE", url, 1, []string{"Accept: application/sdp"}, "", nil)},
		{Data: scenario.RTSPResponse(200, "OK", 1, []string{"Content-Base: " + url + "/"}, "application/sdp", scenario.CameraSDP(rtspsServer.Addr(), 1, url, ""))},
		{FromClient: true, Data: scenario.RTSPRequest("SETUP", track, 2, []string{transport, km}, "", nil)},
		{Data: scenario.RTSPResponse(200, "OK", 2, []string{sess + ";timeout=60", transport}, "", nil)},
		{FromClient: true, Data: scenario.RTSPRequest("PLAY", url, 3, []string{sess, "Range: npt=0.000-"}, "", nil)},
		{Data: scenario.RTSPResponse(200, "OK", 3, []string{sess}, "", nil)},
		{Data: media},
		{FromClient: true, Data: scenario.RTSPRequest("TEARDOWN", url, 4, []string{sess}, "", nil)},
		{Data: scenario.RTSPResponse(200, "OK", 4, []string{sess}, "", nil)},
	}
}

var (
	rtspsOnce, rtsps12Once sync.Once
	rtspsSess, rtsps12Sess *tlstest.Session
	rtspsErr, rtsps12Err   error
)

// rtsps12Session records the TLS 1.2 session (ECDHE-ECDSA) once.
func rtsps12Session(t *testing.T) *tlstest.Session {
	t.Helper()
	steps := rtspsScript(t)
	rtsps12Once.Do(func() {
		rtsps12Sess, rtsps12Err = tlstest.Run(tlstest.Options{MaxVersion: tls.VersionTLS12}, steps)
	})
	if rtsps12Err != nil {
		t.Fatal(rtsps12Err)
	}
	return rtsps12Sess
}

// rtspsSession records the TLS 1.3 session once per test binary.
func rtspsSession(t *testing.T) *tlstest.Session {
	t.Helper()
	steps := rtspsScript(t)
	rtspsOnce.Do(func() { rtspsSess, rtspsErr = tlstest.Run(tlstest.Options{}, steps) })
	if rtspsErr != nil {
		t.Fatal(rtspsErr)
	}
	return rtspsSess
}

// tlsCapture puts the session's writes, from write index `from` on, into TCP
// frames (one segment per write); with from 0 the TCP handshake comes first.
func tlsCapture(t *testing.T, s *tlstest.Session, from int) []byte {
	t.Helper()
	c := newCap(t)
	conn := pcapbuild.NewTCPConn(&c.b, rtspsClient, rtspsServer, 0x1000, 0x9000)
	if from == 0 {
		c.frames(t)(conn.Handshake())
	}
	for i, w := range s.Writes {
		if i < from {
			// Advance the sequence numbers as if the bytes had been seen.
			if _, err := conn.Data(w.FromClient, w.Data); err != nil {
				t.Fatal(err)
			}
			continue
		}
		c.frames(t)(conn.Data(w.FromClient, w.Data))
	}
	c.frames(t)(conn.Close(true))
	return c.buf.Bytes()
}

func keyLogOf(t *testing.T, b []byte) *tlsdec.KeyLog {
	t.Helper()
	kl, err := tlsdec.ParseKeyLog(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return kl
}

// clientRandom is the random of the ClientHello at the start of the
// client's first write: record header (5), handshake header (4), version (2).
func clientRandom(s *tlstest.Session) string {
	return hex.EncodeToString(s.Writes[0].Data[11:43])
}

// damageKeyLog flips the last hex digit of every secret in a key log.
func damageKeyLog(b []byte) []byte {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		last := line[len(line)-1]
		flip := byte('0')
		if last == '0' {
			flip = '1'
		}
		out = append(out, line[:len(line)-1]+string(flip))
	}
	return []byte(strings.Join(out, "\n") + "\n")
}

// firstAppWrite is the index of the client's first write after its
// handshake flight (ClientHello, then Finished): the DESCRIBE.
func firstAppWrite(s *tlstest.Session) int {
	n := 0
	for i, w := range s.Writes {
		if w.FromClient {
			n++
			if n == 3 {
				return i
			}
		}
	}
	return len(s.Writes)
}

func tlsFindingCases() []findingCase {
	return []findingCase{
		{name: "RTSPS without a key log", code: analysis.KindTLSNoKey.Code, frame: 5, // the server's hello
			run: func(t *testing.T) *analysis.Report {
				s := rtspsSession(t)
				r := runCapture(t, tlsCapture(t, s, 0), analysis.Options{})
				if len(r.Sessions) != 0 {
					t.Errorf("sessions seen through TLS without keys: %d", len(r.Sessions))
				}
				return r
			},
			summary: []string{"TLS 192.0.2.50:51000 -> 198.51.100.7:322: no key for CLIENT_RANDOM"},
		},
		{name: "key log of another run", code: analysis.KindTLSWrongKey.Code, frame: 5,
			run: func(t *testing.T) *analysis.Report {
				s := rtspsSession(t)
				return runCapture(t, tlsCapture(t, s, 0), analysis.Options{TLSKeyLog: keyLogOf(t, damageKeyLog(s.KeyLog))})
			},
			summary: []string{"TLS 192.0.2.50:51000 -> 198.51.100.7:322: the logged secret", "does not decrypt the records"}},
		// TLS 1.2: the first encrypted record is the client's Finished (frame 6).
		{name: "TLS 1.2 master secret damaged", code: analysis.KindTLSWrongKey.Code, frame: 6,
			run: func(t *testing.T) *analysis.Report {
				s := rtsps12Session(t)
				if !strings.HasPrefix(string(s.KeyLog), "CLIENT_RANDOM ") {
					t.Fatalf("TLS 1.2 key log: %q", s.KeyLog)
				}
				return runCapture(t, tlsCapture(t, s, 0), analysis.Options{TLSKeyLog: keyLogOf(t, damageKeyLog(s.KeyLog))})
			},
			summary: []string{"TLS 192.0.2.50:51000 -> 198.51.100.7:322: the logged secret", "does not decrypt the records (client record 0"}},
		{name: "capture from the DESCRIBE on", code: analysis.KindTLSAfterHandshake.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				s := rtspsSession(t)
				pcap := tlsCapture(t, s, firstAppWrite(s))
				// With the key log the records are still decrypted (the
				// secrets are tried on the first records): no TLS finding,
				// the MIKEY message and the SRTP come out.
				r := runCapture(t, pcap, analysis.Options{TLSKeyLog: keyLogOf(t, s.KeyLog)})
				for _, f := range r.Findings {
					if strings.HasPrefix(f.Code, "tls.") {
						t.Errorf("with the key log: %s %s", f.Code, f.Summary)
					}
				}
				if len(r.Sessions) != 1 || len(r.Sessions[0].MIKEY) != 1 {
					t.Errorf("with the key log, mid-stream: %d sessions", len(r.Sessions))
				}
				return runCapture(t, pcap, analysis.Options{})
			},
			summary: []string{"TLS 192.0.2.50:51000 -> 198.51.100.7:322", "application data without a visible handshake"},
			also:    []string{analysis.KindMidCall.Code}},
	}
}

// TestTLSNoKeyNamesClientRandom: the no-key finding names the client
// random read from the ClientHello on the wire; with the key log the RTSP
// session inside is found, its MIKEY message decoded and the interleaved
// SRTP decrypted to the plaintext that was encrypted.
func TestTLSNoKeyNamesClientRandom(t *testing.T) {
	s := rtspsSession(t)
	pcap := tlsCapture(t, s, 0)
	r := runCapture(t, pcap, analysis.Options{})
	found := false
	for _, f := range r.Findings {
		if f.Code == analysis.KindTLSNoKey.Code && strings.Contains(strings.ToLower(f.Summary), clientRandom(s)) {
			found = true
		}
	}
	if !found {
		t.Errorf("no tls.no-key finding names client random %s: %s", clientRandom(s), describeFindings(r))
	}
	r = runCapture(t, pcap, analysis.Options{TLSKeyLog: keyLogOf(t, s.KeyLog)})
	if len(r.Sessions) != 1 || len(r.Sessions[0].MIKEY) != 1 {
		t.Fatalf("with the key log: %d sessions; findings %s", len(r.Sessions), describeFindings(r))
	}
	ss := r.Sessions[0]
	if ss.MIKEY[0].Where != "rtsp-keymgmt-header" || ss.MIKEY[0].Auth != "in-clear" {
		t.Errorf("MIKEY message: %+v", ss.MIKEY[0])
	}
	var st *analysis.Stream
	for _, x := range ss.Streams {
		if x.Kind == "rtp" {
			st = x
		}
	}
	if st == nil || st.Packets != rtspsPackets || st.Authenticated != rtspsPackets || st.AuthFailed != 0 {
		t.Errorf("interleaved stream: %+v", st)
	}
	if got := findingCodes(r); fmt.Sprint(got) != fmt.Sprint(sortedUnique(nullFindings)) {
		t.Errorf("findings with the key log: %s", describeFindings(r))
	}
}
