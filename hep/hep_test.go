package hep

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The sip-udp-psk sample's INVITE as sngrep 1.6 sent it (sngrep -I
// samples/sip-udp-psk.pcap -H udp:127.0.0.1:PORT, eep.send.id 4660,
// eep.send.pass s3cret; and eep.send.version 2 with the default id 2002).
func TestParseSngrep(t *testing.T) {
	src := netip.MustParseAddrPort("192.0.2.10:5060")
	dst := netip.MustParseAddrPort("198.51.100.20:5060")
	when := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		file     string
		version  int
		agent    uint32
		quirk    bool
		auth     string
		hasTime  bool
		protocol uint8
	}{
		{"sngrep-v3-id4660-pass.bin", 3, 4660, true, "s3cret", true, 17},
		{"sngrep-v2.bin", 2, 2002, false, "", true, 17},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			var p Packet
			if err := Parse(b, &p); err != nil {
				t.Fatal(err)
			}
			if p.Version != tc.version || p.Src != src || p.Dst != dst || p.IPProto != tc.protocol || p.ProtoType != ProtoSIP {
				t.Errorf("got v%d %s -> %s proto %d type %d", p.Version, p.Src, p.Dst, p.IPProto, p.ProtoType)
			}
			if !p.Time.Equal(when) {
				t.Errorf("time %s, want %s", p.Time, when)
			}
			if !p.HasAgent || p.Agent != tc.agent || p.AgentQuirk != tc.quirk {
				t.Errorf("agent %d (quirk %v), want %d (quirk %v)", p.Agent, p.AgentQuirk, tc.agent, tc.quirk)
			}
			if string(p.AuthKey) != tc.auth {
				t.Errorf("auth key %q, want %q", p.AuthKey, tc.auth)
			}
			if !bytes.HasPrefix(p.Payload, []byte("INVITE sip:bob@example.com SIP/2.0\r\n")) || !bytes.Contains(p.Payload, []byte("a=key-mgmt:mikey ")) {
				t.Errorf("payload %.60q", p.Payload)
			}
			if !bytes.Equal(b[len(b)-len(p.Payload):], p.Payload) {
				t.Error("payload is not the packet's tail")
			}
		})
	}
}

func samplePacket(v6 bool) Packet {
	p := Packet{
		Version: 3, IPProto: 6, ProtoType: ProtoSIP,
		Src: netip.MustParseAddrPort("10.0.0.1:5061"), Dst: netip.MustParseAddrPort("10.0.0.2:5060"),
		Time:  time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC),
		Agent: 0x01020304, HasAgent: true,
		AuthKey: []byte("key"), Payload: []byte("OPTIONS sip:x SIP/2.0\r\n\r\n"),
		CorrelationID: []byte("call-1"), NodeName: []byte("sbc-east"),
	}
	p.Family = 2
	if v6 {
		p.Family = 10
		p.Src = netip.MustParseAddrPort("[2001:db8::1]:5061")
		p.Dst = netip.MustParseAddrPort("[2001:db8::2]:5060")
	}
	return p
}

func TestRoundTrip(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		p := samplePacket(v6)
		b, err := Append(nil, &p)
		if err != nil {
			t.Fatal(err)
		}
		var q Packet
		if err := Parse(b, &q); err != nil {
			t.Fatal(err)
		}
		p.Chunks = 14
		p.PayloadOffset = len(b) - len(p.Payload) - 6 - len(p.CorrelationID) - 6 - len(p.NodeName)
		if !reflect.DeepEqual(p, q) {
			t.Errorf("v6=%v:\n got %+v\nwant %+v", v6, q, p)
		}
	}
	// An agent id with zero low bits is read as sngrep's quirk.
	p := samplePacket(false)
	p.Agent, p.AgentQuirk = 2002, true
	b, _ := Append(nil, &p)
	var q Packet
	if err := Parse(b, &q); err != nil || q.Agent != 2002 || !q.AgentQuirk {
		t.Errorf("quirk: %v %d %v", err, q.Agent, q.AgentQuirk)
	}
	// A second agent id chunk without the quirk replaces the first one
	// and its quirk (found by FuzzParse: the quirk stayed, and the packet
	// re-encoded with the id shifted out).
	p.Agent, p.AgentQuirk = 0x12345678, false
	b = append(b[:len(b):len(b)], 0, 0, 0, ChunkAgentID, 0, 10, 0x12, 0x34, 0x56, 0x78)
	b[4], b[5] = byte(len(b)>>8), byte(len(b))
	if err := Parse(b, &q); err != nil || q.Agent != 0x12345678 || q.AgentQuirk {
		t.Errorf("second agent chunk: %v %#x quirk %v", err, q.Agent, q.AgentQuirk)
	}
	if c, err := Append(nil, &q); err != nil || Parse(c, &p) != nil || p.Agent != 0x12345678 {
		t.Errorf("second agent chunk re-encoded: %v %#x", err, p.Agent)
	}
}

// chunkAt returns the offset of the first chunk of type typ in b.
func chunkAt(b []byte, typ uint16) int {
	for off := 6; off+6 <= len(b); {
		if int(b[off+2])<<8|int(b[off+3]) == int(typ) {
			return off
		}
		off += int(b[off+4])<<8 | int(b[off+5])
	}
	return -1
}

func TestParseErrors(t *testing.T) {
	p := samplePacket(false)
	good, _ := Append(nil, &p)
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "not a HEP packet"},
		{"magic", []byte("HEP4\x00\x06"), "not a HEP packet"},
		{"short header", []byte("HEP3\x00"), "needs 6 bytes"},
		{"total below 6", []byte("HEP3\x00\x05"), "below 6"},
		{"total longer", good[:len(good)-1], "total length"},
		{"trailing", append(bytes.Clone(good), 0), "total length"},
		{"chunk header cut", mod(func(b []byte) []byte {
			b = append(b, 0, 0, 0)
			b[4], b[5] = byte(len(b)>>8), byte(len(b))
			return b
		}), "chunk header needs 6"},
		{"chunk length 5", mod(func(b []byte) []byte { b[11] = 5; return b }), "below 6"},
		{"chunk past end", mod(func(b []byte) []byte { o := chunkAt(b, ChunkPayload); b[o+4] = 0xff; return b }), "runs past"},
		{"family 3 bytes", mod(func(b []byte) []byte {
			o := chunkAt(b, ChunkSrcPort)
			b[o+5] = 9 // 3-byte port chunk swallows a byte of the next chunk header
			return b
		}), "holds 3 bytes"},
		{"usec", mod(func(b []byte) []byte {
			o := chunkAt(b, ChunkTimeUsec)
			copy(b[o+6:], []byte{0, 0x0f, 0x42, 0x40})
			return b
		}), "microseconds"},
		{"family mismatch", mod(func(b []byte) []byte { b[chunkAt(b, ChunkIPFamily)+6] = 10; return b }), "IP family 10 but IPv4"},
		{"v1 short", []byte{1, 16, 2, 17, 0, 1}, "needs 16 bytes"},
		{"v2 short", append([]byte{2, 28, 2, 17}, make([]byte, 20)...), "needs 28 bytes"},
		{"v2 family", []byte{2, 28, 7, 17, 0, 0}, "address family 7"},
	} {
		var q Packet
		err := Parse(tc.b, &q)
		var he *Error
		if err == nil || !errors.As(err, &he) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	// A keep-alive (no payload) is well formed: ErrNoPayload with the
	// fields read.
	p.Payload = nil
	b, _ := Append(nil, &p)
	b = b[:chunkAt(b, ChunkPayload)]
	b[4], b[5] = byte(len(b)>>8), byte(len(b))
	var q Packet
	if err := Parse(b, &q); err != ErrNoPayload || q.Agent != p.Agent {
		t.Errorf("keep-alive: %v, agent %d", err, q.Agent)
	}
}

func TestParseV1(t *testing.T) {
	b := []byte{1, 16, 2, 17, 0x13, 0xc4, 0x13, 0xc5, 10, 0, 0, 1, 10, 0, 0, 2}
	b = append(b, "BYE sip:x SIP/2.0\r\n\r\n"...)
	var p Packet
	if err := Parse(b, &p); err != nil {
		t.Fatal(err)
	}
	if p.Version != 1 || p.Src.String() != "10.0.0.1:5060" || p.Dst.String() != "10.0.0.2:5061" || !p.Time.IsZero() || p.HasAgent || string(p.Payload[:3]) != "BYE" {
		t.Errorf("%+v", p)
	}
}

// stream is three packets with junk before, between and after.
func stream(t *testing.T) ([]byte, [][]byte) {
	var want [][]byte
	s := []byte("junkHE")
	for i, n := range []int{0, 300, 1200} {
		p := samplePacket(i == 1)
		p.Payload = bytes.Repeat([]byte{'a' + byte(i)}, n)
		b, err := Append(nil, &p)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, b)
		s = append(s, b...)
		if i == 1 {
			s = append(s, "HEP3\x00\x02xx"...) // a bad length: skipped
		}
	}
	return append(s, "HEP"...), want
}

func collect(f *Framer, pieces ...[]byte) [][]byte {
	var got [][]byte
	for _, p := range pieces {
		f.Write(p, func(b []byte) { got = append(got, bytes.Clone(b)) })
	}
	return got
}

// TestFramerSplits cuts the stream at every byte boundary, and feeds it a
// byte at a time: the same packets come out every time.
func TestFramerSplits(t *testing.T) {
	s, want := stream(t)
	for cut := 0; cut <= len(s); cut++ {
		var f Framer
		got := collect(&f, s[:cut], s[cut:])
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("cut at %d: %d packets, want %d", cut, len(got), len(want))
		}
		if f.Buffered() != 3 || f.Skipped != 6+8 {
			t.Fatalf("cut at %d: buffered %d skipped %d", cut, f.Buffered(), f.Skipped)
		}
	}
	var f Framer
	var pieces [][]byte
	for i := range s {
		pieces = append(pieces, s[i:i+1])
	}
	if got := collect(&f, pieces...); !reflect.DeepEqual(got, want) {
		t.Fatalf("byte at a time: %d packets", len(got))
	}
	for _, b := range want {
		var p Packet
		if err := Parse(b, &p); err != nil {
			t.Error(err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"sngrep-v3-id4660-pass.bin", "sngrep-v2.bin"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, v6 := range []bool{false, true} {
		p := samplePacket(v6)
		b, _ := Append(nil, &p)
		f.Add(b)
	}
	f.Add([]byte("HEP3\x00\x06"))
	f.Add([]byte{1, 16, 10, 6})
	// Compressed payloads (chunk 0x0010) as captagent (zlib) and OpenSIPS
	// (gzip) send them are in testdata/fuzz/FuzzParse (made by python3's
	// zlib: TestFuzzParseCorpus).
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Packet
		err := Parse(b, &p)
		if err != nil && err != ErrNoPayload {
			return
		}
		if len(p.Payload) > len(b) || len(p.AuthKey) > len(b) || len(p.NodeName) > len(b) {
			t.Fatal("a field longer than the packet")
		}
		if err == nil && p.Compressed {
			c := p
			var z Inflater
			ierr := c.Inflate(&z)
			var e *Error
			switch {
			case ierr == nil && (len(c.Payload) > MaxInflated || c.Format == FormatNone):
				t.Fatalf("inflated %d bytes, format %s", len(c.Payload), c.Format)
			case ierr != nil && (!errors.As(ierr, &e) || e.Offset < c.PayloadOffset || e.Offset > len(b)):
				t.Fatalf("inflate error %v outside the payload at %d of %d", ierr, c.PayloadOffset, len(b))
			}
		}
		if p.Version == 3 && p.Src.IsValid() && err == nil {
			// What decodes re-encodes to a packet that decodes the same.
			c, aerr := Append(nil, &p)
			if aerr != nil {
				return
			}
			var q Packet
			if err := Parse(c, &q); err != nil {
				t.Fatalf("re-encoded packet: %v", err)
			}
			if q.Src != p.Src || q.Dst != p.Dst || !bytes.Equal(q.Payload, p.Payload) || q.Agent != p.Agent || !q.Time.Equal(p.Time) {
				t.Fatalf("re-encoded packet differs: %+v vs %+v", q, p)
			}
		}
	})
}

func FuzzFramer(f *testing.F) {
	s, _ := stream(&testing.T{})
	f.Add(s, uint16(7))
	f.Add([]byte("HEP3\x00\x06HEP3\x00\x07x"), uint16(1))
	f.Fuzz(func(t *testing.T, s []byte, step uint16) {
		if len(s) > 1<<17 {
			return // two packets' worth is enough; larger inputs only slow the search
		}
		n := int(step%512) + 1
		var one, pieces Framer
		whole := collect(&one, s)
		var parts [][]byte
		for i := 0; i < len(s); i += n {
			parts = append(parts, s[i:min(i+n, len(s))])
		}
		split := collect(&pieces, parts...)
		if !reflect.DeepEqual(whole, split) {
			t.Fatalf("%d packets whole, %d in pieces of %d", len(whole), len(split), n)
		}
		total := uint64(one.Buffered()) + one.Skipped
		for _, b := range whole {
			if string(b[:4]) != "HEP3" || int(b[4])<<8|int(b[5]) != len(b) {
				t.Fatalf("emitted %q", b)
			}
			total += uint64(len(b))
		}
		if total != uint64(len(s)) {
			t.Fatalf("bytes: %d accounted, %d written", total, len(s))
		}
		if one.Buffered() > MaxPacket {
			t.Fatal("buffer beyond a packet")
		}
	})
}
