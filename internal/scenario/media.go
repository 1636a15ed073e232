// Package scenario defines the calls and RTSP sessions that the sample and
// benchmark generators put into captures, and the deterministic media they
// carry, so that tests can recompute every plaintext payload from the SSRC
// and sequence number alone.
package scenario

import (
	"encoding/binary"
	"math"
)

// Audio media: G.711 PCMU (RFC 3551 §4.5.14) at 8 kHz in 20 ms frames
// carrying a 1 kHz tone.
const (
	SampleRate   = 8000 // Hz
	FrameSamples = 160  // samples per 20 ms packet
	ToneHz       = 1000
	PayloadPCMU  = 0  // static RTP payload type of PCMU
	PayloadVideo = 96 // dynamic payload type used for the video track
	PayloadAudio = 97 // dynamic payload type used for interleaved RTSP audio (PCMU/8000)
)

// toneCycle is one period of the 1 kHz tone at 8 kHz (8 samples), unit
// amplitude.
var toneCycle = func() (c [SampleRate / ToneHz]float64) {
	for i := range c {
		c[i] = math.Sin(2 * math.Pi * float64(i) * ToneHz / SampleRate)
	}
	return c
}()

// ToneAmplitude is the linear amplitude of the tone in the packet with
// sequence number seq: it steps through 32 levels so that every packet of a
// run of 32 has a different payload and a misordered or misdecrypted packet
// shows.
func ToneAmplitude(seq uint16) float64 { return 4000 + 500*float64(seq%32) }

// TonePhase is the phase offset, in samples, of the tone in packet seq of
// stream ssrc: (ssrc+seq) mod 8, so packets eight apart differ in amplitude
// and neighbours differ in phase.
func TonePhase(ssrc uint32, seq uint16) int {
	return int((ssrc + uint32(seq)) % uint32(len(toneCycle)))
}

// AppendPCMU appends the 160-byte PCMU payload of packet seq of stream ssrc:
// sample i is ToneAmplitude(seq)·sin(2π·ToneHz·(i+TonePhase(ssrc, seq))/SampleRate),
// rounded to the nearest integer and μ-law encoded.
//
// There are only 32 amplitudes and 8 phases, so the 256 distinct payloads
// are computed once (computePCMU) and copied.
func AppendPCMU(dst []byte, ssrc uint32, seq uint16) []byte {
	return append(dst, pcmuFrames[seq%32][TonePhase(ssrc, seq)][:]...)
}

// pcmuFrames holds every distinct PCMU payload by amplitude step and phase.
var pcmuFrames = func() (f [32][len(toneCycle)][FrameSamples]byte) {
	for a := range f {
		for ph := range f[a] {
			computePCMU(f[a][ph][:0], uint16(a), ph)
		}
	}
	return f
}()

// computePCMU appends the payload for amplitude step seq%32 and phase ph
// from the formula.
func computePCMU(dst []byte, seq uint16, ph int) []byte {
	amp := ToneAmplitude(seq)
	for i := 0; i < FrameSamples; i++ {
		s := math.Round(amp * toneCycle[(i+ph)%len(toneCycle)])
		dst = append(dst, LinearToULaw(int16(s)))
	}
	return dst
}

// Payload returns the audio payload of packet seq of stream ssrc (see
// AppendPCMU).
func Payload(ssrc uint32, seq uint16) []byte {
	return AppendPCMU(make([]byte, 0, FrameSamples), ssrc, seq)
}

// AppendVideo appends size bytes of the video payload of packet seq of
// stream ssrc: the output of a SplitMix64 generator seeded with
// ssrc<<16|seq, eight bytes per step, big-endian.
func AppendVideo(dst []byte, ssrc uint32, seq uint16, size int) []byte {
	x := uint64(ssrc)<<16 | uint64(seq)
	var w [8]byte
	for n := 0; n < size; n += 8 {
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		z ^= z >> 31
		binary.BigEndian.PutUint64(w[:], z)
		dst = append(dst, w[:min(8, size-n)]...)
	}
	return dst
}

// VideoPayload returns the video payload of packet seq of stream ssrc.
func VideoPayload(ssrc uint32, seq uint16, size int) []byte {
	return AppendVideo(make([]byte, 0, size), ssrc, seq, size)
}

// LinearToULaw encodes one 16-bit linear sample with G.711 μ-law (ITU-T
// G.711 §3, the segment/bias formulation with bias 0x84 and clip 32635).
func LinearToULaw(s int16) byte {
	const bias, clip = 0x84, 32635
	v := int32(s)
	sign := byte(0)
	if v < 0 {
		sign = 0x80
		v = -v
	}
	v = min(v, clip) + bias
	exp := byte(7)
	for mask := int32(0x4000); v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := byte(v>>(exp+3)) & 0x0f
	return ^(sign | exp<<4 | mant)
}

// ULawToLinear decodes one G.711 μ-law byte to a 16-bit linear sample.
func ULawToLinear(u byte) int16 {
	u = ^u
	exp := (u >> 4) & 7
	mant := int32(u & 0x0f)
	v := ((mant << 3) + 0x84) << exp
	v -= 0x84
	if u&0x80 != 0 {
		return int16(-v)
	}
	return int16(v)
}
