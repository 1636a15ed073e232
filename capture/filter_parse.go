package capture

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// FilterError reports a syntax error in a capture filter expression.
type FilterError struct {
	Expr string
	Pos  int // byte offset of the offending token in Expr
	Msg  string
}

func (e *FilterError) Error() string {
	return fmt.Sprintf("filter %q: at position %d: %s", e.Expr, e.Pos, e.Msg)
}

// token is one word of a filter expression.
type token struct {
	text string
	pos  int
}

// tokenize splits on white space; parentheses, "!", "&&" and "||" are
// tokens of their own.
func tokenize(expr string) []token {
	var toks []token
	i := 0
	for i < len(expr) {
		c := expr[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, token{expr[i : i+1], i})
			i++
		case c == '!' && !strings.HasPrefix(expr[i:], "!="):
			toks = append(toks, token{"!", i})
			i++
		case strings.HasPrefix(expr[i:], "&&") || strings.HasPrefix(expr[i:], "||"):
			toks = append(toks, token{expr[i : i+2], i})
			i += 2
		default:
			j := i + 1 // a token is at least one byte ("!=" included)
			for j < len(expr) && !strings.ContainsRune(" \t\n\r()!", rune(expr[j])) &&
				!strings.HasPrefix(expr[j:], "&&") && !strings.HasPrefix(expr[j:], "||") {
				j++
			}
			toks = append(toks, token{expr[i:j], i})
			i = j
		}
	}
	return toks
}

// maxFilterDepth bounds nesting so a hostile expression cannot exhaust the
// stack.
const maxFilterDepth = 64

// filterParser is a recursive-descent parser for the tcpdump subset:
//
//	expr    = and { ("or" | "||") and }
//	and     = unary { ("and" | "&&") unary }
//	unary   = ("not" | "!") unary | "(" expr ")" | primitive
//	primitive = "ip" | "ip6" | "udp" | "tcp" | "vlan" [id]
//	          | [proto] [dir] ("host" addr | "net" cidr | "port" n | "portrange" n-m)
//	          | value            (repeats the previous qualifiers, as tcpdump)
//	proto   = "ip" | "ip6" | "udp" | "tcp"
//	dir     = "src" | "dst" | "src or dst" | "src and dst"
type filterParser struct {
	expr  string
	toks  []token
	i     int
	depth int
	last  *fieldTest // qualifiers of the previous primitive, for bare values
}

func (p *filterParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i].text
	}
	return ""
}

func (p *filterParser) pos() int {
	if p.i < len(p.toks) {
		return p.toks[p.i].pos
	}
	return len(p.expr)
}

func (p *filterParser) errorf(format string, args ...any) error {
	return &FilterError{Expr: p.expr, Pos: p.pos(), Msg: fmt.Sprintf(format, args...)}
}

func (p *filterParser) parseOr() (filterNode, error) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t == "or" || t == "||"; t = p.peek() {
		p.i++
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		left = &orNode{left, right}
	}
	return left, nil
}

func (p *filterParser) parseAnd() (filterNode, error) {
	left, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t == "and" || t == "&&"; t = p.peek() {
		p.i++
		right, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		left = &andNode{left, right}
	}
	return left, nil
}

func (p *filterParser) parseUnary() (filterNode, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxFilterDepth {
		return nil, p.errorf("expression nested deeper than %d", maxFilterDepth)
	}
	switch p.peek() {
	case "not", "!":
		p.i++
		n, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &notNode{n}, nil
	case "(":
		p.i++
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, p.errorf("expected )")
		}
		p.i++
		return n, nil
	case "":
		return nil, p.errorf("unexpected end of expression")
	}
	return p.parsePrimitive()
}

func (p *filterParser) parsePrimitive() (filterNode, error) {
	t := &fieldTest{dir: dirEither}
	switch p.peek() {
	case "ip", "ip6", "udp", "tcp":
		t.proto = p.peek()
		p.i++
		switch p.peek() {
		case "src", "dst", "host", "net", "port", "portrange":
		default:
			return &protoNode{t.proto}, nil
		}
	case "vlan":
		p.i++
		if id, err := strconv.ParseUint(p.peek(), 10, 16); err == nil {
			if id > 4095 {
				return nil, p.errorf("VLAN id %d above 4095", id)
			}
			p.i++
			return &vlanNode{id: uint16(id), any: false}, nil
		}
		return &vlanNode{any: true}, nil
	}
	switch p.peek() {
	case "src":
		p.i++
		t.dir = dirSrc
		if (p.peek() == "or" || p.peek() == "and") && p.i+1 < len(p.toks) && p.toks[p.i+1].text == "dst" {
			t.dir = dirEither
			if p.peek() == "and" {
				t.dir = dirBoth
			}
			p.i += 2
		}
	case "dst":
		p.i++
		t.dir = dirDst
	}
	kindAt := p.i
	switch kind := p.peek(); kind {
	case "host", "net", "port", "portrange":
		t.kind = kind
		p.i++
	default:
		if t.proto != "" || t.dir != dirEither || p.last == nil {
			return nil, p.errorf("unknown primitive %q", kind)
		}
		// A bare value repeats the previous qualifiers: "port 1 or 2".
		q := *p.last
		t = &q
	}
	if err := p.parseValue(t); err != nil {
		return nil, err
	}
	if t.proto == "ip" || t.proto == "ip6" {
		if t.kind == "port" || t.kind == "portrange" {
			p.i = kindAt
			return nil, p.errorf("%s has no ports (use udp or tcp)", t.proto)
		}
	}
	p.last = t
	return t, nil
}

// parseValue reads the operand of host, net, port or portrange.
func (p *filterParser) parseValue(t *fieldTest) error {
	v := p.peek()
	if v == "" || v == ")" {
		return p.errorf("%s needs a value", t.kind)
	}
	switch t.kind {
	case "host":
		a, err := netip.ParseAddr(v)
		if err != nil {
			return p.errorf("host wants an IP address, not %q", v)
		}
		t.net = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
	case "net":
		pfx, err := netip.ParsePrefix(v)
		if err != nil {
			return p.errorf("net wants an address/length, not %q", v)
		}
		t.net = pfx.Masked()
	case "port":
		n, err := strconv.ParseUint(v, 10, 16)
		if err != nil {
			return p.errorf("port wants a number 0-65535, not %q", v)
		}
		t.lo, t.hi = uint16(n), uint16(n)
	case "portrange":
		lo, hi, ok := strings.Cut(v, "-")
		a, err1 := strconv.ParseUint(lo, 10, 16)
		b, err2 := strconv.ParseUint(hi, 10, 16)
		if !ok || err1 != nil || err2 != nil {
			return p.errorf("portrange wants N-M, not %q", v)
		}
		if a > b {
			a, b = b, a
		}
		t.lo, t.hi = uint16(a), uint16(b)
	}
	p.i++
	return nil
}

// parseFilter compiles expr into a tree; the empty expression matches all.
func parseFilter(expr string) (filterNode, error) {
	p := &filterParser{expr: expr, toks: tokenize(expr)}
	if len(p.toks) == 0 {
		return trueNode{}, nil
	}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.i != len(p.toks) {
		return nil, p.errorf("unexpected %q", p.peek())
	}
	return n, nil
}
