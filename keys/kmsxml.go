package keys

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mikeyscope/mikeyscope/mikey"
)

// KMS provisioning documents of 3GPP TS 33.180 Annex D: the KMS
// certificate (§D.3.2.2) and the users' key sets (§D.3.2.3), alone or in
// a KmsResponse (§D.2.3) to an init or key provisioning request.

// KMSNamespace is the namespace of the KMS interface documents.
const KMSNamespace = "urn:3gpp:ns:mcsecKMSInterface:1.0"

// xmlencNamespace is XML Encryption's: a key set whose keys are
// EncryptedKey elements is encrypted with the KMS's transport key.
const xmlencNamespace = "http://www.w3.org/2001/04/xmlenc#"

// Limits of the XML reader: nesting depth, tokens, text of one element.
const (
	maxXMLDepth  = 32
	maxXMLTokens = 20000
	maxXMLText   = 2 * maxKeyBytes
)

// KMSCert is a KMS certificate (TS 33.180 §D.3.2.2).
type KMSCert struct {
	URI    string
	Format mikey.UserIDFormat
	// FormatRaw is the UserIdFormat as written.
	FormatRaw string
	Period    mikey.KeyPeriod
	Z, KPAK   mikey.Secret // public, but stored as given
	Source    string
}

// KeySet is a user's key set for one key period (TS 33.180 §D.3.2.3).
type KeySet struct {
	KMSURI   string
	UserURI  string
	UID      []byte
	PeriodNo uint64
	// HavePeriodNo says KeyPeriodNo was present.
	HavePeriodNo bool
	RSK, SSK     mikey.Secret
	PVT          []byte
	// Encrypted says the keys are xmlenc EncryptedKey elements: they need
	// the KMS's transport key, which mikeyscope is not given.
	Encrypted bool
	Source    string
}

// Fingerprint names the key set by its RSK ("sakke:…").
func (k KeySet) Fingerprint() string { return mikey.KindFingerprint("sakke", k.RSK) }

// xmlError is an error at a line of an XML document.
func xmlError(name string, d *xml.Decoder, format string, args ...any) error {
	line, _ := d.InputPos()
	return fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...))
}

// ParseKMSXML reads KmsCertificate and KmsKeySet elements from a KMS
// document: bare, inside KmsResponse/SignedKmsResponse, KmsInit,
// KmsKeyProv or KmsCertCache, one or several. The reader is bounded
// (size, depth, tokens, text) and refuses DTDs, so no entity is ever
// expanded. Errors name the document and line.
func ParseKMSXML(data []byte, name string) ([]KMSCert, []KeySet, error) {
	if len(data) > maxKeyFile {
		return nil, nil, fmt.Errorf("%s: larger than %d bytes", name, maxKeyFile)
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.Entity = nil
	d.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) {
		if strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "us-ascii") {
			return r, nil
		}
		return nil, fmt.Errorf("character set %q not supported (UTF-8 only)", charset)
	}
	var (
		certs []KMSCert
		sets  []KeySet
		stack []xml.Name
		text  strings.Builder
		cert  *KMSCert
		set   *KeySet
		found bool
	)
	for tokens := 0; ; tokens++ {
		if tokens > maxXMLTokens {
			return nil, nil, xmlError(name, d, "more than %d XML tokens", maxXMLTokens)
		}
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, nil, fmt.Errorf("%s:%d: XML: %s", name, se.Line, se.Msg)
			}
			return nil, nil, xmlError(name, d, "XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, nil, xmlError(name, d, "DTDs and entity declarations are not accepted (<!%s>)", firstWord(string(t)))
		case xml.StartElement:
			if len(stack) >= maxXMLDepth {
				return nil, nil, xmlError(name, d, "elements nested deeper than %d", maxXMLDepth)
			}
			stack = append(stack, t.Name)
			text.Reset()
			local := t.Name.Local
			switch {
			case local == "KmsCertificate" && t.Name.Space == KMSNamespace:
				if cert != nil || set != nil {
					return nil, nil, xmlError(name, d, "KmsCertificate inside another key element")
				}
				cert, found = &KMSCert{Source: fmt.Sprintf("%s:%d", name, line(d))}, true
			case local == "KmsKeySet" && t.Name.Space == KMSNamespace:
				if cert != nil || set != nil {
					return nil, nil, xmlError(name, d, "KmsKeySet inside another key element")
				}
				set, found = &KeySet{Source: fmt.Sprintf("%s:%d", name, line(d))}, true
			case (local == "KmsCertificate" || local == "KmsKeySet") && t.Name.Space != KMSNamespace:
				return nil, nil, xmlError(name, d, "%s is not in the namespace %s (it is in %q)", local, KMSNamespace, t.Name.Space)
			case local == "EncryptedKey" && t.Name.Space == xmlencNamespace && set != nil:
				set.Encrypted = true
			}
		case xml.CharData:
			if text.Len()+len(t) > maxXMLText {
				return nil, nil, xmlError(name, d, "element text longer than %d characters", maxXMLText)
			}
			text.Write(t)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, nil, xmlError(name, d, "unbalanced end element")
			}
			stack = stack[:len(stack)-1]
			v := strings.TrimSpace(text.String())
			text.Reset()
			var err error
			switch {
			case t.Name.Local == "KmsCertificate" && cert != nil:
				if err := checkCert(cert); err != nil {
					return nil, nil, fmt.Errorf("%s: KmsCertificate: %w", cert.Source, err)
				}
				certs, cert = append(certs, *cert), nil
			case t.Name.Local == "KmsKeySet" && set != nil:
				if err := checkKeySet(set); err != nil {
					return nil, nil, fmt.Errorf("%s: KmsKeySet: %w", set.Source, err)
				}
				sets, set = append(sets, *set), nil
			case cert != nil && len(stack) > 0 && stack[len(stack)-1].Local == "KmsCertificate":
				err = certField(cert, t.Name.Local, v)
			case set != nil && len(stack) > 0 && stack[len(stack)-1].Local == "KmsKeySet":
				err = keySetField(set, t.Name.Local, v)
			}
			if err != nil {
				return nil, nil, xmlError(name, d, "%s: %v", t.Name.Local, err)
			}
		}
	}
	if !found {
		return nil, nil, fmt.Errorf("%s: no KmsCertificate or KmsKeySet element in the namespace %s", name, KMSNamespace)
	}
	return certs, sets, nil
}

func line(d *xml.Decoder) int {
	l, _ := d.InputPos()
	return l
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return s
}

func parseUint(v string) (uint64, error) {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a non-negative integer", v)
	}
	return n, nil
}

// certField stores one child of KmsCertificate.
func certField(c *KMSCert, name, v string) error {
	var err error
	switch name {
	case "KmsUri":
		c.URI = v
	case "UserIdFormat":
		c.FormatRaw = v
		switch v {
		case "1":
			c.Format = mikey.UserIDFormatRFC6509
		case "2":
			c.Format = mikey.UserIDFormatUID
		}
	case "UserKeyPeriod":
		c.Period.Length, err = parseUint(v)
	case "UserKeyOffset":
		c.Period.Offset, err = parseUint(v)
	case "PubEncKey":
		c.Z, err = decodeHex(v)
	case "PubAuthKey":
		c.KPAK, err = decodeHex(v)
	}
	return err
}

// keySetField stores one child of KmsKeySet.
func keySetField(s *KeySet, name, v string) error {
	var err error
	switch name {
	case "KmsUri":
		s.KMSURI = v
	case "UserUri":
		s.UserURI = v
	case "UserID":
		s.UID, err = decodeHex(v)
	case "KeyPeriodNo":
		s.PeriodNo, err = parseUint(v)
		s.HavePeriodNo = err == nil
	case "UserDecryptKey", "UserSigningKeySSK", "UserPubTokenPVT":
		if s.Encrypted || v == "" {
			return nil // an EncryptedKey child, or an empty element
		}
		var b []byte
		if b, err = decodeHex(v); err != nil {
			return err
		}
		switch name {
		case "UserDecryptKey":
			s.RSK = b
		case "UserSigningKeySSK":
			s.SSK = b
		default:
			s.PVT = b
		}
	}
	return err
}

func checkCert(c *KMSCert) error {
	switch {
	case c.URI == "":
		return errors.New("no KmsUri")
	case len(c.Z) == 0:
		return errors.New("no PubEncKey")
	case len(c.KPAK) == 0:
		return errors.New("no PubAuthKey")
	case c.Format == mikey.UserIDFormatUID && c.Period.Length == 0:
		return errors.New("UserIdFormat 2 with no UserKeyPeriod (or 0)")
	}
	return nil
}

func checkKeySet(s *KeySet) error {
	switch {
	case s.UserURI == "":
		return errors.New("no UserUri")
	case !s.Encrypted && len(s.RSK) == 0:
		return errors.New("no UserDecryptKey")
	}
	return nil
}
