package sqlexpr

import (
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// FuzzParse checks that any input parses to an expression or an error,
// never a panic, that errors carry a position, and that whatever parses
// and compiles against the sample schema evaluates without panicking to a
// column of its type and length.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"a + 1", "a * (b - 2) / 3 % 4", "-a", "NOT f AND a > 1 OR b IS NOT NULL",
		"CAST(s AS DOUBLE)", "CASE WHEN a > 1 THEN 'x' WHEN b < 0 THEN s ELSE NULL END",
		"coalesce(a, b, 0)", "if(f, upper(s), lower(s)) || 'z'", `"end" <> 3`, "`a` = 1e3",
		"sqrt(abs(b)) + log(a) - pow(a, .5)", "length(s) >= 2", "'it''s'", "((a))", "a IS NULL",
		"a AS x", "*", "", ")", "CAST(", "CASE END", "1e", "9223372036854775808",
	} {
		f.Add(s)
	}
	mem := memory.NewGoAllocator()
	rec := sample(f, mem)
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			if !strings.Contains(err.Error(), "at column ") {
				t.Fatalf("parse error without position: %v", err)
			}
		} else {
			if c, err := Compile(e, rec.Schema()); err == nil {
				arr := c.Eval(mem, rec)
				if arr.Len() != int(rec.NumRows()) || !arrow.TypeEqual(arr.DataType(), c.Type().Arrow()) {
					t.Fatalf("%q: got %d rows of %s, want %d of %s", src, arr.Len(), arr.DataType(), rec.NumRows(), c.Type())
				}
				arr.Release()
			}
		}
		if it, err := ParseSelectItem(src); err == nil && !it.Star && it.Name() == "" {
			t.Fatalf("%q: select item without a name", src)
		}
	})
}
