package scenario

import (
	"math"
	"testing"
)

func TestULawKnownCodes(t *testing.T) {
	// Values from the G.711 μ-law decoding table (code → linear): 0x80 →
	// 32124, 0x8f → 16764, 0xa0 → 7932, 0xf2 → 104, 0xff → 0; values
	// beyond the clip saturate.
	tests := []struct {
		in   int16
		want byte
	}{
		{0, 0xff}, {32124, 0x80}, {32767, 0x80}, {-32768, 0x00}, {16764, 0x8f}, {-16764, 0x0f}, {7932, 0xa0}, {104, 0xf2}, {-104, 0x72},
	}
	for _, tc := range tests {
		if got := LinearToULaw(tc.in); got != tc.want {
			t.Errorf("LinearToULaw(%d) = %#02x, want %#02x", tc.in, got, tc.want)
		}
	}
	for u := 0; u < 256; u++ {
		if u == 0x7f { // negative zero decodes to 0, which encodes as 0xff
			continue
		}
		if got := LinearToULaw(ULawToLinear(byte(u))); got != byte(u) {
			t.Errorf("code %#02x decodes to %d which encodes to %#02x", u, ULawToLinear(byte(u)), got)
		}
	}
}

func TestPCMUToneIsOneKilohertz(t *testing.T) {
	p := Payload(0x1234, 7)
	if len(p) != FrameSamples {
		t.Fatalf("payload is %d bytes", len(p))
	}
	// Correlate the decoded samples with 1 kHz and 2 kHz: the energy must be
	// at 1 kHz, with the amplitude ToneAmplitude(7) within μ-law error.
	corr := func(f float64) float64 {
		var re, im float64
		for i, u := range p {
			x := float64(ULawToLinear(u))
			re += x * math.Cos(2*math.Pi*f*float64(i)/SampleRate)
			im += x * math.Sin(2*math.Pi*f*float64(i)/SampleRate)
		}
		return 2 * math.Hypot(re, im) / FrameSamples
	}
	a1, a2 := corr(1000), corr(2000)
	if want := ToneAmplitude(7); math.Abs(a1-want) > want*0.03 {
		t.Fatalf("1 kHz amplitude %.0f, want %.0f", a1, want)
	}
	if a2 > 100 {
		t.Fatalf("2 kHz amplitude %.0f, want ~0", a2)
	}
}

func TestPCMUTableMatchesFormula(t *testing.T) {
	for _, ssrc := range []uint32{0, 1, 0xdeadbeef} {
		for seq := 0; seq < 70000; seq += 37 {
			want := computePCMU(nil, uint16(seq), TonePhase(ssrc, uint16(seq)))
			if got := Payload(ssrc, uint16(seq)); string(got) != string(want) {
				t.Fatalf("ssrc %#x seq %d: table differs from the formula", ssrc, seq)
			}
		}
	}
}

func TestPayloadsDifferBySeqAndSSRC(t *testing.T) {
	seen := map[string]uint16{}
	for seq := uint16(0); seq < 32; seq++ {
		k := string(Payload(1, seq))
		if prev, ok := seen[k]; ok {
			t.Fatalf("seq %d and %d share a payload", prev, seq)
		}
		seen[k] = seq
	}
	if string(Payload(1, 5)) == string(Payload(2, 5)) {
		t.Fatal("SSRC 1 and 2 share a payload")
	}
	v := VideoPayload(0xabcdef01, 9, 1400)
	if len(v) != 1400 || string(v) == string(VideoPayload(0xabcdef01, 10, 1400)) {
		t.Fatal("video payload length or uniqueness wrong")
	}
	if got := VideoPayload(0xabcdef01, 9, 13); string(got) != string(v[:13]) {
		t.Fatal("video payload prefix is not stable across sizes")
	}
}

func BenchmarkAppendPCMU(b *testing.B) {
	buf := make([]byte, 0, FrameSamples)
	b.ReportAllocs()
	b.SetBytes(FrameSamples)
	for i := 0; b.Loop(); i++ {
		buf = AppendPCMU(buf[:0], 0x1234, uint16(i))
	}
}

func BenchmarkAppendVideo(b *testing.B) {
	buf := make([]byte, 0, 1400)
	b.ReportAllocs()
	b.SetBytes(1400)
	for i := 0; b.Loop(); i++ {
		buf = AppendVideo(buf[:0], 0x1234, uint16(i), 1400)
	}
}
