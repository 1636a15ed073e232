package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// streamwide reads a section's "key: value" lines of the published MC test
// vectors (mikey/testdata/streamwide).
func streamwide(t *testing.T, section string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "mikey", "testdata", "streamwide", "StreamwideTestVectors.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), section+"\n")
	if !ok {
		t.Fatalf("no %q", section)
	}
	out := map[string]string{}
	for _, line := range strings.Split(rest, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "###") || (strings.HasPrefix(line, "* KMS") && len(out) > 0) {
			break
		}
		if k, v, ok := strings.Cut(strings.TrimPrefix(line, "* "), ":"); ok {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

// TestDecodeMC: decode opens a MC vendor's published GMK I_MESSAGE with
// its published KMS certificate and alice's key set, given as KMS XML
// documents (written here from the published values) or as flags; the
// verification names the key purpose, GMK-ID, the GUK-ID check and the
// GMK by fingerprint, in hex only with --show-keys; the JSON has them too.
// A bad KMS document is a usage error naming its file and line.
func TestDecodeMC(t *testing.T) {
	kms, alice, gmk := streamwide(t, "* KMS Init"), streamwide(t, "* KMS KeyProv for Alice"), streamwide(t, "### Test 1: GMK")
	dir := t.TempDir()
	cert := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<KmsResponse xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><KmsMessage><KmsInit><KmsCertificate>
<KmsUri>%s</KmsUri><UserIdFormat>%s</UserIdFormat><UserKeyPeriod>%s</UserKeyPeriod><UserKeyOffset>%s</UserKeyOffset>
<PubEncKey>%s</PubEncKey><PubAuthKey>%s</PubAuthKey></KmsCertificate></KmsInit></KmsMessage></KmsResponse>
`, kms["KmsUri"], kms["UserIdFormat"], kms["UserKeyPeriod"], kms["UserKeyOffset"], kms["PubEncKey"], kms["PubAuthKey"])
	keySet := fmt.Sprintf(`<KmsKeySet xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><KmsUri>%s</KmsUri><UserUri>%s</UserUri><UserID>%s</UserID>
<KeyPeriodNo>%s</KeyPeriodNo><UserDecryptKey>%s</UserDecryptKey></KmsKeySet>`, kms["KmsUri"], alice["UserUri"], alice["UserID"], alice["KeyPeriodNo"], alice["UserDecryptKey"])
	os.WriteFile(filepath.Join(dir, "cert.xml"), []byte(cert), 0o600)
	os.WriteFile(filepath.Join(dir, "alice.xml"), []byte(keySet), 0o600)
	os.WriteFile(filepath.Join(dir, "bad.xml"), []byte(strings.Replace(cert, kms["PubAuthKey"], "04zz", 1)), 0o600)
	msg := strings.TrimPrefix(gmk["I-MESSAGE"], "mikey ")
	xmlArgs := []string{"decode", "--kms-xml", filepath.Join(dir, "cert.xml"), "--kms-xml", filepath.Join(dir, "alice.xml")}
	flagArgs := []string{"decode", "--kms-z", kms["PubEncKey"], "--kms-kpak", kms["PubAuthKey"], "--sakke-rsk", alice["UserUri"] + "=" + alice["UserDecryptKey"],
		"--kms-uri", kms["KmsUri"], "--key-period", kms["UserKeyPeriod"] + ":" + kms["UserKeyOffset"]}
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
			if strings.Contains(out, gmk["GMK"]) != show {
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
