package mikey

import (
	"bufio"
	"io"
	"strconv"
)

// WriteTree writes the field tree as indented text, one field a line, in the
// style of Wireshark's packet details:
//
//	name: value (meaning) [offset +length]
//
// Children are indented by two spaces per level.
func WriteTree(w io.Writer, f *Field) error {
	bw := bufio.NewWriter(w)
	writeField(bw, f, 0)
	return bw.Flush()
}

func writeField(w *bufio.Writer, f *Field, depth int) {
	for i := 0; i < depth; i++ {
		w.WriteString("  ")
	}
	w.WriteString(f.Label())
	w.WriteByte('\n')
	for _, c := range f.Children {
		writeField(w, c, depth+1)
	}
}

// Label is the field's line of the tree, as WriteTree, the text report's
// --tree and the TUI's detail view show it:
//
//	name: value (meaning) [offset +length]
//
// with ": value" and " (meaning)" left out when empty. It is raw text from
// the message: a view escapes it (the escaping is by character, so
// escaping the label equals escaping its parts).
func (f *Field) Label() string {
	s := f.Name
	switch {
	case f.Value != "" && f.Meaning != "":
		s += ": " + f.Value + " (" + f.Meaning + ")"
	case f.Value != "":
		s += ": " + f.Value
	case f.Meaning != "":
		s += ": " + f.Meaning
	}
	return s + " [" + strconv.Itoa(f.Offset) + " +" + strconv.Itoa(f.Length) + "]"
}
