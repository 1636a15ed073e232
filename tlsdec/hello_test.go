package tlsdec

import (
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
)

// handshakeRecord wraps a handshake message in a plaintext record.
func handshakeRecord(typ uint8, body []byte) []byte {
	msg := []byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}
	msg = append(msg, body...)
	rec := []byte{TypeHandshake, 3, 1, 0, 0}
	binary.BigEndian.PutUint16(rec[3:], uint16(len(msg)))
	return append(rec, msg...)
}

func clientHelloBody(random byte, exts []byte) []byte {
	b := []byte{3, 3}
	for i := 0; i < 32; i++ {
		b = append(b, random)
	}
	b = append(b, 0)             // session id
	b = append(b, 0, 2, 0x13, 1) // one suite
	b = append(b, 1, 0)          // null compression
	if exts != nil {
		b = binary.BigEndian.AppendUint16(b, uint16(len(exts)))
		b = append(b, exts...)
	}
	return b
}

func serverHelloBody(version, suite uint16, supportedVersion uint16) []byte {
	b := binary.BigEndian.AppendUint16(nil, version)
	for i := 0; i < 32; i++ {
		b = append(b, 0x55)
	}
	b = append(b, 0)
	b = binary.BigEndian.AppendUint16(b, suite)
	b = append(b, 0)
	if supportedVersion != 0 {
		ext := []byte{0, extSupportedVersions, 0, 2}
		ext = binary.BigEndian.AppendUint16(ext, supportedVersion)
		b = binary.BigEndian.AppendUint16(b, uint16(len(ext)))
		b = append(b, ext...)
	}
	return b
}

func TestHelloOutcomes(t *testing.T) {
	random := strings.Repeat("ab", 32)
	kl := mustKeyLog(t, []byte("CLIENT_RANDOM "+random+" "+ms48+"\nCLIENT_TRAFFIC_SECRET_0 "+random+" "+s32))
	tests := []struct {
		name   string
		sh     []byte
		state  State
		detail string
	}{
		{"3DES suite", serverHelloBody(0x0303, 0x000A, 0), StateUnsupported, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
		{"TLS 1.3 CCM suite", serverHelloBody(0x0303, 0x1304, 0x0304), StateUnsupported, "TLS_AES_128_CCM_SHA256"},
		{"unknown suite", serverHelloBody(0x0303, 0xabcd, 0), StateUnsupported, "0xabcd"},
		{"SSL 3.0", serverHelloBody(0x0300, 0x002F, 0), StateUnsupported, "SSL 3.0"},
		{"TLS 1.3 suite in TLS 1.2", serverHelloBody(0x0303, 0x1301, 0), StateUnsupported, "not valid in TLS 1.2"},
		{"TLS 1.2 GCM with key", serverHelloBody(0x0303, 0xC02F, 0), StateHandshake, ""},
		{"TLS 1.3 with a secret of the wrong size", serverHelloBody(0x0303, 0x1302, 0x0304), StateWrongKey, "48-byte"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := NewConn(kl)
			if err := c.Feed(ClientToServer, handshakeRecord(hsClientHello, clientHelloBody(0xab, nil)), 0, 1, nil); err != nil {
				t.Fatal(err)
			}
			if err := c.Feed(ServerToClient, handshakeRecord(hsServerHello, tc.sh), 0, 2, nil); err != nil {
				t.Fatal(err)
			}
			st := c.Status()
			if st.State != tc.state || !strings.Contains(st.Detail, tc.detail) {
				t.Errorf("status %v, want %v containing %q", st, tc.state, tc.detail)
			}
			if st.ClientRandom != random || st.Frame == 0 && tc.state != StateHandshake {
				t.Errorf("random %q frame %d", st.ClientRandom, st.Frame)
			}
		})
	}
}

// TestMalformedHellos checks that truncated hellos are reported with an
// offset and do not change the state.
func TestMalformedHellos(t *testing.T) {
	ch := clientHelloBody(1, []byte{0, 42, 0, 0, 0, 35, 0, 3, 1, 2, 3})
	if h, err := parseClientHello(ch); err != nil || !h.earlyData || hex.EncodeToString(h.ticket) != "010203" {
		t.Fatalf("parseClientHello: %+v %v", h, err)
	}
	for n := 0; n < len(ch); n++ {
		// 41 bytes is a complete ClientHello without extensions.
		if _, err := parseClientHello(ch[:n]); err == nil && n != 41 {
			t.Errorf("ClientHello truncated to %d bytes accepted", n)
		} else if err != nil && !strings.Contains(err.Error(), "offset") {
			t.Errorf("error without offset: %v", err)
		}
	}
	sh := serverHelloBody(0x0303, 0x1301, 0x0304)
	if h, err := parseServerHello(sh); err != nil || h.version != VersionTLS13 || h.suite != 0x1301 {
		t.Fatalf("parseServerHello: %+v %v", h, err)
	}
	for n := 0; n < len(sh); n++ {
		_, err := parseServerHello(sh[:n])
		if err == nil && n != 38 {
			t.Errorf("ServerHello truncated to %d bytes accepted", n)
		}
	}
	c := NewConn(nil)
	err := c.Feed(ClientToServer, handshakeRecord(hsClientHello, ch[:20]), 0, 7, nil)
	var re *RecordError
	if err == nil || !errorsAs(err, &re) || re.Frame != 7 {
		t.Errorf("truncated ClientHello: %v", err)
	}
	if c.Status().State != StateUnknown {
		t.Errorf("state %v", c.Status())
	}
}
