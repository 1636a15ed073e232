package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/rivo/tview"
)

// TestDetailSDES: the detail screen of an INVITE with two a=crypto
// attributes lists both, the chosen one marked, keys by fingerprint only;
// selecting a field highlights its bytes in the signalling message.
func TestDetailSDES(t *testing.T) {
	src, err := capture.OpenFiles(filepath.Join("..", "samples", "sdes", "sip-sdes-suites.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a := analysis.New(analysis.Options{Trees: true, SignalText: true})
	if err := analysis.Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	s := a.Finish().Sessions[0]
	v := newDetailView()
	v.setFrame(s, 1)
	nodes := v.tree.GetRoot().GetChildren()
	var labels []string
	for _, n := range nodes {
		labels = append(labels, n.GetText())
	}
	if len(nodes) != 2 || !strings.HasPrefix(labels[0], "SDES a=crypto tag 1 AES_CM_128_HMAC_SHA1_32 (offer, media 0) key:") ||
		!strings.HasPrefix(labels[1], "SDES a=crypto tag 2 AES_CM_128_HMAC_SHA1_80 (offer, media 0) keys the media key:") {
		t.Fatalf("tree nodes %q", labels)
	}
	var suite *tview.TreeNode
	for _, c := range nodes[1].GetChildren() {
		if strings.HasPrefix(c.GetText(), "crypto-suite: AES_CM_128_HMAC_SHA1_80") {
			suite = c
		}
	}
	if suite == nil {
		t.Fatal("no crypto-suite field")
	}
	v.selectNode(suite)
	at := s.SDES[1]
	if string(v.hex.raw) != string(s.Signals[0].Raw) || v.hex.hlOff != at.Offset+2 || v.hex.hlLen != len("AES_CM_128_HMAC_SHA1_80") {
		t.Errorf("hex pane shows %d bytes, highlight [%d +%d], want the INVITE with [%d +23]", len(v.hex.raw), v.hex.hlOff, v.hex.hlLen, at.Offset+2)
	}
	if got := string(v.hex.raw[v.hex.hlOff : v.hex.hlOff+v.hex.hlLen]); got != "AES_CM_128_HMAC_SHA1_80" {
		t.Errorf("highlighted %q", got)
	}
}
