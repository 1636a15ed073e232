package srtp

import (
	"errors"
	"testing"
)

func TestParseRTPHeader(t *testing.T) {
	tests := []struct {
		name    string
		pkt     string
		want    RTPHeader
		payload string
		err     error
		errOff  int
	}{
		{
			name: "minimal",
			pkt:  "80 e0 12 34 00 00 00 64 de ad be ef aa bb",
			want: RTPHeader{Version: 2, Marker: true, PayloadType: 96, SequenceNumber: 0x1234,
				Timestamp: 100, SSRC: 0xdeadbeef, HeaderLen: 12},
			payload: "aabb",
		},
		{
			name: "CSRCs, extension and padding",
			pkt: "b2 08 00 01 00 00 00 02 00 00 00 03 11 11 11 11 22 22 22 22" +
				" be de 00 02 10 aa 21 bb cc 00 00 00" + " 01 02 03 00 00 03",
			want: RTPHeader{Version: 2, Padding: true, Extension: true, CSRCCount: 2, PayloadType: 8,
				SequenceNumber: 1, Timestamp: 2, SSRC: 3, CSRC: [15]uint32{0x11111111, 0x22222222},
				ExtensionProfile: 0xbede, ExtensionOffset: 24, ExtensionLen: 8, HeaderLen: 32},
			payload: "010203",
		},
		{name: "short fixed header", pkt: "80 00 00 01 00 00 00 02 00 00 00", err: ErrShortPacket, errOff: 0},
		{name: "version 1", pkt: "40 00 00 01 00 00 00 02 00 00 00 03", err: ErrBadVersion},
		{name: "CSRC list cut", pkt: "83 00 00 01 00 00 00 02 00 00 00 03 00 00 00 01", err: ErrShortPacket, errOff: 12},
		{name: "extension header cut", pkt: "90 00 00 01 00 00 00 02 00 00 00 03 be de", err: ErrShortPacket, errOff: 12},
		{name: "extension body cut", pkt: "90 00 00 01 00 00 00 02 00 00 00 03 be de 00 02 00 00 00 00", err: ErrShortPacket, errOff: 16},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ParseRTPHeader(unhex(t, tc.pkt))
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
				var pe *PacketError
				if !errors.As(err, &pe) || pe.Offset != tc.errOff {
					t.Fatalf("error %v: want offset %d", err, tc.errOff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h != tc.want {
				t.Fatalf("got  %+v\nwant %+v", h, tc.want)
			}
			pl, err := h.Payload(unhex(t, tc.pkt))
			if err != nil || string(pl) != string(unhex(t, tc.payload)) {
				t.Fatalf("payload %x err %v", pl, err)
			}
		})
	}
}

func TestRTPPayloadBadPadding(t *testing.T) {
	for _, pkt := range []string{
		"a0 00 00 01 00 00 00 02 00 00 00 03 01 02 00", // pad count 0
		"a0 00 00 01 00 00 00 02 00 00 00 03 01 02 05", // pad count > payload
		"a0 00 00 01 00 00 00 02 00 00 00 03",          // no payload for the count
	} {
		b := unhex(t, pkt)
		h, err := ParseRTPHeader(b)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Payload(b); err == nil {
			t.Errorf("%s: bad padding accepted", pkt)
		}
	}
}

func TestParseRTCPHeader(t *testing.T) {
	sr := "80 c8 00 06 de ad be ef 00 00 00 01 00 00 00 02 00 00 00 03 00 00 00 04 00 00 00 05"
	sdes := "81 ca 00 02 de ad be ef 01 02 68 69"
	b := unhex(t, sr+sdes)
	h, first, rest, err := NextRTCP(b)
	if err != nil {
		t.Fatal(err)
	}
	want := RTCPHeader{Version: 2, PacketType: 200, Length: 6, SSRC: 0xdeadbeef, PacketLen: 28}
	if h != want || len(first) != 28 || len(rest) != 12 {
		t.Fatalf("got %+v first %d rest %d", h, len(first), len(rest))
	}
	h, _, rest, err = NextRTCP(rest)
	if err != nil || h.PacketType != 202 || h.Count != 1 || len(rest) != 0 {
		t.Fatalf("second: %+v %v", h, err)
	}
	for _, tc := range []struct {
		name string
		pkt  string
		err  error
	}{
		{"short", "80 c8 00", ErrShortPacket},
		{"version 0", "00 c8 00 00", ErrBadVersion},
		{"length past end", "80 c8 00 06 de ad be ef", ErrShortPacket},
		{"padding count 0", "a0 c9 00 01 de ad be 00", ErrBadHeader},
		{"padding past packet", "a0 c9 00 01 de ad be 09", ErrBadHeader},
	} {
		if _, err := ParseRTCPHeader(unhex(t, tc.pkt)); !errors.Is(err, tc.err) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.err)
		}
	}
}
