package tlsdec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/mikeyscope/mikeyscope/tlsdec/tlstest"
)

// mikeyB64 is a real MIKEY message (ONVIF Omnicast SETUP, see
// /work/shared/vectors/mikey-messages.jsonl).
const mikeyB64 = "AQAFAP1td9ABAADCD1UcAAAAAAoAAdOOGc75XD0BAAAAGAABAQEBEAIBAQMBFAcBAQgBAQoBAQsBCgAAACcAIQAe30C59UrClE0e27UP5h/Wty9UL8+dfzg+2ttmmo3kBAAAAC8A"

// interleaved frames an RTP packet on an RTSP connection (RFC 2326 §10.12):
// '$', channel, 16-bit length, packet.
func interleaved(channel byte, seq uint16, payloadLen int) []byte {
	pkt := make([]byte, 12+payloadLen)
	pkt[0], pkt[1] = 0x80, 96
	binary.BigEndian.PutUint16(pkt[2:], seq)
	binary.BigEndian.PutUint32(pkt[4:], uint32(seq)*160)
	binary.BigEndian.PutUint32(pkt[8:], 0xc20f551c)
	for i := range payloadLen {
		pkt[12+i] = byte(i + int(seq))
	}
	out := []byte{'$', channel, 0, 0}
	binary.BigEndian.PutUint16(out[2:], uint16(len(pkt)))
	return append(out, pkt...)
}

// rtspScript is an RTSPS exchange: SETUP with a KeyMgmt header, its reply,
// PLAY, and interleaved RTP both ways, including a record-sized burst.
func rtspScript() []tlstest.Step {
	setup := "SETUP rtsp://cam.example/stream/track1 RTSP/1.0\r\nCSeq: 3\r\n" +
		"Transport: RTP/SAVP/TCP;unicast;interleaved=0-1\r\n" +
		"KeyMgmt: prot=mikey; uri=\"rtsp://cam.example/stream/track1\"; data=\"" + mikeyB64 + "\"\r\n\r\n"
	reply := "RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: 12345678\r\nTransport: RTP/SAVP/TCP;unicast;interleaved=0-1\r\n\r\n"
	steps := []tlstest.Step{
		{FromClient: true, Data: []byte(setup)},
		{FromClient: false, Data: []byte(reply)},
		{FromClient: true, Data: []byte("PLAY rtsp://cam.example/stream RTSP/1.0\r\nCSeq: 4\r\nSession: 12345678\r\n\r\n")},
		{FromClient: false, Data: []byte("RTSP/1.0 200 OK\r\nCSeq: 4\r\nSession: 12345678\r\n\r\n")},
	}
	for i := range 20 {
		steps = append(steps, tlstest.Step{FromClient: false, Data: interleaved(0, uint16(i), 160+i*37)})
	}
	var burst []byte // larger than one record: spans records
	for i := range 30 {
		burst = append(burst, interleaved(0, uint16(100+i), 1200)...)
	}
	steps = append(steps, tlstest.Step{FromClient: false, Data: burst})
	steps = append(steps, tlstest.Step{FromClient: true, Data: interleaved(1, 1, 40)})
	return steps
}

// expected concatenates what one side of a script sends.
func expected(steps []tlstest.Step, fromClient bool) []byte {
	var b []byte
	for _, s := range steps {
		if s.FromClient == fromClient {
			b = append(b, s.Data...)
		}
	}
	return b
}

// decrypted collects the application plaintext a Conn delivers.
type decrypted struct {
	app     [2][]byte // by FromClient: [0] server, [1] client
	types   [2][]uint8
	gaps    int64
	records int
	errs    []error
	early   []byte // 0-RTT application data
	// finished is set per side when an encrypted Finished message
	// (handshake type 20, 12-byte verify_data in TLS 1.2) was delivered.
	finished [2]bool
}

func (d *decrypted) emit(p Plaintext) {
	i := 0
	if p.FromClient {
		i = 1
	}
	d.records++
	d.gaps += p.GapBefore
	d.types[i] = append(d.types[i], p.Type)
	if p.Encrypted && p.Type == TypeHandshake && bytes.Contains(p.Data, []byte{hsFinished, 0, 0}) {
		d.finished[i] = true
	}
	if p.Type == TypeApplicationData {
		d.app[i] = append(d.app[i], p.Data...)
		if p.Early {
			d.early = append(d.early, p.Data...)
		}
	}
}

// mustKeyLog parses a key log or fails the test.
func mustKeyLog(t testing.TB, text []byte) *KeyLog {
	t.Helper()
	kl, err := ParseKeyLog(bytes.NewReader(text))
	if err != nil {
		t.Fatalf("ParseKeyLog: %v", err)
	}
	return kl
}

// feedSession feeds every recorded write, in wire order, to a new Conn.
// Feed errors are collected in the result.
func feedSession(t testing.TB, kl *KeyLog, s *tlstest.Session) (*Conn, *decrypted) {
	t.Helper()
	c := NewConn(kl)
	d := &decrypted{}
	for i, w := range s.Writes {
		dir := ServerToClient
		if w.FromClient {
			dir = ClientToServer
		}
		if err := c.Feed(dir, w.Data, 0, uint64(i+1), d.emit); err != nil {
			d.errs = append(d.errs, err)
		}
	}
	return c, d
}

// runSession runs a tlstest session or fails the test.
func runSession(t testing.TB, opts tlstest.Options, steps []tlstest.Step) *tlstest.Session {
	t.Helper()
	s, err := tlstest.Run(opts, steps)
	if err != nil {
		t.Fatalf("tlstest.Run: %v", err)
	}
	return s
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
