package capture

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/bpf"
)

// kernelFrame is a frame as the kernel presents it to an AF_PACKET socket,
// with the metadata the program reads through extensions, and the frame the
// live source hands Filter.Match.
type kernelFrame struct {
	name    string
	data    []byte // what the BPF program sees
	meta    map[bpf.Extension]uint32
	goFrame Packet // what Filter.Match sees; nil Data: never delivered
	net     []byte // the IP packet, for the widening check
}

// ethernetKernelFrame removes an outer 802.1Q/802.1ad tag into the
// metadata, as the receive path does (skb_vlan_untag) before the taps.
func ethernetKernelFrame(name string, b []byte) kernelFrame {
	k := kernelFrame{name: name, data: b, meta: map[bpf.Extension]uint32{bpf.ExtType: 0}}
	goData := b
	if len(b) >= 18 {
		if et := binary.BigEndian.Uint16(b[12:]); et == etherVLAN || et == etherQinQ {
			tci := binary.BigEndian.Uint16(b[14:])
			k.data = append(append([]byte(nil), b[:12]...), b[16:]...)
			k.meta[bpf.ExtVLANTagPresent] = 1
			k.meta[bpf.ExtVLANTag] = uint32(tci)
			// The live source puts the tag back (TPID 802.1Q, the id).
			buf := make([]byte, 4+len(k.data))
			copy(buf[4:], k.data)
			start := insertVLAN(buf, 4, len(buf), etherVLAN, tci&0x0fff)
			goData = buf[start:]
		}
	}
	k.goFrame = Packet{LinkType: LinkTypeEthernet, Data: goData}
	k.net = netLayer(LinkTypeEthernet, goData)
	return k
}

// cookedKernelFrame is the frame on a SOCK_DGRAM socket: from the network
// header, the protocol in the metadata; only IP is delivered (as RAW).
func cookedKernelFrame(name string, proto uint16, net []byte) kernelFrame {
	k := kernelFrame{name: name + "/cooked", data: net, net: net,
		meta: map[bpf.Extension]uint32{bpf.ExtProto: uint32(proto), bpf.ExtType: 0}}
	if proto == etherIPv4 || proto == etherIPv6 {
		k.goFrame = Packet{LinkType: LinkTypeRaw, Data: net}
	}
	return k
}

// netLayer returns the bytes after the link header and VLAN tags, nil when
// not IP.
func netLayer(link LinkType, b []byte) []byte {
	var h filterHeaders
	h.decode(link, b)
	switch link {
	case LinkTypeEthernet:
		off := 14
		for len(b) >= off && binary.BigEndian.Uint16(b[off-2:]) != etherIPv4 && binary.BigEndian.Uint16(b[off-2:]) != etherIPv6 && len(b) >= off+4 {
			off += 4
		}
		return b[min(off, len(b)):]
	case LinkTypeLinuxSLL:
		return b[min(16, len(b)):]
	case LinkTypeRaw:
		return b
	}
	return nil
}

// disassembled caches the instructions of the programs under test.
var disassembled = map[*bpf.RawInstruction]struct {
	prog []bpf.RawInstruction
	dis  []bpf.Instruction
}{}

// runBPF runs a program over a frame with x/net/bpf's VM, the extensions
// the VM lacks read from the metadata as constants.
func runBPF(t *testing.T, prog []bpf.RawInstruction, k kernelFrame) bool {
	t.Helper()
	c, ok := disassembled[&prog[0]]
	if !ok {
		c.prog = prog // kept alive, so its address names it alone
		for _, r := range prog {
			c.dis = append(c.dis, r.Disassemble())
		}
		disassembled[&prog[0]] = c
	}
	dis := c.dis
	ins := make([]bpf.Instruction, len(dis))
	for i, in := range dis {
		if e, ok := in.(bpf.LoadExtension); ok && e.Num != bpf.ExtLen {
			in = bpf.LoadConstant{Dst: bpf.RegA, Val: k.meta[e.Num]}
		}
		ins[i] = in
	}
	vm, err := bpf.NewVM(ins)
	if err != nil {
		t.Fatalf("vm: %v", err)
	}
	n, err := vm.Run(k.data)
	if err != nil {
		t.Fatalf("vm run: %v", err)
	}
	return n > 0
}

// widened says whether classic BPF cannot decide a frame exactly: IPv6
// with an extension header, or UDP/TCP without ports in the frame (a
// non-initial fragment, a truncated header). Written from the RFCs, not
// from filterHeaders.
func widened(ip []byte) bool {
	switch {
	case len(ip) >= 40 && ip[0]>>4 == 6:
		switch ip[6] {
		case 0, 43, 44, 51, 60, 135, 139, 140:
			return true
		}
		return (ip[6] == 6 || ip[6] == 17) && len(ip) < 44
	case len(ip) >= 20 && ip[0]>>4 == 4:
		ihl := int(ip[0]&15) * 4
		frag := binary.BigEndian.Uint16(ip[6:])&0x1fff != 0
		return (ip[9] == 6 || ip[9] == 17) && (frag || len(ip) < ihl+4)
	}
	return false
}

// sampleFrames reads every frame of every sample, and variants: tagged
// once and twice, truncated, and as a cooked socket shows them.
func sampleFrames(t *testing.T) []kernelFrame {
	t.Helper()
	var paths []string
	for _, pat := range []string{"../samples/*.pcap*", "../samples/*/*.pcap*"} {
		m, _ := filepath.Glob(pat)
		paths = append(paths, m...)
	}
	if len(paths) < 10 {
		t.Fatalf("found %d samples", len(paths))
	}
	rng := rand.New(rand.NewSource(1))
	var out []kernelFrame
	for _, path := range paths {
		pkts := readFiles(t, path)
		// Every frame of the small samples; of the large ones a seeded
		// choice (most of them are alike media packets).
		if len(pkts) > 300 {
			rng.Shuffle(len(pkts), func(i, j int) { pkts[i], pkts[j] = pkts[j], pkts[i] })
			pkts = pkts[:300]
		}
		for i, p := range pkts {
			name := fmt.Sprintf("%s#%d", filepath.Base(path), i+1)
			net := netLayer(p.LinkType, p.Data)
			if p.LinkType == LinkTypeEthernet {
				out = append(out, ethernetKernelFrame(name, p.Data))
				tagged := withTag(p.Data, etherVLAN, uint16(100+i%3))
				out = append(out, ethernetKernelFrame(name+"/vlan", tagged))
				out = append(out, ethernetKernelFrame(name+"/qinq", withTag(tagged, etherQinQ, 7)))
				out = append(out, ethernetKernelFrame(name+"/cut", p.Data[:rng.Intn(len(p.Data)+1)]))
				out = append(out, ethernetKernelFrame(name+"/vlan-cut", tagged[:rng.Intn(len(tagged)+1)]))
			}
			if net != nil {
				proto := uint16(etherIPv4)
				if len(net) > 0 && net[0]>>4 == 6 {
					proto = etherIPv6
				}
				out = append(out, cookedKernelFrame(name, proto, net))
				out = append(out, cookedKernelFrame(name+"/cut", proto, net[:rng.Intn(len(net)+1)]))
			}
		}
	}
	// Something that is not IP on a cooked socket.
	out = append(out, cookedKernelFrame("arp", 0x0806, make([]byte, 28)))
	return out
}

// withTag inserts a VLAN tag after the MAC addresses.
func withTag(b []byte, tpid, id uint16) []byte {
	if len(b) < 14 {
		return b
	}
	out := append([]byte(nil), b[:12]...)
	out = binary.BigEndian.AppendUint16(out, tpid)
	out = binary.BigEndian.AppendUint16(out, id)
	return append(out, b[12:]...)
}

// sampleFilters returns fixed expressions and random ones built from the
// addresses and ports of the frames.
func sampleFilters(frames []kernelFrame) []string {
	exprs := []string{
		"", "udp", "tcp", "ip", "ip6", "vlan", "vlan 101", "not vlan", "port 5060", "udp port 5060",
		"tcp port 5060", "not port 5060", "portrange 1024-65535", "src port 5060", "dst portrange 1-1023",
		"net 0.0.0.0/0", "net ::/0", "ip6 net 2001:db8::/32", "not ip and not ip6", "udp and not port 5060",
		"src and dst net 192.0.2.0/24", "vlan 7 and vlan 100", "tcp or vlan 102",
	}
	rng := rand.New(rand.NewSource(2))
	var addrs []string
	var ports []string
	for _, k := range frames {
		var h filterHeaders
		h.decode(k.goFrame.LinkType, k.goFrame.Data)
		if h.version != 0 && len(addrs) < 400 && rng.Intn(20) == 0 {
			addrs = append(addrs, h.src.String(), h.dst.String())
		}
		if h.hasPorts && len(ports) < 400 && rng.Intn(20) == 0 {
			ports = append(ports, strconv.Itoa(int(h.sport)), strconv.Itoa(int(h.dport)))
		}
	}
	var prim func(depth int) string
	prim = func(depth int) string {
		if depth < 3 && rng.Intn(3) == 0 {
			ops := []string{" and ", " or ", " && ", " || "}
			e := "(" + prim(depth+1) + ops[rng.Intn(len(ops))] + prim(depth+1) + ")"
			if rng.Intn(4) == 0 {
				e = "not " + e
			}
			return e
		}
		protos := []string{"", "", "udp ", "tcp ", "ip ", "ip6 "}
		dirs := []string{"", "src ", "dst ", "src or dst ", "src and dst "}
		switch rng.Intn(6) {
		case 0:
			return []string{"udp", "tcp", "ip", "ip6", "vlan", "vlan 100"}[rng.Intn(6)]
		case 1, 2:
			if len(addrs) == 0 {
				return "udp"
			}
			a := netip.MustParseAddr(addrs[rng.Intn(len(addrs))])
			p := protos[rng.Intn(len(protos))]
			if a.Is4() && p == "ip6 " || a.Is6() && p == "ip " {
				p = ""
			}
			if rng.Intn(2) == 0 {
				bits := rng.Intn(a.BitLen() + 1)
				return p + dirs[rng.Intn(len(dirs))] + "net " + netip.PrefixFrom(a, bits).Masked().String()
			}
			return p + dirs[rng.Intn(len(dirs))] + "host " + a.String()
		default:
			if len(ports) == 0 {
				return "tcp"
			}
			p := protos[rng.Intn(4)]
			if rng.Intn(3) == 0 {
				lo, _ := strconv.Atoi(ports[rng.Intn(len(ports))])
				return p + dirs[rng.Intn(len(dirs))] + fmt.Sprintf("portrange %d-%d", lo, lo+rng.Intn(200))
			}
			return p + dirs[rng.Intn(len(dirs))] + "port " + ports[rng.Intn(len(ports))]
		}
	}
	for range 80 {
		exprs = append(exprs, prim(0))
	}
	return exprs
}

// TestBPFMatchesFilter: the kernel program of every filter selects the
// frames Filter.Match selects, on every sample's frames as the kernel
// presents them, except that frames BPF cannot decide are kept for the Go
// filter (never dropped).
func TestBPFMatchesFilter(t *testing.T) {
	frames := sampleFrames(t)
	exprs := sampleFilters(frames)
	var total, wide int
	for _, expr := range exprs {
		f, err := CompileFilter(expr)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		ports, protos := filterUses(f.root)
		progs := map[bool][]bpf.RawInstruction{}
		for _, cooked := range []bool{false, true} {
			prog, err := compileBPF(f, bpfMode{cooked: cooked})
			if err != nil {
				t.Fatalf("%q: %v", expr, err)
			}
			progs[cooked] = prog
		}
		matched := 0
		for _, k := range frames {
			_, cooked := k.meta[bpf.ExtProto]
			kernel := runBPF(t, progs[cooked], k)
			want := k.goFrame.Data != nil && f.Match(&k.goFrame)
			total++
			if want {
				matched++
			}
			switch {
			case kernel == want:
			case want && !kernel:
				t.Errorf("%q drops %s, which the Go filter keeps", expr, k.name)
			case !(ports || protos) || !widened(k.net):
				t.Errorf("%q keeps %s, which the Go filter drops", expr, k.name)
			default:
				wide++
			}
		}
		if expr == "udp" && (matched == 0 || matched == len(frames)) {
			t.Errorf("udp matched %d of %d frames", matched, len(frames))
		}
	}
	t.Logf("%d filters x %d frames: %d verdicts, %d widened for the Go filter", len(exprs), len(frames), total, wide)
}

// TestBPFOutgoing: the kernel's outgoing copies on loopback are dropped.
func TestBPFOutgoing(t *testing.T) {
	f, _ := CompileFilter("udp")
	frame := ethernetKernelFrame("udp", ethernet(ipUDP(t, "127.0.0.1", 1, "127.0.0.1", 2, []byte("x"))))
	for _, tc := range []struct {
		mode    bpfMode
		pkttype uint32
		ifindex uint32
		want    bool
	}{
		{bpfMode{allOutgoing: true}, 0, 1, true},
		{bpfMode{allOutgoing: true}, pktOutgoing, 1, false},
		{bpfMode{dropOutgoing: []uint32{1, 5}}, pktOutgoing, 5, false},
		{bpfMode{dropOutgoing: []uint32{1, 5}}, pktOutgoing, 2, true},
		{bpfMode{dropOutgoing: []uint32{1, 5}}, 0, 1, true},
	} {
		for _, filter := range []*Filter{f, {root: trueNode{}}} {
			prog, err := compileBPF(filter, tc.mode)
			if err != nil {
				t.Fatal(err)
			}
			frame.meta[bpf.ExtType], frame.meta[bpf.ExtInterfaceIndex] = tc.pkttype, tc.ifindex
			if got := runBPF(t, prog, frame); got != tc.want {
				t.Errorf("%+v type %d if %d: %v, want %v", tc.mode, tc.pkttype, tc.ifindex, got, tc.want)
			}
		}
	}
}

// TestBPFLongFilter: a filter too long for the kernel falls back to a
// program that keeps every frame for the Go filter; far jumps go through
// trampolines.
func TestBPFLongFilter(t *testing.T) {
	var terms []string
	for i := range 300 {
		terms = append(terms, fmt.Sprintf("host 10.0.%d.%d", i/250, i%250))
	}
	for _, n := range []int{40, 300} {
		f, err := CompileFilter(strings.Join(terms[:n], " or "))
		if err != nil {
			t.Fatal(err)
		}
		prog, err := compileBPF(f, bpfMode{})
		if err != nil {
			t.Fatal(err)
		}
		k := ethernetKernelFrame("x", ethernet(ipUDP(t, "10.0.0.39", 1, "192.0.2.1", 2, nil)))
		if !runBPF(t, prog, k) {
			t.Errorf("%d hosts: the frame of the 40th is dropped (%d instructions)", n, len(prog))
		}
		k = ethernetKernelFrame("y", ethernet(ipUDP(t, "192.0.2.9", 1, "192.0.2.1", 2, nil)))
		if runBPF(t, prog, k) != (n == 300) {
			t.Errorf("%d hosts, %d instructions: another host's frame kept %v", n, len(prog), n != 300)
		}
	}
}

// TestBPFAgainstTcpdump: on Ethernet frames without VLAN tags, fragments
// or IPv6 extension headers (where libpcap's semantics differ from the
// subset's: it drops fragments on port tests), our program and libpcap's
// (tcpdump -ddd) give the same verdict on every sample frame.
func TestBPFAgainstTcpdump(t *testing.T) {
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump is not installed (apt-get install tcpdump)")
	}
	var frames []kernelFrame
	for _, k := range sampleFrames(t) {
		if k.goFrame.LinkType != LinkTypeEthernet || k.meta[bpf.ExtVLANTagPresent] != 0 || strings.Contains(k.name, "/") || widened(k.net) {
			continue
		}
		if et := binary.BigEndian.Uint16(k.data[12:]); et == etherVLAN || et == etherQinQ || et == etherQinQv1 {
			continue
		}
		frames = append(frames, k)
	}
	exprs := []string{"udp", "tcp", "ip", "ip6", "port 5060", "udp port 5060", "not port 5060", "portrange 1024-65535",
		"src port 5060", "dst portrange 1-1023", "tcp or udp port 5060"}
	for _, e := range sampleFilters(frames)[23:83] {
		if !strings.Contains(e, "vlan") {
			exprs = append(exprs, e)
		}
	}
	compared := 0
	for _, expr := range exprs {
		out, err := exec.Command(tcpdump, "-i", "lo", "-ddd", expr).Output()
		if err != nil {
			t.Logf("tcpdump -ddd %q: %v (skipped)", expr, err)
			continue
		}
		theirs := parseDDD(t, string(out))
		f, err := CompileFilter(expr)
		if err != nil {
			t.Fatal(err)
		}
		ours, err := compileBPF(f, bpfMode{})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range frames {
			a, b := runBPF(t, ours, k), runBPF(t, theirs, k)
			if a != b {
				t.Errorf("%q on %s: ours %v, libpcap's %v", expr, k.name, a, b)
			}
			compared++
		}
	}
	if compared == 0 {
		t.Fatal("nothing compared")
	}
	t.Logf("%d verdicts compared with libpcap's programs", compared)
}

// parseDDD reads tcpdump -ddd output: a count, then "code jt jf k" lines.
func parseDDD(t *testing.T, s string) []bpf.RawInstruction {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	var prog []bpf.RawInstruction
	for _, l := range lines[1:] {
		var op, jt, jf, k uint32
		if _, err := fmt.Sscanf(l, "%d %d %d %d", &op, &jt, &jf, &k); err != nil {
			t.Fatalf("tcpdump -ddd line %q: %v", l, err)
		}
		prog = append(prog, bpf.RawInstruction{Op: uint16(op), Jt: uint8(jt), Jf: uint8(jf), K: k})
	}
	return prog
}
