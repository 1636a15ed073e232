package keys

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary keys file content to the parser, with file
// reads disabled. It must not panic, and every error must name the line.
func FuzzParse(f *testing.F) {
	f.Add([]byte("psk 000102030405060708090a0b0c0d0e0f\n"))
	f.Add([]byte("psk a@b=AAECAwQFBgcICQoLDA0ODw==\n# c\n\nsrtp *=inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\n"))
	f.Add([]byte("srtp 0x048f147f=68ff7f2b360a05ac381a67d784ae6328:3d884cc40a60ebd2ca7fe01f0670\ntgk 00\ndh-key 0x01\n"))
	f.Add([]byte("sakke-rsk id=00ff\nkms-z 04aa\nkms-kpak 04bb\ntls-keylog k.log\nrsa-key k.pem\ncert c.pem\n"))
	f.Add([]byte("psk ==\npsk =00\nsrtp =:\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := parser{store: &Store{}, readFile: func(string) ([]byte, error) { return nil, errors.New("disabled") }}
		err := p.parseLines(data, "f", "")
		if err != nil && !strings.HasPrefix(err.Error(), "f:") {
			t.Fatalf("error without position: %v", err)
		}
		_ = p.store.Summary()
		_ = p.store.MIKEY()
	})
}
