package capture

import (
	"errors"
	"net/netip"

	"golang.org/x/net/bpf"
)

// The -f filter is compiled to classic BPF (packet(7), SO_ATTACH_FILTER) so
// that the kernel drops unwanted frames before they are copied into the
// capture ring. The program selects the frames Filter.Match selects, as the
// kernel presents them to an AF_PACKET socket:
//
//   - on an Ethernet socket (SOCK_RAW), from the MAC header, with the
//     outermost VLAN tag removed into the packet's metadata (the live source
//     puts it back before Filter.Match, so the program reads it with the
//     vlan_tci extensions);
//   - on a cooked socket (SOCK_DGRAM: "any" and non-Ethernet interfaces),
//     from the network header; only IPv4 and IPv6 are captured (the frames
//     are delivered as LINKTYPE_RAW).
//
// Where classic BPF cannot follow the Go filter (IPv6 extension header
// chains, whose length it cannot walk, and port tests on datagrams without
// ports, which the Go filter calls unknown: non-initial fragments), the
// program accepts the frame and leaves the verdict to Filter.Match, which
// the live source applies after it. Programs are checked against
// Filter.Match on every sample (filter_bpf_test.go) and against libpcap's
// compiler where tcpdump is installed.

// bpfMode says how the kernel presents frames to the socket.
type bpfMode struct {
	cooked bool // from the network header (SOCK_DGRAM) instead of the MAC header
	// dropOutgoing drops the kernel's outgoing copy of frames sent on the
	// listed interfaces (loopback: every frame is seen twice); allOutgoing
	// drops them on any interface (a socket bound to lo).
	dropOutgoing []uint32
	allOutgoing  bool
	snaplen      uint32
}

// Scratch memory slots of the program.
const (
	mVersion   = iota // 0, 4 or 6
	mNet              // offset of the network header
	mEther            // ethertype after the VLAN tags
	mProto            // IP protocol (IPv6: the first next header)
	mFlags            // flagPorts | flagPortsUnknown | flagProtoUnknown
	mTransport        // offset of the transport header
	mVLANs            // number of VLAN tags (metadata and in the frame)
	mTmp
	mVLANID // maxVLANTags slots of VLAN ids
	mSlots  = mVLANID + maxVLANTags
)

const (
	flagPorts        = 1 // the transport header's ports are in the frame
	flagPortsUnknown = 2 // UDP or TCP without ports (non-initial fragment, truncated), or IPv6 extension headers
	flagProtoUnknown = 4 // IPv6 with extension headers: the protocol is not known to BPF
)

const pktOutgoing = 4 // PACKET_OUTGOING

// bpfMaxInsns is the kernel's limit on a classic BPF program (BPF_MAXINSNS).
const bpfMaxInsns = 4096

// errBPFTooLong says a filter compiles to more instructions than the kernel
// accepts; the caller falls back to a wider program.
var errBPFTooLong = errors.New("capture: filter too long for the kernel")

// label is a forward jump target in a program being assembled.
type label int

// asmInsn is one instruction with symbolic jump targets.
type asmInsn struct {
	ins     bpf.Instruction
	cond    bool // conditional jump: jt, jf are targets
	jump    bool // unconditional jump to jt
	jt, jf  label
	defines []label // labels that name this instruction
}

type bpfAsm struct {
	code    []asmInsn
	pending []label // labels defined at the next instruction
	nlabels int
}

func (a *bpfAsm) newLabel() label { a.nlabels++; return label(a.nlabels) }

// place defines l at the next instruction emitted.
func (a *bpfAsm) place(l label) { a.pending = append(a.pending, l) }

func (a *bpfAsm) emit(ins bpf.Instruction) {
	a.code = append(a.code, asmInsn{ins: ins, defines: a.pending})
	a.pending = nil
}

// jif emits "if A cond val goto yes else goto no".
func (a *bpfAsm) jif(cond bpf.JumpTest, val uint32, yes, no label) {
	a.code = append(a.code, asmInsn{ins: bpf.JumpIf{Cond: cond, Val: val}, cond: true, jt: yes, jf: no, defines: a.pending})
	a.pending = nil
}

// jifX emits "if A cond X goto yes else goto no".
func (a *bpfAsm) jifX(cond bpf.JumpTest, yes, no label) {
	a.code = append(a.code, asmInsn{ins: bpf.JumpIfX{Cond: cond}, cond: true, jt: yes, jf: no, defines: a.pending})
	a.pending = nil
}

func (a *bpfAsm) jmp(to label) {
	a.code = append(a.code, asmInsn{ins: bpf.Jump{}, jump: true, jt: to, defines: a.pending})
	a.pending = nil
}

// resolve turns targets into skips, inserting unconditional jumps
// (trampolines) after conditional ones whose target is beyond the 255
// instructions a conditional jump can skip.
func (a *bpfAsm) resolve() ([]bpf.Instruction, error) {
	if len(a.pending) > 0 {
		return nil, errors.New("capture: bpf: label at the end of the program")
	}
	for {
		pos := map[label]int{}
		for i, in := range a.code {
			for _, l := range in.defines {
				pos[l] = i
			}
		}
		fixed := true
		for i := 0; i < len(a.code) && fixed; i++ {
			in := &a.code[i]
			if !in.cond {
				continue
			}
			for _, t := range []*label{&in.jt, &in.jf} {
				d := pos[*t] - i - 1
				if d < 0 {
					return nil, errors.New("capture: bpf: backward jump")
				}
				if d > 255 {
					tl := a.newLabel()
					tramp := asmInsn{ins: bpf.Jump{}, jump: true, jt: *t, defines: []label{tl}}
					*t = tl
					a.code = append(a.code[:i+1], append([]asmInsn{tramp}, a.code[i+1:]...)...)
					fixed = false
					break
				}
			}
		}
		if !fixed {
			if len(a.code) > bpfMaxInsns {
				return nil, errBPFTooLong
			}
			continue
		}
		if len(a.code) > bpfMaxInsns {
			return nil, errBPFTooLong
		}
		out := make([]bpf.Instruction, len(a.code))
		for i, in := range a.code {
			switch {
			case in.cond:
				jt, jf := uint8(pos[in.jt]-i-1), uint8(pos[in.jf]-i-1)
				switch c := in.ins.(type) {
				case bpf.JumpIf:
					c.SkipTrue, c.SkipFalse = jt, jf
					out[i] = c
				case bpf.JumpIfX:
					c.SkipTrue, c.SkipFalse = jt, jf
					out[i] = c
				}
			case in.jump:
				out[i] = bpf.Jump{Skip: uint32(pos[in.jt] - i - 1)}
			default:
				out[i] = in.ins
			}
		}
		return out, nil
	}
}

// compileBPF compiles f for a socket of the given mode.
func compileBPF(f *Filter, m bpfMode) ([]bpf.RawInstruction, error) {
	prog, err := bpfProgram(f.root, m, true)
	if errors.Is(err, errBPFTooLong) {
		// Only the frame selection the source needs; Filter.Match does
		// the rest in user space.
		prog, err = bpfProgram(trueNode{}, m, false)
	}
	if err != nil {
		return nil, err
	}
	return bpf.Assemble(prog)
}

// bpfProgram builds the program; exact is false for the fallback.
func bpfProgram(root filterNode, m bpfMode, exact bool) ([]bpf.Instruction, error) {
	a := &bpfAsm{}
	accept, reject := a.newLabel(), a.newLabel()
	if m.snaplen == 0 {
		m.snaplen = DefaultSnaplen
	}
	// The outgoing copies on loopback interfaces.
	if m.allOutgoing || len(m.dropOutgoing) > 0 {
		in := a.newLabel()
		a.emit(bpf.LoadExtension{Num: bpf.ExtType})
		if m.allOutgoing {
			a.jif(bpf.JumpEqual, pktOutgoing, reject, in)
		} else {
			out := a.newLabel()
			a.jif(bpf.JumpEqual, pktOutgoing, out, in)
			a.place(out)
			a.emit(bpf.LoadExtension{Num: bpf.ExtInterfaceIndex})
			for i, idx := range m.dropOutgoing {
				next := in
				if i < len(m.dropOutgoing)-1 {
					next = a.newLabel()
				}
				a.jif(bpf.JumpEqual, idx, reject, next)
				if next != in {
					a.place(next)
				}
			}
		}
		a.place(in)
	}
	if _, all := root.(trueNode); all && !m.cooked {
		a.emit(bpf.RetConstant{Val: m.snaplen})
		a.place(accept)
		a.emit(bpf.RetConstant{Val: m.snaplen})
		a.place(reject)
		a.emit(bpf.RetConstant{Val: 0})
		return a.resolve()
	}
	for i := range mSlots {
		a.emit(bpf.LoadConstant{Dst: bpf.RegA, Val: 0})
		a.emit(bpf.StoreScratch{Src: bpf.RegA, N: i})
	}
	ipDecode := a.newLabel()
	if m.cooked {
		cookedPrologue(a, ipDecode, reject)
	} else {
		ethernetPrologue(a, ipDecode)
	}
	body := a.newLabel()
	a.place(ipDecode)
	ipPrologue(a, body)
	a.place(body)
	if exact {
		ports, protos := filterUses(root)
		if ports || protos {
			a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mFlags})
			mask := uint32(0)
			if ports {
				mask |= flagPortsUnknown
			}
			if protos {
				mask |= flagProtoUnknown
			}
			expr := a.newLabel()
			a.jif(bpf.JumpBitsSet, mask, accept, expr)
			a.place(expr)
		}
		genNode(a, root, accept, reject)
	} else {
		a.jmp(accept)
	}
	a.place(accept)
	a.emit(bpf.RetConstant{Val: m.snaplen})
	a.place(reject)
	a.emit(bpf.RetConstant{Val: 0})
	return a.resolve()
}

// filterUses reports whether the expression tests ports, and UDP or TCP.
func filterUses(n filterNode) (ports, protos bool) {
	switch n := n.(type) {
	case *notNode:
		return filterUses(n.n)
	case *andNode:
		p1, q1 := filterUses(n.a)
		p2, q2 := filterUses(n.b)
		return p1 || p2, q1 || q2
	case *orNode:
		p1, q1 := filterUses(n.a)
		p2, q2 := filterUses(n.b)
		return p1 || p2, q1 || q2
	case *protoNode:
		return false, n.proto == "udp" || n.proto == "tcp"
	case *fieldTest:
		isPort := n.kind == "port" || n.kind == "portrange"
		return isPort, isPort || n.proto == "udp" || n.proto == "tcp"
	}
	return false, false
}

func isVLANType(a *bpfAsm, yes, no label) {
	l1, l2 := a.newLabel(), a.newLabel()
	a.jif(bpf.JumpEqual, etherVLAN, yes, l1)
	a.place(l1)
	a.jif(bpf.JumpEqual, etherQinQ, yes, l2)
	a.place(l2)
	a.jif(bpf.JumpEqual, etherQinQv1, yes, no)
}

// ethernetPrologue finds the VLAN tags (the outermost one in the metadata)
// and the network header as filterHeaders.decode does on the frame with
// the tag put back.
func ethernetPrologue(a *bpfAsm, next label) {
	short, meta, noMeta := a.newLabel(), a.newLabel(), a.newLabel()
	a.emit(bpf.LoadExtension{Num: bpf.ExtLen})
	a.jif(bpf.JumpLessThan, 14, short, noMeta)
	a.place(short) // too short for an Ethernet header: nothing is known
	a.jmp(next)
	a.place(noMeta)
	a.emit(bpf.LoadExtension{Num: bpf.ExtVLANTagPresent})
	plain := a.newLabel()
	a.jif(bpf.JumpEqual, 0, plain, meta)
	for c0 := 0; c0 < 2; c0++ {
		if c0 == 0 {
			a.place(plain)
		} else {
			a.place(meta)
			a.emit(bpf.LoadExtension{Num: bpf.ExtVLANTag})
			a.emit(bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0x0fff})
			a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mVLANID})
		}
		for k := 0; ; k++ {
			done := a.newLabel()
			off := uint32(14 + 4*k)
			a.emit(bpf.LoadAbsolute{Off: off - 2, Size: 2})
			a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mEther})
			if c0+k < maxVLANTags {
				tag, lenOK := a.newLabel(), a.newLabel()
				isVLANType(a, tag, done)
				a.place(tag)
				a.emit(bpf.LoadExtension{Num: bpf.ExtLen})
				a.jif(bpf.JumpLessThan, off+4, done, lenOK)
				a.place(lenOK)
				a.emit(bpf.LoadAbsolute{Off: off, Size: 2})
				a.emit(bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0x0fff})
				a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mVLANID + c0 + k})
				nextTag := a.newLabel()
				a.jmp(nextTag)
				a.place(done)
				a.emit(bpf.LoadConstant{Dst: bpf.RegA, Val: off})
				a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mNet})
				a.emit(bpf.LoadConstant{Dst: bpf.RegA, Val: uint32(c0 + k)})
				a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mVLANs})
				a.jmp(next)
				a.place(nextTag)
				continue
			}
			// As many tags as the Go filter reads: the ethertype is
			// whatever follows (a VLAN type is not IP).
			a.emit(bpf.LoadConstant{Dst: bpf.RegA, Val: off})
			a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mNet})
			a.emit(bpf.LoadConstant{Dst: bpf.RegA, Val: uint32(c0 + k)})
			a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mVLANs})
			a.jmp(next)
			break
		}
	}
}

// cookedPrologue: the frame starts at the network header; frames that are
// not IP are not captured. As for LINKTYPE_RAW, the version nibble says
// IPv4 or IPv6.
func cookedPrologue(a *bpfAsm, next, reject label) {
	ip, v6, ver := a.newLabel(), a.newLabel(), a.newLabel()
	notV4 := a.newLabel()
	a.emit(bpf.LoadExtension{Num: bpf.ExtProto})
	a.jif(bpf.JumpEqual, etherIPv4, ip, notV4)
	a.place(notV4)
	a.jif(bpf.JumpEqual, etherIPv6, ip, reject)
	a.place(ip)
	a.emit(bpf.LoadConstant{Dst: bpf.RegA, Val: etherIPv4})
	a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mEther})
	a.emit(bpf.LoadExtension{Num: bpf.ExtLen})
	a.jif(bpf.JumpLessThan, 1, next, ver)
	a.place(ver)
	a.emit(bpf.LoadAbsolute{Off: 0, Size: 1})
	a.emit(bpf.ALUOpConstant{Op: bpf.ALUOpShiftRight, Val: 4})
	a.jif(bpf.JumpEqual, 6, v6, next)
	a.place(v6)
	a.emit(bpf.LoadConstant{Dst: bpf.RegA, Val: etherIPv6})
	a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mEther})
	a.jmp(next)
}

// ipPrologue decodes the IP header at mNet as filterHeaders.decodeIPv4 and
// decodeIPv6 do, into the scratch slots; it continues at next.
func ipPrologue(a *bpfAsm, next label) {
	v4, v6, notV4 := a.newLabel(), a.newLabel(), a.newLabel()
	a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mEther})
	a.jif(bpf.JumpEqual, etherIPv4, v4, notV4)
	a.place(notV4)
	a.jif(bpf.JumpEqual, etherIPv6, v6, next)

	// IPv4: 20 bytes, version 4, IHL >= 5 and within the frame.
	a.place(v4)
	l1, l2, l3, l4 := a.newLabel(), a.newLabel(), a.newLabel(), a.newLabel()
	a.emit(bpf.LoadScratch{Dst: bpf.RegX, N: mNet})
	a.emit(bpf.LoadExtension{Num: bpf.ExtLen})
	a.emit(bpf.ALUOpX{Op: bpf.ALUOpSub})
	a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mTmp}) // bytes from the IP header on
	a.jif(bpf.JumpLessThan, 20, next, l1)
	a.place(l1)
	a.emit(bpf.LoadIndirect{Off: 0, Size: 1})
	a.emit(bpf.ALUOpConstant{Op: bpf.ALUOpShiftRight, Val: 4})
	a.jif(bpf.JumpEqual, 4, l2, next)
	a.place(l2)
	a.emit(bpf.LoadIndirect{Off: 0, Size: 1})
	a.emit(bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0x0f})
	a.emit(bpf.ALUOpConstant{Op: bpf.ALUOpShiftLeft, Val: 2})
	a.jif(bpf.JumpLessThan, 20, next, l3)
	a.place(l3)
	a.emit(bpf.TAX{}) // X = IHL
	a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mTmp})
	a.jifX(bpf.JumpLessThan, next, l4)
	a.place(l4)
	a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mNet})
	a.emit(bpf.ALUOpX{Op: bpf.ALUOpAdd})
	a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mTransport})
	a.emit(bpf.LoadConstant{Dst: bpf.RegA, Val: 4})
	a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mVersion})
	a.emit(bpf.LoadScratch{Dst: bpf.RegX, N: mNet})
	a.emit(bpf.LoadIndirect{Off: 9, Size: 1})
	a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mProto})
	a.emit(bpf.LoadIndirect{Off: 6, Size: 2})
	ports, frag := a.newLabel(), a.newLabel()
	a.jif(bpf.JumpBitsSet, 0x1fff, frag, ports)

	// IPv6: 40 bytes, version 6.
	a.place(v6)
	m1, m2, ext, plain := a.newLabel(), a.newLabel(), a.newLabel(), a.newLabel()
	a.emit(bpf.LoadScratch{Dst: bpf.RegX, N: mNet})
	a.emit(bpf.LoadExtension{Num: bpf.ExtLen})
	a.emit(bpf.ALUOpX{Op: bpf.ALUOpSub})
	a.jif(bpf.JumpLessThan, 40, next, m1)
	a.place(m1)
	a.emit(bpf.LoadIndirect{Off: 0, Size: 1})
	a.emit(bpf.ALUOpConstant{Op: bpf.ALUOpShiftRight, Val: 4})
	a.jif(bpf.JumpEqual, 6, m2, next)
	a.place(m2)
	a.emit(bpf.LoadConstant{Dst: bpf.RegA, Val: 6})
	a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mVersion})
	a.emit(bpf.LoadIndirect{Off: 6, Size: 1})
	a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mProto})
	exts := []uint32{protoHopByHop, protoRouting, protoFragment, protoAH, protoDestOpts, protoMobility, protoHIP, protoShim6}
	for i, e := range exts {
		nx := plain
		if i < len(exts)-1 {
			nx = a.newLabel()
		}
		a.jif(bpf.JumpEqual, e, ext, nx)
		if nx != plain {
			a.place(nx)
		}
	}
	a.place(ext) // the chain is not walked: the protocol and ports are unknown
	a.emit(bpf.LoadConstant{Dst: bpf.RegA, Val: flagPortsUnknown | flagProtoUnknown})
	a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mFlags})
	a.jmp(next)
	a.place(plain)
	a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mNet})
	a.emit(bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 40})
	a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mTransport})
	a.jmp(ports)

	// Ports: UDP or TCP with 4 bytes of transport header in the frame.
	a.place(ports)
	p1, p2, p3, p4 := a.newLabel(), a.newLabel(), a.newLabel(), a.newLabel()
	a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mProto})
	a.jif(bpf.JumpEqual, protoUDP, p1, p2)
	a.place(p2)
	a.jif(bpf.JumpEqual, protoTCP, p1, next)
	a.place(p1)
	a.emit(bpf.LoadScratch{Dst: bpf.RegX, N: mTransport})
	a.emit(bpf.LoadExtension{Num: bpf.ExtLen})
	a.jifX(bpf.JumpLessThan, frag, p3) // transport offset beyond the frame
	a.place(p3)
	a.emit(bpf.ALUOpX{Op: bpf.ALUOpSub})
	a.jif(bpf.JumpLessThan, 4, frag, p4)
	a.place(p4)
	a.emit(bpf.LoadConstant{Dst: bpf.RegA, Val: flagPorts})
	a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mFlags})
	a.jmp(next)
	// No ports in the frame: a UDP or TCP port test is unknown.
	a.place(frag)
	f1, f2 := a.newLabel(), a.newLabel()
	a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mProto})
	a.jif(bpf.JumpEqual, protoUDP, f1, f2)
	a.place(f2)
	a.jif(bpf.JumpEqual, protoTCP, f1, next)
	a.place(f1)
	a.emit(bpf.LoadConstant{Dst: bpf.RegA, Val: flagPortsUnknown})
	a.emit(bpf.StoreScratch{Src: bpf.RegA, N: mFlags})
	a.jmp(next)
}

// genNode emits code that jumps to yes when n holds and to no when not.
func genNode(a *bpfAsm, n filterNode, yes, no label) {
	switch n := n.(type) {
	case trueNode:
		a.jmp(yes)
	case *notNode:
		genNode(a, n.n, no, yes)
	case *andNode:
		mid := a.newLabel()
		genNode(a, n.a, mid, no)
		a.place(mid)
		genNode(a, n.b, yes, no)
	case *orNode:
		mid := a.newLabel()
		genNode(a, n.a, yes, mid)
		a.place(mid)
		genNode(a, n.b, yes, no)
	case *protoNode:
		switch n.proto {
		case "ip":
			a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mVersion})
			a.jif(bpf.JumpEqual, 4, yes, no)
		case "ip6":
			a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mVersion})
			a.jif(bpf.JumpEqual, 6, yes, no)
		default:
			genProto(a, n.proto, yes, no)
		}
	case *vlanNode:
		if n.any {
			a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mVLANs})
			a.jif(bpf.JumpGreaterThan, 0, yes, no)
			return
		}
		for i := range maxVLANTags {
			has, next := a.newLabel(), no
			if i < maxVLANTags-1 {
				next = a.newLabel()
			}
			a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mVLANs})
			a.jif(bpf.JumpGreaterThan, uint32(i), has, no)
			a.place(has)
			a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mVLANID + i})
			a.jif(bpf.JumpEqual, uint32(n.id), yes, next)
			if next != no {
				a.place(next)
			}
		}
	case *fieldTest:
		genField(a, n, yes, no)
	}
}

// genProto: "udp" or "tcp" (an IP packet of that protocol).
func genProto(a *bpfAsm, proto string, yes, no label) {
	ip := a.newLabel()
	a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mVersion})
	a.jif(bpf.JumpEqual, 0, no, ip)
	a.place(ip)
	a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mProto})
	v := uint32(protoUDP)
	if proto == "tcp" {
		v = protoTCP
	}
	a.jif(bpf.JumpEqual, v, yes, no)
}

func genField(a *bpfAsm, t *fieldTest, yes, no label) {
	ok := a.newLabel()
	a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mVersion})
	switch t.proto {
	case "ip":
		a.jif(bpf.JumpEqual, 4, ok, no)
	case "ip6":
		a.jif(bpf.JumpEqual, 6, ok, no)
	case "udp", "tcp":
		ip := a.newLabel()
		a.jif(bpf.JumpEqual, 0, no, ip)
		a.place(ip)
		genProto(a, t.proto, ok, no)
	default:
		a.jif(bpf.JumpEqual, 0, no, ok)
	}
	a.place(ok)
	src := func(y, n label) { genAddr(a, t.net, 12, y, n) }
	dst := func(y, n label) { genAddr(a, t.net, 16, y, n) }
	if t.kind == "port" || t.kind == "portrange" {
		udp, tcp, has := a.newLabel(), a.newLabel(), a.newLabel()
		a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mProto})
		a.jif(bpf.JumpEqual, protoUDP, udp, tcp)
		a.place(tcp)
		a.jif(bpf.JumpEqual, protoTCP, udp, no)
		a.place(udp)
		// Without ports the program accepted the frame already (unknown).
		a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mFlags})
		a.jif(bpf.JumpBitsSet, flagPorts, has, no)
		a.place(has)
		src = func(y, n label) { genPort(a, 0, t.lo, t.hi, y, n) }
		dst = func(y, n label) { genPort(a, 2, t.lo, t.hi, y, n) }
	}
	switch t.dir {
	case dirSrc:
		src(yes, no)
	case dirDst:
		dst(yes, no)
	case dirBoth:
		mid := a.newLabel()
		src(mid, no)
		a.place(mid)
		dst(yes, no)
	default:
		mid := a.newLabel()
		src(yes, mid)
		a.place(mid)
		dst(yes, no)
	}
}

// genPort tests the port at off in the transport header against lo-hi.
func genPort(a *bpfAsm, off uint32, lo, hi uint16, yes, no label) {
	a.emit(bpf.LoadScratch{Dst: bpf.RegX, N: mTransport})
	a.emit(bpf.LoadIndirect{Off: off, Size: 2})
	if lo == hi {
		a.jif(bpf.JumpEqual, uint32(lo), yes, no)
		return
	}
	above := a.newLabel()
	a.jif(bpf.JumpGreaterOrEqual, uint32(lo), above, no)
	a.place(above)
	a.jif(bpf.JumpGreaterThan, uint32(hi), no, yes)
}

// genAddr tests the address at off in the IP header (12 source, 16
// destination; IPv6 8 and 24) against the prefix.
func genAddr(a *bpfAsm, pfx netip.Prefix, off uint32, yes, no label) {
	fam := a.newLabel()
	a.emit(bpf.LoadScratch{Dst: bpf.RegA, N: mVersion})
	want, words := uint32(4), 1
	if pfx.Addr().Is6() {
		want, words = 6, 4
		off = 8 + (off-12)*4 // 12 -> 8, 16 -> 24
	}
	a.jif(bpf.JumpEqual, want, fam, no)
	a.place(fam)
	a.emit(bpf.LoadScratch{Dst: bpf.RegX, N: mNet})
	addr := pfx.Addr().AsSlice()
	bits := pfx.Bits()
	for w := range words {
		wb := min(max(bits-32*w, 0), 32)
		if wb == 0 {
			break
		}
		next := yes
		if w < words-1 && bits > 32*(w+1) {
			next = a.newLabel()
		}
		val := uint32(addr[4*w])<<24 | uint32(addr[4*w+1])<<16 | uint32(addr[4*w+2])<<8 | uint32(addr[4*w+3])
		a.emit(bpf.LoadIndirect{Off: off + uint32(4*w), Size: 4})
		if wb < 32 {
			mask := ^uint32(0) << (32 - wb)
			a.emit(bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: mask})
			val &= mask
		}
		a.jif(bpf.JumpEqual, val, next, no)
		if next != yes {
			a.place(next)
		} else {
			return
		}
	}
	a.jmp(yes) // a /0 prefix
}
