package dissect

import (
	"net/netip"
	"time"
)

// connKey identifies a TCP connection regardless of direction: a is the
// lower endpoint.
type connKey struct{ a, b netip.AddrPort }

// canonical returns the key of the connection between src and dst and the
// direction index of src -> dst (0 when src is key.a).
func canonical(src, dst netip.AddrPort) (connKey, int) {
	if src.Compare(dst) <= 0 {
		return connKey{src, dst}, 0
	}
	return connKey{dst, src}, 1
}

// maxPending bounds the RTSP requests awaiting a response per connection.
const maxPending = 64

// pendingReq is an RTSP request awaiting its response (matched by CSeq,
// RFC 2326 §12.17).
type pendingReq struct {
	method     string
	uri        string
	media      int
	transports []RTSPTransport
}

// byteStream is one direction of a TCP connection carrying SIP or RTSP:
// the reassembled bytes not yet delimited into messages (delimitMessage)
// and the resynchronisation state. (analysis's streamState is an RTP
// stream.)
type byteStream struct {
	buf     []byte // unconsumed bytes, bounded by the message size limit
	synced  bool   // at a message boundary
	skipped int    // bytes skipped while resynchronising, not yet reported
	skipAt  uint64 // frame of the first skipped byte
	midLine bool   // out of sync and the next byte is not at a line start
	last    uint64 // frame of the latest bytes
	lastT   time.Time
}

// conn is a TCP connection carrying SIP or RTSP.
type conn struct {
	key     connKey
	client  netip.AddrPort // the side that sent requests (as far as seen)
	name    string         // "tcp:client-server"
	carrier Carrier
	dir     [2]byteStream
	sess    *session // RTSP: the session on this connection
	pending map[uint32]pendingReq
	chans   [256]chanRole
}

func newConn(k connKey, client netip.AddrPort, car Carrier) *conn {
	server := k.a
	if client == k.a {
		server = k.b
	}
	return &conn{key: k, client: client, carrier: car, name: "tcp:" + client.String() + "-" + server.String()}
}

// server returns the endpoint that is not the client.
func (c *conn) server() netip.AddrPort {
	if c.client == c.key.a {
		return c.key.b
	}
	return c.key.a
}

// udpName names a UDP association, lower endpoint first.
func udpName(src, dst netip.AddrPort) string {
	k, _ := canonical(src, dst)
	return "udp:" + k.a.String() + "-" + k.b.String()
}
