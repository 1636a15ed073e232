// Package tmpfs runs a test's body where writes really fail: in a child
// process in a private mount namespace (unshare -m) with a small tmpfs
// mounted, so that a file written there hits ENOSPC when the tmpfs is
// full, and the mount is gone when the child ends. It needs root and
// util-linux's unshare; without them the test skips.
//
//	dir, inside := tmpfs.Run(t, "size=64k")
//	if !inside {
//		return // the parent: the child ran the test and passed
//	}
//	// ... the body, writing under dir ...
package tmpfs

import (
	"os"
	"os/exec"
	"regexp"
	"testing"
)

const envDir = "MIKEYSCOPE_TMPFS_DIR"

// Run returns the mounted directory and true in the child. In the parent
// it runs the test (t.Name(), a top-level test) again in a child process
// whose tmpfs gets the mount options opts ("size=64k", "size=1m,nr_inodes=3"),
// fails t with the child's output when the child fails, and returns false.
func Run(t *testing.T, opts string) (dir string, inside bool) {
	t.Helper()
	return run(t, opts, false)
}

// RunNetns is Run in a private network namespace as well, with its own
// loopback interface up: a live capture on lo there sees only the test's
// own packets, which keep their addresses.
func RunNetns(t *testing.T, opts string) (dir string, inside bool) {
	t.Helper()
	return run(t, opts, true)
}

func run(t *testing.T, opts string, netns bool) (dir string, inside bool) {
	t.Helper()
	if d := os.Getenv(envDir); d != "" {
		return d, true
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tmpfs in a private mount namespace (unshare -m)")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("needs unshare (util-linux) for a private mount namespace")
	}
	args := []string{"-m", "--propagation", "private"}
	up := ""
	if netns {
		if _, err := exec.LookPath("ip"); err != nil {
			t.Skip("needs ip (iproute2) to bring up lo in a private network namespace")
		}
		args = append(args, "-n")
		up = "ip link set lo up && "
	}
	dir = t.TempDir()
	// A container may forbid namespaces or mounts even to root.
	if out, err := exec.Command(unshare, append(args, "sh", "-c", up+`mount -t tmpfs -o "$0" mikeyscope-probe "$1"`, opts, dir)...).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs in a private namespace here: %v: %s", err, out)
	}
	// exec keeps the test binary's process id, so that a signal sent to
	// the child reaches the test itself.
	cmd := exec.Command(unshare, append(args, "sh", "-c",
		up+`mount -t tmpfs -o "$0" mikeyscope-test "$`+envDir+`" && exec "$@"`,
		opts, os.Args[0], "-test.run=^"+regexp.QuoteMeta(t.Name())+"$", "-test.count=1", "-test.v")...)
	cmd.Env = append(os.Environ(), envDir+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the test in a private tmpfs (%s) failed: %v\n%s", opts, err, out)
	}
	if regexp.MustCompile(`(?m)^--- SKIP: ` + regexp.QuoteMeta(t.Name()) + ` `).Match(out) {
		t.Skipf("skipped in the child:\n%s", out)
	}
	if !regexp.MustCompile(`(?m)^--- PASS: ` + regexp.QuoteMeta(t.Name()) + ` `).Match(out) {
		t.Fatalf("the test did not run in the child:\n%s", out)
	}
	t.Logf("in a private tmpfs (%s):\n%s", opts, out)
	return "", false
}
