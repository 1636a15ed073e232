package dissect

import (
	"bytes"
	"fmt"
	"net/netip"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
)

// msgCtx is where a message came from.
type msgCtx struct {
	frame     uint64
	time      time.Time
	src, dst  netip.AddrPort
	transport string
	conn      *conn
	hep       *capture.HEPOrigin
}

// signal parses one framed message (raw is copied), correlates it and
// reports it with its problems.
func (e *Engine) signal(ctx msgCtx, raw []byte) {
	m, iss := parseMessage(bytes.Clone(raw))
	if m == nil {
		for _, is := range iss {
			e.problem(ctx, 0, is.kind, is.off, is.detail)
		}
		return
	}
	m.Frame, m.Time, m.Src, m.Dst, m.Transport, m.HEP = ctx.frame, ctx.time, ctx.src, ctx.dst, ctx.transport, ctx.hep
	if ctx.conn != nil {
		m.Conn = ctx.conn.name
		if ctx.conn.carrier == 0 {
			ctx.conn.carrier = m.Carrier
		}
	} else {
		m.Conn = udpName(ctx.src, ctx.dst)
	}
	if m.Carrier == CarrierRTSP {
		iss = append(iss, readRTSPHeaders(m)...)
		e.correlateRTSP(m, ctx.conn)
	} else {
		e.correlateSIP(m)
	}
	for _, is := range iss {
		e.problemAt(m, is.kind, is.off, is.detail)
	}
	e.sink.Signal(m)
}

// problemAt reports a problem inside message m (offset in m.Raw).
func (e *Engine) problemAt(m *SignalMessage, kind ProblemKind, off int, detail string) {
	e.sink.Problem(&Problem{
		Frame: m.Frame, Time: m.Time, Src: m.Src, Dst: m.Dst,
		Kind: kind, Carrier: m.Carrier, SessionKey: m.SessionKey,
		Offset: off, Detail: detail,
	})
}

// problem reports a problem outside a parsed message.
func (e *Engine) problem(ctx msgCtx, car Carrier, kind ProblemKind, off int, detail string) {
	p := &Problem{
		Frame: ctx.frame, Time: ctx.time, Src: ctx.src, Dst: ctx.dst,
		Kind: kind, Carrier: car, Offset: off, Detail: detail,
	}
	if ctx.conn != nil {
		p.Carrier = ctx.conn.carrier
		if ctx.conn.sess != nil {
			p.SessionKey = ctx.conn.sess.key
		}
	}
	e.sink.Problem(p)
}

// udpSignal handles a datagram that starts like a SIP or RTSP message. UDP
// carries one message per datagram (RFC 3261 §18.3): the body runs to the
// end of the datagram unless Content-Length says less.
func (e *Engine) udpSignal(d *capture.Datagram) {
	k, _ := sniffStart(d.Payload)
	if k != startYes {
		return
	}
	ctx := msgCtx{frame: d.Frame, time: d.Time, src: d.Src, dst: d.Dst, transport: "udp", hep: d.HEP}
	if d.HEP != nil {
		ctx.transport = hepTransport(d.HEP.IPProto)
	}
	raw := d.Payload
	if len(raw) > e.opts.MaxMessageSize {
		e.problem(ctx, 0, ProblemLimit, 0, fmt.Sprintf("%d-byte message exceeds the %d-byte limit; ignored", len(raw), e.opts.MaxMessageSize))
		return
	}
	if he := headerEnd(raw); he >= 0 {
		if cl, off, ok := contentLength(raw[:he]); ok {
			switch {
			case he+cl < len(raw):
				raw = raw[:he+cl]
			case he+cl > len(raw):
				e.problem(ctx, 0, ProblemTruncated, off, fmt.Sprintf("Content-Length %d but only %d body bytes in the datagram", cl, len(raw)-he))
			}
		}
	}
	e.signal(ctx, raw)
}

// hepTransport names the protocol a HEP agent says it captured the message
// on.
func hepTransport(proto uint8) string {
	switch proto {
	case 6:
		return "tcp"
	case 132:
		return "sctp"
	}
	return "udp"
}
