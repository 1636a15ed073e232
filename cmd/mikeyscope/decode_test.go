package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// onvifSetup is the ONVIF Omnicast SETUP message of the shared vectors.
const onvifSetup = "AQAFAP1td9ABAADCD1UcAAAAAAoAAdOOGc75XD0BAAAAGAABAQEBEAIBAQMBFAcBAQgBAQoBAQsBCgAAACcAIQAe30C59UrClE0e27UP5h/Wty9UL8+dfzg+2ttmmo3kBAAAAC8A"

// milestone is the Milestone XProtect message with one trailing zero byte.
const milestoneHex = "01000500b1405657010000726ef4db000000000b00ecd15081bedce3970a10dd72248395c2cc1a6de60e422a7f570901000000180001010101100201010301140701010801010a01010b010a000000220020001e5db18d956f6967cc0d73f8b4e776a48a08c4220e521dcaa3b800f584fc250000"

func runCmd(stdin string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestDecodeText(t *testing.T) {
	inputs := map[string]string{
		"base64":            onvifSetup,
		"sdp":               "a=key-mgmt:mikey " + onvifSetup,
		"rtsp":              `KeyMgmt: prot=mikey;uri="";data="` + onvifSetup + `"`,
		"rtsp without name": `prot=mikey; data="` + onvifSetup + `"`,
	}
	for name, in := range inputs {
		code, out, errs := runCmd("", "decode", in)
		if code != 0 || errs != "" {
			t.Fatalf("%s: exit %d, stderr %q", name, code, errs)
		}
		for _, want := range []string{
			"MIKEY message: Pre-shared [0 +102]",
			"    CSB ID: 0xfd6d77d0 [4 +4]",
			"        SSRC: 0xc20f551c [11 +4]",
			"    Encryption algorithm: 1 (AES-CM) [34 +3]",
			"        Key data: 30 bytes, fingerprint ",
			"        SPI/MKI: 0000002f (MKI 47) [97 +4]",
			"    MAC alg: 0 (NULL) [101 +1]",
		} {
			if !strings.Contains(out, want+"") {
				t.Errorf("%s: output lacks %q:\n%s", name, want, out)
			}
		}
		if strings.Contains(out, "df40b9f5") {
			t.Errorf("%s: key bytes printed without --show-keys", name)
		}
	}
}

func TestDecodeShowKeys(t *testing.T) {
	code, out, _ := runCmd("", "decode", "--show-keys", onvifSetup)
	if code != 0 || !strings.Contains(out, "Key data: df40b9f54ac2944d1edbb50fe61fd6b72f542fcf9d7f383edadb669a8de4 (30 bytes") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestDecodeJSONStdinHex(t *testing.T) {
	code, out, errs := runCmd(milestoneHex+"\n", "decode", "--json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Schema string
		Input  string
		Length int
		Tree   struct {
			Name     string
			Offset   int
			Length   int
			Children []struct {
				Name   string
				Offset int
				Length int
			}
		}
		Notes []struct {
			Offset int
			Text   string
		}
		Error *struct{}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.Schema != "mikeyscope.decode/v1" || doc.Input != "hex" || doc.Length != 116 || doc.Error != nil ||
		doc.Tree.Name != "MIKEY message" || doc.Tree.Length != 116 {
		t.Errorf("%+v", doc)
	}
	names := []string{}
	for _, c := range doc.Tree.Children {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "HDR,T,RAND,SP,KEMAC,Trailing bytes" {
		t.Errorf("children %v", names)
	}
	if len(doc.Notes) != 1 || doc.Notes[0].Offset != 115 || !strings.Contains(doc.Notes[0].Text, "zero padding") {
		t.Errorf("notes %+v", doc.Notes)
	}
	if !strings.Contains(out, `"offset": 115`) {
		t.Error("offsets missing from the JSON")
	}
}

func TestDecodeBadInput(t *testing.T) {
	for _, in := range []string{"!!!not base64!!!", "", "a=key-mgmt:mikey", "prot=mikey"} {
		code, out, errs := runCmd("", "decode", in)
		if code != 2 || out != "" || strings.Count(errs, "\n") != 1 || !strings.HasPrefix(errs, "mikeyscope decode: ") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", in, code, out, errs)
		}
	}
	if code, _, _ := runCmd("", "decode"); code != 2 {
		t.Errorf("no INPUT: exit %d", code)
	}
	if code, _, _ := runCmd("", "nosuch"); code != 2 {
		t.Errorf("unknown subcommand: exit %d", code)
	}
}

func TestDecodePartial(t *testing.T) {
	// HDR, then a T payload whose next payload is 30 (unassigned).
	code, out, errs := runCmd("", "decode", "01000500123456780001 1e00c8e350ea00000000")
	if code != 2 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out, "  T: Timestamp payload [10 +10]") || !strings.Contains(errs, "at offset 20") {
		t.Errorf("stdout:\n%s\nstderr: %s", out, errs)
	}
	code, out, _ = runCmd("", "decode", "--json", "01000500123456780001 1e00c8e350ea00000000")
	var doc struct {
		Error struct {
			Offset  int
			Payload string
		}
	}
	if code != 2 || json.Unmarshal([]byte(out), &doc) != nil || doc.Error.Offset != 20 || doc.Error.Payload != "unknown (30)" {
		t.Errorf("exit %d: %s", code, out)
	}
}
