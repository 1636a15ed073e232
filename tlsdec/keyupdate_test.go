package tlsdec

import (
	"bytes"
	"crypto/cipher"
	"encoding/binary"
	"encoding/hex"
	"testing"
)

// seal13 builds a TLS 1.3 record (RFC 8446 §5.2) with Go's AEADs: inner
// plaintext = content || type || padding zeros, additional data = header.
func seal13(t *testing.T, s *suite, secret []byte, seq uint64, typ uint8, content []byte, padding int) []byte {
	t.Helper()
	key, iv := trafficKeys(s, secret)
	a, err := newAEAD(s, key)
	if err != nil {
		t.Fatal(err)
	}
	return sealWith(a, iv, seq, typ, content, padding)
}

func sealWith(a cipher.AEAD, iv []byte, seq uint64, typ uint8, content []byte, padding int) []byte {
	inner := append(append(bytes.Clone(content), typ), make([]byte, padding)...)
	var nonce [12]byte
	copy(nonce[:], iv)
	for i := 0; i < 8; i++ {
		nonce[4+i] ^= byte(seq >> (56 - 8*i))
	}
	hdr := []byte{TypeApplicationData, 3, 3, 0, 0}
	binary.BigEndian.PutUint16(hdr[3:], uint16(len(inner)+a.Overhead()))
	return a.Seal(hdr, nonce[:], inner, hdr)
}

// TestKeyUpdateHandBuilt continues a real TLS 1.3 session with hand-built
// records: KeyUpdate messages in both directions (one with
// update_requested), padded records, and application data under each
// generation of traffic secret.
func TestKeyUpdateHandBuilt(t *testing.T) {
	s := loadGolden(t, "tls13.json")
	writes := s.Writes[:len(s.Writes)-2] // without the close_notify alerts
	kl := mustKeyLog(t, s.KeyLog)
	c := NewConn(kl)
	for i, w := range writes {
		dir := ServerToClient
		if w.FromClient {
			dir = ClientToServer
		}
		c.Feed(dir, w.Data, 0, uint64(i+1), nil)
	}
	cli, srv := c.clientHalf(), c.serverHalf()
	if c.Status().State != StateDecrypting || cli.secret == nil || srv.secret == nil {
		t.Fatalf("session not in application phase: %v", c.Status())
	}
	st := c.suite
	keyUpdate := func(requested byte) []byte { return []byte{hsKeyUpdate, 0, 0, 1, requested} }

	var wantClient, wantServer []byte
	var stream []struct {
		dir  Direction
		data []byte
	}
	add := func(d Direction, rec []byte) {
		stream = append(stream, struct {
			dir  Direction
			data []byte
		}{d, rec})
	}
	cSecret, cSeq := cli.secret, cli.seq
	sSecret, sSeq := srv.secret, srv.seq
	for gen := 0; gen < 3; gen++ {
		msg := []byte("GET_PARAMETER rtsp://cam.example RTSP/1.0 gen " + string(rune('0'+gen)))
		add(ClientToServer, seal13(t, st, cSecret, cSeq, TypeApplicationData, msg, gen*7))
		wantClient = append(wantClient, msg...)
		// Client updates its keys and asks the server to do the same.
		add(ClientToServer, seal13(t, st, cSecret, cSeq+1, TypeHandshake, keyUpdate(1), 0))
		cSecret, cSeq = nextTrafficSecret(st, cSecret), 0
		reply := []byte("RTSP/1.0 200 OK gen " + string(rune('0'+gen)))
		add(ServerToClient, seal13(t, st, sSecret, sSeq, TypeApplicationData, reply, 3))
		add(ServerToClient, seal13(t, st, sSecret, sSeq+1, TypeHandshake, keyUpdate(0), 0))
		wantServer = append(wantServer, reply...)
		sSecret, sSeq = nextTrafficSecret(st, sSecret), 0
		after := []byte("after update")
		add(ServerToClient, seal13(t, st, sSecret, sSeq, TypeApplicationData, after, 0))
		wantServer = append(wantServer, after...)
		sSeq++
	}
	var gotClient, gotServer []byte
	for i, r := range stream {
		err := c.Feed(r.dir, r.data, 0, uint64(1000+i), func(p Plaintext) {
			if p.Type != TypeApplicationData {
				return
			}
			if p.FromClient {
				gotClient = append(gotClient, p.Data...)
			} else {
				gotServer = append(gotServer, p.Data...)
			}
		})
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	if !bytes.Equal(gotClient, wantClient) || !bytes.Equal(gotServer, wantServer) {
		t.Errorf("client %q\nwant %q\nserver %q\nwant %q", gotClient, wantClient, gotServer, wantServer)
	}
	if got := c.Status(); got.Client.KeyUpdates != 3 || got.Server.KeyUpdates != 3 {
		t.Errorf("key updates %d/%d, want 3/3", got.Client.KeyUpdates, got.Server.KeyUpdates)
	}
	// A record under the original traffic secret fails after the updates.
	orig := kl.Lookup(c.ch.random).ClientTraffic0
	old := seal13(t, st, orig, cli.seq, TypeApplicationData, []byte("x"), 0)
	if err := c.Feed(ClientToServer, old, 0, 2001, nil); err == nil {
		t.Error("record under the original traffic secret accepted after three updates")
	}
	if got := c.Status().Client.Failed; got != 1 {
		t.Errorf("failed client records %d, want 1", got)
	}
}

// TestMidStreamAfterKeyUpdates starts a capture after two KeyUpdates in
// each direction: the key search must find the third generation of the
// logged traffic secrets, for both directions.
func TestMidStreamAfterKeyUpdates(t *testing.T) {
	s := loadGolden(t, "tls13.json")
	kl := mustKeyLog(t, s.KeyLog)
	c := NewConn(kl)
	for i, w := range s.Writes {
		dir := ServerToClient
		if w.FromClient {
			dir = ClientToServer
		}
		c.Feed(dir, w.Data, 0, uint64(i+1), nil)
	}
	st := c.suite
	sec := kl.Lookup(c.ch.random)
	cSecret := nextTrafficSecret(st, nextTrafficSecret(st, sec.ClientTraffic0))
	sSecret := nextTrafficSecret(st, nextTrafficSecret(st, sec.ServerTraffic0))
	fresh := NewConn(kl)
	d := &decrypted{}
	var wantClient, wantServer []byte
	for seq := uint64(5); seq < 9; seq++ { // records 0-4 of this generation were missed
		req := []byte("GET_PARAMETER rtsp://cam.example RTSP/1.0 #" + string(rune('0'+seq)))
		rep := []byte("RTSP/1.0 200 OK #" + string(rune('0'+seq)))
		if err := fresh.Feed(ClientToServer, seal13(t, st, cSecret, seq, TypeApplicationData, req, 0), 0, seq, d.emit); err != nil {
			t.Fatal(err)
		}
		if err := fresh.Feed(ServerToClient, seal13(t, st, sSecret, seq+3, TypeApplicationData, rep, 0), 0, seq, d.emit); err != nil {
			t.Fatal(err)
		}
		wantClient, wantServer = append(wantClient, req...), append(wantServer, rep...)
	}
	got := fresh.Status()
	if got.State != StateDecrypting || got.ClientRandom != hex.EncodeToString(c.ch.random[:]) {
		t.Fatalf("status %v", got)
	}
	if !bytes.Equal(d.app[1], wantClient) || !bytes.Equal(d.app[0], wantServer) {
		t.Errorf("client %q, server %q", d.app[1], d.app[0])
	}
	if got.Client.KeyUpdates != 2 || got.Server.KeyUpdates != 2 {
		t.Errorf("key generations %d/%d, want 2/2", got.Client.KeyUpdates, got.Server.KeyUpdates)
	}
}
