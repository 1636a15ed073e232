package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// runView implements `mikeyscope [flags] FILE...` and `mikeyscope -i IFACE`:
// the terminal UI when standard output is a terminal, else the text report.
func runView(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return runUI(args, stdin, stdout, stderr)
	}
	return runReport(args, stdin, stdout, stderr)
}
