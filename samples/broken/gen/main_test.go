package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestSamplesRegenerateIdentically: the generator reproduces the committed
// captures and keys files byte for byte, and keeps them small.
func TestSamplesRegenerateIdentically(t *testing.T) {
	for _, s := range catalogue {
		pcap, keys, err := render(s)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		for name, got := range map[string][]byte{s.name + ".pcap": pcap, s.name + ".keys": []byte(keys)} {
			want, err := os.ReadFile(filepath.Join("..", name))
			if err != nil {
				t.Fatalf("%s: %v (run go run ./samples/broken/gen)", name, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the committed file (%d vs %d bytes); run go run ./samples/broken/gen if the change is intended", name, len(got), len(want))
			}
			if len(got) > 200<<10 {
				t.Errorf("%s is %d bytes; broken samples stay under 200 KB", name, len(got))
			}
		}
	}
}

// TestRenderTwiceSameOutput guards against hidden state in the generator.
func TestRenderTwiceSameOutput(t *testing.T) {
	for _, s := range catalogue {
		a, ka, err := render(s)
		if err != nil {
			t.Fatal(err)
		}
		b, kb, err := render(s)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) || ka != kb {
			t.Errorf("%s differs between two renders", s.name)
		}
	}
}
