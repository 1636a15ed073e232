package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/internal/mcvectors"
)

// TestDecodeMC: decode opens a MC vendor's published GMK I_MESSAGE with
// its published KMS certificate and alice's key set (internal/mcvectors:
// Streamwide/sw_mikey_sakke StreamwideTestVectors.md v5, commit
// f599c2a0d2aa76391d173294bda56f108a39aba5), given as KMS XML
// documents (written here from the published values) or as flags; the
// verification names the key purpose, GMK-ID, the GUK-ID check and the
// GMK by fingerprint, in hex only with --show-keys; the JSON has them too.
// A bad KMS document is a usage error naming its file and line.
func TestDecodeMC(t *testing.T) {
	kms, alice, gmk := mcvectors.KMS, mcvectors.Alice, mcvectors.GMK
	dir := t.TempDir()
	cert := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<KmsResponse xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><KmsMessage><KmsInit><KmsCertificate>
<KmsUri>%s</KmsUri><UserIdFormat>%d</UserIdFormat><UserKeyPeriod>%d</UserKeyPeriod><UserKeyOffset>%d</UserKeyOffset>
<PubEncKey>%s</PubEncKey><PubAuthKey>%s</PubAuthKey></KmsCertificate></KmsInit></KmsMessage></KmsResponse>
`, kms.URI, kms.UserIDFormat, kms.Length, kms.Offset, kms.Z, kms.KPAK)
	keySet := fmt.Sprintf(`<KmsKeySet xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><KmsUri>%s</KmsUri><UserUri>%s</UserUri><UserID>%s</UserID>
<KeyPeriodNo>%d</KeyPeriodNo><UserDecryptKey>%s</UserDecryptKey></KmsKeySet>`, kms.URI, alice.URI, alice.UID, alice.PeriodNo, alice.RSK)
	os.WriteFile(filepath.Join(dir, "cert.xml"), []byte(cert), 0o600)
	os.WriteFile(filepath.Join(dir, "alice.xml"), []byte(keySet), 0o600)
	os.WriteFile(filepath.Join(dir, "bad.xml"), []byte(strings.Replace(cert, kms.KPAK, "04zz", 1)), 0o600)
	msg := gmk.Base64
	xmlArgs := []string{"decode", "--kms-xml", filepath.Join(dir, "cert.xml"), "--kms-xml", filepath.Join(dir, "alice.xml")}
	flagArgs := []string{"decode", "--kms-z", kms.Z, "--kms-kpak", kms.KPAK, "--sakke-rsk", alice.URI + "=" + alice.RSK,
		"--kms-uri", kms.URI, "--key-period", fmt.Sprintf("%d:%d", kms.Length, kms.Offset)}
	for name, args := range map[string][]string{"xml": xmlArgs, "flags": flagArgs} {
		for _, show := range []bool{false, true} {
			a := append([]string(nil), args...)
			if show {
				a = append(a, "--show-keys")
			}
			code, out, errs := runCmd("", append(a, msg)...)
			if code != 0 || errs != "" {
				t.Fatalf("%s: exit %d, stderr %q", name, code, errs)
			}
			for _, want := range []string{"Auth: SAKKE decapsulated", "Signature: verified",
				"MC key: GMK (group) key id 0x0df9bc39, GUK-ID 0x06a12aea matches, key gmk:", "identifiers uid, key period 236 of kms.mydev.streamwide.com",
				"-> sip:alice@streamwide.com", "MC key parameters: message type 0x43, payload algorithm 1, DPPK-ID 0x06a12aea; key type GMK, status 1"} {
				if !strings.Contains(out, want) {
					t.Errorf("%s: no %q in\n%s", name, want, out)
				}
			}
			if strings.Contains(out, gmk.Key) != show {
				t.Errorf("%s, show keys %v: the GMK in hex is printed: %v", name, show, !show)
			}
		}
	}
	code, out, _ := runCmd("", append(append([]string(nil), xmlArgs...), "--json", msg)...)
	var doc struct {
		Verification struct {
			MC struct {
				Purpose, Role, KeyID, GUKID, GUKCheck, Key, KeyHex string
			} `json:"mc"`
		} `json:"verification"`
	}
	if code != 0 || json.Unmarshal([]byte(strings.NewReplacer(`"key_id"`, `"KeyID"`, `"guk_id"`, `"GUKID"`, `"guk_check"`, `"GUKCheck"`, `"key_hex"`, `"KeyHex"`).Replace(out)), &doc) != nil {
		t.Fatalf("json: exit %d\n%s", code, out)
	}
	if mc := doc.Verification.MC; mc.Purpose != "GMK" || mc.Role != "group" || mc.KeyID != "0x0df9bc39" || mc.GUKID != "0x06a12aea" || mc.GUKCheck != "matches" || !strings.HasPrefix(mc.Key, "gmk:") || mc.KeyHex != "" {
		t.Errorf("json mc %+v", mc)
	}
	code, _, errs := runCmd("", "decode", "--kms-xml", filepath.Join(dir, "bad.xml"), msg)
	if code != 2 || !strings.Contains(errs, "bad.xml:4: PubAuthKey: not hex") {
		t.Errorf("bad KMS document: exit %d, %q", code, errs)
	}
	code, _, errs = runCmd("", "decode", "--key-period", "30d", msg)
	if code != 2 || !strings.Contains(errs, "key-period") {
		t.Errorf("bad key period: exit %d, %q", code, errs)
	}
}
