package dissect

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Mission-critical XML bodies (3GPP TS 24.379, 24.281, 24.282, 24.481:
// application/vnd.3gpp.mcptt-info+xml, ...-mbms-usage-info+xml and the
// like) carry MIKEY-SAKKE I_MESSAGEs base64-encoded in an element, and the
// MC identities of the parties.

// Limits of the MC XML scan.
const (
	maxMCXMLTokens = 4000
	maxMCXMLDepth  = 24
	maxMCXMLURIs   = 16
)

// isMCXML says whether a body's media type is a 3GPP MC XML document.
func isMCXML(ct string) bool {
	return strings.HasPrefix(ct, "application/vnd.3gpp.") && strings.HasSuffix(ct, "+xml")
}

// readMCXML finds, in the text of every element of an MC XML body, the
// base64 MIKEY messages (a version 1 header of a known data type) and the
// SIP or tel URIs (m.PartyURIs). The scan is bounded and takes no DTD.
func readMCXML(m *SignalMessage, b *Body) []issue {
	d := xml.NewDecoder(bytes.NewReader(b.Data))
	d.Strict = false
	depth := 0
	var text []byte
	var textOff int
	for tokens := 0; tokens < maxMCXMLTokens; tokens++ {
		off := int(d.InputOffset())
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return []issue{{ProblemMalformed, b.Offset + off, fmt.Sprintf("%s body: %v", b.ContentType, err)}}
		}
		switch t := tok.(type) {
		case xml.Directive:
			return []issue{{ProblemMalformed, b.Offset + off, b.ContentType + " body with a DTD; not read"}}
		case xml.StartElement:
			if depth++; depth > maxMCXMLDepth {
				return []issue{{ProblemMalformed, b.Offset + off, b.ContentType + " body nested too deep"}}
			}
			text = text[:0]
		case xml.CharData:
			if len(text) == 0 {
				textOff = off
			}
			if len(text)+len(t) <= 64<<10 {
				text = append(text, t...)
			}
		case xml.EndElement:
			depth--
			mcXMLText(m, bytes.TrimSpace(text), b.Offset+textOff+leadingSpace(text), t.Name.Local)
			text = text[:0]
		}
	}
	return []issue{{ProblemMalformed, b.Offset, b.ContentType + " body has too many XML tokens; the rest is not read"}}
}

func leadingSpace(b []byte) int { return len(b) - len(bytes.TrimLeft(b, " \t\r\n")) }

// mcXMLText takes one element's text: a URI, or a MIKEY message.
func mcXMLText(m *SignalMessage, v []byte, off int, elem string) {
	if len(v) == 0 {
		return
	}
	s := string(v)
	if strings.HasPrefix(s, "sip:") || strings.HasPrefix(s, "sips:") || strings.HasPrefix(s, "tel:") {
		if len(m.PartyURIs) < maxMCXMLURIs && !strings.ContainsAny(s, " \t\r\n<>") {
			for _, u := range m.PartyURIs {
				if u == s {
					return
				}
			}
			m.PartyURIs = append(m.PartyURIs, s)
		}
		return
	}
	if len(v) < 16 {
		return
	}
	dec, err := decodeBase64Loose(v)
	if err != nil || len(dec) < 10 || dec[0] != 1 || !knownDataType(dec[1]) {
		return
	}
	m.KeyMgmt = append(m.KeyMgmt, KeyMgmtItem{Where: WhereMCXMLBody, MediaIndex: -1, Prot: "mikey", URI: elem,
		B64: string(bytes.Join(bytes.Fields(v), nil)), Data: dec, Offset: off})
}

// knownDataType: a MIKEY data type of RFC 3830, 4650, 4738, 6043, 6267 or
// 6509 (0 to 11, 13 to 26 in use).
func knownDataType(t byte) bool { return t <= 26 }
