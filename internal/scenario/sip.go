package scenario

import (
	"net/netip"
	"strconv"
)

// Call is one SIP dialog (RFC 3261) between a caller and a callee: the
// signalling addresses, the dialog identifiers and the media addresses the
// SDP announces.
type Call struct {
	CallID             string
	Transport          string // "UDP" or "TCP" (Via and transport parameter)
	Caller, Callee     netip.AddrPort
	CallerUser         string
	CalleeUser         string
	Domain             string
	FromTag, ToTag     string
	Branch             string // branch of the INVITE transaction (ACK for 2xx gets its own)
	CallerRTP          netip.AddrPort
	CalleeRTP          netip.AddrPort
	SessionID          uint64 // SDP o= session id
	InviteCSeq, ByeSeq int
}

func appendHeader(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ": "...)
	b = append(b, value...)
	return append(b, "\r\n"...)
}

func hostport(a netip.AddrPort) string { return a.String() }

func (c *Call) transportLower() string {
	if c.Transport == "TCP" {
		return "tcp"
	}
	return "udp"
}

func (c *Call) callerURI() string { return "sip:" + c.CallerUser + "@" + c.Domain }
func (c *Call) calleeURI() string { return "sip:" + c.CalleeUser + "@" + c.Domain }
func (c *Call) contact(user string, a netip.AddrPort) string {
	return "<sip:" + user + "@" + hostport(a) + ";transport=" + c.transportLower() + ">"
}

// request builds a SIP request from the caller (fromCaller) or callee with
// the dialog's headers and an optional body.
func (c *Call) request(method string, fromCaller bool, cseq int, branch string, withToTag bool, contentType string, body []byte) []byte {
	src := c.Caller
	uri := c.calleeURI()
	from := "<" + c.callerURI() + ">;tag=" + c.FromTag
	to := "<" + c.calleeURI() + ">"
	if withToTag {
		to += ";tag=" + c.ToTag
		uri = "sip:" + c.CalleeUser + "@" + hostport(c.Callee) + ";transport=" + c.transportLower()
	}
	if !fromCaller {
		src = c.Callee
		uri = "sip:" + c.CallerUser + "@" + hostport(c.Caller) + ";transport=" + c.transportLower()
		from = "<" + c.calleeURI() + ">;tag=" + c.ToTag
		to = "<" + c.callerURI() + ">;tag=" + c.FromTag
	}
	b := make([]byte, 0, 600+len(body))
	b = append(b, method+" "+uri+" SIP/2.0\r\n"...)
	b = appendHeader(b, "Via", "SIP/2.0/"+c.Transport+" "+hostport(src)+";branch="+branch)
	b = appendHeader(b, "Max-Forwards", "70")
	b = appendHeader(b, "From", from)
	b = appendHeader(b, "To", to)
	b = appendHeader(b, "Call-ID", c.CallID)
	b = appendHeader(b, "CSeq", strconv.Itoa(cseq)+" "+method)
	if method == "INVITE" {
		b = appendHeader(b, "Contact", c.contact(c.CallerUser, c.Caller))
		b = appendHeader(b, "Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS")
	}
	b = appendHeader(b, "User-Agent", "mikeyscope-samples/1.0")
	return appendBody(b, contentType, body)
}

func appendBody(b []byte, contentType string, body []byte) []byte {
	if len(body) > 0 {
		b = appendHeader(b, "Content-Type", contentType)
	}
	b = appendHeader(b, "Content-Length", strconv.Itoa(len(body)))
	b = append(b, "\r\n"...)
	return append(b, body...)
}

// response builds a response to a request sent by the caller (toCaller) or
// callee, copying Via, From, To, Call-ID and CSeq as RFC 3261 §8.2.6 says.
func (c *Call) response(code int, reason string, method string, cseq int, branch string, toCaller bool, withToTag bool, contentType string, body []byte) []byte {
	via := "SIP/2.0/" + c.Transport + " " + hostport(c.Caller) + ";branch=" + branch
	from := "<" + c.callerURI() + ">;tag=" + c.FromTag
	to := "<" + c.calleeURI() + ">"
	if withToTag {
		to += ";tag=" + c.ToTag
	}
	if !toCaller {
		via = "SIP/2.0/" + c.Transport + " " + hostport(c.Callee) + ";branch=" + branch
		from = "<" + c.calleeURI() + ">;tag=" + c.ToTag
		to = "<" + c.callerURI() + ">;tag=" + c.FromTag
	}
	b := make([]byte, 0, 600+len(body))
	b = append(b, "SIP/2.0 "+strconv.Itoa(code)+" "+reason+"\r\n"...)
	b = appendHeader(b, "Via", via)
	b = appendHeader(b, "From", from)
	b = appendHeader(b, "To", to)
	b = appendHeader(b, "Call-ID", c.CallID)
	b = appendHeader(b, "CSeq", strconv.Itoa(cseq)+" "+method)
	if method == "INVITE" && code >= 200 && code < 300 {
		b = appendHeader(b, "Contact", c.contact(c.CalleeUser, c.Callee))
	}
	b = appendHeader(b, "Server", "mikeyscope-samples/1.0")
	return appendBody(b, contentType, body)
}

// Invite returns the INVITE carrying body (normally an SDP offer).
func (c *Call) Invite(contentType string, body []byte) []byte {
	return c.request("INVITE", true, c.InviteCSeq, c.Branch, false, contentType, body)
}

// Trying returns 100 Trying for the INVITE.
func (c *Call) Trying() []byte {
	return c.response(100, "Trying", "INVITE", c.InviteCSeq, c.Branch, true, false, "", nil)
}

// Ringing returns 180 Ringing for the INVITE.
func (c *Call) Ringing() []byte {
	return c.response(180, "Ringing", "INVITE", c.InviteCSeq, c.Branch, true, true, "", nil)
}

// OK returns 200 OK for the INVITE carrying body (normally the SDP answer).
func (c *Call) OK(contentType string, body []byte) []byte {
	return c.response(200, "OK", "INVITE", c.InviteCSeq, c.Branch, true, true, contentType, body)
}

// Reject488 returns 488 Not Acceptable Here for the INVITE with a Warning
// (RFC 4567 §4.1.2) and body (the SDP carrying a MIKEY error message).
func (c *Call) Reject488(contentType string, body []byte) []byte {
	b := c.response(488, "Not Acceptable Here", "INVITE", c.InviteCSeq, c.Branch, true, true, "", nil)
	b = b[:len(b)-len("Content-Length: 0\r\n\r\n")]
	b = appendHeader(b, "Warning", `399 `+c.Callee.Addr().String()+` "MIKEY key management failed"`)
	return appendBody(b, contentType, body)
}

// AckNon2xx returns the ACK for a non-2xx final response: part of the
// INVITE transaction, same branch (RFC 3261 §17.1.1.3).
func (c *Call) AckNon2xx() []byte {
	return c.request("ACK", true, c.InviteCSeq, c.Branch, true, "", nil)
}

// Ack returns the ACK for the 2xx (a new transaction, RFC 3261 §13.2.2.4).
func (c *Call) Ack() []byte {
	return c.request("ACK", true, c.InviteCSeq, c.Branch+"ack", true, "", nil)
}

// Bye returns the callee's BYE ending the dialog.
func (c *Call) Bye() []byte {
	return c.request("BYE", false, c.ByeSeq, c.Branch+"bye", true, "", nil)
}

// ByeOK returns the caller's 200 OK to the BYE.
func (c *Call) ByeOK() []byte {
	return c.response(200, "OK", "BYE", c.ByeSeq, c.Branch+"bye", false, true, "", nil)
}

// SDP returns an SDP description (RFC 4566) for one audio stream at rtp
// offering PCMU over RTP/SAVP, with the key management data at session level
// (RFC 4567 §3.1: a=key-mgmt:mikey <base64>). extra lines (without CRLF) are
// appended at media level.
func SDP(user string, sessionID uint64, rtp netip.AddrPort, keyMgmtB64 string, extra ...string) []byte {
	ipv := "IP4"
	if rtp.Addr().Is6() {
		ipv = "IP6"
	}
	id := strconv.FormatUint(sessionID, 10)
	b := make([]byte, 0, 400+len(keyMgmtB64))
	line := func(s string) { b = append(b, s...); b = append(b, "\r\n"...) }
	line("v=0")
	line("o=" + user + " " + id + " " + id + " IN " + ipv + " " + rtp.Addr().String())
	line("s=-")
	line("c=IN " + ipv + " " + rtp.Addr().String())
	line("t=0 0")
	if keyMgmtB64 != "" {
		line("a=key-mgmt:mikey " + keyMgmtB64)
	}
	line("m=audio " + strconv.Itoa(int(rtp.Port())) + " RTP/SAVP 0")
	line("a=rtpmap:0 PCMU/8000")
	line("a=ptime:20")
	line("a=sendrecv")
	for _, e := range extra {
		line(e)
	}
	return b
}
