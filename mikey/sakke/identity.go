package sakke

import (
	"fmt"
	"strings"
	"time"
)

// Identity builds a MIKEY-SAKKE Identifier (RFC 6509 §3.2): the key period
// "YYYY-MM" (ISO 8601 year and month of t in UTC) terminated by a null
// octet, followed by the URI terminated by a null octet, for example
// "2011-02\x00tel:+447700900123\x00". The same Identifier format is used
// for SAKKE (the Responder) and ECCSI (the Initiator).
func Identity(uri string, t time.Time) []byte {
	u := t.UTC()
	out := make([]byte, 0, 9+len(uri))
	out = u.AppendFormat(out, "2006-01")
	out = append(out, 0)
	out = append(out, uri...)
	return append(out, 0)
}

// ParseIdentity splits an Identifier into its month ("YYYY-MM") and URI.
func ParseIdentity(id []byte) (month, uri string, err error) {
	if len(id) < 10 || id[7] != 0 || id[len(id)-1] != 0 {
		return "", "", fmt.Errorf("sakke: identifier is not \"YYYY-MM\\0uri\\0\" (%d octets)", len(id))
	}
	month = string(id[:7])
	if _, perr := time.Parse("2006-01", month); perr != nil {
		return "", "", fmt.Errorf("sakke: offset 0: identifier month %q is not YYYY-MM", month)
	}
	uri = string(id[8 : len(id)-1])
	if i := strings.IndexByte(uri, 0); i >= 0 {
		return "", "", fmt.Errorf("sakke: offset %d: null octet inside identifier URI", 8+i)
	}
	return month, uri, nil
}

// CheckTelURI checks the constraints RFC 6509 §3.2 puts on a "tel" URI
// used in an Identifier: global notation ("tel:+" and digits), no visual
// separators, no parameters (so no phone-context).
func CheckTelURI(uri string) error {
	const prefix = "tel:+"
	if !strings.HasPrefix(uri, prefix) {
		return fmt.Errorf("sakke: URI %q is not a global tel URI (\"tel:+<digits>\")", uri)
	}
	digits := uri[len(prefix):]
	if digits == "" {
		return fmt.Errorf("sakke: URI %q has no digits", uri)
	}
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		switch {
		case c >= '0' && c <= '9':
		case c == ';':
			return fmt.Errorf("sakke: URI %q has parameters at offset %d (not allowed)", uri, len(prefix)+i)
		case c == '-' || c == '.' || c == '(' || c == ')':
			return fmt.Errorf("sakke: URI %q has a visual separator at offset %d (not allowed)", uri, len(prefix)+i)
		default:
			return fmt.Errorf("sakke: URI %q has %q at offset %d (digits only)", uri, c, len(prefix)+i)
		}
	}
	return nil
}
