package sqlexpr

import (
	"fmt"
	"strings"
)

type tokKind int

const (
	tEOF    tokKind = iota
	tIdent          // bare identifier or keyword (text kept as written)
	tQIdent         // "quoted" or `quoted` identifier (text unquoted)
	tNumber
	tString // 'literal' (text unquoted)
	tOp     // operator or punctuation
)

// token is one lexeme; pos is its byte offset in the source.
type token struct {
	kind tokKind
	text string
	pos  int
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tQIdent:
		return fmt.Sprintf("identifier %q", t.text)
	case tString:
		return fmt.Sprintf("string '%s'", strings.ReplaceAll(t.text, "'", "''"))
	}
	return fmt.Sprintf("%q", t.text)
}

// is reports whether t is the keyword kw (case-insensitive) or the
// operator kw.
func (t token) is(kw string) bool {
	return (t.kind == tIdent || t.kind == tOp) && strings.EqualFold(t.text, kw)
}

// posError is an error at a byte offset of the source; Error reports the
// 1-based column.
type posError struct {
	pos int
	msg string
}

func (e *posError) Error() string { return fmt.Sprintf("at column %d: %s", e.pos+1, e.msg) }

func errAt(pos int, format string, args ...any) error {
	return &posError{pos: pos, msg: fmt.Sprintf(format, args...)}
}

// lex splits src into tokens, ending with a tEOF token.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			toks = append(toks, token{tIdent, src[i:j], i})
			i = j
		case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			j := i
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			if j < len(src) && src[j] == '.' {
				j++
				for j < len(src) && isDigit(src[j]) {
					j++
				}
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k >= len(src) || !isDigit(src[k]) {
					return nil, errAt(i, "malformed number %q", src[i:min(k+1, len(src))])
				}
				for k < len(src) && isDigit(src[k]) {
					k++
				}
				j = k
			}
			if j < len(src) && isIdentStart(src[j]) {
				return nil, errAt(i, "malformed number %q", src[i:j+1])
			}
			toks = append(toks, token{tNumber, src[i:j], i})
			i = j
		case c == '\'' || c == '"' || c == '`':
			text, j, err := quoted(src, i)
			if err != nil {
				return nil, err
			}
			kind := tQIdent
			if c == '\'' {
				kind = tString
			}
			if kind == tQIdent && text == "" {
				return nil, errAt(i, "empty quoted identifier")
			}
			toks = append(toks, token{kind, text, i})
			i = j
		default:
			op := ""
			if i+1 < len(src) {
				switch two := src[i : i+2]; two {
				case "<=", ">=", "<>", "!=", "==", "||":
					op = two
				}
			}
			if op == "" {
				switch c {
				case '+', '-', '*', '/', '%', '(', ')', ',', '<', '>', '=':
					op = src[i : i+1]
				default:
					r := []rune(src[i:])[0]
					return nil, errAt(i, "unexpected character %q", r)
				}
			}
			toks = append(toks, token{tOp, op, i})
			i += len(op)
		}
	}
	return append(toks, token{tEOF, "", len(src)}), nil
}

// quoted reads the quoted text starting at src[i] (the quote), where a
// doubled quote stands for itself, and returns it unquoted with the offset
// after the closing quote.
func quoted(src string, i int) (string, int, error) {
	q := src[i]
	var b strings.Builder
	j := i + 1
	for {
		k := strings.IndexByte(src[j:], q)
		if k < 0 {
			what := "string"
			if q != '\'' {
				what = "quoted identifier"
			}
			return "", 0, errAt(i, "unterminated %s", what)
		}
		b.WriteString(src[j : j+k])
		j += k + 1
		if j < len(src) && src[j] == q {
			b.WriteByte(q)
			j++
			continue
		}
		return b.String(), j, nil
	}
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
