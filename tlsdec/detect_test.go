package tlsdec

import "testing"

func TestLooksLikeClientHello(t *testing.T) {
	s := loadGolden(t, "tls13.json")
	tests := []struct {
		name string
		p    []byte
		want bool
	}{
		{"crypto/tls ClientHello", s.Writes[0].Data, true},
		{"ServerHello", s.Writes[1].Data, false},
		{"RTSP", []byte("OPTIONS rtsp://x RTSP/1.0\r\n"), false},
		{"short", []byte{22, 3, 1, 0}, false},
		{"record too long", []byte{22, 3, 1, 0xff, 0xff, 1}, false},
		{"SSL 2 style", []byte{0x80, 0x2e, 1, 3, 1, 0}, false},
		{"TLS 1.0 record version", []byte{22, 3, 1, 0, 50, 1}, true},
	}
	for _, tc := range tests {
		if got := LooksLikeClientHello(tc.p); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
