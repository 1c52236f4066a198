package sqlexpr

import (
	"fmt"
	"strconv"
	"strings"
)

// maxDepth bounds the nesting of an expression, so that hostile input
// cannot exhaust the stack of the parser or of the checker.
const maxDepth = 200

type nodeKind int

const (
	nCol    nodeKind = iota // column reference: name
	nLit                    // literal: lit
	nUnary                  // op in name ("-", "NOT"), args[0]
	nBinary                 // op in name, args[0], args[1]
	nIsNull                 // args[0] IS [NOT] NULL (not)
	nCall                   // function name (lowercase), args
	nCast                   // CAST(args[0] AS name)
	nCase                   // CASE WHEN args[0] THEN args[1] ... [ELSE args[n-1]] END
)

type literal struct {
	typ Type
	f   float64
	i   int64
	s   string
	b   bool
}

// node is a node of the untyped syntax tree.
type node struct {
	kind    nodeKind
	pos     int // byte offset in the source
	name    string
	lit     literal
	args    []*node
	not     bool // IS NOT NULL
	hasElse bool // CASE with ELSE
}

// Expr is a parsed expression, not yet checked against a schema.
type Expr struct {
	src  string
	root *node
}

// String returns the source text of the expression.
func (e *Expr) String() string { return e.src }

// SelectItem is one entry of a select list: `*` (every input column, in
// order) or an expression with an optional alias.
type SelectItem struct {
	Star  bool
	Expr  *Expr
	Alias string // empty: a column reference keeps its name, any other expression is named by its source text
}

// Name returns the output column name of a non-star item.
func (it SelectItem) Name() string {
	if it.Alias != "" {
		return it.Alias
	}
	if it.Expr.root.kind == nCol {
		return it.Expr.root.name
	}
	return strings.TrimSpace(it.Expr.src)
}

// Parse parses a scalar expression. Errors give the 1-based column of the
// offending token.
func Parse(src string) (*Expr, error) {
	p, err := newParser(src)
	if err != nil {
		return nil, wrapSrc(src, err)
	}
	n, err := p.expr(0)
	if err == nil {
		err = p.expectEOF()
	}
	if err != nil {
		return nil, wrapSrc(src, err)
	}
	return &Expr{src: src, root: n}, nil
}

// ParseSelectItem parses `*`, `expr` or `expr AS name`.
func ParseSelectItem(src string) (SelectItem, error) {
	p, err := newParser(src)
	if err != nil {
		return SelectItem{}, wrapSrc(src, err)
	}
	if p.peek().is("*") && p.toks[p.i+1].kind == tEOF {
		return SelectItem{Star: true}, nil
	}
	n, err := p.expr(0)
	if err != nil {
		return SelectItem{}, wrapSrc(src, err)
	}
	end := p.peek().pos
	it := SelectItem{Expr: &Expr{src: strings.TrimSpace(src[:end]), root: n}}
	if p.peek().is("AS") {
		p.next()
		t := p.next()
		if t.kind != tIdent && t.kind != tQIdent || t.kind == tIdent && isKeyword(t.text) {
			return SelectItem{}, wrapSrc(src, errAt(t.pos, "want a column name after AS, got %s", t))
		}
		it.Alias = t.text
	}
	if err := p.expectEOF(); err != nil {
		return SelectItem{}, wrapSrc(src, err)
	}
	return it, nil
}

func wrapSrc(src string, err error) error {
	return fmt.Errorf("expression %q: %w", src, err)
}

type parser struct {
	toks  []token
	i     int
	depth int
}

func newParser(src string) (*parser, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	return &parser{toks: toks}, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) expect(op string) (token, error) {
	t := p.next()
	if !t.is(op) {
		return t, unexpected(t, fmt.Sprintf("want %q", op))
	}
	return t, nil
}

func (p *parser) expectEOF() error {
	if t := p.peek(); t.kind != tEOF {
		return unexpected(t, "want an operator or the end of the expression")
	}
	return nil
}

func unexpected(t token, want string) error {
	if t.kind == tEOF {
		return errAt(t.pos, "unexpected end of expression; %s", want)
	}
	return errAt(t.pos, "unexpected %s; %s", t, want)
}

var keywords = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "AS": true, "CASE": true, "WHEN": true, "THEN": true,
	"ELSE": true, "END": true, "IS": true, "NULL": true, "TRUE": true, "FALSE": true, "CAST": true,
}

func isKeyword(s string) bool { return keywords[strings.ToUpper(s)] }

// Binding powers, lowest first.
const (
	precOr = iota + 1
	precAnd
	precNot
	precCmp
	precConcat
	precAdd
	precMul
	precUnary
)

func infixPrec(t token) int {
	if t.kind == tIdent {
		switch strings.ToUpper(t.text) {
		case "OR":
			return precOr
		case "AND":
			return precAnd
		case "IS":
			return precCmp
		}
		return 0
	}
	if t.kind != tOp {
		return 0
	}
	switch t.text {
	case "=", "==", "!=", "<>", "<", "<=", ">", ">=":
		return precCmp
	case "||":
		return precConcat
	case "+", "-":
		return precAdd
	case "*", "/", "%":
		return precMul
	}
	return 0
}

// expr parses an expression whose operators bind tighter than minPrec
// (Pratt's top-down operator precedence; all binary operators are
// left-associative).
func (p *parser) expr(minPrec int) (*node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, errAt(p.peek().pos, "expression nested too deeply (more than %d levels)", maxDepth)
	}
	left, err := p.prefix()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		prec := infixPrec(t)
		if prec == 0 || prec <= minPrec {
			return left, nil
		}
		p.next()
		if t.is("IS") {
			n := &node{kind: nIsNull, pos: t.pos, args: []*node{left}}
			if p.peek().is("NOT") {
				p.next()
				n.not = true
			}
			if nt := p.next(); !nt.is("NULL") {
				return nil, unexpected(nt, "want NULL or NOT NULL after IS")
			}
			left = n
			continue
		}
		right, err := p.expr(prec)
		if err != nil {
			return nil, err
		}
		op := strings.ToUpper(t.text)
		switch op {
		case "==":
			op = "="
		case "<>":
			op = "!="
		}
		left = &node{kind: nBinary, pos: t.pos, name: op, args: []*node{left, right}}
	}
}

func (p *parser) prefix() (*node, error) {
	t := p.next()
	switch t.kind {
	case tEOF:
		return nil, unexpected(t, "want an operand")
	case tNumber:
		return numberLit(t, false)
	case tString:
		return &node{kind: nLit, pos: t.pos, lit: literal{typ: String, s: t.text}}, nil
	case tQIdent:
		return &node{kind: nCol, pos: t.pos, name: t.text}, nil
	case tOp:
		switch t.text {
		case "(":
			n, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			if _, err := p.expect(")"); err != nil {
				return nil, err
			}
			return n, nil
		case "-", "+":
			if nt := p.peek(); nt.kind == tNumber && t.text == "-" {
				p.next()
				return numberLit(nt, true)
			}
			x, err := p.expr(precUnary - 1)
			if err != nil {
				return nil, err
			}
			return &node{kind: nUnary, pos: t.pos, name: t.text, args: []*node{x}}, nil
		}
		return nil, unexpected(t, "want an operand")
	}
	// An identifier: keyword, function call or column.
	switch strings.ToUpper(t.text) {
	case "NULL":
		return &node{kind: nLit, pos: t.pos, lit: literal{typ: Null}}, nil
	case "TRUE", "FALSE":
		return &node{kind: nLit, pos: t.pos, lit: literal{typ: Bool, b: strings.EqualFold(t.text, "TRUE")}}, nil
	case "NOT":
		x, err := p.expr(precNot - 1)
		if err != nil {
			return nil, err
		}
		return &node{kind: nUnary, pos: t.pos, name: "NOT", args: []*node{x}}, nil
	case "CAST":
		return p.cast(t)
	case "CASE":
		return p.caseWhen(t)
	}
	if isKeyword(t.text) {
		return nil, unexpected(t, "want an operand (quote a column named like a keyword: \"end\")")
	}
	if p.peek().is("(") {
		return p.call(t)
	}
	return &node{kind: nCol, pos: t.pos, name: t.text}, nil
}

func numberLit(t token, neg bool) (*node, error) {
	text := t.text
	if neg {
		text = "-" + text
	}
	n := &node{kind: nLit, pos: t.pos}
	if !strings.ContainsAny(text, ".eE") {
		v, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, errAt(t.pos, "integer %s out of the BIGINT range (write %s.0 for a DOUBLE)", text, text)
		}
		n.lit = literal{typ: Int, i: v}
		return n, nil
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, errAt(t.pos, "number %s out of the DOUBLE range", text)
	}
	n.lit = literal{typ: Float, f: v}
	return n, nil
}

func (p *parser) cast(t token) (*node, error) {
	if _, err := p.expect("("); err != nil {
		return nil, err
	}
	x, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if nt := p.next(); !nt.is("AS") {
		return nil, unexpected(nt, "want AS in CAST(x AS type)")
	}
	tt := p.next()
	typ, ok := castType(tt)
	if !ok {
		return nil, unexpected(tt, "want a type: DOUBLE, BIGINT, STRING or BOOLEAN")
	}
	if _, err := p.expect(")"); err != nil {
		return nil, err
	}
	return &node{kind: nCast, pos: t.pos, name: typ.String(), lit: literal{typ: typ}, args: []*node{x}}, nil
}

func castType(t token) (Type, bool) {
	if t.kind != tIdent {
		return Null, false
	}
	switch strings.ToUpper(t.text) {
	case "DOUBLE", "FLOAT", "FLOAT64", "REAL":
		return Float, true
	case "BIGINT", "INT", "INTEGER", "LONG", "INT64":
		return Int, true
	case "STRING", "VARCHAR", "TEXT":
		return String, true
	case "BOOLEAN", "BOOL":
		return Bool, true
	}
	return Null, false
}

func (p *parser) caseWhen(t token) (*node, error) {
	n := &node{kind: nCase, pos: t.pos}
	for p.peek().is("WHEN") {
		p.next()
		cond, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		if nt := p.next(); !nt.is("THEN") {
			return nil, unexpected(nt, "want THEN")
		}
		val, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		n.args = append(n.args, cond, val)
	}
	if len(n.args) == 0 {
		return nil, unexpected(p.peek(), "want WHEN after CASE")
	}
	if p.peek().is("ELSE") {
		p.next()
		e, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		n.args = append(n.args, e)
		n.hasElse = true
	}
	if nt := p.next(); !nt.is("END") {
		return nil, unexpected(nt, "want WHEN, ELSE or END")
	}
	return n, nil
}

func (p *parser) call(name token) (*node, error) {
	p.next() // "("
	n := &node{kind: nCall, pos: name.pos, name: strings.ToLower(name.text)}
	if p.peek().is(")") {
		p.next()
		return n, nil
	}
	for {
		a, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		n.args = append(n.args, a)
		t := p.next()
		if t.is(")") {
			return n, nil
		}
		if !t.is(",") {
			return nil, unexpected(t, `want "," or ")"`)
		}
	}
}
