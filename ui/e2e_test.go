package ui

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
)

// TestEndToEndAddKey runs the real analysis job over the PSK sample: the
// call shows "no-key" until the PSK is added through the dialog, then
// "verified" with every stream decrypting.
func TestEndToEndAddKey(t *testing.T) {
	file := filepath.Join("..", "samples", "sip-udp-psk.pcap")
	open := func() (capture.Source, error) { return capture.OpenFiles(file) }
	job, err := analysis.StartJob(open, []string{file}, 0, false, analysis.Options{}, dissect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(job.Stop)
	h := startUI(t, job, Options{Title: "sip-udp-psk.pcap"})
	h.waitText("done, 211 frames")
	h.waitText("no-key")
	r := job.Snapshot()
	if len(r.Sessions) != 1 {
		t.Fatalf("%d sessions in the sample", len(r.Sessions))
	}
	n := len(r.Sessions[0].Streams)
	if n == 0 {
		t.Fatal("the sample has no streams")
	}
	h.press('a')
	h.waitText("Add a key")
	h.typeText("psk 5980fbf6885355e10d042e18c92f084ce523ae86")
	h.key(tcell.KeyEnter)
	h.waitText("verified")
	h.waitText(fmt.Sprintf("%d ok /%d", n, n))
	h.waitText("done, 211 frames")
	h.wantColor("verified", colorGood)

	// The flow shows the INVITE carrying MIKEY; its detail the decoded tree.
	h.key(tcell.KeyEnter)
	h.waitText("Flow of session")
	h.waitText("◆MIKEY INVITE")
	h.key(tcell.KeyEnter)
	h.waitText("auth: verified")
	h.waitText("HDR: Common header payload [0 +")
	h.waitText("KEMAC")
	if s := h.text(); !strings.Contains(s, "INVITE sip:") {
		t.Errorf("the SIP text is not shown:\n%s", s)
	}
	h.key(tcell.KeyEscape)
	h.key(tcell.KeyEscape)
	h.press('t')
	h.waitText("decrypting")
	h.press('k')
	h.waitText("added in the UI")
}

// TestEndToEndAddTLSKeyLog (issue 17 item 6): on an RTSPS capture opened
// without keys, the empty sessions screen says TLS connections were seen
// without keys and how to add the key log; a missing key log file is an
// error in the dialog; "tls-keylog FILE" then decrypts the TLS, and the
// RTSP session and its MIKEY-NULL keyed streams appear.
func TestEndToEndAddTLSKeyLog(t *testing.T) {
	file := filepath.Join("..", "samples", "rtsps", "rtsps-tls13.pcap")
	open := func() (capture.Source, error) { return capture.OpenFiles(file) }
	job, err := analysis.StartJob(open, []string{file}, 0, false, analysis.Options{}, dissect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(job.Stop)
	h := startUI(t, job, Options{Title: "rtsps-tls13.pcap"})
	h.waitText("done, 41 frames")
	h.waitText("Sessions (0 of 0)")
	h.waitText("1 TLS connection seen without its keys")
	h.waitText("press a and type tls-keylog FILE")

	h.press('a')
	h.waitText("Add a key")
	h.typeText("tls-keylog " + filepath.Join("..", "samples", "rtsps", "no-such.keylog"))
	h.key(tcell.KeyEnter)
	h.waitText("no-such.keylog: no such")
	h.waitText("Nothing was added")
	h.key(tcell.KeyEscape)
	h.waitGone("Add a key")

	h.press('a')
	h.waitText("Add a key")
	h.typeText("tls-keylog " + filepath.Join("..", "samples", "rtsps", "rtsps-tls13.keylog"))
	h.key(tcell.KeyEnter)
	h.waitGone("Add a key")
	h.waitText("Sessions (1 of 1)")
	h.waitText("rtsps://")
	h.waitText("in-clear")
	r := job.Snapshot()
	if len(r.Sessions) != 1 {
		t.Fatalf("%d sessions after adding the key log", len(r.Sessions))
	}
	for _, st := range r.Sessions[0].Streams {
		if st.Decrypted == 0 || st.AuthFailed != 0 {
			t.Errorf("stream %s: decrypted %d, auth failed %d", st.SSRC, st.Decrypted, st.AuthFailed)
		}
	}
	if s := h.text(); strings.Contains(s, "seen without its keys") {
		t.Errorf("the no-key hint stays after the key log decrypted:\n%s", s)
	}
}

// TestEndToEndAcrossDays (issue 17 item 8): on a capture of two calls five
// days apart (the sample generator's call builder), the sessions list
// writes dates with its times, shows each call's final SIP response, and
// 'c' shows the Call-IDs instead of From / To.
func TestEndToEndAcrossDays(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	file := filepath.Join(t.TempDir(), "days.pcap")
	if err := scenario.WritePcap(file, []scenario.SIPCallSpec{scenario.NumberedCall(0, t0, 5),
		scenario.NumberedCall(1, t0.Add(120*time.Hour+56*time.Minute+37380*time.Millisecond), 5)}); err != nil {
		t.Fatal(err)
	}
	open := func() (capture.Source, error) { return capture.OpenFiles(file) }
	job, err := analysis.StartJob(open, []string{file}, 0, false, analysis.Options{}, dissect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(job.Stop)
	h := startUI(t, job, Options{Title: "days.pcap"})
	h.waitText("Sessions (2 of 2)")
	h.waitText("2026-11-02 10:00:00.000")
	h.waitText("2026-11-07 10:56:37.380")
	h.waitText("Final")
	h.waitText("200 OK")
	if s := h.text(); strings.Contains(s, "call2@example.com") {
		t.Fatal("Call-IDs shown before 'c'")
	}
	h.press('c')
	h.waitText("Call-ID or RTSP session")
	h.waitText("call1@example.com")
	h.waitText("call2@example.com")
	h.press('c')
	h.waitGone("call2@example.com")
	h.waitText("sip:alice2@example.com")
}

// TestEndToEndRetiredSession: on a series of calls that end one after the
// other the job retires the finished ones to its spool; the list still
// shows and filters them (a finding code, a caller), and opening one shows
// its flow, the decoded MIKEY message and its streams, read back from the
// spool.
func TestEndToEndRetiredSession(t *testing.T) {
	dir := t.TempDir()
	if _, err := scenario.WriteSeriesFiles(dir, "series", 30, scenario.SeriesShape{Packets: 3, Spacing: time.Second, Name: "series"}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "series.pcap")
	open := func() (capture.Source, error) { return capture.OpenFiles(file) }
	job, err := analysis.StartJob(open, []string{file}, 0, false, analysis.Options{Trees: true, SignalText: true}, dissect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(job.Close)
	h := startUI(t, job, Options{Title: "series.pcap"})
	h.waitText("done, ")
	h.waitText("Sessions (30 of 30)")
	r := job.Snapshot()
	if s := r.Sessions[7]; s.Retired == nil || s.From != "sip:caller0007@bench.example.com" {
		t.Fatalf("session 8 is not a retired row: %+v", s)
	}
	h.press('/')
	h.typeText("code:mikey.no-key")
	h.key(tcell.KeyEnter)
	h.waitText("Sessions (30 of 30)")
	h.press('/')
	for range len("code:mikey.no-key") {
		h.key(tcell.KeyBackspace2)
	}
	h.typeText("caller0007")
	h.key(tcell.KeyEnter)
	h.waitText("Sessions (1 of 30)")
	h.key(tcell.KeyEnter)
	h.waitText("Flow of session 8")
	h.waitText("◆MIKEY INVITE")
	h.waitText("BYE sip:caller0007")
	h.key(tcell.KeyEnter)
	h.waitText("auth: no-key")
	h.waitText("HDR: Common header payload [0 +")
	h.waitText("Call-ID: ")
	h.key(tcell.KeyEscape)
	h.press('t')
	h.waitText("Streams of session 8")
	h.waitText("no-key")
	if rtp, rtcp := strings.Count(h.text(), "│rtp  0x"), strings.Count(h.text(), "│rtcp 0x"); rtp != 2 || rtcp != 2 {
		t.Errorf("%d RTP and %d RTCP streams shown:\n%s", rtp, rtcp, h.text())
	}
}
