package ui

import (
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// addKeyDialog asks for a key as a keys-file line and hands it to submit.
type addKeyDialog struct {
	root  *tview.Flex
	input *tview.InputField
	hint  *tview.TextView
}

func newAddKeyDialog(submit func(spec string), cancel func()) *addKeyDialog {
	d := &addKeyDialog{}
	d.input = tview.NewInputField().SetLabel("Key: ").SetFieldWidth(0)
	d.hint = tview.NewTextView().SetDynamicColors(true).SetWrap(true).SetText(addKeyHint)
	d.input.SetDoneFunc(func(k tcell.Key) {
		switch k {
		case tcell.KeyEnter:
			spec := strings.TrimSpace(d.input.GetText())
			if spec == "" {
				cancel()
				return
			}
			submit(spec)
		case tcell.KeyEscape:
			cancel()
		}
	})
	d.root = tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(d.input, 1, 0, true).
		AddItem(d.hint, 0, 1, false)
	d.root.SetBorder(true).SetTitle(" Add a key ")
	return d
}

const addKeyHint = "A keys-file line, e.g.\n  psk 00112233...   srtp 0x1234abcd=KEY:SALT   tgk HEX\n  dh-key HEX   rsa-key FILE   sakke-rsk HEX   tls-keylog FILE\n[gray]Enter adds, Esc cancels[-]"

// reset empties the field and the message, so no key typed earlier stays
// on screen.
func (d *addKeyDialog) reset() {
	d.input.SetText("")
	d.hint.SetText(addKeyHint)
}

// showError shows why the line was not added; the line stays for editing.
// The message may quote what was typed: it is escaped.
func (d *addKeyDialog) showError(msg string) {
	d.hint.SetText("[red]" + tview.Escape(SafeText(msg)) + "[-]\n[gray]Nothing was added. Edit the line and press Enter, or Esc to cancel[-]")
}

// showBusy says the key is being added (a file analysis restarts).
func (d *addKeyDialog) showBusy() { d.hint.SetText("adding the key...") }
