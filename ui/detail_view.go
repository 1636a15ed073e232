package ui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/mikey"
	"github.com/rivo/tview"
)

// detailView is the message detail screen of one frame: the decoded MIKEY
// field tree (every field, as "mikeyscope decode" prints it), the SIP/RTSP/
// SDP text of the message, and a hex pane in which the selected field's
// bytes are highlighted.
type detailView struct {
	root   *tview.Flex
	tree   *tview.TreeView
	text   *tview.TextView
	hex    *hexPane
	panes  []tview.Primitive // focus order for Tab
	frame  uint64
	msgs   []*analysis.MIKEYMessage
	trees  []*mikey.Field // the trees shown, to notice a rerun's new ones
	labels string         // the message labels shown, likewise
	signal *analysis.Signal
	sdes   []*analysis.SDESAttribute // a=crypto attributes of the frame's SDP
}

// fieldRef is the reference of a tree node: the message and (for a field
// node) the field.
type fieldRef struct {
	msg   int
	field *mikey.Field
	// sdes marks a node of an a=crypto attribute: its offsets are in the
	// signalling message, not in a MIKEY message.
	sdes bool
}

func newDetailView() *detailView {
	v := &detailView{}
	v.tree = tview.NewTreeView()
	v.tree.SetBorder(true).SetTitle(" MIKEY ")
	v.text = tview.NewTextView().SetDynamicColors(true).SetWrap(false)
	v.text.SetBorder(true).SetTitle(" Signalling ")
	v.hex = newHexPane()
	right := tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(v.text, 0, 1, false).
		AddItem(v.hex, 0, 1, false)
	v.root = tview.NewFlex().
		AddItem(v.tree, 0, 1, true).
		AddItem(right, hexLineWidth+2, 0, false)
	v.panes = []tview.Primitive{v.tree, v.text, v.hex}
	v.tree.SetChangedFunc(v.selectNode)
	return v
}

// hasFrame reports whether frame is a signalling or MIKEY frame of s, that
// is, whether the detail screen has something to show for it.
func hasFrame(s *analysis.Session, frame uint64) bool {
	if s == nil || frame == 0 {
		return false
	}
	for _, sig := range s.Signals {
		if sig.Frame == frame {
			return true
		}
	}
	for _, m := range s.MIKEY {
		if m.Frame == frame {
			return true
		}
	}
	return false
}

// setFrame shows frame of session s. A refresh of the same frame whose
// trees did not change keeps the tree and its selection.
func (v *detailView) setFrame(s *analysis.Session, frame uint64) {
	var msgs []*analysis.MIKEYMessage
	var trees []*mikey.Field
	var sig *analysis.Signal
	var labels strings.Builder
	var attrs []*analysis.SDESAttribute
	if s != nil {
		for _, at := range s.SDES {
			if at.Frame == frame {
				attrs = append(attrs, at)
				trees = append(trees, at.Tree)
				labels.WriteString(sdesLabel(at) + "\n")
			}
		}
		for _, m := range s.MIKEY {
			if m.Frame == frame {
				msgs = append(msgs, m)
				trees = append(trees, m.Tree)
				labels.WriteString(messageLabel(m) + "\n")
			}
		}
		for _, sg := range s.Signals {
			if sg.Frame == frame {
				sig = sg
				break
			}
		}
	}
	if frame == v.frame && sameTrees(trees, v.trees) && labels.String() == v.labels {
		v.msgs, v.signal, v.sdes = msgs, sig, attrs
		v.retitle()
		return
	}
	var keep *fieldRef
	if frame == v.frame {
		if n := v.tree.GetCurrentNode(); n != nil {
			keep, _ = n.GetReference().(*fieldRef)
		}
	}
	v.frame, v.msgs, v.trees, v.signal, v.labels, v.sdes = frame, msgs, trees, sig, labels.String(), attrs
	v.build(keep)
}

func sameTrees(a, b []*mikey.Field) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (v *detailView) retitle() {
	v.tree.SetTitle(fmt.Sprintf(" MIKEY in frame %d ", v.frame))
}

// build fills the tree, text and hex panes; keep names a field to select
// again after a rebuild.
func (v *detailView) build(keep *fieldRef) {
	v.retitle()
	root := tview.NewTreeNode("frame " + strconv.FormatUint(v.frame, 10)).SetSelectable(false)
	var first, again *tview.TreeNode
	for i, m := range v.msgs {
		mn := tview.NewTreeNode(messageLabel(m)).SetReference(&fieldRef{msg: i}).
			SetColor(keyStatusColor(m.Auth))
		root.AddChild(mn)
		if first == nil {
			first = mn
		}
		if tree := messageTree(m); tree != nil {
			n := v.addField(mn, i, tree, keep)
			if n != nil {
				again = n
			}
		}
		if m.Error != "" {
			mn.AddChild(tview.NewTreeNode("decode error: " + SafeText(m.Error)).SetColor(colorBad).
				SetReference(&fieldRef{msg: i}))
		}
	}
	for _, at := range v.sdes {
		an := tview.NewTreeNode(sdesLabel(at)).SetReference(&fieldRef{sdes: true, field: &mikey.Field{Name: "a=crypto", Offset: at.Offset, Length: at.Length}})
		if at.Error != "" {
			an.SetColor(colorBad)
		}
		root.AddChild(an)
		if first == nil {
			first = an
		}
		if at.Tree != nil {
			for _, c := range at.Tree.Children {
				v.addSDESField(an, c)
			}
		}
	}
	if len(v.msgs) == 0 && len(v.sdes) == 0 {
		root.AddChild(tview.NewTreeNode("no MIKEY message in this frame").SetColor(colorDim).SetSelectable(false))
	}
	v.tree.SetRoot(root).SetTopLevel(1)
	if v.signal != nil {
		v.text.SetText(SafeLines(string(v.signal.Raw))).ScrollToBeginning()
		v.text.SetTitle(" " + SafeText(v.signal.Summary+signalPlaces(v.signal)) + " ")
	} else {
		v.text.SetText("[gray]no signalling message in this frame[-]")
		v.text.SetTitle(" Signalling ")
	}
	switch {
	case again != nil:
		v.tree.SetCurrentNode(again)
		v.selectNode(again)
	case first != nil:
		v.tree.SetCurrentNode(first)
		v.selectNode(first)
	default:
		var raw []byte
		if v.signal != nil {
			raw = v.signal.Raw
		}
		v.hex.setData(raw)
		v.hex.SetTitle(" Hex ")
	}
}

// addField adds f and its children under parent; it returns the node that
// matches keep, if any.
func (v *detailView) addField(parent *tview.TreeNode, msg int, f *mikey.Field, keep *fieldRef) *tview.TreeNode {
	n := tview.NewTreeNode(SafeText(f.Label())).SetReference(&fieldRef{msg: msg, field: f})
	parent.AddChild(n)
	var found *tview.TreeNode
	if keep != nil && keep.field != nil && keep.msg == msg && keep.field.Name == f.Name &&
		keep.field.Offset == f.Offset && keep.field.Length == f.Length {
		found = n
	}
	for _, c := range f.Children {
		if m := v.addField(n, msg, c, keep); m != nil {
			found = m
		}
	}
	return found
}

// selectNode shows the bytes of the selected node's message in the hex
// pane, the field's own bytes highlighted.
func (v *detailView) selectNode(n *tview.TreeNode) {
	ref, _ := n.GetReference().(*fieldRef)
	if ref != nil && ref.sdes {
		// An a=crypto attribute: its bytes are in the signalling message.
		if v.signal == nil {
			return
		}
		v.hex.setData(v.signal.Raw)
		if ref.field != nil && ref.field.Offset >= 0 {
			v.hex.setHighlight(ref.field.Offset, ref.field.Length)
			v.hex.SetTitle(fmt.Sprintf(" Hex: %s [%d +%d] of the message ", SafeText(ref.field.Name), ref.field.Offset, ref.field.Length))
		}
		return
	}
	if ref == nil || ref.msg >= len(v.msgs) {
		return
	}
	m := v.msgs[ref.msg]
	v.hex.setData(m.Raw)
	title := fmt.Sprintf(" Hex: MIKEY (%d bytes) ", len(m.Raw))
	if ref.field != nil {
		v.hex.setHighlight(ref.field.Offset, ref.field.Length)
		title = fmt.Sprintf(" Hex: %s [%d +%d] ", SafeText(ref.field.Name), ref.field.Offset, ref.field.Length)
	}
	v.hex.SetTitle(title)
}

// messageTree is the message's field tree: the one the analysis kept
// (with the KEMAC opened when a key did), or else the tree of the raw bytes
// decoded anew here (mikey.Parse is pure, so this is safe while a live
// analysis goes on).
func messageTree(m *analysis.MIKEYMessage) *mikey.Field {
	if m.Tree != nil {
		return m.Tree
	}
	if len(m.Raw) == 0 {
		return nil
	}
	msg, _ := mikey.Parse(m.Raw)
	if msg == nil {
		return nil
	}
	return msg.Tree()
}

// messageLabel summarises one MIKEY message for its tree node.
func messageLabel(m *analysis.MIKEYMessage) string {
	s := fmt.Sprintf("MIKEY %s %s (%s, %d bytes) auth: %s", orDash(m.Role), orDash(m.DataType), orDash(m.Where), m.Length, orDash(m.Auth.String()))
	if m.KeyFP != "" {
		s += " key " + m.KeyFP
	}
	if m.RelayOf != 0 {
		s += fmt.Sprintf(" (relayed copy of frame %d)", m.RelayOf)
	}
	if m.MC != nil {
		s += "; MC key " + m.MC.String()
	}
	if m.Detail != "" {
		s += ": " + m.Detail
	}
	return SafeText(s)
}

// focusNext moves the focus to the next pane (Tab).
func (v *detailView) focusNext(app *tview.Application) {
	cur := app.GetFocus()
	for i, p := range v.panes {
		if p == cur {
			app.SetFocus(v.panes[(i+1)%len(v.panes)])
			return
		}
	}
	app.SetFocus(v.tree)
}

// addSDESField adds an a=crypto field and its children under parent.
func (v *detailView) addSDESField(parent *tview.TreeNode, f *mikey.Field) {
	n := tview.NewTreeNode(SafeText(f.Label())).SetReference(&fieldRef{sdes: true, field: f})
	parent.AddChild(n)
	for _, c := range f.Children {
		v.addSDESField(n, c)
	}
}

// sdesLabel summarises an a=crypto attribute for its tree node.
func sdesLabel(at *analysis.SDESAttribute) string {
	if at.Error != "" {
		return SafeText(fmt.Sprintf("SDES a=crypto (%s, media %d): %s", at.Role, at.Media, at.Error))
	}
	s := fmt.Sprintf("SDES a=crypto tag %d %s (%s, media %d)", at.Tag, at.Suite, at.Role, at.Media)
	if at.Selected {
		s += " keys the media"
	}
	for _, k := range at.Keys {
		s += " " + k.KeyFP
	}
	return SafeText(s)
}
