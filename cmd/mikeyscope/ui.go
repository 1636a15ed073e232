package main

import (
	"io"
)

// runUI opens the terminal UI (until the ui package lands, the report).
func runUI(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runReport(args, stdin, stdout, stderr)
}
