package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const module = "github.com/mikeyscope/mikeyscope/"

// goList runs `go list` from the module root with the given arguments.
func goList(t *testing.T, args ...string) string {
	t.Helper()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := exec.LookPath(goTool); err != nil {
		if goTool, err = exec.LookPath("go"); err != nil {
			t.Skip("the go tool is not available to list imports")
		}
	}
	cmd := exec.Command(goTool, append([]string{"list"}, args...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	return string(out)
}

// TestLayering keeps the floors of the design (docs/architecture.md,
// "Dependency direction"): a package imports only packages of a lower
// floor (or of its own family, such as mikey/sakke), so that the ground
// floor's packages (mikey, srtp, hep, internal/safetext, internal/pcapng,
// internal/framebuild) can each be
// imported alone; sdes names its suites as srtp policies.
func TestLayering(t *testing.T) {
	layer := map[string]int{
		"mikey": 0, "mikey/eccsi": 0, "mikey/sakke": 0, "hep": 0, "srtp": 0, "internal/safetext": 0,
		"internal/pcapng": 0, "internal/framebuild": 0,
		"sdes": 1, "keys": 1, "tlsdec": 1, "capture": 1, "internal/pcapbuild": 1,
		"dissect":  2,
		"analysis": 3,
		"report":   4, "export": 4, "ui": 4, "metrics": 4,
	}
	out := goList(t, "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...")
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		from, ok := layer[pkg]
		if !ok {
			continue // commands, generators, benchmarks, test helpers
		}
		seen++
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			dep := strings.TrimPrefix(imp, module)
			to, ok := layer[dep]
			sameFamily := strings.SplitN(dep, "/", 2)[0] == strings.SplitN(pkg, "/", 2)[0]
			if !ok || (to >= from && !sameFamily) {
				t.Errorf("%s (layer %d) imports %s (layer %d)", pkg, from, dep, to)
			}
		}
	}
	if seen != len(layer) {
		t.Errorf("checked %d packages, the table names %d", seen, len(layer))
	}
}

// TestSRTPStandsAlone: srtp implements RFC 3711 on its own; the MIKEY SP
// payload is described by mikey and bridged by analysis, so srtp imports
// no other package of the project (as pion/srtp, it can be imported
// alone).
func TestSRTPStandsAlone(t *testing.T) {
	for _, dep := range strings.Fields(goList(t, "-deps", "./srtp")) {
		if strings.HasPrefix(dep, module) && dep != module+"srtp" {
			t.Errorf("srtp depends on %s", dep)
		}
	}
}

// TestBinaryGopacket: the command captures live through gopacket's afpacket
// (a TPACKET_V3 ring; with it gopacket's core and endian packages) and
// links nothing else of gopacket: not layers, whose protocol tables cost
// every run megabytes of memory while capture/ decodes the few headers it
// needs itself, and not google/gopacket, the unmaintained original. layers
// and pcapgo stay in the tests and generators (pcapgo writes the samples
// the readers are tested on); pcap in the opt-in libpcap source (-tags
// pcap).
func TestBinaryGopacket(t *testing.T) {
	out := goList(t, "-deps", "./cmd/mikeyscope")
	linked := map[string]bool{}
	for _, dep := range strings.Fields(out) {
		linked[dep] = true
		if strings.HasPrefix(dep, "github.com/google/gopacket") {
			t.Errorf("mikeyscope links %s", dep)
		}
		if strings.HasPrefix(dep, "github.com/gopacket/gopacket") {
			switch strings.TrimPrefix(dep, "github.com/gopacket/gopacket") {
			case "", "/endian", "/afpacket":
			default:
				t.Errorf("mikeyscope links %s", dep)
			}
		}
	}
	if runtime.GOOS == "linux" && !linked["github.com/gopacket/gopacket/afpacket"] {
		t.Error("mikeyscope does not link github.com/gopacket/gopacket/afpacket: live capture is not on the TPACKET_V3 ring")
	}
	if !linked["golang.org/x/net/bpf"] {
		t.Error("mikeyscope does not link golang.org/x/net/bpf: filters are not compiled for the kernel")
	}
}
