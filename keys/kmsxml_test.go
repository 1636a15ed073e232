package keys

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/mckms"
	"github.com/mikeyscope/mikeyscope/mikey"
)

// TestKMSXMLStreamwide reads the KMS responses a MC vendor's KMS client
// tests with (Streamwide kms-agent/unit_tests): the certificate of
// localhost:8080 (UserIdFormat 2, monthly periods) and alice@org.com's key
// set for period 625. The UserID is the UID mikey.MCUID computes. (The two
// documents come from different KMS instances: the RSK is not valid under
// this certificate's Z, so that is not checked.)
func TestKMSXMLStreamwide(t *testing.T) {
	dir := filepath.Join("..", "mikey", "testdata", "streamwide")
	init, err := os.ReadFile(filepath.Join(dir, "test_init_response.xml"))
	if err != nil {
		t.Fatal(err)
	}
	certs, sets, err := ParseKMSXML(init, "init.xml")
	if err != nil || len(certs) != 1 || len(sets) != 0 {
		t.Fatalf("init: %v, %d certs, %d sets", err, len(certs), len(sets))
	}
	c := certs[0]
	if c.URI != "localhost:8080" || c.Format != mikey.UserIDFormatUID || c.Period != (mikey.KeyPeriod{Length: 2592000}) || len(c.Z) != 257 || len(c.KPAK) != 65 || c.Source != "init.xml:11" {
		t.Errorf("certificate %+v", c)
	}
	prov, err := os.ReadFile(filepath.Join(dir, "test_key_prov_response.xml"))
	if err != nil {
		t.Fatal(err)
	}
	_, sets, err = ParseKMSXML(prov, "prov.xml")
	if err != nil || len(sets) != 1 {
		t.Fatalf("key prov: %v, %d sets", err, len(sets))
	}
	s := sets[0]
	uid := mikey.MCUID("alice@org.com", "localhost:8080", c.Period, 625)
	if s.UserURI != "alice@org.com" || s.KMSURI != "localhost:8080" || s.PeriodNo != 625 || !bytes.Equal(s.UID, uid) || len(s.RSK) != 257 || len(s.SSK) != 32 || len(s.PVT) != 65 || s.Encrypted {
		t.Errorf("key set %+v", s)
	}
}

// TestKMSXMLWrittenByKMS: the documents the test KMS writes (a
// KmsResponse with the certificate; one with key sets for two periods)
// come back with every value, through a keys file line and the flags.
func TestKMSXMLWrittenByKMS(t *testing.T) {
	kms, err := mckms.New("keys test", "kms.example.org", mikey.KeyPeriod{Length: 604800, Offset: 3600})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC)
	n := kms.PeriodNo(at)
	var sets []mckms.KeySet
	for _, p := range []uint64{n - 1, n} {
		s, err := kms.UIDKeySet("sip:bob@example.org", p)
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, s)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "cert.xml"), kms.CertificateXML("sip:bob@example.org", at), 0o600)
	os.WriteFile(filepath.Join(dir, "bob.xml"), kms.KeyProvXML("sip:bob@example.org", at, sets...), 0o600)
	os.WriteFile(filepath.Join(dir, "keys.txt"), []byte("kms-xml cert.xml\nkms-xml bob.xml\n"), 0o600)
	st, warns, err := ParseFile(filepath.Join(dir, "keys.txt"))
	if err != nil || len(warns) > 0 {
		t.Fatalf("%v %v", err, warns)
	}
	if len(st.KMSCerts) != 1 || len(st.KeySets) != 2 {
		t.Fatalf("%d certs, %d key sets", len(st.KMSCerts), len(st.KeySets))
	}
	c := st.KMSCerts[0]
	if c.URI != kms.URI || c.Period != kms.Period || !bytes.Equal(c.Z, kms.Z) || !bytes.Equal(c.KPAK, kms.KPAK) {
		t.Errorf("certificate %+v", c)
	}
	for i, s := range st.KeySets {
		if s.UserURI != sets[i].UserURI || s.PeriodNo != sets[i].PeriodNo || !bytes.Equal(s.UID, sets[i].UID) || !bytes.Equal(s.RSK, sets[i].RSK) ||
			!bytes.Equal(s.SSK, sets[i].SSK) || !bytes.Equal(s.PVT, sets[i].PVT) || !strings.HasPrefix(s.Source, "bob.xml:") {
			t.Errorf("key set %d: %+v", i, s)
		}
	}
	k := st.SAKKEKeys()
	if len(k.KMS) != 1 || k.KMS[0].Format != mikey.UserIDFormatUID || len(k.RSKs) != 2 || len(k.RSKUsers) != 2 || k.RSKUsers[1].PeriodNo != n || len(k.Zs) != 1 || len(k.KPAKs) != 1 {
		t.Errorf("SAKKE keys %+v", k)
	}
	// The summary names the key sets by fingerprint, never by value.
	sum := strings.Join(st.Summary(), "\n")
	if strings.Contains(strings.ToLower(sum), hex.EncodeToString(sets[0].RSK[1:20])) || !strings.Contains(sum, sets[0].UserURI) {
		t.Errorf("summary: %s", sum)
	}
	// Flags: --kms-uri, --key-period with an offset and --sakke-rsk URI=HEX
	// make a KMS of unknown format and a bound RSK.
	fs := &Store{}
	for _, e := range [][2]string{{"kms-uri", "kms.example.org"}, {"key-period", "604800:3600"}, {"sakke-rsk", "sip:bob@example.org=" + hex.EncodeToString(sets[1].RSK)}} {
		if err := fs.Add(e[0], e[1], "--"+e[0]); err != nil {
			t.Fatal(err)
		}
	}
	k = fs.SAKKEKeys()
	if len(k.KMS) != 1 || k.KMS[0].URI != "kms.example.org" || k.KMS[0].Period != kms.Period || k.KMS[0].Format != mikey.UserIDFormatUnknown ||
		len(k.RSKUsers) != 1 || k.RSKUsers[0].URI != "sip:bob@example.org" {
		t.Errorf("flags: %+v", k)
	}
}

// TestKMSXMLBad: documents that are refused, each with the file and line;
// an encrypted key set is kept as such with a warning.
func TestKMSXMLBad(t *testing.T) {
	const head = `<?xml version="1.0"?>` + "\n"
	cert := func(inner string) string {
		return head + `<KmsCertificate xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0">` + "\n" + inner + "\n</KmsCertificate>"
	}
	good := "<KmsUri>k</KmsUri><UserIdFormat>2</UserIdFormat><UserKeyPeriod>10</UserKeyPeriod><UserKeyOffset>0</UserKeyOffset><PubEncKey>04aa</PubEncKey><PubAuthKey>04bb</PubAuthKey>"
	if _, _, err := ParseKMSXML([]byte(cert(good)), "ok.xml"); err != nil {
		t.Fatalf("good document: %v", err)
	}
	for _, c := range []struct{ name, doc, want string }{
		{"entity expansion", head + `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>` + "\n<KmsCertificate>&lol2;</KmsCertificate>", "x.xml:2: DTDs and entity declarations are not accepted"},
		{"external entity", head + `<!DOCTYPE k SYSTEM "file:///etc/passwd">` + "\n<k/>", "DTDs and entity declarations are not accepted"},
		{"undefined entity", cert("<KmsUri>&xxe;</KmsUri>"), "x.xml:3: XML: invalid character entity &xxe;"},
		{"wrong namespace", head + `<KmsCertificate xmlns="urn:other"><KmsUri>k</KmsUri></KmsCertificate>`, "not in the namespace"},
		{"no namespace", head + `<KmsKeySet><UserUri>u</UserUri></KmsKeySet>`, "not in the namespace"},
		{"nothing", head + `<KmsResponse xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"/>`, "x.xml: no KmsCertificate or KmsKeySet"},
		{"bad hex", cert(strings.Replace(good, "04aa", "04ag", 1)), "x.xml:3: PubEncKey: not hex"},
		{"bad period", cert(strings.Replace(good, ">10<", ">-1<", 1)), "x.xml:3: UserKeyPeriod: \"-1\" is not"},
		{"no Z", cert(strings.Replace(good, "<PubEncKey>04aa</PubEncKey>", "", 1)), "x.xml:2: KmsCertificate: no PubEncKey"},
		{"UID without period", cert(strings.Replace(good, ">10<", ">0<", 1)), "UserIdFormat 2 with no UserKeyPeriod"},
		{"too deep", head + strings.Repeat("<a>", 40) + strings.Repeat("</a>", 40), "nested deeper than 32"},
		{"unclosed", cert(good)[:len(cert(good))-5], "XML: unexpected EOF"},
		{"latin-1", `<?xml version="1.0" encoding="ISO-8859-1"?><a/>`, "UTF-8 only"},
		{"nested key set", head + `<KmsKeySet xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><KmsKeySet/></KmsKeySet>`, "inside another key element"},
		{"key set without RSK", head + `<KmsKeySet xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><UserUri>u</UserUri></KmsKeySet>`, "no UserDecryptKey"},
		{"too big", head + "<a>" + strings.Repeat(" ", maxKeyFile) + "</a>", "larger than"},
		{"long text", cert("<KmsUri>" + strings.Repeat("k", maxXMLText+1) + "</KmsUri>"), "element text longer than"},
	} {
		_, _, err := ParseKMSXML([]byte(c.doc), "x.xml")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "x.xml") {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	enc := head + `<KmsKeySet xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#">
<KmsUri>k</KmsUri><UserUri>sip:u@x</UserUri><UserID>00ff</UserID><KeyPeriodNo>3</KeyPeriodNo>
<UserDecryptKey><xenc:EncryptedKey><xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey></UserDecryptKey>
</KmsKeySet>`
	p := parser{store: &Store{}, readFile: func(string) ([]byte, error) { return []byte(enc), nil }}
	if err := p.add(KindKMSXML, "enc.xml", "keys.txt:4", ""); err != nil {
		t.Fatal(err)
	}
	if len(p.store.KeySets) != 1 || !p.store.KeySets[0].Encrypted || len(p.warnings) != 1 || !strings.Contains(p.warnings[0].String(), "enc.xml:2: the key set of \"sip:u@x\" for key period 3 is encrypted (xmlenc") {
		t.Errorf("encrypted key set: %+v %v", p.store.KeySets, p.warnings)
	}
	if k := p.store.SAKKEKeys(); len(k.RSKs) != 0 || len(k.Users) != 1 {
		t.Errorf("an encrypted key set gave keys: %+v", k)
	}
	// Keys-file errors name the keys file line and the XML line.
	p = parser{store: &Store{}, readFile: func(string) ([]byte, error) { return []byte(cert(strings.Replace(good, "04aa", "zz", 1))), nil }}
	err := p.parseLines([]byte("\n\nkms-xml bad.xml\n"), "keys.txt", "")
	if err == nil || !strings.HasPrefix(err.Error(), "keys.txt:3: kms-xml: bad.xml:3: PubEncKey") {
		t.Errorf("keys file error: %v", err)
	}
	for _, v := range []string{"0", "x", "10:y", "-5", "10:-1"} {
		if err := (&Store{}).Add("key-period", v, "--key-period"); err == nil {
			t.Errorf("--key-period %s accepted", v)
		}
	}
}

// FuzzKMSXML: the KMS document reader never panics, and an error names
// the document.
func FuzzKMSXML(f *testing.F) {
	for _, p := range []string{"test_init_response.xml", "test_key_prov_response.xml"} {
		if b, err := os.ReadFile(filepath.Join("..", "mikey", "testdata", "streamwide", p)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`<KmsKeySet xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><UserUri>u</UserUri><UserDecryptKey><EncryptedKey xmlns="http://www.w3.org/2001/04/xmlenc#"/></UserDecryptKey></KmsKeySet>`))
	f.Add([]byte(`<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, sets, err := ParseKMSXML(data, "f.xml")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.xml") {
				t.Fatalf("error without the document: %v", err)
			}
			return
		}
		if len(certs)+len(sets) == 0 {
			t.Fatal("no error and nothing read")
		}
		st := &Store{KMSCerts: certs, KeySets: sets}
		_ = st.SAKKEKeys()
		_ = st.Summary()
	})
}
