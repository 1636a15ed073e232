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
)

// Truth is the manifest written beside each capture (NAME.truth.json): what
// the capture contains, frame by frame where it matters, so that tests can
// assert exact results.
type Truth struct {
	File        string         `json:"file"`
	Format      string         `json:"format"`
	Description string         `json:"description"`
	Frames      int            `json:"frames"`
	Messages    []TruthMessage `json:"messages"`
	MIKEY       []TruthMIKEY   `json:"mikey"`
	Streams     []*TruthStream `json:"streams"`
	Keys        string         `json:"keys_file"`
	Payloads    string         `json:"payloads"`
	Notes       []string       `json:"notes,omitempty"`
}

// TruthMessage is one SIP or RTSP message and the 1-based frame that
// completes it (the last fragment or TCP segment written).
type TruthMessage struct {
	Frame    int    `json:"frame"`
	Protocol string `json:"protocol"`
	Message  string `json:"message"`
	MIKEY    int    `json:"mikey_messages"`
}

// TruthMIKEY is one MIKEY message carried in signalling.
type TruthMIKEY struct {
	Frame    int      `json:"frame"`
	Carrier  string   `json:"carrier"` // sdp-session, sdp-media, rtsp-keymgmt
	DataType uint8    `json:"data_type"`
	CSBID    string   `json:"csb_id"`
	SSRCs    []string `json:"ssrcs"`
	Length   int      `json:"length"`
	Base64   string   `json:"b64"`
	Summary  string   `json:"summary"`
}

// TruthStream is one SRTP stream and its SRTCP.
type TruthStream struct {
	SSRC         string `json:"ssrc"`
	Src          string `json:"src"`
	Dst          string `json:"dst"`
	Transport    string `json:"transport"` // udp or rtsp-interleaved (channel in Channel)
	Channel      int    `json:"channel,omitempty"`
	PayloadType  int    `json:"payload_type"`
	RTPPackets   int    `json:"rtp_packets"`
	RTCPPackets  int    `json:"rtcp_packets"`
	FirstSeq     int    `json:"first_seq"`
	FirstTS      uint32 `json:"first_timestamp"`
	FirstFrame   int    `json:"first_frame"`
	LastFrame    int    `json:"last_frame"`
	Policy       string `json:"policy"`
	CSID         int    `json:"cs_id"`
	KeyFrom      string `json:"key_from"`
	MasterKeyFP  string `json:"master_key_fingerprint"`
	MasterSaltFP string `json:"master_salt_fingerprint"`
	MKI          string `json:"mki,omitempty"`
	Payload      string `json:"payload"`
	ssrc         uint32
}

func hex32(v uint32) string { return fmt.Sprintf("0x%08x", v) }

// mikeyEntry describes a MIKEY message for the manifest, decoding it with
// the project's parser for the summary fields.
func mikeyEntry(frame int, carrier string, raw []byte) TruthMIKEY {
	e := TruthMIKEY{Frame: frame, Carrier: carrier, Length: len(raw), Base64: base64.StdEncoding.EncodeToString(raw)}
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

func newStream(ssrc uint32, src, dst netip.AddrPort, transport string, pt int, firstSeq uint16, firstTS uint32, csID int, keyFrom string, key, salt, mki []byte, payload string) *TruthStream {
	s := &TruthStream{SSRC: hex32(ssrc), Src: src.String(), Dst: dst.String(), Transport: transport, PayloadType: pt,
		FirstSeq: int(firstSeq), FirstTS: firstTS, Policy: "AES_CM_128_HMAC_SHA1_80", CSID: csID, KeyFrom: keyFrom,
		MasterKeyFP: mikey.Fingerprint(key), MasterSaltFP: mikey.Fingerprint(salt), Payload: payload, ssrc: ssrc}
	if len(mki) > 0 {
		s.MKI = hex.EncodeToString(mki)
	}
	return s
}

// record returns the per-frame callback that fills the manifest.
func (t *Truth) record(protocol string, mikeyOf func(f *scenario.Frame) (carrier string, raw [][]byte)) func(n int, f *scenario.Frame) error {
	return func(n int, f *scenario.Frame) error {
		t.Frames = n
		if f.Message != "" {
			t.Messages = append(t.Messages, TruthMessage{Frame: n, Protocol: protocol, Message: f.Message, MIKEY: f.MIKEY})
			if f.MIKEY > 0 {
				carrier, raws := mikeyOf(f)
				for _, raw := range raws {
					t.MIKEY = append(t.MIKEY, mikeyEntry(n, carrier, raw))
				}
			}
		}
		if f.Kind == scenario.KindRTP || f.Kind == scenario.KindRTCP {
			for _, s := range t.Streams {
				if s.ssrc != f.SSRC {
					continue
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
		}
		return nil
	}
}

func (t *Truth) write(dir, name string) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".truth.json"), append(b, '\n'), 0o644)
}
