package tlsdec_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/mikeyscope/mikeyscope/tlsdec"
)

// Example decrypts a recorded RTSPS session with its key log, as the
// analysis pipeline does with the reassembled TCP bytes of a connection.
func Example() {
	var rec struct {
		KeyLog string `json:"keylog"`
		Writes []struct {
			FromClient bool
			Data       []byte
		} `json:"writes"`
	}
	b, _ := os.ReadFile("testdata/sessions/tls13.json")
	if err := json.Unmarshal(b, &rec); err != nil {
		fmt.Println(err)
		return
	}
	kl, err := tlsdec.ParseKeyLog(bytes.NewReader([]byte(rec.KeyLog)))
	if err != nil {
		fmt.Println(err)
		return
	}
	conn := tlsdec.NewConn(kl)
	var request []byte
	for i, w := range rec.Writes {
		dir := tlsdec.ServerToClient
		if w.FromClient {
			dir = tlsdec.ClientToServer
		}
		// Segment.GapBefore and Segment.Frame in the real pipeline.
		conn.Feed(dir, w.Data, 0, uint64(i+1), func(p tlsdec.Plaintext) {
			if p.Type == tlsdec.TypeApplicationData && p.FromClient && request == nil {
				request = bytes.Clone(p.Data) // Data is only valid in the callback
			}
		})
	}
	st := conn.Status()
	fmt.Println(st.State, tlsdec.VersionName(st.Version), tlsdec.SuiteName(st.Suite))
	fmt.Printf("%s\n", request[:bytes.IndexByte(request, '\r')])
	// Output:
	// decrypting TLS 1.3 TLS_AES_128_GCM_SHA256
	// SETUP rtsp://cam.example/stream/track1 RTSP/1.0
}
