package mikey

import (
	"encoding/base64"
	"testing"
)

// typicalPSK is tsitle-roundtrip1: HDR, T, RAND, SP (9 params), KEMAC NULL
// with one TEK and a 4-byte MKI (123 bytes).
const typicalPSK = "AQAFALTv+/IBAAAEjxR/AAAAAAsA7W0MlxQSOBEKEIB1A+mz0UfnXMDKIEGhgZwBAAAAGwABAQEBEAIBAQMBFAQBDgcBAQgBAQoBAQsBCgAAACcAIQAeaP9/KzYKBaw4GmfXhK5jKD2ITMQKYOvSyn/gHwZwBAn6QCEA"

func benchMessage(b *testing.B) []byte {
	raw, err := base64.StdEncoding.DecodeString(typicalPSK)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := Parse(raw); err != nil {
		b.Fatal(err)
	}
	return raw
}

func BenchmarkParse(b *testing.B) {
	raw := benchMessage(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalReuse(b *testing.B) {
	raw := benchMessage(b)
	var m Message
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if err := m.Unmarshal(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshal(b *testing.B) {
	m, _ := Parse(benchMessage(b))
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = m.AppendMarshal(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTree(b *testing.B) {
	m, _ := Parse(benchMessage(b))
	b.ReportAllocs()
	for b.Loop() {
		m.Tree()
	}
}
