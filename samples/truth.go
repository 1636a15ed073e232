package samples

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/mikeyscope/mikeyscope/internal/scenario"
)

// Truth is the manifest written beside each capture (NAME.truth.json): what
// the capture contains, frame by frame where it matters, so that tests can
// assert exact results. Frame numbers are 1-based as Wireshark counts them;
// a message split over IP fragments or TCP segments is listed at the frame
// that completes it (the last one written).
type Truth struct {
	Generator   string    `json:"generator"` // the command that wrote the sample, e.g. samples/gen
	File        string    `json:"file"`
	Format      string    `json:"format"`
	Description string    `json:"description"`
	Frames      int       `json:"frames"`
	Messages    []Message `json:"messages"`
	MIKEY       []MIKEY   `json:"mikey"`
	Streams     []*Stream `json:"streams"`
	Keys        string    `json:"keys_file"`
	Payloads    string    `json:"payloads"`
	Notes       []string  `json:"notes,omitempty"`

	dir, name string
}

// Name returns the name the manifest was loaded by, e.g. "broken/wrong-psk".
func (t *Truth) Name() string { return t.name }

// Message is one SIP or RTSP message and the frame that completes it.
type Message struct {
	Frame    int    `json:"frame"`
	Protocol string `json:"protocol"` // SIP or RTSP
	Message  string `json:"message"`  // "INVITE", "200 OK (INVITE)", "SETUP", ...
	MIKEY    int    `json:"mikey_messages"`
}

// MIKEY is one MIKEY message carried in signalling.
type MIKEY struct {
	Frame    int      `json:"frame"`
	Carrier  string   `json:"carrier"` // sdp-session, sdp-media, rtsp-keymgmt
	DataType uint8    `json:"data_type"`
	CSBID    string   `json:"csb_id"` // 0x-prefixed hex
	SSRCs    []string `json:"ssrcs"`  // SRTP-ID map, 0x-prefixed hex
	Length   int      `json:"length"`
	Base64   string   `json:"b64"`
	Summary  string   `json:"summary"` // payload list, e.g. HDR,T,RAND,ID,ID,SP,KEMAC
}

// Stream is one SRTP stream and its SRTCP.
type Stream struct {
	SSRC         string  `json:"ssrc"` // 0x-prefixed hex
	Src          string  `json:"src"`  // address:port of the RTP packets
	Dst          string  `json:"dst"`
	Transport    string  `json:"transport"` // udp or rtsp-interleaved
	PayloadType  int     `json:"payload_type"`
	RTPPackets   int     `json:"rtp_packets"`
	RTCPPackets  int     `json:"rtcp_packets"`
	FirstSeq     int     `json:"first_seq"`
	FirstTS      uint32  `json:"first_timestamp"`
	FirstROC     uint32  `json:"first_roc"`   // rollover counter of the first packet, as in the MIKEY CS map
	FirstFrame   int     `json:"first_frame"` // first RTP or RTCP frame
	LastFrame    int     `json:"last_frame"`
	Policy       string  `json:"policy"` // AES_CM_128_HMAC_SHA1_80 or AEAD_AES_128_GCM
	CSID         int     `json:"cs_id"`
	KeyFrom      string  `json:"key_from"`
	MasterKeyFP  string  `json:"master_key_fingerprint"` // mikey.Fingerprint of the master key
	MasterSaltFP string  `json:"master_salt_fingerprint"`
	MKI          string  `json:"mki,omitempty"` // hex
	Payload      string  `json:"payload"`       // the scenario function giving the plaintext
	PayloadKind  string  `json:"payload_kind"`  // pcmu or video
	PayloadSize  int     `json:"payload_size"`  // bytes of payload per RTP packet
	Rekeys       []Rekey `json:"rekeys,omitempty"`
}

// Rekey is a change of the stream's master key: from the packet with
// sequence number FromSeq (frame FromFrame) on, the key delivered by the
// MIKEY message of frame MIKEYFrame protects the stream, marked by MKI.
type Rekey struct {
	MIKEYFrame   int    `json:"mikey_frame"`
	FromSeq      int    `json:"from_seq"`
	FromFrame    int    `json:"from_frame"`
	MKI          string `json:"mki"`
	MasterKeyFP  string `json:"master_key_fingerprint"`
	MasterSaltFP string `json:"master_salt_fingerprint"`
}

// SSRCValue returns the stream's SSRC as a number (0 if malformed).
func (s *Stream) SSRCValue() uint32 {
	v, _ := strconv.ParseUint(s.SSRC, 0, 32)
	return uint32(v)
}

// Plaintext returns the RTP payload the packet with sequence number seq
// carries before protection.
func (s *Stream) Plaintext(seq uint16) []byte {
	if s.PayloadKind == "video" {
		return scenario.VideoPayload(s.SSRCValue(), seq, s.PayloadSize)
	}
	return scenario.Payload(s.SSRCValue(), seq)
}

// Dir returns the directory holding the samples (this package's source
// directory).
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// Load reads the manifest of the named sample: its path relative to Dir
// without extension, such as "sip-udp-psk" or "broken/wrong-psk".
func Load(name string) (*Truth, error) {
	path := filepath.Join(Dir(), filepath.FromSlash(name)+".truth.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t Truth
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t.dir, t.name = filepath.Dir(path), name
	return &t, nil
}

// Names lists the samples that have a manifest, sorted, in the form Load
// takes.
func Names() ([]string, error) {
	var names []string
	for _, pattern := range []string{"*.truth.json", "*/*.truth.json"} {
		m, err := filepath.Glob(filepath.Join(Dir(), pattern))
		if err != nil {
			return nil, err
		}
		for _, f := range m {
			rel, err := filepath.Rel(Dir(), f)
			if err != nil {
				return nil, err
			}
			names = append(names, strings.TrimSuffix(filepath.ToSlash(rel), ".truth.json"))
		}
	}
	sort.Strings(names)
	return names, nil
}

// CapturePath returns the path of the capture file.
func (t *Truth) CapturePath() string { return filepath.Join(t.dir, t.File) }

// KeysPath returns the path of the keys file.
func (t *Truth) KeysPath() string { return filepath.Join(t.dir, t.Keys) }

// Stream returns the stream with the given SSRC, or nil.
func (t *Truth) Stream(ssrc uint32) *Stream {
	for _, s := range t.Streams {
		if s.SSRCValue() == ssrc {
			return s
		}
	}
	return nil
}
