// Package dissect turns capture events (UDP datagrams, in-order TCP bytes)
// into protocol events: SIP (RFC 3261) and RTSP (RFC 2326) messages with
// their SDP (RFC 4566) and MIKEY carriers (RFC 4567), and RTP/RTCP packets
// (RFC 3550) on media flows learnt from SDP and RTSP Transport headers or
// recognised heuristically.
//
// The Engine implements capture.Handler and reports to a Sink. The types in
// this file are the contract between dissect/ and analysis/.
package dissect

import (
	"net/netip"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
)

// Sink receives the events of a pass, in capture order, on the goroutine
// that drives the Engine.
type Sink interface {
	// Signal is one SIP or RTSP message, fully parsed. The message and every
	// slice in it are owned by the receiver and may be retained.
	Signal(m *SignalMessage)
	// Media is one RTP or RTCP packet. The MediaPacket and its Data are
	// reused: they are valid only during the call.
	Media(p *MediaPacket)
	// Problem is something the dissector could not make sense of, or a limit
	// it hit, or a network-layer problem passed through from capture.
	Problem(p *Problem)
}

// MediaSlotter may be implemented by a Sink to let the Engine build each
// media packet in the sink's own memory: MediaSlot returns where the next
// packet, with n bytes of data, is to be built. The packet is handed over
// only when Media is called with that pointer; a slot not handed over is
// reused by the next MediaSlot. Building in place saves copying the
// ~200-byte MediaPacket once per media packet.
type MediaSlotter interface {
	MediaSlot(n int) *MediaPacket
}

// Carrier is the signalling protocol of a message.
type Carrier uint8

// Carriers.
const (
	CarrierSIP  Carrier = iota + 1 // SIP, RFC 3261
	CarrierRTSP                    // RTSP, RFC 2326
)

// String returns "SIP" or "RTSP".
func (c Carrier) String() string {
	switch c {
	case CarrierSIP:
		return "SIP"
	case CarrierRTSP:
		return "RTSP"
	}
	return "unknown"
}

// Header is one message header, in message order. Name is the full name as
// sent, except that SIP compact forms (RFC 3261 §7.3.3) are expanded to the
// full name (for example "i" becomes "Call-ID").
type Header struct {
	Name   string
	Value  string
	Offset int // offset of the header's first line in SignalMessage.Raw
}

// Body is one body of a message: the whole body, or one part of a
// multipart body (RFC 2046 §5.1). Data is decoded when the part declares
// Content-Transfer-Encoding: base64.
type Body struct {
	ContentType string // media type, lower case, parameters removed
	Encoding    string // Content-Transfer-Encoding, lower case; "" when absent
	Offset      int    // offset of the body bytes in SignalMessage.Raw
	Data        []byte
}

// Where a MIKEY message was found (values of KeyMgmtItem.Where).
const (
	WhereSDPSession    = "sdp-session"         // a=key-mgmt at SDP session level, RFC 4567 §3.1
	WhereSDPMedia      = "sdp-media"           // a=key-mgmt at SDP media level, RFC 4567 §3.1
	WhereRTSPHeader    = "rtsp-keymgmt-header" // RTSP KeyMgmt header, RFC 4567 §3.2
	WhereMIKEYBody     = "mikey-body"          // an application/mikey body or body part
	WhereRTSPParameter = "rtsp-parameter"      // "mikey: <base64>" line of a text/parameters body (ONVIF)
	WhereMCXMLBody     = "mc-xml-body"         // base64 in an element of a 3GPP MC XML body (TS 24.379 ...); URI is the element
)

// KeyMgmtItem is one key management blob found in a message.
type KeyMgmtItem struct {
	Where string // one of the Where* constants
	// MediaIndex is the 0-based index of the SDP media the item applies to:
	// the m= section for sdp-media, the media matched by the SETUP URL (or
	// the KeyMgmt uri parameter) for RTSP carriers; -1 for session level or
	// when no media could be matched.
	MediaIndex int
	Prot       string // key management protocol identifier ("mikey")
	URI        string // RTSP KeyMgmt uri parameter; for mc-xml-body the element name
	B64        string // base64 text as carried, whitespace removed; empty for binary bodies
	Data       []byte // decoded bytes (the MIKEY message)
	Offset     int    // offset of the carried text (base64 or binary) in SignalMessage.Raw; -1 if unknown
	Err        error  // why the item could not be decoded, nil when Data is valid
}

// SDPInfo is what mikeyscope needs from an SDP session description
// (RFC 4566).
type SDPInfo struct {
	// Strict is true when github.com/pion/sdp/v3 accepted the description;
	// false when it was read by the tolerant line scanner (a Problem says why).
	Strict      bool
	Origin      string     // o= value
	SessionName string     // s= value
	Addr        netip.Addr // session-level c= address; invalid when absent
	// SessionKeyMgmt is true when a=key-mgmt is present at session level.
	SessionKeyMgmt bool
	Control        string // session-level a=control (RTSP)
	Media          []SDPMedia
	// Crypto are session-level a=crypto values (RFC 4568 puts them at
	// media level; a session-level one applies to every media).
	Crypto []string
}

// SDPMedia is one m= section.
type SDPMedia struct {
	Index    int        // 0-based position in the description
	Type     string     // audio, video, application...
	Proto    string     // RTP/AVP, RTP/SAVP, RTP/SAVPF...
	Addr     netip.Addr // media c= address, else session c=; invalid when absent
	Port     uint16     // m= port (0: rejected or RTSP-chosen)
	RTCPPort uint16     // a=rtcp port (RFC 3605), else Port+1; equals Port with rtcp-mux
	RTCPAddr netip.Addr // a=rtcp address when given, else Addr
	RTCPMux  bool       // a=rtcp-mux (RFC 5761)
	Formats  []string   // m= format list
	RTPMap   []RTPMap   // a=rtpmap lines
	// KeyMgmt is true when this section has its own a=key-mgmt; it then wins
	// over the session-level one (RFC 4567 §3.1).
	KeyMgmt bool
	// KeyMgmtItem is the index in SignalMessage.KeyMgmt of the item that
	// applies to this media (media level, else session level); -1 when none.
	KeyMgmtItem int
	Crypto      []string // a=crypto values (RFC 4568), noted as present
	Control     string   // a=control (RTSP)
	SSRCs       []uint32 // distinct a=ssrc ids (RFC 5576)
	Direction   string   // sendrecv, sendonly, recvonly, inactive; "" when absent
}

// RTPMap is one a=rtpmap attribute.
type RTPMap struct {
	PT        uint8
	Encoding  string
	ClockRate uint32
	Params    string
}

// RTSPTransport is one transport specification of an RTSP Transport header
// (RFC 2326 §12.39).
type RTSPTransport struct {
	Spec        string // the text as sent
	Profile     string // "RTP/AVP", "RTP/SAVP", "RTP/SAVPF"...
	Lower       string // "UDP" or "TCP" (default UDP)
	Unicast     bool
	Multicast   bool
	Destination string
	Source      string
	ClientPorts [2]uint16 // client_port=a-b; zero when absent
	ServerPorts [2]uint16 // server_port=a-b; zero when absent
	Ports       [2]uint16 // port=a-b (multicast)
	Interleaved [2]int    // interleaved=a-b; -1 when absent
	SSRC        uint32
	HasSSRC     bool
	Mode        string
}

// SignalMessage is one SIP or RTSP message.
type SignalMessage struct {
	Frame     uint64 // 1-based frame that completed the message
	Time      time.Time
	Src, Dst  netip.AddrPort
	Transport string // "udp" or "tcp"
	Carrier   Carrier
	// SessionKey groups the messages of one session: for SIP the Call-ID;
	// for RTSP the Session header id, or the connection key (see Conn)
	// before a Session id is known on that connection.
	SessionKey string
	// SessionAlias is set on the RTSP message that first reveals the Session
	// id of a connection: it is the key used for earlier messages of the
	// same session (the connection key), so they can be merged.
	SessionAlias string
	// Conn identifies the transport association: for TCP "tcp:A-B" with the
	// client (connection initiator as far as seen) first; for UDP
	// "udp:A-B" with the lower endpoint first.
	Conn string

	Request     bool
	Method      string // request method; for responses the method of the matched request (CSeq)
	URI         string // request URI
	Version     string // "SIP/2.0", "RTSP/1.0"
	Status      int    // response status code
	Reason      string // response reason phrase
	CSeq        uint32
	CSeqMethod  string // SIP CSeq method; RTSP: method of the request with this CSeq
	From, To    string
	FromTag     string
	ToTag       string
	UserAgent   string // User-Agent, else Server
	CallID      string // SIP Call-ID
	Session     string // RTSP Session id, ";timeout" removed
	ContentBase string // RTSP Content-Base (or Content-Location) of the message
	// MediaIndex is, for an RTSP SETUP request or its response, the SDP media
	// the SETUP URL designates (a=control); -1 otherwise or when unmatched.
	MediaIndex int

	Headers    []Header
	Raw        []byte // the whole message as received, including the body
	Bodies     []Body
	SDP        *SDPInfo // first SDP body, nil when none
	KeyMgmt    []KeyMgmtItem
	Transports []RTSPTransport // RTSP Transport header
	// HEP is set when the message came inside a HEP packet: which agent
	// mirrored it (Src, Dst and Time are the ones the agent recorded).
	HEP *capture.HEPOrigin
	// PartyURIs are the SIP and tel URIs of 3GPP MC XML bodies (the MC
	// identities of the parties, TS 24.379 mcptt-info and the like).
	PartyURIs []string
}

// Header returns the value of the first header with the given name (case
// insensitive, compact SIP forms already expanded), and whether it exists.
func (m *SignalMessage) Header(name string) (string, bool) {
	for i := range m.Headers {
		if tokenEqualFold(m.Headers[i].Name, name) {
			return m.Headers[i].Value, true
		}
	}
	return "", false
}

// Kind tells RTP from RTCP.
type Kind uint8

// Kinds of media packets.
const (
	KindRTP  Kind = iota + 1 // RTP, RFC 3550 §5
	KindRTCP                 // RTCP, RFC 3550 §6
)

// String returns "RTP" or "RTCP".
func (k Kind) String() string {
	switch k {
	case KindRTP:
		return "RTP"
	case KindRTCP:
		return "RTCP"
	}
	return "unknown"
}

// MediaPacket is one RTP or RTCP packet (possibly SRTP/SRTCP). It is reused
// between calls: copy what must be retained.
type MediaPacket struct {
	Frame       uint64
	Time        time.Time
	Src, Dst    netip.AddrPort
	Interleaved int // RTSP interleaved channel, -1 for UDP
	// SessionKey and MediaIndex identify the learnt flow; "" and -1 when the
	// packet was recognised only by its look (Learnt false).
	SessionKey string
	// SessionID numbers the Engine's session object the flow belongs to
	// (0 with SessionKey ""). Packets with the same SessionID have the same
	// SessionKey while it lasts; a consumer may use it to cache its lookup
	// of SessionKey, checking the key (an RTSP session can be renamed).
	SessionID  uint64
	MediaIndex int
	Kind       Kind
	Learnt     bool // the flow was learnt from SDP or an RTSP Transport header

	// Fixed header fields (RFC 3550 §5.1 for RTP; §6.4 for RTCP, where SSRC
	// is the sender SSRC and PT the packet type of the first packet).
	SSRC      uint32
	Seq       uint16 // RTP only
	Timestamp uint32 // RTP only
	PT        uint8  // RTP payload type (7 bits) or RTCP packet type
	Marker    bool   // RTP only

	Data []byte // the whole packet
}

// ProblemKind classifies a dissection problem.
type ProblemKind uint8

// Kinds of dissection problems.
const (
	ProblemMalformed ProblemKind = iota + 1 // a message or part of it does not parse
	ProblemTruncated                        // a message is shorter than its lengths say
	ProblemResync                           // bytes skipped to find the next message in a stream
	ProblemLimit                            // a resource limit was hit (sessions, flows, buffers)
	ProblemSDP                              // SDP rejected by the strict parser, read tolerantly
	ProblemKeyMgmt                          // a key management carrier could not be decoded
	ProblemUnmatched                        // a reference that could not be resolved (SETUP URL, CSeq)
	ProblemNetwork                          // passed through from capture (see Network)
)

// String returns a short name of the kind.
func (k ProblemKind) String() string {
	switch k {
	case ProblemMalformed:
		return "malformed"
	case ProblemTruncated:
		return "truncated"
	case ProblemResync:
		return "resync"
	case ProblemLimit:
		return "limit"
	case ProblemSDP:
		return "sdp"
	case ProblemKeyMgmt:
		return "key-mgmt"
	case ProblemUnmatched:
		return "unmatched"
	case ProblemNetwork:
		return "network"
	}
	return "unknown"
}

// Problem is a dissection problem tied to a frame. It becomes a finding.
type Problem struct {
	Frame      uint64
	Time       time.Time
	Src, Dst   netip.AddrPort
	Kind       ProblemKind
	Carrier    Carrier // 0 when not known
	SessionKey string  // "" when not known
	// Offset is the byte offset of the problem counted from the first byte
	// of the message it concerns (SignalMessage.Raw when the message was
	// delivered), or in the datagram payload; for ProblemNetwork the offset
	// capture gave; -1 when not meaningful.
	Offset  int
	Detail  string
	Network capture.ProblemKind // for ProblemNetwork: the capture kind
}

// Options bounds the Engine's state and extends its port lists. Zero values
// select the defaults.
type Options struct {
	MaxSessions int // SIP dialogs + RTSP sessions tracked (default 4096)
	MaxFlows    int // learnt media flows (default 16384)
	MaxConns    int // TCP connections tracked (default 4096)
	// SessionIdle, when set, forgets the sessions (with their media flows)
	// and the TCP connections that have seen no packet for this long of
	// capture time, so that the state follows the calls in progress; 0:
	// only the limits above bound it.
	SessionIdle    time.Duration
	MaxMessageSize int      // largest SIP/RTSP message, headers and body (default 256 KiB)
	SIPPorts       []uint16 // extra SIP ports (5060 and 5061 are always SIP)
	RTSPPorts      []uint16 // extra RTSP ports (554, 322, 8554 are always RTSP)
	// NoHeuristicMedia disables delivery of RTP-looking packets on flows that
	// were not learnt.
	NoHeuristicMedia bool
}
