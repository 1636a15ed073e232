package scenario

import "time"

// FrameKind says what a generated frame carries.
type FrameKind uint8

// Frame kinds.
const (
	KindSignal   FrameKind = iota + 1 // SIP or RTSP bytes (whole message or part of one)
	KindTCP                           // TCP control segment without payload
	KindRTP                           // SRTP packet
	KindRTCP                          // SRTCP packet
	KindFragment                      // IP fragment that is not the last one written
	KindNATDummy                      // a client's NAT hole-punching datagram (not RTP)
)

// Frame is one generated Ethernet frame with what a test needs to know
// about it. Data of media frames is reused by the generator's next call.
type Frame struct {
	Time time.Time
	Data []byte
	Kind FrameKind
	// Message names the SIP/RTSP message this frame completes ("INVITE",
	// "200 OK (INVITE)", "DESCRIBE", ...); empty for frames that complete
	// none. When several messages complete in one frame (interleaved RTSP),
	// they are joined with "+".
	Message string
	// MIKEY is the number of MIKEY messages carried by the completed message.
	MIKEY int
	// SSRC and Seq identify the RTP/RTCP packet (Seq is zero for RTCP).
	SSRC uint32
	Seq  uint16
	// Interleaved counts RTP/RTCP packets carried interleaved in this TCP frame.
	Interleaved int
}
