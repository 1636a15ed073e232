package srtp

import (
	"testing"
	"time"
)

// benchStream seals n consecutive packets of payload bytes under the
// default policy with a 4-byte MKI (the shape of bench/out/rtsp-big.pcap).
func benchStream(b *testing.B, n, payload int) (*Context, [][]byte) {
	p := DefaultPolicy()
	p.MKILen = 4
	c := mustContext(b, p, MasterKey{Key: crossKey32[:16], Salt: crossSalt14, MKI: []byte{0, 0, 0, 1}})
	pkts := make([][]byte, n)
	for i := range pkts {
		pkt, err := c.SealRTP(nil, testRTP(uint16(i+1), 9, payload), 0, 0)
		if err != nil {
			b.Fatal(err)
		}
		pkts[i] = pkt
	}
	return c, pkts
}

// BenchmarkStreamSequential decrypts a 128-packet run of ~1.4 KB packets
// of one stream with DecryptRTP, in order, on one goroutine.
func BenchmarkStreamSequential(b *testing.B) {
	c, pkts := benchStream(b, 128, 1388)
	dst := make([]byte, 2048)
	at := time.Unix(1, 0)
	b.SetBytes(int64(len(pkts[0]) * len(pkts)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st := NewStreamSSRC(9, 0)
		for _, p := range pkts {
			if _, _, err := c.DecryptRTP(dst, p, st, at); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pkts)), "ns/packet")
}

// BenchmarkStreamSpeculative decrypts the same run speculatively:
// GuessRTP in order, OpenGuess on two goroutines (the second on a
// Context.Clone), DecryptRTPGuessed in order. On the shared 2-core build
// machine it took 0.69x the time of BenchmarkStreamSequential.
func BenchmarkStreamSpeculative(b *testing.B) {
	c, pkts := benchStream(b, 128, 1388)
	clone := c.Clone()
	specs := make([]Speculation, len(pkts))
	plain := make([][]byte, len(pkts))
	for i := range plain {
		plain[i] = make([]byte, 0, 2048)
	}
	dst := make([]byte, 2048)
	at := time.Unix(1, 0)
	work, done := make(chan int), make(chan struct{})
	go func() {
		for from := range work {
			for j := from; j < len(pkts); j++ {
				clone.OpenGuess(plain[j], pkts[j], &specs[j])
			}
			done <- struct{}{}
		}
	}()
	defer close(work)
	b.SetBytes(int64(len(pkts[0]) * len(pkts)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st := NewStreamSSRC(9, 0)
		pr := st.Predict()
		for j, p := range pkts {
			c.GuessRTP(p, &pr, &specs[j])
		}
		half := len(pkts) * 9 / 20
		work <- half
		for j := 0; j < half; j++ {
			c.OpenGuess(plain[j], pkts[j], &specs[j])
		}
		<-done
		for j, p := range pkts {
			if _, _, err := c.DecryptRTPGuessed(dst, p, st, at, &specs[j]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pkts)), "ns/packet")
}
