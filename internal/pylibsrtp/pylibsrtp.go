// Package pylibsrtp runs libsrtp 2 through Debian's python3-pylibsrtp for
// the tests that check mikeyscope's SRTP against an implementation that
// shares no code with it (srtp's own packets, the SDES samples' media):
// one script (libsrtp.py) protects or unprotects packets under one of the
// four profiles pylibsrtp has. A test skips, with the package to install,
// when /usr/bin/python3 or pylibsrtp is missing.
package pylibsrtp

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"os/exec"
	"testing"
)

//go:embed libsrtp.py
var script string

// Request is what libsrtp is given: the profile (pylibsrtp's name, such as
// "AES128_CM_SHA1_80"), the master key and salt in hex, and the packets in
// hex.
type Request struct {
	Profile string   `json:"profile"`
	Key     string   `json:"key"`
	RTP     []string `json:"rtp"`
	RTCP    []string `json:"rtcp"`
}

// Response holds libsrtp's packets in hex, in the order given; nil where
// Unprotect's libsrtp rejected the packet.
type Response struct {
	RTP, RTCP []*string
}

// Protect protects the request's RTP and RTCP packets with libsrtp
// (SSRC_ANY_OUTBOUND).
func Protect(t testing.TB, req Request) Response {
	t.Helper()
	return run(t, "protect", req)
}

// Unprotect unprotects the request's SRTP and SRTCP packets with libsrtp
// (SSRC_ANY_INBOUND).
func Unprotect(t testing.TB, req Request) Response {
	t.Helper()
	return run(t, "unprotect", req)
}

func run(t testing.TB, mode string, req Request) Response {
	t.Helper()
	py, err := exec.LookPath("/usr/bin/python3")
	if err != nil {
		t.Skip("libsrtp cross-check skipped: /usr/bin/python3 not found (apt-get install python3-pylibsrtp)")
	}
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", script, mode)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outJSON, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 3 {
		t.Skipf("libsrtp cross-check skipped: %s (apt-get install python3-pylibsrtp)", bytes.TrimSpace(stderr.Bytes()))
	}
	if err != nil {
		t.Fatalf("libsrtp %s: %v: %s", mode, err, stderr.Bytes())
	}
	var out Response
	if err := json.Unmarshal(outJSON, &out); err != nil {
		t.Fatalf("libsrtp %s: %v: %s", mode, err, outJSON)
	}
	return out
}
