package srtp

import (
	"crypto/aes"
	"crypto/cipher"
	"os"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
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

// TestCPUKeystream compares, in CPU time of the thread, the AES-CM
// keystream of the bulk path (aesctr.go) with crypto/cipher.NewCTR per
// packet: 25 interleaved rounds of 20,000 packets each, medians and
// minimums. It runs only with SRTP_CPU_BENCH=1 on a CPU with bulk AES and
// asserts nothing about speed.
func TestCPUKeystream(t *testing.T) {
	if os.Getenv("SRTP_CPU_BENCH") != "1" || !haveBulkAES {
		t.Skip("set SRTP_CPU_BENCH=1 (on a CPU with AES-NI) to measure CPU-time keystream cost")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	threadCPU := func() time.Duration {
		var ts unix.Timespec
		if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
			t.Fatal(err)
		}
		return time.Duration(ts.Nano())
	}
	key := make([]byte, 16)
	var iv [16]byte
	for _, size := range []int{160, 1378} {
		buf := make([]byte, size)
		k := newCTRKey(key)
		blk, err := aes.NewCipher(key)
		if err != nil {
			t.Fatal(err)
		}
		const rounds, n = 25, 20000
		var bulk, newCTR []time.Duration
		for r := 0; r < rounds; r++ {
			t0 := threadCPU()
			for i := 0; i < n; i++ {
				k.xorKeyStream(buf, buf, &iv)
			}
			t1 := threadCPU()
			for i := 0; i < n; i++ {
				cipher.NewCTR(blk, iv[:]).XORKeyStream(buf, buf)
			}
			t2 := threadCPU()
			bulk, newCTR = append(bulk, (t1-t0)/n), append(newCTR, (t2-t1)/n)
		}
		slices.Sort(bulk)
		slices.Sort(newCTR)
		t.Logf("%5d B: bulk median %v min %v | cipher.NewCTR median %v min %v (CPU time per packet)",
			size, bulk[rounds/2], bulk[0], newCTR[rounds/2], newCTR[0])
	}
}
