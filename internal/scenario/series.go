package scenario

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
)

// SeriesStart is the time of the first frame of a call series.
var SeriesStart = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

// SeriesShape is the media and spacing of the calls of a series.
type SeriesShape struct {
	Packets int           // SRTP packets per direction, 20 ms apart
	Spacing time.Duration // between the starts of two calls
	Name    string        // capture name, for the keys file's comment
}

// MaxSeriesCalls is the most calls a series can have: each call has its
// own caller and callee address in a /16.
const MaxSeriesCalls = 64000

func seriesRand(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// seriesHost returns the i-th address of a /16 (10.side.x.y).
func seriesHost(side byte, i int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, side, byte(i >> 8), byte(i)})
}

// CallSeries returns the generators of n SIP calls sharing one frame
// builder (the benchmark captures' calls: MIKEY-PSK in the SDP, SRTP both
// ways; calls with index 3 mod 10 over TCP with the INVITE in 2 segments,
// 7 mod 10 with a 3-fragment INVITE written 1, 3, 2), and their keys file:
// one identity-bound PSK per caller. Deterministic.
func CallSeries(n int, shape SeriesShape) ([]Generator, []byte, error) {
	if n < 0 || n > MaxSeriesCalls {
		return nil, nil, fmt.Errorf("a series has 0 to %d calls, not %d", MaxSeriesCalls, n)
	}
	b := &framebuild.Builder{}
	gens := make([]Generator, 0, n)
	var keys strings.Builder
	fmt.Fprintf(&keys, "# mikeyscope keys for bench/out/%s.pcap: one MIKEY-PSK per caller identity\n", shape.Name)
	for i := 0; i < n; i++ {
		r := rand.New(rand.NewChaCha8([32]byte{'b', 'e', 'n', 'c', 'h', byte(i), byte(i >> 8), byte(i >> 16)}))
		caller, callee := seriesHost(1, i+1), seriesHost(2, i+1)
		transport := "UDP"
		callerSIP := netip.AddrPortFrom(caller, 5060)
		if i%10 == 3 {
			transport = "TCP"
			callerSIP = netip.AddrPortFrom(caller, uint16(40000+i%20000))
		}
		idi := fmt.Sprintf("sip:caller%04d@bench.example.com", i)
		spec := SIPCallSpec{
			Call: Call{
				CallID: hex.EncodeToString(seriesRand(r, 8)) + "@bench.example.com", Transport: transport,
				Caller: callerSIP, Callee: netip.AddrPortFrom(callee, 5060),
				CallerUser: fmt.Sprintf("caller%04d", i), CalleeUser: fmt.Sprintf("callee%04d", i), Domain: "bench.example.com",
				FromTag: hex.EncodeToString(seriesRand(r, 4)), ToTag: hex.EncodeToString(seriesRand(r, 4)),
				Branch:    "z9hG4bK" + hex.EncodeToString(seriesRand(r, 6)),
				CallerRTP: netip.AddrPortFrom(caller, 20000), CalleeRTP: netip.AddrPortFrom(callee, 30000),
				SessionID: uint64(r.Uint32()), InviteCSeq: 1, ByeSeq: 1,
			},
			Exchange: PSKExchange{
				CSBID: r.Uint32(), Time: SeriesStart.Add(time.Duration(i) * shape.Spacing), Rand: seriesRand(r, 16),
				IDi: idi, IDr: fmt.Sprintf("sip:callee%04d@bench.example.com", i),
				SSRCs: []uint32{r.Uint32(), r.Uint32()}, PSK: seriesRand(r, 16), TGK: seriesRand(r, 16),
			},
			Start:       SeriesStart.Add(time.Duration(i) * shape.Spacing),
			Packets:     shape.Packets,
			FirstSeq:    [2]uint16{uint16(r.Uint32()), uint16(r.Uint32())},
			FirstTS:     [2]uint32{r.Uint32(), r.Uint32()},
			CallerCNAME: "caller@" + caller.String(),
			CalleeCNAME: "callee@" + callee.String(),
		}
		if i%10 == 3 {
			spec.TCPCuts = []int{300}
		}
		if i%10 == 7 {
			spec.InviteBody = seriesBigBody
			spec.InviteFragments = 3
			spec.FragmentOrder = []int{0, 2, 1}
		}
		g, err := NewSIPCallGen(spec, b)
		if err != nil {
			return nil, nil, fmt.Errorf("call %d: %w", i, err)
		}
		gens = append(gens, g)
		fmt.Fprintf(&keys, "psk %s=%s\n", idi, hex.EncodeToString(spec.Exchange.PSK))
	}
	return gens, []byte(keys.String()), nil
}

// seriesBigBody makes an INVITE body that needs IP fragmentation: the SDP
// offer followed by long attribute lines.
func seriesBigBody(offer []byte) (string, []byte) {
	var b strings.Builder
	b.Write(offer)
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&b, "a=x-bench-padding-%02d:this attribute line makes the SDP longer than one Ethernet MTU\r\n", i)
	}
	return "application/sdp", []byte(b.String())
}

// WriteSeriesFiles writes a series of n calls to dir/name.pcap and its
// keys to dir/name.keys, and returns the number of frames written.
func WriteSeriesFiles(dir, name string, n int, shape SeriesShape) (int, error) {
	shape.Name = name
	gens, keys, err := CallSeries(n, shape)
	if err != nil {
		return 0, err
	}
	path := filepath.Join(dir, name+".pcap")
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w, err := pcapwrite.NewWriter(bw, pcapwrite.FormatPcap)
	if err != nil {
		return 0, err
	}
	if err := Write(w, gens, nil); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	return w.Frames(), os.WriteFile(filepath.Join(dir, name+".keys"), keys, 0o600)
}
