package ui

import (
	"strings"

	"github.com/gdamore/tcell/v2"
)

// binding is one entry of a view's key table: the same table dispatches
// key presses and generates the help screen.
type binding struct {
	key  tcell.Key // tcell.KeyRune for a character key
	ch   rune      // the character when key is tcell.KeyRune
	desc string
	run  func()
}

// matches reports whether ev is this binding's key.
func (b binding) matches(ev *tcell.EventKey) bool {
	if b.key == tcell.KeyRune {
		return ev.Key() == tcell.KeyRune && ev.Rune() == b.ch
	}
	return ev.Key() == b.key
}

// label names the key for the help screen.
func (b binding) label() string {
	if b.key == tcell.KeyRune {
		if b.ch == ' ' {
			return "Space"
		}
		return string(b.ch)
	}
	return tcell.KeyNames[b.key]
}

// dispatch runs the first binding of the tables that matches ev and
// reports whether one did.
func dispatch(ev *tcell.EventKey, tables ...[]binding) bool {
	for _, t := range tables {
		for _, b := range t {
			if b.matches(ev) {
				b.run()
				return true
			}
		}
	}
	return false
}

// helpText renders key tables as the help screen shows them.
func helpText(sections ...helpSection) string {
	var b strings.Builder
	for i, s := range sections {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("[::b]" + s.title + "[::-]\n")
		for _, k := range s.keys {
			l := k.label()
			b.WriteString("  " + SafeText(l) + strings.Repeat(" ", max(1, 10-len(l))) + SafeText(k.desc) + "\n")
		}
	}
	return b.String()
}

type helpSection struct {
	title string
	keys  []binding
}
