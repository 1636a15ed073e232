package ui

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
)

// TestSessionsNavigation: the sessions list shows both sessions with their
// state colours; arrows move, Enter opens the flow ladder, Enter on a
// MIKEY-carrying message opens the detail.
func TestSessionsNavigation(t *testing.T) {
	h := startUI(t, newFakeBackend(true, false), Options{Title: "call.pcap"})
	h.waitText("Sessions (2 of 2)")
	h.waitText("rtsp://192.0.2.30:554/stream1")
	for _, want := range []string{"call.pcap", "verified", "in-clear", "2 ok /2", "0 ok 1 fail /1", "3 (1E 2W)", "PSK", "NULL"} {
		if !strings.Contains(h.text(), want) {
			t.Errorf("sessions screen lacks %q", want)
		}
	}
	h.wantColor("verified", colorGood)
	h.wantColor("in-clear", colorWarn)
	h.wantColor("0 ok 1 fail", colorBad)

	h.key(tcell.KeyDown)
	h.key(tcell.KeyEnter)
	h.waitText("Flow of session 2")
	for _, want := range []string{"DESCRIBE rtsp://192.0.2.30:554/stream1", "◆MIKEY SETUP rtsp://192.0.2.30:554/stream1",
		"192.0.2.40:50000", "192.0.2.30:554", "packets 300  auth failed 300", "failing"} {
		h.waitText(want)
	}
	// The DESCRIBE goes from the client (first column) to the camera: the
	// arrow points right; the 200 OK points left.
	_, y, _ := h.find("DESCRIBE rtsp://192.0.2.30:554/stream1 ")
	if l := h.lines()[y]; !strings.Contains(l, "▶") || strings.Contains(l, "◀") {
		t.Errorf("request arrow: %q", l)
	}
	_, y, _ = h.find("200 OK (DESCRIBE)")
	if l := h.lines()[y]; !strings.Contains(l, "◀") {
		t.Errorf("response arrow: %q", l)
	}
	h.key(tcell.KeyDown)
	h.key(tcell.KeyDown)
	h.key(tcell.KeyEnter)
	h.waitText("MIKEY in frame 22")
	h.waitText("MIKEY initiator PSK (rtsp-keymgmt-header, 102 bytes) auth: in-clear")
	h.waitText("KeyMgmt: prot=mikey")
	h.key(tcell.KeyEscape)
	h.waitText("Flow of session 2")
	h.key(tcell.KeyEscape)
	h.waitText("Sessions (2 of 2)")
}

// TestDetailHexHighlight: selecting a field of the tree highlights exactly
// its bytes (hex and ASCII) in the hex pane.
func TestDetailHexHighlight(t *testing.T) {
	b := newFakeBackend(true, false)
	h := startUI(t, b, Options{})
	h.key(tcell.KeyEnter) // flow of the SIP call
	h.waitText("Flow of session 1")
	h.key(tcell.KeyEnter) // INVITE, frame 1
	h.waitText("MIKEY in frame 1")
	h.waitText("CSB ID: 0xcd177e50 [4 +4]")
	// Move down the tree one node at a time to the CSB ID field.
	current := func() (name string) {
		h.onUI(func() {
			if ref, _ := h.u.detail.tree.GetCurrentNode().GetReference().(*fieldRef); ref != nil && ref.field != nil {
				name = ref.field.Name
			}
		})
		return name
	}
	for i := 0; current() != "CSB ID"; i++ {
		if i == 12 {
			t.Fatalf("CSB ID not reached; at %q", current())
		}
		before := current()
		h.key(tcell.KeyDown)
		for j := 0; current() == before; j++ {
			if j == 2000 {
				t.Fatal("Down did not move the tree selection")
			}
			time.Sleep(time.Millisecond)
		}
	}
	h.waitText("Hex: CSB ID [4 +4]")
	raw := b.Snapshot().Sessions[0].MIKEY[0].Raw
	var x0, y0, w, ht int
	h.onUI(func() { x0, y0, w, ht = h.u.detail.hex.GetInnerRect() })
	var hexHL, asciiHL strings.Builder
	cells, sw, _ := h.contents()
	for y := y0; y < y0+ht; y++ {
		for x := x0; x < x0+w; x++ {
			c := cells[y*sw+x]
			if c.Style != highlightStyle || len(c.Runes) == 0 {
				continue
			}
			if x-x0 < 6+hexPerLine*3 {
				if c.Runes[0] != ' ' {
					hexHL.WriteRune(c.Runes[0])
				}
			} else {
				asciiHL.WriteRune(c.Runes[0])
			}
		}
	}
	if want := hex.EncodeToString(raw[4:8]); hexHL.String() != want {
		t.Errorf("highlighted hex %q, want %q (bytes 4..7)", hexHL.String(), want)
	}
	wantASCII := ""
	for _, c := range raw[4:8] {
		if c >= 0x20 && c < 0x7f {
			wantASCII += string(rune(c))
		} else {
			wantASCII += "."
		}
	}
	if asciiHL.String() != wantASCII {
		t.Errorf("highlighted ASCII %q, want %q", asciiHL.String(), wantASCII)
	}
	// The first line shows offset 0000 and the header bytes.
	if _, _, ok := h.find("0000  " + spaced(raw[:4])); !ok {
		t.Errorf("hex pane lacks the first line:\n%s", h.text())
	}
}

func spaced(b []byte) string {
	var parts []string
	for _, c := range b {
		parts = append(parts, fmt.Sprintf("%02x", c))
	}
	return strings.Join(parts, " ")
}

// TestAddKeyDialog: the session turns from no key to verified when a key
// is added through the dialog; a wrong key is reported.
func TestAddKeyDialog(t *testing.T) {
	b := newFakeBackend(false, false)
	h := startUI(t, b, Options{})
	h.waitText("no-key")
	h.waitText("0 ok /2")
	h.press('a')
	h.waitText("Add a key")
	h.typeText("psk 00ff")
	h.key(tcell.KeyEnter)
	h.waitText("key not added: psk: not the key of this capture")
	if s := h.text(); strings.Contains(s, "verified") {
		t.Fatal("a wrong key verified the session")
	}
	h.key(tcell.KeyEscape) // the error stays in the dialog until it is closed
	h.waitGone("Add a key")
	h.press('a')
	h.waitText("Add a key")
	h.waitGone("psk 00ff") // the dialog starts empty
	h.typeText(fixturePSK)
	h.key(tcell.KeyEnter)
	h.waitText("verified")
	h.waitText("2 ok /2")
	h.waitGone("Add a key")
	h.wantColor("verified", colorGood)
	b.mu.Lock()
	added := append([]string(nil), b.added...)
	b.mu.Unlock()
	if len(added) != 2 || added[1] != fixturePSK {
		t.Errorf("AddKey calls %q", added)
	}
	h.press('t')
	h.waitText("Streams of session 1")
	h.waitText("decrypting")
}

// TestAddKeyDialogStrict (issue 17 item 1): a line that is not a key is
// refused in the dialog, with what is wrong, and never reaches the
// backend; the dialog stays open with the line for editing.
func TestAddKeyDialogStrict(t *testing.T) {
	b := newFakeBackend(false, false)
	h := startUI(t, b, Options{})
	h.waitText("no-key")
	for _, tc := range []struct{ line, want string }{
		{"psk zz", "psk: neither hex"},
		{"psk 0011223", "psk: odd number of hex digits (7)"},
		{"psk 00112233445566778899aabbccddeeff extra", `psk: unexpected word "extra"`},
		{"srtp 0x1=00112233445566778899aabbccddeeff:0011", "salt of 2 bytes fits no SRTP suite"},
		{"psk", "want a keys-file line"},
	} {
		h.press('a')
		h.waitText("Add a key")
		h.typeText(tc.line)
		h.key(tcell.KeyEnter)
		h.waitText(tc.want)
		h.waitText("Nothing was added")
		h.key(tcell.KeyEscape)
		h.waitGone("Add a key")
	}
	b.mu.Lock()
	added := append([]string(nil), b.added...)
	b.mu.Unlock()
	if len(added) != 0 {
		t.Errorf("lines with bad keys reached the backend: %q", added)
	}
}

// TestFilter: the filter narrows the list by text, carrier, status and
// finding code; Esc clears it.
func TestFilter(t *testing.T) {
	h := startUI(t, newFakeBackend(true, false), Options{})
	for _, tc := range []struct {
		query      string
		want, gone string
	}{
		{"rtsp", "rtsp://192.0.2.30:554/stream1", "biloxi"},
		{"carrier:sip", "biloxi", "rtsp://192.0.2.30"},
		{"status:in-clear", "rtsp://192.0.2.30", "biloxi"},
		{"code:srtp.auth", "rtsp://192.0.2.30", "biloxi"},
		{"bob verified", "biloxi", "rtsp://192.0.2.30"},
	} {
		h.press('/')
		h.waitText("filter:")
		h.typeText(tc.query)
		h.key(tcell.KeyEnter)
		h.waitText("Sessions (1 of 2)")
		h.waitText("filter: " + tc.query)
		if s := h.text(); !strings.Contains(s, tc.want) || strings.Contains(s, tc.gone) {
			t.Errorf("filter %q: screen\n%s", tc.query, s)
		}
		h.key(tcell.KeyEscape) // clears the filter
		h.waitText("Sessions (2 of 2)")
	}
}

// TestHelpFromKeyTable: help lists every key of the screen's table and the
// global table.
func TestHelpFromKeyTable(t *testing.T) {
	h := startUI(t, newFakeBackend(true, false), Options{})
	for _, page := range []string{pageSessions, pageFlow} {
		h.press('?')
		h.waitText("Help (Esc to close)")
		s := h.text()
		for _, b := range append(append([]binding{}, h.u.tables[page]...), h.u.global...) {
			desc := b.desc
			if len(desc) > 40 {
				desc = desc[:40]
			}
			if !strings.Contains(s, b.label()) || !strings.Contains(s, desc) {
				t.Errorf("%s help lacks %s %q", page, b.label(), desc)
			}
		}
		h.key(tcell.KeyEscape)
		h.waitGone("Help (Esc to close)")
		if page == pageSessions {
			h.key(tcell.KeyEnter)
			h.waitText("Flow of session 1")
		}
	}
}

// TestHostileTextShownLiterally: tview tags and escape sequences from the
// wire show as text, never as colours or terminal controls.
func TestHostileTextShownLiterally(t *testing.T) {
	h := startUI(t, newFakeBackend(true, false), Options{})
	h.waitText(`"[red]evil[-]" <sip:alice@atlanta.example>`)
	h.key(tcell.KeyEnter)
	h.key(tcell.KeyEnter)
	h.waitText("MIKEY in frame 1")
	h.waitText(`X-Evil: [red]evil[-]\x1b[2J`)
	x, y, _ := h.find(`X-Evil: [red]evil[-]`)
	if fg, _, _ := h.style(x+len("X-Evil: [red]"), y).Decompose(); fg == tcell.ColorRed {
		t.Error("the wire's [red] tag coloured the text")
	}
	cells, _, _ := h.contents()
	for _, c := range cells {
		for _, r := range c.Runes {
			if r == 0x1b {
				t.Fatal("an ESC reached the screen")
			}
		}
	}
}

// TestSortCycle: s cycles the sort column, S reverses.
func TestSortCycle(t *testing.T) {
	h := startUI(t, newFakeBackend(true, false), Options{})
	h.waitText("sort: time asc")
	order := func() (sipFirst bool) {
		_, ys, _ := h.find("biloxi")
		_, yr, _ := h.find("rtsp://192.0.2.30")
		return ys < yr
	}
	if !order() {
		t.Error("time order: the RTSP session (later) comes first")
	}
	h.press('S')
	h.waitText("sort: time desc")
	if order() {
		t.Error("reversed time order: the SIP session comes first")
	}
	h.press('s')
	h.waitText("sort: carrier desc")
	if !order() {
		t.Error("carrier desc: rtsp before sip expected... got sip after")
	}
}

// TestKeysScreen: fingerprints by default; bytes only on r, and only with
// ShowKeys and a report that carries them.
func TestKeysScreen(t *testing.T) {
	h := startUI(t, newFakeBackend(true, true), Options{ShowKeys: false})
	h.press('k')
	h.waitText("kfp:7d1a0c33")
	h.waitText("psk:3f2a9c10")
	h.waitText("1, 5")
	h.press('r')
	h.waitText("start mikeyscope with --show-keys")
	if strings.Contains(h.text(), "e1f97a0d") {
		t.Fatal("key bytes shown without ShowKeys")
	}

	h2 := startUI(t, newFakeBackend(true, true), Options{ShowKeys: true})
	h2.press('k')
	h2.waitText("kfp:7d1a0c33")
	if strings.Contains(h2.text(), "e1f97a0d") {
		t.Fatal("key bytes shown before r")
	}
	h2.press('r')
	h2.waitText("e1f97a0d3e018be0d64fa32c06de4139")
	h2.waitText("kfp:be02f17c") // the second crypto session's report has no bytes
	h2.press('r')
	h2.waitGone("e1f97a0d3e018be0d64fa32c06de4139")
}

// TestStreamsFindingJump: Enter on a finding opens the detail of its frame
// when that frame carries MIKEY, and explains otherwise.
func TestStreamsFindingJump(t *testing.T) {
	h := startUI(t, newFakeBackend(true, false), Options{})
	h.key(tcell.KeyDown)
	h.press('t')
	h.waitText("Streams of session 2")
	h.waitText("srtp.auth-failed")
	h.waitText("mikey.keys-in-clear")
	h.waitText("cause:")
	// Findings sorted by frame: keys-in-clear (22) first.
	h.key(tcell.KeyEnter)
	h.waitText("MIKEY in frame 22")
	h.key(tcell.KeyEscape)
	h.waitText("Streams of session 2")
	h.key(tcell.KeyDown)
	h.key(tcell.KeyDown) // srtp.auth-failed, frame 30 (media)
	h.key(tcell.KeyEnter)
	h.waitText("frame 30 carries no signalling or MIKEY message")
}

// TestPauseIndicator: p pauses the backend and shows PAUSED.
func TestPauseIndicator(t *testing.T) {
	b := newFakeBackend(true, false)
	h := startUI(t, b, Options{})
	h.waitText("reading 50% (1000 frames)")
	h.press('p')
	h.waitText("PAUSED")
	h.press('p')
	h.waitGone("PAUSED")
}

// TestFlowRelayoutOnResize: the ladder's host columns follow the terminal
// width.
func TestFlowRelayoutOnResize(t *testing.T) {
	h := startUI(t, newFakeBackend(true, false), Options{})
	h.key(tcell.KeyDown)
	h.key(tcell.KeyEnter)
	h.waitText("Flow of session 2")
	x160, _, ok := h.find("192.0.2.30:554  ")
	if !ok {
		t.Fatal("camera column not shown")
	}
	h.screen.SetSize(100, 40)
	h.u.app.QueueUpdateDraw(func() {})
	h.waitFor("the ladder laid out again", func(string) bool {
		x, _, ok := h.find("192.0.2.30:554  ")
		return ok && x < x160
	})
	// Each arrow still ends at the camera's lifeline.
	_, y, _ := h.find("DESCRIBE rtsp")
	if l := []rune(h.lines()[y]); !strings.Contains(string(l[:100]), "▶│") {
		t.Errorf("arrow does not reach the lifeline: %q", string(l))
	}
}

// TestCaptureLevel: u shows the media and findings tied to no session.
func TestCaptureLevel(t *testing.T) {
	h := startUI(t, newFakeBackend(true, false), Options{})
	h.press('u')
	h.waitText("Streams tied to no session")
	h.waitText("0xdeadbeef")
	h.waitText("no-exchange")
	h.waitText("capture.tcp-gap")
	if strings.Contains(h.text(), "srtp.auth-failed") {
		t.Error("a session's finding is listed as tied to no session")
	}
	h.key(tcell.KeyEnter) // frame 40 is a TCP gap, not a signalling frame
	h.waitText("frame 40 carries no signalling or MIKEY message")
}
