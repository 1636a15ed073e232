// Command gen writes the large benchmark captures of mikeyscope (issue #9)
// to a directory that is not committed (bench/out):
//
//   - calls.pcap: N SIP calls (1,000 by default) with MIKEY-PSK, SRTP both
//     ways (250 G.711 packets of 160 bytes and one SRTCP report per
//     direction), overlapping in time like a busy link; every tenth call runs
//     over TCP and every tenth has its INVITE fragmented into 3 IP fragments.
//   - short-calls-N.pcap (with -short-calls N): N short calls, a new one
//     every 100 ms, each INVITE/200 with MIKEY-PSK, 2 SRTP packets and an
//     SRTCP report per direction, BYE/200: for memory growth in the number
//     of calls (64,000 at most: the addresses are 10.1.x.y and 10.2.x.y).
//   - rtsp-big.pcap: one RTSP session whose video key comes in a KeyMgmt
//     header (MIKEY-NULL) and one SRTP video stream of 100,632 packets of
//     1,388 payload bytes (AES-CM-128/HMAC-SHA1-80, 4-byte MKI) over UDP.
//
// Each comes with a keys file. Output is deterministic and streamed.
//
//	go run ./bench/gen -out bench/out [-calls 1000] [-rtsp-packets 100632] [-short-calls N]
//	go run ./bench/gen -count FILE   # prints the number of packets in FILE
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gopacket/gopacket/pcapgo"

	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
)

func main() {
	out := flag.String("out", "bench/out", "directory to write the captures to")
	calls := flag.Int("calls", 1000, "number of SIP calls in calls.pcap (0 skips the file)")
	rtspPackets := flag.Int("rtsp-packets", 100632, "SRTP packets in rtsp-big.pcap (0 skips the file)")
	count := flag.String("count", "", "print the number of packets in this pcap file and exit")
	short := flag.Int("short-calls", 0, "also write short-calls-N.pcap with N short calls (4 SRTP packets each)")
	flag.Parse()
	if *short < 0 || *short > scenario.MaxSeriesCalls || *calls < 0 || *calls > scenario.MaxSeriesCalls {
		fmt.Fprintf(os.Stderr, "bench/gen: -calls and -short-calls take 0 to %d\n", scenario.MaxSeriesCalls)
		os.Exit(2)
	}
	if err := run(*out, *calls, *rtspPackets, *short, *count); err != nil {
		fmt.Fprintln(os.Stderr, "bench/gen:", err)
		os.Exit(1)
	}
}

func run(dir string, calls, rtspPackets, short int, count string) error {
	if count != "" {
		n, err := countPackets(count)
		if err != nil {
			return err
		}
		fmt.Println(n)
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, c := range []struct {
		n     int
		shape scenario.SeriesShape
		name  string
	}{{calls, longCalls, "calls"}, {short, shortCalls, fmt.Sprintf("short-calls-%d", short)}} {
		if c.n == 0 {
			continue
		}
		c.shape.Name = c.name
		gens, keys, err := scenario.CallSeries(c.n, c.shape)
		if err != nil {
			return err
		}
		if err := writeCapture(filepath.Join(dir, c.name+".pcap"), gens); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, c.name+".keys"), keys, 0o600); err != nil {
			return err
		}
	}
	if rtspPackets > 0 {
		g, keys, err := rtspGen(rtspPackets)
		if err != nil {
			return err
		}
		if err := writeCapture(filepath.Join(dir, "rtsp-big.pcap"), []scenario.Generator{g}); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "rtsp-big.keys"), keys, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// writeCapture streams the merged frames of gens into a pcap file.
func writeCapture(path string, gens []scenario.Generator) error {
	began := time.Now()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w, err := pcapwrite.NewWriter(bw, pcapwrite.FormatPcap)
	if err != nil {
		return err
	}
	if err := scenario.Write(w, gens, nil); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: %d packets, %.1f MB in %.1fs\n", path, w.Frames(), float64(st.Size())/1e6, time.Since(began).Seconds())
	return nil
}

// countPackets returns the number of packets in a pcap file.
func countPackets(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r, err := pcapgo.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	n := 0
	for {
		_, _, err := r.ZeroCopyReadPacketData()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("%s: packet %d: %w", path, n+1, err)
		}
		n++
	}
}
