package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/mikey"
)

// runDecode implements "mikeyscope decode [--json] INPUT": it decodes one
// MIKEY message and prints its field tree. Exit status 0 when the message
// decodes, 2 for bad input or a message that decodes only in part.
func runDecode(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("decode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the tree as JSON (schema mikeyscope.decode/v1)")
	var kf keyFlags
	kf.register(fs)
	showKeys := &kf.showKeys
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mikeyscope decode [--json] [--show-keys] [key flags] INPUT")
		fmt.Fprintln(stderr, "INPUT: base64 or hex of a MIKEY message, an a=key-mgmt:mikey line, an RTSP KeyMgmt value, or - for stdin")
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorderFlags(fs, args)); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	in := fs.Arg(0)
	if in == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 1<<20))
		if err != nil {
			fmt.Fprintf(stderr, "mikeyscope decode: reading stdin: %v\n", err)
			return 2
		}
		in = string(b)
	}
	raw, kind, err := decodeInput(in)
	if err != nil {
		fmt.Fprintf(stderr, "mikeyscope decode: %v\n", err)
		return 2
	}
	st, err := kf.store(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "mikeyscope decode: %v\n", err)
		return 2
	}
	m, perr := mikey.Parse(raw)
	tree := m.TreeWith(mikey.TreeOptions{ShowSecrets: *showKeys})
	var ver *verification
	if perr == nil {
		ver = verify(m, st, *showKeys)
	}
	if *asJSON {
		if err := writeDecodeJSON(stdout, kind, raw, m, tree, perr, ver); err != nil {
			fmt.Fprintf(stderr, "mikeyscope decode: %v\n", err)
			return 2
		}
	} else {
		if err := mikey.WriteTree(stdout, tree); err != nil {
			fmt.Fprintf(stderr, "mikeyscope decode: %v\n", err)
			return 2
		}
		for _, n := range m.Notes {
			fmt.Fprintf(stdout, "note [%d]: %s\n", n.Offset, n.Text)
		}
		if ver != nil {
			if err := writeVerification(stdout, ver); err != nil {
				fmt.Fprintf(stderr, "mikeyscope decode: %v\n", err)
				return 2
			}
		}
	}
	if perr != nil {
		fmt.Fprintf(stderr, "mikeyscope decode: %v\n", perr)
		return 2
	}
	return 0
}

// decodeDoc is the JSON document of decode --json.
type decodeDoc struct {
	Schema string       `json:"schema"`
	Input  string       `json:"input"`
	Length int          `json:"length"`
	Tree   *mikey.Field `json:"tree"`
	Notes  []mikey.Note `json:"notes"`
	Error  *decodeError `json:"error"`
	// Verification is present when keys were supplied or the message
	// carries its keys in the clear.
	Verification *verification `json:"verification,omitempty"`
}

type decodeError struct {
	Offset  int    `json:"offset"`
	Payload string `json:"payload,omitempty"`
	Message string `json:"message"`
}

func writeDecodeJSON(w io.Writer, kind string, raw []byte, m *mikey.Message, tree *mikey.Field, perr error, ver *verification) error {
	doc := decodeDoc{Schema: "mikeyscope.decode/v1", Input: kind, Length: len(raw), Tree: tree, Notes: m.Notes, Verification: ver}
	if doc.Notes == nil {
		doc.Notes = []mikey.Note{}
	}
	if perr != nil {
		de := &decodeError{Message: perr.Error()}
		var pe *mikey.ParseError
		if errors.As(perr, &pe) {
			de.Offset, de.Payload = pe.Offset, pe.Payload
		}
		doc.Error = de
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// decodeInput recognises the input forms and returns the MIKEY bytes and
// the name of the form: "sdp" (a=key-mgmt line), "rtsp" (KeyMgmt value),
// "hex" or "base64".
func decodeInput(s string) ([]byte, string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, "", errors.New("empty input")
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "a=key-mgmt:") || strings.HasPrefix(lower, "key-mgmt:") || strings.HasPrefix(lower, "mikey "):
		km, err := mikey.ParseKeyMgmtAttribute(s)
		if err != nil {
			return nil, "", err
		}
		return km.Data, "sdp", nil
	case strings.HasPrefix(lower, "keymgmt:") || strings.Contains(lower, "prot="):
		v := s
		if strings.HasPrefix(lower, "keymgmt:") {
			v = s[len("keymgmt:"):]
		}
		kms, err := mikey.ParseKeyMgmtHeader(v)
		if err != nil {
			return nil, "", err
		}
		for _, km := range kms {
			if strings.EqualFold(km.Prot, "mikey") {
				return km.Data, "rtsp", nil
			}
		}
		return nil, "", errors.New("KeyMgmt header has no prot=mikey item")
	}
	compact := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n', ':':
			return -1
		}
		return r
	}, s)
	compact = strings.TrimPrefix(strings.TrimPrefix(compact, "0x"), "0X")
	if keys.IsHexDigits(compact) && len(compact)%2 == 0 {
		b, err := hex.DecodeString(compact)
		if err == nil {
			return b, "hex", nil
		}
	}
	b64 := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(b64); err == nil {
			return b, "base64", nil
		}
	}
	return nil, "", fmt.Errorf("input is neither base64, hex, an a=key-mgmt line nor a KeyMgmt header: %q", clip(s))
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
