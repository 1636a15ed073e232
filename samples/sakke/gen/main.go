// Command gen writes the MIKEY-SAKKE sample of samples/sakke: a SIP call
// whose INVITE carries a MIKEY-SAKKE I_MESSAGE (RFC 6509) from
// tel:+447700900123 to tel:+15551230001 in a=key-mgmt, and AES-GCM SRTP
// (RFC 7714) both ways keyed by the SSV. The KMS (SAKKE master secret,
// ECCSI KSAK) and the users' keys are generated from a fixed seed, so the
// capture and the keys files are reproducible byte for byte.
//
//	go run ./samples/sakke/gen -out samples/sakke
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pion/srtp/v3"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/mckms"
	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	mskeys "github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/mikey"
)

var (
	start     = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	lastMonth = time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)
	alice     = netip.MustParseAddrPort("192.0.2.10:5060")
	bob       = netip.MustParseAddrPort("198.51.100.20:5060")
	aliceRTP  = netip.MustParseAddrPort("192.0.2.10:49300")
	bobRTP    = netip.MustParseAddrPort("198.51.100.20:50300")
)

// Identities and session parameters (README documents them).
const (
	AliceURI = "tel:+447700900123"
	BobURI   = "tel:+15551230001"
	KMSURI   = "kms.example.org"
	CSBID    = uint32(0x5a4b4b45) // "ZKKE"
	SSRCA    = uint32(0x5a0a11ce)
	SSRCB    = uint32(0x5a0b0b00)
	Packets  = 30
	FirstSeq = 1000
)

func main() {
	out := flag.String("out", "samples/sakke", "directory to write the sample to")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// Files returns the sample's files by name.
func Files() (map[string][]byte, error) {
	kms, err := NewKMS("mikeyscope samples/sakke KMS")
	if err != nil {
		return nil, err
	}
	pcap, srtpKeys, err := capture(kms)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{
		"sip-sakke.pcap":           pcap,
		"sip-sakke.keys":           []byte(kms.keysFile(kms.RSKBob, "bob's RSK for 2026-11, the key period of the message", srtpKeys)),
		"sip-sakke-wrong-rsk.keys": []byte(kms.keysFile(kms.RSKBobOct, "DELIBERATELY WRONG: bob's RSK for 2026-10, not the message's key period 2026-11", nil)),
	}
	mc, err := mcFiles()
	if err != nil {
		return nil, err
	}
	for name, b := range mc {
		files[name] = b
	}
	return files, nil
}

func run(dir string) error {
	files, err := Files()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// KMS is the generated key material: the KMS public keys, bob's RSKs for
// November and October 2026, alice's ECCSI signing key for November.
type KMS struct {
	Z, KPAK           []byte
	RSKBob, RSKBobOct []byte
	SSK               []byte
	PVT               []byte
}

// NewKMS generates a KMS from seed with internal/mckms (RFC 6508 §6.1,
// RFC 6507 §4.2, §5.1.1): alice's set is issued first, so her SSK takes
// the seed's third draw; bob's RSKs draw nothing.
func NewKMS(seed string) (*KMS, error) {
	kms, err := mckms.New(seed, KMSURI, mikey.KeyPeriod{})
	if err != nil {
		return nil, err
	}
	a, err := kms.RFC6509KeySet(AliceURI, start)
	if err != nil {
		return nil, err
	}
	k := &KMS{Z: kms.Z, KPAK: kms.KPAK, SSK: a.SSK, PVT: a.PVT}
	for _, x := range []struct {
		t   time.Time
		out *[]byte
	}{{start, &k.RSKBob}, {lastMonth, &k.RSKBobOct}} {
		s, err := kms.RFC6509KeySet(BobURI, x.t)
		if err != nil {
			return nil, err
		}
		*x.out = s.RSK
	}
	return k, nil
}

func (k *KMS) keysFile(rsk []byte, what string, srtpKeys []string) string {
	var b strings.Builder
	b.WriteString("# mikeyscope keys for samples/sakke/sip-sakke.pcap (MIKEY-SAKKE, RFC 6509)\n" + mskeys.PublicMarker + "\n")
	fmt.Fprintf(&b, "# Receiver Secret Key of %s: %s\n", BobURI, what)
	fmt.Fprintf(&b, "sakke-rsk %s\n", hex.EncodeToString(rsk))
	b.WriteString("# KMS Public Key Z (RFC 6508) and KMS Public Authentication Key (RFC 6507):\n")
	fmt.Fprintf(&b, "kms-z %s\n", hex.EncodeToString(k.Z))
	fmt.Fprintf(&b, "kms-kpak %s\n", hex.EncodeToString(k.KPAK))
	if len(srtpKeys) > 0 {
		b.WriteString("# For cross-checks only; mikeyscope derives these from the SSV:\n")
		for _, s := range srtpKeys {
			b.WriteString("# " + s + "\n")
		}
	}
	return b.String()
}

// Message builds the signed I_MESSAGE and returns it with the SSV.
func (k *KMS) Message() (*mikey.Message, []byte, error) {
	ssv := []byte("SSV of the call!") // 16 octets, parameter set 1
	rnd := []byte("SAKKE sample RND")
	m, err := mikey.BuildSAKKE(mikey.SAKKEBuild{
		CSBID: CSBID, Time: start, Rand: rnd,
		InitiatorURI: AliceURI, ResponderURI: BobURI, InitiatorKMS: KMSURI, ResponderKMS: KMSURI,
		Sessions: []mikey.GenericCS{
			{CSID: 1, Prot: mikey.ProtSRTP, S: true, Policies: []byte{0}, SessionData: sessionData(SSRCA)},
			{CSID: 2, Prot: mikey.ProtSRTP, S: true, Policies: []byte{0}, SessionData: sessionData(SSRCB)},
		},
		Policies: []*mikey.SPPayload{scenario.PolicyAEADAES128GCMSP(0)},
		SSV:      ssv, Z: k.Z, KPAK: k.KPAK, PVT: k.PVT, SSK: mikey.Secret(k.SSK),
		Rnd: &mckms.Seeded{Seed: "ECCSI ephemeral j"},
	})
	return m, ssv, err
}

// sessionData is the GENERIC-ID session data for SRTP with the S flag:
// SSRC, ROC 0, first sequence number (RFC 6043 §6.1.1).
func sessionData(ssrc uint32) []byte {
	d := binary.BigEndian.AppendUint32(nil, ssrc)
	d = binary.BigEndian.AppendUint32(d, 0)
	return binary.BigEndian.AppendUint16(d, FirstSeq)
}

// capture builds the call; it returns the pcap and the SRTP keys as
// keys-file lines for the comments.
func capture(kms *KMS) ([]byte, []string, error) {
	m, ssv, err := kms.Message()
	if err != nil {
		return nil, nil, err
	}
	c := &scenario.Call{CallID: "5a4b4b45@mcptt.example.org", Transport: "UDP", Caller: alice, Callee: bob,
		CallerUser: "+447700900123", CalleeUser: "+15551230001", Domain: "mcptt.example.org", FromTag: "a7e1", ToTag: "b0b2",
		Branch: "z9hG4bKsakke", CallerRTP: aliceRTP, CalleeRTP: bobRTP, SessionID: 6509, InviteCSeq: 1, ByeSeq: 1}
	b := &framebuild.Builder{}
	var buf bytes.Buffer
	w, err := pcapwrite.NewWriter(&buf, pcapwrite.FormatPcap)
	if err != nil {
		return nil, nil, err
	}
	send := func(t time.Time, src, dst netip.AddrPort, payload []byte) error {
		f, err := b.UDP(src, dst, payload)
		if err != nil {
			return err
		}
		return w.WriteFrame(t, f)
	}
	offer := scenario.SDP(c.CallerUser, c.SessionID, aliceRTP, base64.StdEncoding.EncodeToString(m.Raw))
	// MIKEY-SAKKE needs no answer message (RFC 6509 §2.2): the answer SDP
	// has no key-mgmt attribute.
	answer := scenario.SDP(c.CalleeUser, c.SessionID+1, bobRTP, "")
	sig := []struct {
		at       time.Duration
		fromA    bool
		msg      []byte
		src, dst netip.AddrPort
	}{
		{0, true, c.Invite("application/sdp", offer), alice, bob},
		{5 * time.Millisecond, false, c.Trying(), bob, alice},
		{50 * time.Millisecond, false, c.Ringing(), bob, alice},
		{time.Second, false, c.OK("application/sdp", answer), bob, alice},
		{time.Second + 10*time.Millisecond, true, c.Ack(), alice, bob},
	}
	for _, s := range sig {
		if err := send(start.Add(s.at), s.src, s.dst, s.msg); err != nil {
			return nil, nil, err
		}
	}
	var lines []string
	var senders [2]*scenario.Sender
	for d, ssrc := range []uint32{SSRCA, SSRCB} {
		// TEK and salt from the SSV as TGK with the message's PRF
		// (HMAC-SHA-256, RFC 6509 §4, RFC 3830 §4.1.3).
		key, err := mikey.DeriveTEK(m.Header.PRF, ssv, uint8(d+1), CSBID, m.RAND().Rand, 16)
		if err != nil {
			return nil, nil, err
		}
		salt, err := mikey.DeriveTEKSalt(m.Header.PRF, ssv, uint8(d+1), CSBID, m.RAND().Rand, 12)
		if err != nil {
			return nil, nil, err
		}
		lines = append(lines, fmt.Sprintf("srtp 0x%08x=%x:%x", ssrc, key, salt))
		if senders[d], err = scenario.NewSender(scenario.StreamParams{SSRC: ssrc, PayloadType: scenario.PayloadPCMU,
			FirstSeq: FirstSeq, FirstTS: 8000 * uint32(d+1), TSStep: scenario.FrameSamples, CNAME: c.CallerUser,
			Profile: srtp.ProtectionProfileAeadAes128Gcm, Key: key, Salt: salt}); err != nil {
			return nil, nil, err
		}
	}
	media0 := start.Add(time.Second + 20*time.Millisecond)
	ends := [2][2]netip.AddrPort{{aliceRTP, bobRTP}, {bobRTP, aliceRTP}}
	for k := 0; k < Packets; k++ {
		for d := 0; d < 2; d++ {
			s := senders[d]
			ssrc := []uint32{SSRCA, SSRCB}[d]
			p, err := s.Next(scenario.Payload(ssrc, s.Seq()), k == 0, false)
			if err != nil {
				return nil, nil, err
			}
			t := media0.Add(time.Duration(k)*20*time.Millisecond + time.Duration(d)*7*time.Millisecond)
			if err := send(t, ends[d][0], ends[d][1], p); err != nil {
				return nil, nil, err
			}
		}
	}
	end := media0.Add(Packets * 20 * time.Millisecond)
	for d := 0; d < 2; d++ {
		sr, err := senders[d].SenderReport(end)
		if err != nil {
			return nil, nil, err
		}
		rtcp := func(a netip.AddrPort) netip.AddrPort { return netip.AddrPortFrom(a.Addr(), a.Port()+1) }
		if err := send(end.Add(time.Duration(d)*time.Millisecond), rtcp(ends[d][0]), rtcp(ends[d][1]), sr); err != nil {
			return nil, nil, err
		}
	}
	if err := send(end.Add(20*time.Millisecond), bob, alice, c.Bye()); err != nil {
		return nil, nil, err
	}
	if err := send(end.Add(25*time.Millisecond), alice, bob, c.ByeOK()); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), lines, nil
}
