// Command mikeyscope analyses MIKEY key exchange (RFC 3830) and the SRTP it
// keys:
//
//	mikeyscope [key flags] FILE...              terminal UI (text report when not a terminal)
//	mikeyscope -i IFACE [-f FILTER] [key flags] terminal UI on a live capture
//	mikeyscope report [--json] [key flags] FILE...
//	mikeyscope decode [--json] [key flags] INPUT
//	mikeyscope export --out DIR [key flags] FILE...
//
// Exit status: 0 success, 1 a finding reached --fail-on (report), 2 usage or
// input error.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
)

// subcommand runs with its arguments and returns the exit status.
type subcommand func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

var subcommands = map[string]subcommand{
	"decode": runDecode,
}

func main() {
	if os.Getenv("MIKEYSCOPE_HEAPPROFILE") != "" {
		runtime.MemProfileRate = 4096 // a profile that counts the small objects too
	}
	stopGC := tuneGC()
	code := profiled(func() int { return run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr) })
	stopGC()
	os.Exit(code)
}

// profiled runs f, writing a CPU profile of it to the file named by
// MIKEYSCOPE_CPUPROFILE when set (for `go tool pprof`; a user can send one
// with a performance report).
func profiled(f func() int) int {
	path := os.Getenv("MIKEYSCOPE_CPUPROFILE")
	if path == "" {
		return f()
	}
	out, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mikeyscope: MIKEYSCOPE_CPUPROFILE: %v\n", err)
		return 2
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		fmt.Fprintf(os.Stderr, "mikeyscope: MIKEYSCOPE_CPUPROFILE: %v\n", err)
		return 2
	}
	defer pprof.StopCPUProfile()
	return f()
}

// writeHeapProfile writes the live heap to the file named by
// MIKEYSCOPE_HEAPPROFILE when set: it is called at the end of a pass,
// before Finish, when the state of the pass is still live.
func writeHeapProfile() {
	path := os.Getenv("MIKEYSCOPE_HEAPPROFILE")
	if path == "" {
		return
	}
	out, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mikeyscope: MIKEYSCOPE_HEAPPROFILE: %v\n", err)
		return
	}
	defer out.Close()
	runtime.GC()
	if err := pprof.WriteHeapProfile(out); err != nil {
		fmt.Fprintf(os.Stderr, "mikeyscope: MIKEYSCOPE_HEAPPROFILE: %v\n", err)
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout) // asked for: not an error
		return 0
	}
	cmd, ok := subcommands[args[0]]
	if !ok {
		if unknownSubcommand(args[0]) {
			fmt.Fprintf(stderr, "mikeyscope: unknown subcommand %q, and no file of that name (subcommands: %s; or give capture files; mikeyscope --help)\n",
				args[0], strings.Join(subcommandNames(), ", "))
			return 2
		}
		// mikeyscope FILE... or mikeyscope -i IFACE: the terminal UI when
		// standard output is a terminal, the text report otherwise.
		return runView(args, stdin, stdout, stderr)
	}
	return cmd(args[1:], stdin, stdout, stderr)
}

// unknownSubcommand says whether the first argument is a word meant as a
// subcommand rather than a capture file: it is not a flag, names no file,
// and has no '.' or path separator (capture files have an extension or a
// directory; a missing one is reported as a missing file).
func unknownSubcommand(arg string) bool {
	if arg == "" || arg[0] == '-' || strings.ContainsAny(arg, "./\\") {
		return false
	}
	_, err := os.Stat(arg)
	return err != nil
}

func subcommandNames() []string {
	names := make([]string, 0, len(subcommands))
	for n := range subcommands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: mikeyscope [key flags] FILE...          open the terminal UI (text report when not a terminal)
       mikeyscope -i IFACE [-f FILTER] [-B MiB] ... the same on a live capture
       mikeyscope <subcommand> [options]

subcommands:
  report [--json] [--fail-on SEV] FILE...   analyse captures: sessions, MIKEY verdicts, keys,
                                            streams, findings (exit 1 when a finding reaches SEV)
  decode [--json] INPUT                     decode a MIKEY message (base64, hex, an a=key-mgmt
                                            line, an RTSP KeyMgmt value, or - for stdin)
  export --out DIR FILE...                  write decrypted.pcapng (whole capture, media decrypted) and per-stream pcap/WAV

key flags: --psk, --rsa-key, --cert, --dh-key, --tgk, --srtp, --sakke-rsk, --kms-z,
           --kms-kpak, --tls-keylog, --keys FILE, --show-keys ("mikeyscope report -h")
`)
}
