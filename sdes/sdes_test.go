package sdes

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/srtp"
)

func unb64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseRFC4568Examples parses the attributes of RFC 4568's examples
// (§4, §5.1, §6.1, §6.3.5) and checks every field.
func TestParseRFC4568Examples(t *testing.T) {
	ks1 := "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"
	ks2 := "QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5"
	cases := []struct {
		in   string
		want Crypto
	}{
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + ks1 + "|2^20|1:4", Crypto{Tag: 1, SuiteName: "AES_CM_128_HMAC_SHA1_80", Known: true, KDR: -1,
			Keys: []KeyParam{{Method: "inline", Info: ks1 + "|2^20|1:4", Key: unb64(t, ks1)[:16], Salt: unb64(t, ks1)[16:], Lifetime: 1 << 20, HasLifetime: true, MKI: 1, MKILen: 4, HasMKI: true, Offset: 26}}}},
		{"2 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4;inline:" + ks2 + "|2^20|2:4 FEC_ORDER=FEC_SRTP", Crypto{Tag: 2, SuiteName: "F8_128_HMAC_SHA1_80", Known: true, KDR: -1, FECOrder: "FEC_SRTP"}},
		{"1 AES_CM_128_HMAC_SHA1_32 inline:" + ks2 + "|1048576 KDR=7 UNENCRYPTED_SRTCP UNAUTHENTICATED_SRTP WSH=128 X_VENDOR=1", Crypto{Tag: 1, SuiteName: "AES_CM_128_HMAC_SHA1_32", Known: true, KDR: 7,
			UnencryptedSRTCP: true, UnauthenticatedSRTP: true, WSH: 128, Unknown: []string{"X_VENDOR=1"}}},
		{"9 AEAD_AES_256_GCM inline:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 44)) + " UNENCRYPTED_SRTP", Crypto{Tag: 9, SuiteName: "AEAD_AES_256_GCM", Known: true, KDR: -1, UnencryptedSRTP: true}},
		{"123456789 AES_192_CM_HMAC_SHA1_80 inline:" + base64.RawStdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 38)), Crypto{Tag: 123456789, SuiteName: "AES_192_CM_HMAC_SHA1_80", Known: true, KDR: -1}},
		{"3 SEED_CTR_128_HMAC_SHA1_80 inline:" + ks2 + "|2^31", Crypto{Tag: 3, SuiteName: "SEED_CTR_128_HMAC_SHA1_80", KDR: -1}},
		{"4 AES_CM_128_HMAC_SHA1_80 inline:" + ks2 + " FEC_KEY=inline:" + ks1 + "|2^20|3:2", Crypto{Tag: 4, SuiteName: "AES_CM_128_HMAC_SHA1_80", Known: true, KDR: -1}},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if got.Tag != c.want.Tag || got.SuiteName != c.want.SuiteName || got.Known != c.want.Known || got.KDR != c.want.KDR ||
			got.UnencryptedSRTP != c.want.UnencryptedSRTP || got.UnencryptedSRTCP != c.want.UnencryptedSRTCP ||
			got.UnauthenticatedSRTP != c.want.UnauthenticatedSRTP || got.WSH != c.want.WSH || got.FECOrder != c.want.FECOrder ||
			fmt.Sprint(got.Unknown) != fmt.Sprint(c.want.Unknown) {
			t.Errorf("%q: got %+v", c.in, got)
		}
		if c.want.Keys != nil && fmt.Sprint(got.Keys) != fmt.Sprint(c.want.Keys) {
			t.Errorf("%q: keys\n got %+v\nwant %+v", c.in, got.Keys, c.want.Keys)
		}
		if got.Known {
			for _, k := range got.Keys {
				if len(k.Key) != got.Suite.Policy.KeyLen || len(k.Salt) != got.Suite.Policy.SaltLen {
					t.Errorf("%q: key %d salt %d bytes", c.in, len(k.Key), len(k.Salt))
				}
			}
		}
	}
	two, _ := Parse(cases[1].in)
	if len(two.Keys) != 2 || two.Keys[1].MKI != 2 || two.Keys[1].Offset != strings.Index(cases[1].in, "inline:"+ks2) {
		t.Errorf("second key-param: %+v", two.Keys)
	}
	if mki := two.Keys[1].MKIBytes(); !bytes.Equal(mki, []byte{0, 0, 0, 2}) {
		t.Errorf("MKI bytes %x", mki)
	}
	fec, _ := Parse(cases[6].in)
	if len(fec.FECKeys) != 1 || fec.FECKeys[0].MKI != 3 || fec.FECKeys[0].MKILen != 2 || !bytes.Equal(fec.FECKeys[0].Key, unb64(t, ks1)[:16]) {
		t.Errorf("FEC_KEY: %+v", fec.FECKeys)
	}
	unk, _ := Parse(cases[5].in)
	if !bytes.Equal(unk.Keys[0].Key, unb64(t, ks2)) || unk.Keys[0].Salt != nil || unk.Keys[0].Lifetime != 1<<31 {
		t.Errorf("unknown suite key kept as sent: %+v", unk.Keys[0])
	}
}

func TestParseErrors(t *testing.T) {
	ks := "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"
	cases := []struct {
		in, msg string
		off     int
	}{
		{"1 AES_CM_128_HMAC_SHA1_80", "needs a tag", 25},
		{"x1 AES_CM_128_HMAC_SHA1_80 inline:" + ks, "tag", 0},
		{"1234567890 AES_CM_128_HMAC_SHA1_80 inline:" + ks, "tag", 0},
		{"1 AES-CM inline:" + ks, "crypto-suite", 5},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + ks[:36], "is 27 bytes, AES_CM_128_HMAC_SHA1_80 needs 30", 33},
		{"1 AEAD_AES_128_GCM inline:" + ks, "is 30 bytes, AEAD_AES_128_GCM needs 28", 26},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + ks + "|2^20|1:0", "MKI length 0", 0},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + ks + "|1:4|2^20", "out of place", 0},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + ks + "|256:1", "does not fit its length", 0},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + ks + "|2^99", "exceeds 2^63", 0},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:!!!", "not base64", 33},
		{"1 AES_CM_128_HMAC_SHA1_80 inline", "not method:info", 26},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + ks + " KDR=25", "KDR 25", 0},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + ks + " WSH=32", "below the minimum", 0},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + ks + " FEC_ORDER=X", "FEC_ORDER", 0},
		{strings.Repeat("1", MaxLength+1), "longer than", MaxLength},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Msg, c.msg) {
			t.Errorf("%q: error %v, want one saying %q", c.in, err, c.msg)
			continue
		}
		if c.off != 0 && e.Offset != c.off {
			t.Errorf("%q: error at %d, want %d (%v)", c.in, e.Offset, c.off, err)
		}
	}
}

// FuzzParse: no input panics; a parsed attribute's keys have the lengths
// of its suite, and offsets lie inside the value.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4",
		"2 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4;inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4 FEC_ORDER=FEC_SRTP",
		"1 AES_CM_128_HMAC_SHA1_32 inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|1048576 KDR=7 UNENCRYPTED_SRTCP WSH=128",
		"9 AEAD_AES_128_GCM inline:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"4 AES_CM_128_HMAC_SHA1_80 inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5 FEC_KEY=inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|3:2",
		"3 X inline:QQ|2^3|1:128",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(s) {
				t.Fatalf("error %v without a valid offset", err)
			}
			return
		}
		for _, k := range append(append([]KeyParam(nil), c.Keys...), c.FECKeys...) {
			if k.Offset < 0 || k.Offset >= len(s) {
				t.Fatalf("key-param offset %d outside the value", k.Offset)
			}
			if c.Known && k.Method == "inline" && (len(k.Key) != c.Suite.Policy.KeyLen || len(k.Salt) != c.Suite.Policy.SaltLen) {
				t.Fatalf("key %d salt %d bytes for %s", len(k.Key), len(k.Salt), c.SuiteName)
			}
			if k.HasMKI && len(k.MKIBytes()) != k.MKILen {
				t.Fatal("MKI bytes of the wrong length")
			}
		}
		if len(c.Keys) == 0 {
			t.Fatal("parsed without key-params")
		}
	})
}

// TestParseAgreesWithTshark writes a SIP INVITE whose SDP carries an
// a=crypto per suite, with lifetimes and MKIs, and compares what
// Wireshark's SDP dissector reads from each (tag, suite, key and salt,
// lifetime, MKI value and length) with Parse.
func TestParseAgreesWithTshark(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not installed; skipping the SDP cross-check (apt-get install tshark)")
	}
	var lines []string
	for i, s := range Suites {
		ks := make([]byte, s.Policy.KeyLen+s.Policy.SaltLen)
		for j := range ks {
			ks[j] = byte(i*31 + j*7)
		}
		v := fmt.Sprintf("%d %s inline:%s", i+1, s.Name, base64.StdEncoding.EncodeToString(ks))
		switch i % 3 {
		case 1:
			v += "|2^20|1:4"
		case 2:
			v += fmt.Sprintf("|%d|%d:2", 1000+i, i+1)
		}
		lines = append(lines, v)
	}
	sdp := "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0\r\n"
	for _, l := range lines {
		sdp += "a=crypto:" + l + "\r\n"
	}
	msg := fmt.Sprintf("INVITE sip:b@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s", len(sdp), sdp)
	var b framebuild.Builder
	frame, err := b.UDP(netip.MustParseAddrPort("192.0.2.1:5060"), netip.MustParseAddrPort("192.0.2.2:5060"), []byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "crypto.pcap")
	if err := writePcap(path, frame); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("tshark", "-r", path, "-T", "fields",
		"-e", "sdp.crypto.tag", "-e", "sdp.crypto.crypto_suite", "-e", "sdp.key_and_salt",
		"-e", "sdp.crypto.lifetime", "-e", "sdp.crypto.mki-valu", "-e", "sdp.crypto.mki_length",
		"-e", "sdp.crypto.master_key", "-e", "sdp.crypto.master_salt").Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	f := strings.Split(strings.TrimRight(string(out), "\n"), "\t")
	if len(f) != 8 {
		t.Fatalf("tshark fields %q", out)
	}
	split := func(s string) []string { return strings.Split(s, ",") }
	tags, suites, keys := split(f[0]), split(f[1]), split(f[2])
	lifetimes, mkis, mkiLens := split(f[3]), split(f[4]), split(f[5])
	masterKeys, masterSalts := split(f[6]), split(f[7])
	if len(tags) != len(lines) || len(suites) != len(lines) || len(keys) != len(lines) {
		t.Fatalf("tshark read %d tags, %d suites, %d keys of %d attributes", len(tags), len(suites), len(keys), len(lines))
	}
	li, mi, ki := 0, 0, 0
	for i, l := range lines {
		c, err := Parse(l)
		if err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if tags[i] != fmt.Sprint(c.Tag) || suites[i] != c.SuiteName {
			t.Errorf("attribute %d: tshark tag %s suite %s, ours %d %s", i, tags[i], suites[i], c.Tag, c.SuiteName)
		}
		k := c.Keys[0]
		ks := append(append([]byte(nil), k.Key...), k.Salt...)
		// Wireshark 4.0 shows "Key and Salt" decoded for some suites and
		// as the base64 text for others.
		raw, _ := hex.DecodeString(keys[i])
		if dec, err := base64.StdEncoding.DecodeString(string(raw)); err == nil && len(dec) == len(ks) {
			raw = dec
		}
		if !bytes.Equal(raw, ks) {
			t.Errorf("attribute %d (%s): tshark key||salt %x, ours %x", i, c.SuiteName, raw, ks)
		}
		// It splits the key and salt of the 128-bit AES-CM and F8 suites.
		if c.Suite.Policy.KeyLen == 16 && c.Suite.Policy.SaltLen == 14 {
			if ki >= len(masterKeys) || masterKeys[ki] != hex.EncodeToString(k.Key) || masterSalts[ki] != hex.EncodeToString(k.Salt) {
				t.Errorf("attribute %d (%s): tshark master key/salt %v %v, ours %x %x", i, c.SuiteName, masterKeys, masterSalts, k.Key, k.Salt)
			}
			ki++
		}
		if k.HasLifetime {
			want := fmt.Sprint(k.Lifetime)
			if strings.Contains(l, "|2^") {
				want = "2^20"
			}
			if li >= len(lifetimes) || lifetimes[li] != want {
				t.Errorf("attribute %d: tshark lifetimes %v, ours %s", i, lifetimes, want)
			}
			li++
		}
		if k.HasMKI {
			if mi >= len(mkis) || mkis[mi] != fmt.Sprint(k.MKI) || mkiLens[mi] != fmt.Sprint(k.MKILen) {
				t.Errorf("attribute %d: tshark MKI %v:%v, ours %d:%d", i, mkis, mkiLens, k.MKI, k.MKILen)
			}
			mi++
		}
	}
	if ki != 3 || li != 6 || mi != 6 {
		t.Errorf("compared %d split keys, %d lifetimes, %d MKIs; want 3, 6, 6", ki, li, mi)
	}
}

func writePcap(path string, frame []byte) error {
	var buf bytes.Buffer
	hdr := []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0}
	buf.Write(hdr)
	ts := uint32(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix())
	rec := []byte{byte(ts), byte(ts >> 8), byte(ts >> 16), byte(ts >> 24), 0, 0, 0, 0,
		byte(len(frame)), byte(len(frame) >> 8), 0, 0, byte(len(frame)), byte(len(frame) >> 8), 0, 0}
	buf.Write(rec)
	buf.Write(frame)
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// TestSuites: every suite is named as RFC 4568 §6.2, RFC 6188 and RFC
// 7714 register it (srtp.Policy.String), with the lengths this package
// listed before its suites became srtp policies.
func TestSuites(t *testing.T) {
	want := []struct {
		name                             string
		cipher                           string
		key, salt, tag, rtcpTag, aeadTag int
	}{
		{"AES_CM_128_HMAC_SHA1_80", "AES-CM", 16, 14, 10, 10, 0},
		{"AES_CM_128_HMAC_SHA1_32", "AES-CM", 16, 14, 4, 10, 0},
		{"F8_128_HMAC_SHA1_80", "AES-F8", 16, 14, 10, 10, 0},
		{"AES_192_CM_HMAC_SHA1_80", "AES-CM", 24, 14, 10, 10, 0},
		{"AES_192_CM_HMAC_SHA1_32", "AES-CM", 24, 14, 4, 10, 0},
		{"AES_256_CM_HMAC_SHA1_80", "AES-CM", 32, 14, 10, 10, 0},
		{"AES_256_CM_HMAC_SHA1_32", "AES-CM", 32, 14, 4, 10, 0},
		{"AEAD_AES_128_GCM", "AES-GCM", 16, 12, 0, 0, 16},
		{"AEAD_AES_256_GCM", "AES-GCM", 32, 12, 0, 0, 16},
	}
	if len(Suites) != len(want) {
		t.Fatalf("%d suites, want %d", len(Suites), len(want))
	}
	for i, w := range want {
		s := Suites[i]
		p := s.Policy
		aead := 0
		if p.IsAEAD() {
			aead = p.AEADTagLen
		}
		if s.Name != w.name || p.String() != w.name || p.Cipher.String() != w.cipher || p.KeyLen != w.key || p.SaltLen != w.salt ||
			p.TagLen != w.tag || p.RTCPTagLen != w.rtcpTag || aead != w.aeadTag || s.MaxLifetime != 1<<48 {
			t.Errorf("suite %d: %s %+v, want %+v", i, s.Name, p, w)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
		if got, ok := LookupSuite(w.name); !ok || got.Name != w.name {
			t.Errorf("LookupSuite(%s) = %v, %v", w.name, got.Name, ok)
		}
	}
}

// TestSuitesAgreeWithSRTPKeyLengths: a bare key of a suite's lengths gets
// the policy of the first suite with those lengths (the 80-bit tag one),
// and every suite's lengths are among srtp's.
func TestSuitesAgreeWithSRTPKeyLengths(t *testing.T) {
	first := map[[2]int]Suite{}
	for _, s := range Suites {
		k := [2]int{s.Policy.KeyLen, s.Policy.SaltLen}
		if _, ok := first[k]; !ok {
			first[k] = s
		}
	}
	for k, s := range first {
		p, ok := srtp.PolicyForKeyLengths(k[0], k[1])
		if !ok || p != s.Policy {
			t.Errorf("key %d salt %d: srtp gives %v (%v), suite %s is %v", k[0], k[1], p, ok, s.Name, s.Policy)
		}
	}
	if len(first) != len(srtp.MasterKeyLengths) {
		t.Errorf("suites have %d key/salt length pairs, srtp %d", len(first), len(srtp.MasterKeyLengths))
	}
}
