package keys

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/mckms"
	"github.com/mikeyscope/mikeyscope/mikey"
)

// kmsAgent holds the values of the two KMS responses a MC vendor's KMS
// client is unit-tested with: github.com/Streamwide/sw_mikey_sakke,
// kms-agent/unit_tests/test_init_response.xml (a KmsInit with the
// certificate of localhost:8080) and test_key_prov_response.xml (a
// KmsKeyProv with alice@org.com's key set for period 625), at commit
// f599c2a0d2aa76391d173294bda56f108a39aba5. Only the values are kept; the
// documents are written here (by the test KMS, and by hand). The two come
// from different KMS instances: the RSK is not valid under this
// certificate's Z, so that is not checked.
var kmsAgent = struct {
	User, KMSURI   string
	Format         int
	Length, Offset uint64
	Z, KPAK        string // hex, as published (upper case)
	InitTime       time.Time
	ProvTime       time.Time
	UserID         string // hex
	PeriodNo       uint64
	RSK, SSK, PVT  string // hex
}{
	User:     "alice@org.com",
	KMSURI:   "localhost:8080",
	Format:   2,
	Length:   2592000,
	Offset:   0,
	Z:        "045958EF1B1679BF099B3A030DF255AA6A23C1D8F143D4D23F753E69BD27A832F38CB4AD53DDEF4260B0FE8BB45C4C1FF510EFFE300367A37B61F701D914AEF09724825FA0707D61A6DFF4FBD7273566CDDE352A0B04B7C16A78309BE640697DE747613A5FC195E8B9F328852A579DB8F99B1D0034479EA9C5595F47C4B2F54FF21508D37514DCF7A8E143A6058C09A6BF2C9858CA37C258065AE6BF7532BC8B5B63383866E0753C5AC0E72709F8445F2E6178E065857E0EDA10F68206B63505ED87E534FB2831FF957FB7DC619DAE61301EEACC2FDA3680EA4999258A833CEA8FC67C6D19487FB449059F26CC8AAB655AB58B7CC796E24E9A394095754F5F8BAE",
	KPAK:     "0450D4670BDE75244F28D2838A0D25558A7A72686D4522D4C8273FB6442AEBFA93DBDD37551AFD263B5DFD617F3960C65A8C298850FF99F20366DCE7D4367217F4",
	InitTime: time.Date(2021, 5, 10, 11, 23, 2, 0, time.UTC),
	ProvTime: time.Date(2021, 5, 17, 13, 25, 16, 0, time.UTC),
	UserID:   "060c5cddd13b87be1e37d3ff091101684b88aadef26c409a8b49c8da9dd81a05",
	PeriodNo: 625,
	RSK:      "0451E8E3CDE160D2446189803128A3A02BFE20844E202C21CFFDB9E896B88DE02257596197466B32FF05083D2DCE014D11A618B22B0EE506ABFCD66B00D964355DC0D6A4F290DD4E2FD1D4EC3F3CF275DC7B6FF6A8A70BA5327A42A017B2D572F36F92746BFDACD0E4A9290B7D67AC60607F36726274422B6D62C6CD6DFAC7DAEF60067ABAA22D7C078C847F0659F69BE0588BCEA549F3CC4F11E884AFD0B81E80A4CBB1E708F56B7E6B15D0EFF19F06E401E7838F2C738B3FE7F1A866374C36D84D41577A1A68B49F29D8541B2DF4C0FF023299533C84D71A3CD7E6A69118A4CCCC7C4038C33C5F4BD9D81012A0F66EE58AB01AD58EDB0442C5FFCA9829B6C327",
	SSK:      "D31C6FD21791D92D0BC721B50125C2B83450F4727EC5A845853AD30E023C34F3",
	PVT:      "04FA3C2493070D9CF23A0EAEB9EC8CDA15A957B4643A6CEB4F26E998A5F4AF418698E5CBC16844A8DCE106894DDA2BD41C5A4142358F2EDB7F2C58144CF97017D5",
}

func mustUnhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// kmsAgentDocs are the KmsResponses of kmsAgent's values as the test KMS
// (internal/mckms) writes them: the certificate, and the key set.
func kmsAgentDocs(t testing.TB) (init, prov []byte) {
	v := kmsAgent
	k := &mckms.KMS{URI: v.KMSURI, Format: mikey.UserIDFormat(v.Format), Period: mikey.KeyPeriod{Length: v.Length, Offset: v.Offset}, Z: mustUnhex(t, v.Z), KPAK: mustUnhex(t, v.KPAK)}
	set := mckms.KeySet{UserURI: v.User, UID: mustUnhex(t, v.UserID), PeriodNo: v.PeriodNo, RSK: mustUnhex(t, v.RSK), SSK: mustUnhex(t, v.SSK), PVT: mustUnhex(t, v.PVT)}
	return k.CertificateXML(v.User, v.InitTime), k.KeyProvXML(v.User, v.ProvTime, set)
}

// startLines are the lines of a document where an element named local
// starts (with or without a prefix): the lines the reader names as Source.
func startLines(doc []byte, local string) []int {
	re := regexp.MustCompile(`<(?:[A-Za-z_][\w.-]*:)?` + local + `[\s/>]`)
	var out []int
	for i, l := range strings.Split(string(doc), "\n") {
		if re.MatchString(l) {
			out = append(out, i+1)
		}
	}
	return out
}

// TestKMSXMLPublished: the reader on KMS documents carrying the values of a
// MC vendor's published KMS responses (kmsAgent): written by the test KMS,
// and in hand-written layouts of TS 33.180 Annex D (§D.2.3 KmsResponse,
// §D.3.2.2 KmsCertificate, §D.3.2.3 KmsKeySet) that another KMS may send:
// the vendor's (an Id attribute, xsi:type on KmsInit/KmsKeyProv), a
// prefixed namespace, the namespace declared on an inner element, a
// SignedKmsResponse with an XML signature, bare elements, the values
// wrapped in whitespace and lower-case hex, CRLF line ends, several key sets
// and a certificate beside key sets in one document. Every layout gives
// the published certificate (localhost:8080, UserIdFormat 2, monthly
// periods) and key set (alice@org.com, period 625), each named by the line
// of its element; the published UserID is the UID mikey.MCUID computes.
func TestKMSXMLPublished(t *testing.T) {
	v := kmsAgent
	period := mikey.KeyPeriod{Length: v.Length, Offset: v.Offset}
	if uid := mikey.MCUID(v.User, v.KMSURI, period, v.PeriodNo); hex.EncodeToString(uid) != v.UserID {
		t.Fatalf("MCUID %x is not the published UserID %s", uid, v.UserID)
	}
	checkCert := func(name string, c KMSCert) {
		t.Helper()
		if c.URI != v.KMSURI || c.Format != mikey.UserIDFormatUID || c.FormatRaw != "2" || c.Period != period ||
			len(c.Z) != 257 || len(c.KPAK) != 65 || !bytes.Equal(c.Z, mustUnhex(t, v.Z)) || !bytes.Equal(c.KPAK, mustUnhex(t, v.KPAK)) {
			t.Errorf("%s: certificate %+v", name, c)
		}
	}
	checkSet := func(name string, s KeySet) {
		t.Helper()
		if s.UserURI != v.User || s.KMSURI != v.KMSURI || s.PeriodNo != v.PeriodNo || !s.HavePeriodNo || hex.EncodeToString(s.UID) != v.UserID ||
			len(s.RSK) != 257 || len(s.SSK) != 32 || len(s.PVT) != 65 || s.Encrypted ||
			!bytes.Equal(s.RSK, mustUnhex(t, v.RSK)) || !bytes.Equal(s.SSK, mustUnhex(t, v.SSK)) || !bytes.Equal(s.PVT, mustUnhex(t, v.PVT)) {
			t.Errorf("%s: key set %+v", name, s)
		}
	}

	// Written by the test KMS.
	init, prov := kmsAgentDocs(t)
	certs, sets, err := ParseKMSXML(init, "init.xml")
	if err != nil || len(certs) != 1 || len(sets) != 0 {
		t.Fatalf("init: %v, %d certs, %d sets", err, len(certs), len(sets))
	}
	checkCert("init.xml", certs[0])
	if want := fmt.Sprintf("init.xml:%d", startLines(init, "KmsCertificate")[0]); certs[0].Source != want {
		t.Errorf("certificate source %q, want %q", certs[0].Source, want)
	}
	certs, sets, err = ParseKMSXML(prov, "prov.xml")
	if err != nil || len(certs) != 0 || len(sets) != 1 {
		t.Fatalf("key prov: %v, %d certs, %d sets", err, len(certs), len(sets))
	}
	checkSet("prov.xml", sets[0])
	if want := fmt.Sprintf("prov.xml:%d", startLines(prov, "KmsKeySet")[0]); sets[0].Source != want {
		t.Errorf("key set source %q, want %q", sets[0].Source, want)
	}

	// Written by hand. cert and set are the elements' children, with a
	// namespace prefix p ("" or "k:") and a separator between children.
	cert := func(p, sep string) string {
		return fmt.Sprintf("<%[1]sKmsUri>%[3]s</%[1]sKmsUri>%[2]s<%[1]sUserIdFormat>%[4]d</%[1]sUserIdFormat>%[2]s<%[1]sUserKeyPeriod>%[5]d</%[1]sUserKeyPeriod>%[2]s"+
			"<%[1]sUserKeyOffset>%[6]d</%[1]sUserKeyOffset>%[2]s<%[1]sPubEncKey>%[7]s</%[1]sPubEncKey>%[2]s<%[1]sPubAuthKey>%[8]s</%[1]sPubAuthKey>",
			p, sep, v.KMSURI, v.Format, v.Length, v.Offset, v.Z, v.KPAK)
	}
	set := func(p, sep string) string {
		return fmt.Sprintf("<%[1]sKmsUri>%[3]s</%[1]sKmsUri>%[2]s<%[1]sUserUri>%[4]s</%[1]sUserUri>%[2]s<%[1]sUserID>%[5]s</%[1]sUserID>%[2]s<%[1]sKeyPeriodNo>%[6]d</%[1]sKeyPeriodNo>%[2]s"+
			"<%[1]sUserDecryptKey>%[7]s</%[1]sUserDecryptKey>%[2]s<%[1]sUserSigningKeySSK>%[8]s</%[1]sUserSigningKeySSK>%[2]s<%[1]sUserPubTokenPVT>%[9]s</%[1]sUserPubTokenPVT>",
			p, sep, v.KMSURI, v.User, v.UserID, v.PeriodNo, v.RSK, v.SSK, v.PVT)
	}
	const (
		head = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
		ns   = `xmlns="` + KMSNamespace + `"`
		xsi  = `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`
	)
	envelope := "<UserUri>" + v.User + "</UserUri>\n<KmsUri>" + v.KMSURI + "</KmsUri>\n<Time>2021-05-17T13:25:16</Time>\n<ClientReqUrl>http://" + v.KMSURI + "/keymanagement/identity/v1/keyprov</ClientReqUrl>\n"
	spaced := strings.NewReplacer(">"+v.Z+"<", ">\n\t\t"+strings.ToLower(v.Z)+"\n\t<", ">"+v.RSK+"<", "> \t"+strings.ToLower(v.RSK)+"\r\n<", ">"+v.KMSURI+"<", ">  "+v.KMSURI+"\n<")
	for _, c := range []struct {
		name        string
		doc         string
		certs, sets int
	}{
		{"KmsInit as the vendor's KMS answers", head + `<KmsResponse ` + ns + ` ` + xsi + ` Id="xmldoc">` + "\n" + envelope +
			`<KmsMessage>` + "\n" + `<KmsInit Version="1.0.0" xsi:type="KmsInitTkIkType">` + "\n" + `<KmsCertificate Version="1.1.0" Role="Root">` + "\n" +
			cert("", "\n") + "\n</KmsCertificate>\n</KmsInit>\n</KmsMessage>\n</KmsResponse>\n", 1, 0},
		{"KmsKeyProv as the vendor's KMS answers", head + `<KmsResponse ` + ns + ` ` + xsi + ` Id="xmldoc">` + "\n" + envelope +
			`<KmsMessage>` + "\n" + `<KmsKeyProv Version="1.0.0" xsi:type="KmsKeyProvTkIkType">` + "\n" + `<KmsKeySet Version="1.1.0">` + "\n" +
			set("", "\n") + "\n</KmsKeySet>\n</KmsKeyProv>\n</KmsMessage>\n</KmsResponse>\n", 0, 1},
		{"prefixed namespace", head + `<k:KmsResponse xmlns:k="` + KMSNamespace + `">` + "\n<k:KmsMessage><k:KmsKeyProv>\n<k:KmsKeySet>" + set("k:", "") +
			"</k:KmsKeySet>\n</k:KmsKeyProv></k:KmsMessage></k:KmsResponse>", 0, 1},
		{"namespace on an inner element", head + "<KmsResponse>\n<KmsMessage " + ns + ">\n<KmsInit>\n<KmsCertificate>" + cert("", "") +
			"</KmsCertificate>\n</KmsInit>\n</KmsMessage>\n</KmsResponse>", 1, 0},
		{"prefix on the wrapper, default inside", head + `<r:KmsResponse xmlns:r="` + KMSNamespace + `"><r:KmsMessage><r:KmsInit>` + "\n" +
			"<KmsCertificate " + ns + ">" + cert("", " ") + "</KmsCertificate>\n</r:KmsInit></r:KmsMessage></r:KmsResponse>", 1, 0},
		{"SignedKmsResponse", head + "<SignedKmsResponse " + ns + ">\n<KmsResponse>" + envelope + "<KmsMessage><KmsKeyProv>\n<KmsKeySet>" + set("", "") +
			"</KmsKeySet>\n</KmsKeyProv></KmsMessage></KmsResponse>\n" +
			`<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/><SignatureValue>AAAA</SignatureValue></Signature>` + "\n</SignedKmsResponse>", 0, 1},
		{"bare KmsCertificate", "<KmsCertificate " + ns + ">" + cert("", "\n") + "</KmsCertificate>", 1, 0},
		{"bare KmsKeySet, no XML declaration", "<KmsKeySet " + ns + ">" + set("", "") + "</KmsKeySet>\n", 0, 1},
		{"whitespace around values, lower-case hex, CRLF", strings.ReplaceAll(spaced.Replace(head+"<KmsCertCache "+ns+">\n<KmsCertificate>\n"+cert("", "\n")+
			"\n</KmsCertificate>\n<KmsKeySet>\n"+set("", "\n")+"\n</KmsKeySet>\n</KmsCertCache>\n"), "\n", "\r\n"), 1, 1},
		{"several key sets", head + "<KmsResponse " + ns + ">\n<KmsMessage><KmsKeyProv>\n<KmsKeySet>" + set("", "") + "</KmsKeySet>\n<KmsKeySet>" + set("", "") +
			"</KmsKeySet>\n<KmsKeySet>\n" + set("", "\n") + "\n</KmsKeySet>\n</KmsKeyProv></KmsMessage></KmsResponse>", 0, 3},
	} {
		certs, sets, err := ParseKMSXML([]byte(c.doc), "d.xml")
		if err != nil || len(certs) != c.certs || len(sets) != c.sets {
			t.Errorf("%s: %v, %d certs, %d sets", c.name, err, len(certs), len(sets))
			continue
		}
		certLines, setLines := startLines([]byte(c.doc), "KmsCertificate"), startLines([]byte(c.doc), "KmsKeySet")
		for i, ce := range certs {
			checkCert(c.name, ce)
			if want := fmt.Sprintf("d.xml:%d", certLines[i]); ce.Source != want {
				t.Errorf("%s: certificate %d source %q, want %q", c.name, i, ce.Source, want)
			}
		}
		for i, s := range sets {
			checkSet(c.name, s)
			if want := fmt.Sprintf("d.xml:%d", setLines[i]); s.Source != want {
				t.Errorf("%s: key set %d source %q, want %q", c.name, i, s.Source, want)
			}
		}
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
	init, prov := kmsAgentDocs(f)
	f.Add(init)
	f.Add(prov)
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
