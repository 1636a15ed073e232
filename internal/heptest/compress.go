// Package heptest compresses HEP payloads as the capture agents do, for
// the tests of hep, capture and the command: the one home of how each
// agent compresses (hep/inflate.go says where each fact was read).
package heptest

import (
	"bytes"
	"compress/gzip"
	"os/exec"
	"testing"
)

// Agents' compressions, by the name Compress takes, as python3 calls the
// C zlib the agents link (so the bytes are the agents' own with the same
// zlib):
//
//	captagent: zlib's compress() (transport_hep.c): zlib wrapper,
//	           Z_DEFAULT_COMPRESSION, memLevel 8
//	opensips:  deflateInit2(6, Z_DEFLATED, 15+16, 6, Z_DEFAULT_STRATEGY)
//	           (modules/compression/gz_helpers.c, compression_level 6)
//	gzipname:  python's gzip module with a file name and time in the
//	           header (FNAME set): a gzip member as file tools write it
//	deflate:   raw deflate (windowBits -15, level 9)
var scripts = map[string]string{
	"captagent": "zlib.compress(d)",
	"opensips":  "(lambda c: c.compress(d) + c.flush())(zlib.compressobj(6, zlib.DEFLATED, 31, 6))",
	"gzipname":  "(lambda b: ((lambda g: (g.write(d), g.close()))(gzip.GzipFile(filename='sip.txt', mode='wb', fileobj=b, mtime=1700000000)), b.getvalue())[1])(io.BytesIO())",
	"deflate":   "(lambda c: c.compress(d) + c.flush())(zlib.compressobj(9, zlib.DEFLATED, -15))",
}

// Compress compresses data as agent does (see scripts), with python3; it
// skips the test without python3.
func Compress(t testing.TB, agent string, data []byte) []byte {
	t.Helper()
	script, ok := scripts[agent]
	if !ok {
		t.Fatalf("heptest: no agent %q", agent)
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed: no independent compressor")
	}
	cmd := exec.Command(py, "-c", "import sys, zlib, gzip, io; d = sys.stdin.buffer.read(); sys.stdout.buffer.write("+script+")")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 %s: %v", agent, err)
	}
	return out
}

// GzipPacket gzips a whole HEP packet as heplify 2 does with payload_zip
// (src/transport/sender.go: gzip.NewWriter, Write, Close; Go's own gzip,
// so these are heplify's bytes).
func GzipPacket(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}
