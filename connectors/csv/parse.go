package csv

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"unsafe"
)

// float64pow10 holds the powers of ten that are exact in a float64.
var float64pow10 = [...]float64{
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
	1e20, 1e21, 1e22,
}

// fastFloat parses the longest decimal number at d[i:] (sign, digits,
// optional fraction, optional exponent) and returns its value and the index
// just past it. ok is false when the text is not a plain decimal or when the
// exact result cannot be had cheaply; the caller then falls back to
// parseFloat. When ok is true the value is exactly what strconv.ParseFloat
// gives for d[i:j].
//
// The fast case is Clinger's: a mantissa w below 2^53 and a decimal exponent
// q with |q| <= 22 are both exact in a float64, so w*10^q (or w/10^-q) is one
// correctly rounded IEEE operation (W. D. Clinger, "How to read floating
// point numbers accurately", PLDI 1990). It covers the numbers that CSV
// writers print (up to 15-16 significant digits, small exponents).
func fastFloat(d []byte, i int) (v float64, j int, ok bool) {
	neg := false
	if i < len(d) && (d[i] == '-' || d[i] == '+') {
		neg = d[i] == '-'
		i++
	}
	// Up to 19 digits (leading zeros included) cannot overflow a uint64;
	// longer numbers go to strconv.
	var mant uint64
	start := i
	for ; i < len(d); i++ {
		c := d[i] - '0'
		if c > 9 {
			break
		}
		mant = mant*10 + uint64(c)
	}
	nd := i - start
	exp := 0
	if i < len(d) && d[i] == '.' {
		i++
		fs := i
		for ; i < len(d); i++ {
			c := d[i] - '0'
			if c > 9 {
				break
			}
			mant = mant*10 + uint64(c)
		}
		exp = fs - i
		nd += i - fs
	}
	if nd == 0 || nd > 19 {
		return 0, i, false
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		eneg := false
		if i < len(d) && (d[i] == '-' || d[i] == '+') {
			eneg = d[i] == '-'
			i++
		}
		e, ed := 0, 0
		for ; i < len(d); i++ {
			c := d[i] - '0'
			if c > 9 {
				break
			}
			if ed == 4 {
				return 0, i, false
			}
			e = e*10 + int(c)
			ed++
		}
		if ed == 0 {
			return 0, i, false
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if mant == 0 {
		if neg {
			return math.Copysign(0, -1), i, true
		}
		return 0, i, true
	}
	if mant>>53 != 0 || exp < -22 || exp > 22 {
		return 0, i, false
	}
	f := float64(mant)
	if exp < 0 {
		f /= float64pow10[-exp]
	} else {
		f *= float64pow10[exp]
	}
	if neg {
		f = -f
	}
	return f, i, true
}

// fastInt parses an optional sign and up to 18 digits at d[i:]. ok is false
// when there is no digit or there may be an overflow.
func fastInt(d []byte, i int) (v int64, j int, ok bool) {
	neg := false
	if i < len(d) && (d[i] == '-' || d[i] == '+') {
		neg = d[i] == '-'
		i++
	}
	start := i
	var u uint64
	for ; i < len(d); i++ {
		c := d[i] - '0'
		if c > 9 {
			break
		}
		u = u*10 + uint64(c)
	}
	n := i - start
	if n == 0 || n > 18 {
		return 0, i, false
	}
	if neg {
		return -int64(u), i, true
	}
	return int64(u), i, true
}

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
