package dissect

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// RFC 4566 §5 fixes the order of an SDP description's lines:
//
//	session:  v= o= s= i= u= e= p= c= b= (t= r=)... z= k= a=
//	media:    m= i= c= b= k= a=
//
// sdpSessionOrder and sdpMediaOrder give each type its rank; a line may
// repeat its type where the RFC allows (e= p= b= a=, t= with its r=), and t=
// may follow r= (each time description is t= then its r= lines).
const (
	sdpSessionOrder = "vosiuepcbtrzka"
	sdpMediaOrder   = "micbka"
	sdpRepeatable   = "epbtra"
)

// sdpOrderProblem says in words what breaks the line order or the line
// types of RFC 4566 §5 in an SDP body (the strict parser's complaint,
// which is only a byte position), or "" when it finds nothing. Line
// contents are not quoted (a line may be wrapped key material): the line
// number and type letter name it.
func sdpOrderProblem(body []byte) string {
	section, order := "session", sdpSessionOrder
	prevType, prevLine := byte(0), 0
	prevRank := -1
	line := 0
	for pos := 0; pos < len(body); {
		nl := bytes.IndexByte(body[pos:], '\n')
		l, next := body[pos:], len(body)
		if nl >= 0 {
			l, next = body[pos:pos+nl], pos+nl+1
		}
		pos = next
		line++
		l = trimCR(l)
		if len(l) == 0 {
			continue
		}
		if len(l) < 2 || l[1] != '=' {
			return fmt.Sprintf("line %d is not type=value", line)
		}
		c := l[0]
		if line == 1 && c != 'v' {
			return fmt.Sprintf("the description starts with a %s line, not v= (RFC 4566 §5)", typeName(c))
		}
		if c == 'm' {
			section, order = "media", sdpMediaOrder
			prevType, prevLine, prevRank = 'm', line, 0
			continue
		}
		rank := strings.IndexByte(order, c)
		if rank < 0 {
			if strings.IndexByte(sdpSessionOrder, c) >= 0 {
				return fmt.Sprintf("%s line %d is in a media section, where RFC 4566 §5 allows only m= i= c= b= k= a=", typeName(c), line)
			}
			return fmt.Sprintf("line %d has the unknown type %s (RFC 4566 §5 defines v o s i u e p c b t r z k a m)", line, typeName(c))
		}
		switch {
		case rank > prevRank:
		case c == prevType && strings.IndexByte(sdpRepeatable, c) >= 0:
		case c == 't' && prevType == 'r':
		default:
			if c == prevType {
				return fmt.Sprintf("%s appears twice in the %s section (lines %d and %d): RFC 4566 §5 allows one", typeName(c), section, prevLine, line)
			}
			return fmt.Sprintf("%s line %d comes before %s line %d in the %s section: RFC 4566 §5 orders %s before %s (%s)",
				typeName(prevType), prevLine, typeName(c), line, section, typeName(c), typeName(prevType), orderText(order))
		}
		prevType, prevLine, prevRank = c, line, rank
	}
	return ""
}

// typeName writes a line type as "b=", or its byte value when it is not
// printable.
func typeName(c byte) string {
	if c > ' ' && c < 0x7f {
		return string(c) + "="
	}
	return "type 0x" + strconv.FormatUint(uint64(c), 16)
}

func orderText(order string) string {
	parts := make([]string, len(order))
	for i := range order {
		parts[i] = order[i:i+1] + "="
	}
	return strings.Join(parts, " ")
}
