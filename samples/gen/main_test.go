package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestSamplesRegenerateIdentically regenerates every sample into a temporary
// directory and requires each capture, keys file and manifest to equal the
// committed one byte for byte.
func TestSamplesRegenerateIdentically(t *testing.T) {
	dir := t.TempDir()
	if err := run(dir); err != nil {
		t.Fatal(err)
	}
	for _, s := range catalogue {
		for _, name := range []string{s.name + ext(s.format), s.name + ".keys", s.name + ".truth.json"} {
			got, err := os.ReadFile(filepath.Join(dir, filepath.Dir(s.name), filepath.Base(name)))
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("..", filepath.Dir(s.name), filepath.Base(name)))
			if err != nil {
				t.Fatalf("%s: %v (run go generate ./samples)", name, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the committed file (%d vs %d bytes); run go generate ./samples if the change is intended", name, len(got), len(want))
			}
			if len(got) > 1<<20 {
				t.Errorf("%s is %d bytes, samples must stay under 1 MB", name, len(got))
			}
		}
	}
}

// TestRunTwiceSameOutput guards against hidden state (maps, clocks) in the
// generator by running it twice in one process.
func TestRunTwiceSameOutput(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if err := run(a); err != nil {
		t.Fatal(err)
	}
	if err := run(b); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := filepath.WalkDir(a, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, path)
		x, _ := os.ReadFile(path)
		y, _ := os.ReadFile(filepath.Join(b, rel))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs", rel)
		}
		n++
		return nil
	})
	if err != nil || n != 3*len(catalogue) {
		t.Fatalf("walked %d files (want %d): %v", n, 3*len(catalogue), err)
	}
}
