package scenario

import (
	"net/netip"
	"strconv"
)

// RTSPRequest builds an RTSP/1.0 request (RFC 2326 §6) with CSeq and the
// given "Name: value" headers, and an optional body.
func RTSPRequest(method, uri string, cseq int, headers []string, contentType string, body []byte) []byte {
	b := make([]byte, 0, 300+len(body))
	b = append(b, method+" "+uri+" RTSP/1.0\r\n"...)
	b = appendHeader(b, "CSeq", strconv.Itoa(cseq))
	for _, h := range headers {
		b = append(b, h...)
		b = append(b, "\r\n"...)
	}
	b = appendHeader(b, "User-Agent", "mikeyscope-samples/1.0")
	if len(body) == 0 {
		return append(b, "\r\n"...)
	}
	return appendBody(b, contentType, body)
}

// RTSPResponse builds an RTSP/1.0 response (RFC 2326 §7).
func RTSPResponse(code int, reason string, cseq int, headers []string, contentType string, body []byte) []byte {
	b := make([]byte, 0, 300+len(body))
	b = append(b, "RTSP/1.0 "+strconv.Itoa(code)+" "+reason+"\r\n"...)
	b = appendHeader(b, "CSeq", strconv.Itoa(cseq))
	for _, h := range headers {
		b = append(b, h...)
		b = append(b, "\r\n"...)
	}
	b = appendHeader(b, "Server", "mikeyscope-samples/1.0")
	if len(body) == 0 && contentType == "" {
		return append(b, "\r\n"...)
	}
	return appendBody(b, contentType, body)
}

// CameraSDP is the SDP of an RTSP DESCRIBE reply (RFC 2326 Appendix C) with
// an H.264 video track keyed by a media-level a=key-mgmt (RFC 4567 §3.1)
// (omitted when videoKeyMgmtB64 is empty) and a PCMU audio back channel
// (ONVIF) keyed by the client in SETUP.
func CameraSDP(server netip.Addr, sessionID uint64, baseURL, videoKeyMgmtB64 string) []byte {
	ipv := "IP4"
	if server.Is6() {
		ipv = "IP6"
	}
	id := strconv.FormatUint(sessionID, 10)
	b := make([]byte, 0, 600+len(videoKeyMgmtB64))
	line := func(s string) { b = append(b, s...); b = append(b, "\r\n"...) }
	line("v=0")
	line("o=- " + id + " 1 IN " + ipv + " " + server.String())
	line("s=Camera stream")
	line("c=IN " + ipv + " 0.0.0.0")
	line("t=0 0")
	line("a=control:" + baseURL)
	line("m=video 0 RTP/SAVP " + strconv.Itoa(PayloadVideo))
	line("a=rtpmap:" + strconv.Itoa(PayloadVideo) + " H264/90000")
	line("a=fmtp:" + strconv.Itoa(PayloadVideo) + " packetization-mode=1;profile-level-id=42e01f")
	line("a=control:" + baseURL + "/trackID=1")
	if videoKeyMgmtB64 != "" {
		line("a=key-mgmt:mikey " + videoKeyMgmtB64)
	}
	line("a=recvonly")
	line("m=audio 0 RTP/SAVP " + strconv.Itoa(PayloadAudio))
	line("a=rtpmap:" + strconv.Itoa(PayloadAudio) + " PCMU/8000")
	line("a=control:" + baseURL + "/trackID=2")
	line("a=sendonly")
	return b
}
