package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/mikey"
	"github.com/mikeyscope/mikeyscope/samples"
)

// Truth is the manifest type of package samples, filled while writing.
type Truth = samples.Truth

func hex32(v uint32) string { return fmt.Sprintf("0x%08x", v) }

// mikeyEntry describes a MIKEY message for the manifest, decoding it with
// the project's parser for the CS map and the payload list.
func mikeyEntry(frame int, carrier string, raw []byte) samples.MIKEY {
	e := samples.MIKEY{Frame: frame, Carrier: carrier, Length: len(raw), Base64: base64.StdEncoding.EncodeToString(raw)}
	if len(raw) >= 8 {
		e.DataType = raw[1]
		e.CSBID = hex32(uint32(raw[4])<<24 | uint32(raw[5])<<16 | uint32(raw[6])<<8 | uint32(raw[7]))
	}
	if m, err := mikey.Parse(raw); err == nil {
		for _, cs := range m.Header.SRTPMap {
			e.SSRCs = append(e.SSRCs, hex32(cs.SSRC))
		}
		s := "HDR"
		for _, p := range m.Payloads {
			s += "," + payloadName(p.Type())
		}
		e.Summary = s
	} else {
		e.Summary = "unparsed: " + err.Error()
	}
	return e
}

func payloadName(t mikey.PayloadType) string {
	switch t {
	case mikey.PayloadKEMAC:
		return "KEMAC"
	case mikey.PayloadDH:
		return "DH"
	case mikey.PayloadT:
		return "T"
	case mikey.PayloadID:
		return "ID"
	case mikey.PayloadV:
		return "V"
	case mikey.PayloadSP:
		return "SP"
	case mikey.PayloadRAND:
		return "RAND"
	case mikey.PayloadERR:
		return "ERR"
	}
	return fmt.Sprintf("payload%d", t)
}

// newStream describes a stream; payload names the plaintext function and
// kind/size say how samples.Stream.Plaintext recomputes it.
func newStream(ssrc uint32, src, dst netip.AddrPort, transport string, pt int, firstSeq uint16, firstTS uint32, csID int, keyFrom string, key, salt, mki []byte, payload, kind string, size int) *samples.Stream {
	s := &samples.Stream{SSRC: hex32(ssrc), Src: src.String(), Dst: dst.String(), Transport: transport, PayloadType: pt,
		FirstSeq: int(firstSeq), FirstTS: firstTS, Policy: "AES_CM_128_HMAC_SHA1_80", CSID: csID, KeyFrom: keyFrom,
		MasterKeyFP: mikey.Fingerprint(key), MasterSaltFP: mikey.Fingerprint(salt), Payload: payload,
		PayloadKind: kind, PayloadSize: size}
	if len(mki) > 0 {
		s.MKI = hex.EncodeToString(mki)
	}
	return s
}

// record returns the per-frame callback that fills the manifest.
func record(t *Truth, protocol string, mikeyOf func(f *scenario.Frame) (carrier string, raw [][]byte)) func(n int, f *scenario.Frame) error {
	return func(n int, f *scenario.Frame) error {
		t.Frames = n
		if f.Message != "" {
			t.Messages = append(t.Messages, samples.Message{Frame: n, Protocol: protocol, Message: f.Message, MIKEY: f.MIKEY})
			if f.MIKEY > 0 {
				carrier, raws := mikeyOf(f)
				for _, raw := range raws {
					t.MIKEY = append(t.MIKEY, mikeyEntry(n, carrier, raw))
				}
			}
		}
		if f.Kind == scenario.KindRTP || f.Kind == scenario.KindRTCP {
			s := t.Stream(f.SSRC)
			if s == nil {
				return nil
			}
			if s.FirstFrame == 0 {
				s.FirstFrame = n
			}
			s.LastFrame = n
			if f.Kind == scenario.KindRTP {
				s.RTPPackets++
			} else {
				s.RTCPPackets++
			}
		}
		return nil
	}
}

func writeTruth(t *Truth, dir, name string) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".truth.json"), append(b, '\n'), 0o644)
}
