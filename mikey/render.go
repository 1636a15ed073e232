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
	w.WriteString(f.Name)
	switch {
	case f.Value != "" && f.Meaning != "":
		w.WriteString(": " + f.Value + " (" + f.Meaning + ")")
	case f.Value != "":
		w.WriteString(": " + f.Value)
	case f.Meaning != "":
		w.WriteString(": " + f.Meaning)
	}
	w.WriteString(" [" + strconv.Itoa(f.Offset) + " +" + strconv.Itoa(f.Length) + "]\n")
	for _, c := range f.Children {
		writeField(w, c, depth+1)
	}
}
