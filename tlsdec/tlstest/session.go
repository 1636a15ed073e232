package tlstest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Step is one application message of a script: bytes one side writes.
type Step struct {
	FromClient bool
	Data       []byte
}

// Write is one Write call on the wire: TLS records as one side sent them.
type Write struct {
	FromClient bool
	Data       []byte
}

// Options choose the TLS parameters of a session.
type Options struct {
	MinVersion, MaxVersion uint16   // tls.VersionTLS10...; zero = crypto/tls defaults
	CipherSuites           []uint16 // TLS 1.0-1.2 suites offered by the client and accepted by the server
	RSA                    bool     // RSA server key (ECDHE_RSA and RSA key exchange suites); else ECDSA
	// Client and Server, when set, adjust the configurations last (session
	// caches, ALPN...). KeyLogWriter of the client is set by Run.
	Client, Server func(*tls.Config)
	Timeout        time.Duration // whole-session limit; zero = 10 s
}

// Session is the recording of one TLS connection. Sessions are not
// reproducible byte for byte (crypto/tls draws key shares and signature
// nonces from its own randomness): generators that need stable output should
// store a recorded Session (as JSON, say) and replay it.
type Session struct {
	Writes         []Write // wire bytes in the order they were written
	KeyLog         []byte  // NSS key log written by the client
	Version        uint16  // negotiated version
	CipherSuite    uint16  // negotiated suite
	Resumed        bool    // abbreviated handshake (session resumption)
	ClientReceived []byte  // application bytes the client read
	ServerReceived []byte  // application bytes the server read
}

// Bytes returns the concatenated wire bytes of one direction.
func (s *Session) Bytes(fromClient bool) []byte {
	var b []byte
	for _, w := range s.Writes {
		if w.FromClient == fromClient {
			b = append(b, w.Data...)
		}
	}
	return b
}

// recorder is a net.Conn that logs every Write, in order, into a shared log.
type recorder struct {
	net.Conn
	client bool
	log    *wireLog
}

type wireLog struct {
	mu     sync.Mutex
	writes []Write
}

func (r *recorder) Write(p []byte) (int, error) {
	r.log.mu.Lock()
	r.log.writes = append(r.log.writes, Write{FromClient: r.client, Data: bytes.Clone(p)})
	r.log.mu.Unlock()
	return r.Conn.Write(p)
}

// sink reads everything one side receives, so that neither side blocks on
// a write.
type sink struct {
	mu   sync.Mutex
	cond *sync.Cond
	data []byte
	err  error
	done bool
}

func newSink(r io.Reader) *sink {
	s := &sink{}
	s.cond = sync.NewCond(&s.mu)
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := r.Read(buf)
			s.mu.Lock()
			s.data = append(s.data, buf[:n]...)
			if err != nil {
				s.done = true
				if !errors.Is(err, io.EOF) {
					s.err = err
				}
			}
			s.cond.Broadcast()
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return s
}

// wait blocks until n bytes were received or the reader stopped.
func (s *sink) wait(n int) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.data) < n && !s.done {
		s.cond.Wait()
	}
	if len(s.data) < n {
		if s.err != nil {
			return s.data, s.err
		}
		return s.data, fmt.Errorf("peer closed after %d of %d bytes", len(s.data), n)
	}
	return s.data, nil
}

func (s *sink) finish() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for !s.done {
		s.cond.Wait()
	}
	return s.data, s.err
}

// tcpPair returns the two ends of a loopback TCP connection. Unlike
// net.Pipe, TCP buffers writes, so both sides may write at once as in real
// handshakes (HelloRetryRequest followed by a compatibility CCS).
func tcpPair() (client, server net.Conn, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("loopback listen: %w", err)
	}
	defer ln.Close()
	type result struct {
		c   net.Conn
		err error
	}
	accepted := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		accepted <- result{c, err}
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return nil, nil, fmt.Errorf("loopback dial: %w", err)
	}
	r := <-accepted
	if r.err != nil {
		client.Close()
		return nil, nil, fmt.Errorf("loopback accept: %w", r.err)
	}
	return client, r.c, nil
}

// Run performs a TLS handshake between a crypto/tls client and server over
// a loopback TCP connection, then plays the script (each step's data written by its side and
// fully received by the peer before the next step), then closes the client
// and the server with close_notify alerts. It returns every byte written on
// the wire and the client's key log.
func Run(opts Options, steps []Step) (*Session, error) {
	cert, err := Certificate(opts.RSA)
	if err != nil {
		return nil, err
	}
	var keyLog bytes.Buffer
	cc := &tls.Config{
		InsecureSkipVerify: true, // self-signed test certificate; nothing to authenticate
		ServerName:         "mikeyscope.test",
		MinVersion:         opts.MinVersion,
		MaxVersion:         opts.MaxVersion,
		CipherSuites:       opts.CipherSuites,
		KeyLogWriter:       &keyLog,
	}
	sc := &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   opts.MinVersion,
		MaxVersion:   opts.MaxVersion,
		CipherSuites: opts.CipherSuites,
	}
	if opts.Client != nil {
		opts.Client(cc)
	}
	if opts.Server != nil {
		opts.Server(sc)
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	deadline := time.Now().Add(timeout)
	log := &wireLog{}
	cp, sp, err := tcpPair()
	if err != nil {
		return nil, err
	}
	defer cp.Close()
	defer sp.Close()
	cp.SetDeadline(deadline)
	sp.SetDeadline(deadline)
	client := tls.Client(&recorder{Conn: cp, client: true, log: log}, cc)
	server := tls.Server(&recorder{Conn: sp, log: log}, sc)

	serverErr := make(chan error, 1)
	go func() { serverErr <- server.Handshake() }()
	if err := client.Handshake(); err != nil {
		cp.Close()
		<-serverErr
		return nil, fmt.Errorf("client handshake: %w", err)
	}
	// The server may still be writing (TLS 1.3 session tickets): read
	// before waiting for it.
	clientIn := newSink(client)
	if err := <-serverErr; err != nil {
		return nil, fmt.Errorf("server handshake: %w", err)
	}
	serverIn := newSink(server)
	var toClient, toServer int
	for i, st := range steps {
		w, in, total := client, serverIn, &toServer
		if !st.FromClient {
			w, in, total = server, clientIn, &toClient
		}
		if _, err := w.Write(st.Data); err != nil {
			return nil, fmt.Errorf("step %d: write: %w", i, err)
		}
		*total += len(st.Data)
		if _, err := in.wait(*total); err != nil {
			return nil, fmt.Errorf("step %d: %w", i, err)
		}
	}
	if err := client.CloseWrite(); err != nil {
		return nil, fmt.Errorf("client close_notify: %w", err)
	}
	serverGot, err := serverIn.finish()
	if err != nil {
		return nil, fmt.Errorf("server read: %w", err)
	}
	if err := server.CloseWrite(); err != nil {
		return nil, fmt.Errorf("server close_notify: %w", err)
	}
	clientGot, err := clientIn.finish()
	if err != nil {
		return nil, fmt.Errorf("client read: %w", err)
	}
	state := client.ConnectionState()
	log.mu.Lock()
	writes := log.writes
	log.mu.Unlock()
	return &Session{
		Writes:         writes,
		KeyLog:         keyLog.Bytes(),
		Version:        state.Version,
		CipherSuite:    state.CipherSuite,
		Resumed:        state.DidResume,
		ClientReceived: clientGot,
		ServerReceived: serverGot,
	}, nil
}
