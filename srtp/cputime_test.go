package srtp

import (
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// TestCPUThroughput reports decryption throughput per second of CPU time
// (getrusage), which stays meaningful on a loaded machine where wall-clock
// benchmarks are not. It runs only with SRTP_CPU_BENCH=1 and asserts
// nothing about speed.
func TestCPUThroughput(t *testing.T) {
	if os.Getenv("SRTP_CPU_BENCH") != "1" {
		t.Skip("set SRTP_CPU_BENCH=1 to measure CPU-time throughput")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cases := []struct {
		name    string
		p       Policy
		payload int
	}{
		{"AES_CM_128_HMAC_SHA1_80/160B", DefaultPolicy(), 160},
		{"AES_CM_128_HMAC_SHA1_80/1400B", DefaultPolicy(), 1400 - 22},
		{"AEAD_AES_128_GCM/160B", GCMPolicy(16), 160},
		{"AEAD_AES_128_GCM/1400B", GCMPolicy(16), 1400 - 28},
	}
	for _, tc := range cases {
		b := &testing.B{}
		c, pkt := benchPacket(b, tc.p, tc.payload)
		st := NewStreamSSRC(9, 0)
		dst := make([]byte, len(pkt))
		const n = 200000
		var before, after syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_THREAD, &before)
		for i := 0; i < n; i++ {
			if _, _, err := c.DecryptRTP(dst, pkt, st, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		syscall.Getrusage(syscall.RUSAGE_THREAD, &after)
		cpu := time.Duration(after.Utime.Nano()-before.Utime.Nano()) + time.Duration(after.Stime.Nano()-before.Stime.Nano())
		t.Logf("%-32s %5d B  %8.0f ns/pkt  %9.0f pkt/s  %7.1f MB/s (CPU time)",
			tc.name, len(pkt), float64(cpu.Nanoseconds())/n, n/cpu.Seconds(), float64(n*len(pkt))/cpu.Seconds()/1e6)
	}
}
