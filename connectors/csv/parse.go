package csv

import (
	"bytes"
	"errors"
	"strconv"
	"unsafe"

	"github.com/eddyml/eddy/internal/fastfloat"
)

// fastFloat is fastfloat.Float: the exact fast path (Clinger's) for the
// decimal number at d[i:]; ok false sends the caller to parseFloat.
func fastFloat(d []byte, i int) (v float64, j int, ok bool) { return fastfloat.Float(d, i) }

// fastInt is fastfloat.Int: up to 18 digits at d[i:].
func fastInt(d []byte, i int) (v int64, j int, ok bool) { return fastfloat.Int(d, i) }

var errSyntax = errors.New("invalid syntax")

// parseFloat parses a whole field as a float64 with strconv semantics,
// except that hexadecimal forms and underscores are refused (they are not
// CSV numbers) and a value out of range gives ±Inf instead of an error, as
// pandas does.
func parseFloat(b []byte) (float64, error) {
	if v, j, ok := fastFloat(b, 0); ok && j == len(b) {
		return v, nil
	}
	if bytes.IndexByte(b, '_') >= 0 || bytes.IndexByte(b, 'x') >= 0 || bytes.IndexByte(b, 'X') >= 0 {
		return 0, errSyntax
	}
	v, err := strconv.ParseFloat(unsafeString(b), 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return v, nil
		}
		return 0, errSyntax
	}
	return v, nil
}

// parseInt parses a whole field as a base-10 int64.
func parseInt(b []byte) (int64, error) {
	if v, j, ok := fastInt(b, 0); ok && j == len(b) {
		return v, nil
	}
	if bytes.IndexByte(b, '_') >= 0 {
		return 0, errSyntax
	}
	v, err := strconv.ParseInt(unsafeString(b), 10, 64)
	if err != nil {
		return 0, errSyntax
	}
	return v, nil
}

// parseBool accepts true/false in any case, and 1/0.
func parseBool(b []byte) (bool, bool) {
	switch len(b) {
	case 1:
		switch b[0] {
		case '1':
			return true, true
		case '0':
			return false, true
		}
	case 4:
		if (b[0]|0x20) == 't' && (b[1]|0x20) == 'r' && (b[2]|0x20) == 'u' && (b[3]|0x20) == 'e' {
			return true, true
		}
	case 5:
		if (b[0]|0x20) == 'f' && (b[1]|0x20) == 'a' && (b[2]|0x20) == 'l' && (b[3]|0x20) == 's' && (b[4]|0x20) == 'e' {
			return false, true
		}
	}
	return false, false
}

// isBoolWord reports whether b is true or false in any case (what inference
// takes for a boolean; 1 and 0 are integers).
func isBoolWord(b []byte) bool {
	_, ok := parseBool(b)
	return ok && len(b) > 1
}

func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// field is one scanned field of a row.
type field struct {
	start, end int  // content, without the surrounding quotes
	quoted     bool // the field was quoted
	escaped    bool // the content holds doubled quotes
	lines      int  // newlines inside the quoted content
}

// Field scanning errors; scanField reports them but still finds the end of
// the field with the same rules as the splitter, so a bad row can be skipped.
var (
	errUnterminated = errors.New("unterminated quoted field")
	errAfterQuote   = errors.New("unexpected text after closing quote")
)

// scanField scans the field that starts at d[i]. It returns the field, the
// index where the next field or row starts, and whether the field ends its
// row. A field is quoted only when its first byte is a quote; inside quotes
// a doubled quote stands for one quote and newlines are data. Text after a
// closing quote up to the next separator is an error (errAfterQuote) that
// still belongs to this field. A row ends at '\n' (a '\r' before it is
// dropped) or at the end of d.
func scanField(d []byte, i int, sep byte) (f field, next int, eol bool, err error) {
	if i < len(d) && d[i] == '"' {
		f.quoted = true
		f.start = i + 1
		j := i + 1
		for {
			k := bytes.IndexByte(d[j:], '"')
			if k < 0 {
				f.end = len(d)
				f.lines += bytes.Count(d[j:], nl)
				return f, len(d), true, errUnterminated
			}
			f.lines += bytes.Count(d[j:j+k], nl)
			j += k
			if j+1 < len(d) && d[j+1] == '"' {
				f.escaped = true
				j += 2
				continue
			}
			f.end = j
			j++
			break
		}
		// After the closing quote.
		if j == len(d) {
			return f, j, true, nil
		}
		switch d[j] {
		case sep:
			return f, j + 1, false, nil
		case '\n':
			return f, j + 1, true, nil
		case '\r':
			if j+1 == len(d) {
				return f, j + 1, true, nil
			}
			if d[j+1] == '\n' {
				return f, j + 2, true, nil
			}
		}
		err = errAfterQuote
		i = j
		// Fall through to scan the rest as unquoted text.
		for ; i < len(d); i++ {
			c := d[i]
			if c == sep {
				return f, i + 1, false, err
			}
			if c == '\n' {
				return f, i + 1, true, err
			}
		}
		return f, len(d), true, err
	}
	f.start = i
	for ; i < len(d); i++ {
		c := d[i]
		if c == sep {
			f.end = i
			return f, i + 1, false, nil
		}
		if c == '\n' {
			f.end = i
			if i > f.start && d[i-1] == '\r' {
				f.end--
			}
			return f, i + 1, true, nil
		}
	}
	f.end = len(d)
	if f.end > f.start && d[f.end-1] == '\r' {
		f.end--
	}
	return f, len(d), true, nil
}

var nl = []byte{'\n'}

// skipRow finds the end of the row whose field starts at d[i]; it returns
// the index after the row and the newlines inside quoted fields.
func skipRow(d []byte, i int, sep byte) (next, lines int) {
	for {
		f, n, eol, _ := scanField(d, i, sep)
		lines += f.lines
		i = n
		if eol {
			return i, lines
		}
	}
}

// fieldBytes returns the content of f, with doubled quotes undone into
// scratch when needed.
func fieldBytes(d []byte, f field, scratch *[]byte) []byte {
	b := d[f.start:f.end]
	if !f.escaped {
		return b
	}
	s := (*scratch)[:0]
	for k := 0; k < len(b); k++ {
		s = append(s, b[k])
		if b[k] == '"' && k+1 < len(b) && b[k+1] == '"' {
			k++
		}
	}
	*scratch = s
	return s
}

// isBlank reports whether the row starting at d[i] is an empty line and
// returns the index after it.
func isBlank(d []byte, i int) (int, bool) {
	if i >= len(d) {
		return i, false
	}
	if d[i] == '\n' {
		return i + 1, true
	}
	if d[i] == '\r' {
		if i+1 == len(d) {
			return i + 1, true
		}
		if d[i+1] == '\n' {
			return i + 2, true
		}
	}
	return i, false
}
