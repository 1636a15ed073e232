package analysis

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"time"

	"github.com/mikeyscope/mikeyscope/keys"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/tlsdec"
)

// tlsPorts are the ports on which TCP data that does not start with a TLS
// handshake is still taken for TLS (a capture that starts mid-connection):
// RTSPS (322), SIPS (5061), and HTTPS-style ports used for RTSP over TLS.
var tlsPorts = map[uint16]bool{322: true, 5061: true, 443: true, 8443: true, 7322: true}

// tlsRouter sits between the network decoder and the dissector: TCP
// connections that carry TLS are decrypted with the key log and their
// application data goes on to the SIP/RTSP dissector as if it were the TCP
// payload (RTSPS, SIPS). Everything else passes through untouched.
type tlsRouter struct {
	next capture.Handler
	// seen is told, once per connection, that a TLS connection decrypts,
	// so the analysis marks its sessions as carried over TLS.
	seen func(client, server netip.AddrPort)
	// used, when set, is told the key log entries of a connection after
	// each of its segments (Options.TLSSecretsUsed).
	used     func(*tlsdec.Secrets)
	kl       *tlsdec.KeyLog
	conns    map[[2]netip.AddrPort]*tlsConn
	notTLS   map[[2]netip.AddrPort]bool
	report   func(k Kind, frame uint64, summary string)
	maxConns int
	seg      capture.Segment
}

type tlsConn struct {
	c              *tlsdec.Conn
	client, server netip.AddrPort
	reported       tlsdec.State
	t              time.Time // time of the segment being fed
	announced      bool
}

func newTLSRouter(next capture.Handler, kl *tlsdec.KeyLog, report func(Kind, uint64, string)) *tlsRouter {
	return &tlsRouter{next: next, kl: kl, conns: map[[2]netip.AddrPort]*tlsConn{}, notTLS: map[[2]netip.AddrPort]bool{}, report: report, maxConns: 4096}
}

func connKey(a, b netip.AddrPort) [2]netip.AddrPort {
	if a.Addr().Less(b.Addr()) || (a.Addr() == b.Addr() && a.Port() < b.Port()) {
		return [2]netip.AddrPort{a, b}
	}
	return [2]netip.AddrPort{b, a}
}

// Datagram implements capture.Handler.
func (r *tlsRouter) Datagram(d *capture.Datagram) { r.next.Datagram(d) }

// Problem implements capture.Handler.
func (r *tlsRouter) Problem(p *capture.Problem) { r.next.Problem(p) }

// Segment implements capture.Handler.
func (r *tlsRouter) Segment(s *capture.Segment) {
	k := connKey(s.Src, s.Dst)
	tc := r.conns[k]
	if tc == nil {
		if r.notTLS[k] || !looksLikeTLS(s) || len(r.conns) >= r.maxConns {
			if len(r.notTLS) < 65536 {
				r.notTLS[k] = true
			}
			r.next.Segment(s)
			return
		}
		tc = &tlsConn{c: tlsdec.NewConn(r.kl), client: s.Src, server: s.Dst}
		if !isClientHello(s.Payload) && tlsPorts[s.Src.Port()] {
			tc.client, tc.server = s.Dst, s.Src
		}
		r.conns[k] = tc
	}
	dir := tlsdec.ClientToServer
	if s.Src != tc.client {
		dir = tlsdec.ServerToClient
	}
	tc.t = s.Time
	_ = tc.c.Feed(dir, s.Payload, s.GapBefore, s.Frame, func(pt tlsdec.Plaintext) {
		if pt.Type != 23 || len(pt.Data) == 0 { // application_data only
			return
		}
		if !tc.announced && r.seen != nil {
			tc.announced = true
			r.seen(tc.client, tc.server)
		}
		r.seg = capture.Segment{Frame: pt.Frame, Time: tc.t, GapBefore: int(pt.GapBefore), Payload: pt.Data}
		if pt.FromClient {
			r.seg.Src, r.seg.Dst = tc.client, tc.server
		} else {
			r.seg.Src, r.seg.Dst = tc.server, tc.client
		}
		r.next.Segment(&r.seg)
	})
	r.check(tc)
	// The secrets are told from the ClientHello on (before the
	// ServerHello they decrypt); once they prove wrong, no more.
	if r.used != nil && tc.reported != tlsdec.StateWrongKey {
		for _, sec := range tc.c.UsedSecrets() {
			r.used(sec)
		}
	}
}

// check turns a connection's new decryption state into a finding, once.
func (r *tlsRouter) check(tc *tlsConn) {
	st := tc.c.Status()
	if st.State == tc.reported {
		return
	}
	where := fmt.Sprintf("TLS %s -> %s", tc.client, tc.server)
	switch st.State {
	case tlsdec.StateNoKey:
		r.report(KindTLSNoKey, st.Frame, fmt.Sprintf("%s: no key for CLIENT_RANDOM %s", where, st.ClientRandom))
	case tlsdec.StateWrongKey:
		r.report(KindTLSWrongKey, st.Frame, fmt.Sprintf("%s: the logged secret %s does not decrypt the records (%s)", where, st.KeyFingerprint, st.Detail))
	case tlsdec.StateMidStream:
		r.report(KindTLSAfterHandshake, st.Frame, fmt.Sprintf("%s: %s", where, st))
	case tlsdec.StateUnsupported:
		r.report(KindTLSNoKey, st.Frame, fmt.Sprintf("%s: %s", where, st))
	case tlsdec.StateHandshake, tlsdec.StateUnknown, tlsdec.StateDecrypting, tlsdec.StateNotTLS:
	}
	tc.reported = st.State
}

// looksLikeTLS says whether the first bytes of a direction are a TLS
// record: a handshake record (ClientHello or ServerHello) on any port, or
// any record type on a TLS port.
func looksLikeTLS(s *capture.Segment) bool {
	b := s.Payload
	if len(b) < 5 || b[1] != 3 || b[2] > 4 {
		return false
	}
	if b[0] == 22 {
		return true
	}
	return b[0] >= 20 && b[0] <= 23 && (tlsPorts[s.Src.Port()] || tlsPorts[s.Dst.Port()])
}

func isClientHello(b []byte) bool { return len(b) > 5 && b[0] == 22 && b[5] == 1 }

// readKeyLog reads one key log file (at most 64 MiB).
func readKeyLog(p string) (*tlsdec.KeyLog, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("TLS key log: %w", err)
	}
	defer f.Close()
	k, err := tlsdec.ParseKeyLog(io.LimitReader(f, 64<<20))
	if k == nil && err != nil {
		return nil, fmt.Errorf("TLS key log %s: %w", p, err)
	}
	return k, nil
}

// LoadTLSKeyLog gathers TLS secrets from the key log files of the store
// (--tls-keylog, keys file, and $SSLKEYLOGFILE as Wireshark reads it) and
// from the Decryption Secrets Blocks of pcapng inputs (editcap
// --inject-secrets). It returns nil when there are none.
func LoadTLSKeyLog(st *keys.Store, inputs []string) (*tlsdec.KeyLog, error) {
	kl := tlsdec.NewKeyLog()
	var paths []keys.Path
	if st != nil {
		paths = append(paths, st.TLSKeyLogs...)
	}
	if env := os.Getenv("SSLKEYLOGFILE"); env != "" {
		paths = append(paths, keys.Path{Path: env, Source: "SSLKEYLOGFILE"})
	}
	for _, p := range paths {
		k, err := readKeyLog(p.Path)
		if err != nil {
			if p.Source != "" {
				return nil, fmt.Errorf("%s: %w", p.Source, err) // names the flag or keys-file line
			}
			return nil, err
		}
		if k != nil {
			kl.Merge(k)
		}
	}
	for _, in := range inputs {
		f, err := os.Open(in)
		if err != nil {
			continue // the capture reader reports it
		}
		secrets, err := tlsdec.ReadDSBs(f)
		f.Close()
		if len(secrets) > 0 {
			if k, _ := tlsdec.ParseKeyLog(bytes.NewReader(secrets)); k != nil {
				kl.Merge(k)
			}
		}
		var de *tlsdec.DSBError
		if err != nil && errors.As(err, &de) {
			continue // a damaged file: the capture reader reports it
		}
	}
	if kl.Len() == 0 {
		return nil, nil
	}
	return kl, nil
}
