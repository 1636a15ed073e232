// Command mikeyscope analyses MIKEY key exchange (RFC 3830) and the SRTP it
// keys. Subcommands:
//
//	mikeyscope decode [--json] INPUT   decode one MIKEY message field by field
package main

import (
	"fmt"
	"io"
	"os"
)

// subcommand runs with its arguments and returns the exit status.
type subcommand func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

var subcommands = map[string]subcommand{
	"decode": runDecode,
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		return 2
	}
	cmd, ok := subcommands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "mikeyscope: unknown subcommand %q\n", args[0])
		usage(stderr)
		return 2
	}
	return cmd(args[1:], stdin, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: mikeyscope <subcommand> [options]

subcommands:
  decode [--json] INPUT   decode a MIKEY message (base64, hex, an a=key-mgmt
                          line, an RTSP KeyMgmt value, or - for stdin)
`)
}
