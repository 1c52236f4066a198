package csv

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
)

// strconvFloat is parseFloat's contract in terms of strconv.
func strconvFloat(s string) (float64, bool) {
	if strings.ContainsAny(s, "_xX") {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !strings.Contains(err.Error(), "value out of range") {
		return 0, false
	}
	return v, true
}

func sameFloat(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

func checkFloat(t *testing.T, s string) {
	t.Helper()
	want, wok := strconvFloat(s)
	got, err := parseFloat([]byte(s))
	if wok != (err == nil) || (wok && !sameFloat(got, want)) {
		t.Fatalf("parseFloat(%q) = %v, %v; strconv gives %v, %v", s, got, err, want, wok)
	}
	// The fast path, where it claims a prefix, agrees with strconv on it.
	if v, j, ok := fastFloat([]byte(s), 0); ok {
		w, err := strconv.ParseFloat(s[:j], 64)
		if err != nil || !sameFloat(v, w) {
			t.Fatalf("fastFloat(%q) = %v over %q; strconv gives %v, %v", s, v, s[:j], w, err)
		}
	}
}

func TestParseFloatRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		var s string
		switch i % 5 {
		case 0:
			s = strconv.FormatFloat(rng.NormFloat64(), 'f', rng.IntN(12), 64)
		case 1:
			s = strconv.FormatFloat(math.Float64frombits(rng.Uint64()), 'g', -1, 64)
		case 2:
			s = strconv.FormatFloat(rng.NormFloat64()*math.Pow(10, float64(rng.IntN(40)-20)), 'e', rng.IntN(17), 64)
		case 3:
			s = strconv.FormatInt(rng.Int64N(1<<62)-1<<61, 10) + "." + strconv.Itoa(rng.IntN(1000000))
		case 4:
			s = strconv.FormatFloat(rng.Float64(), 'g', -1, 64)
		}
		checkFloat(t, s)
	}
	for _, s := range []string{"", "-", "+", ".", "e5", "1e", "1e+", "-0", "+0.0", "0e999999", "1e400", "-1e400",
		"1e-400", "nan", "NaN", "inf", "+Infinity", "-inf", "0x1p3", "1_0", "00001.5000", "9007199254740993",
		"9007199254740992", "1.7976931348623157e308", "4.9e-324", "123456789012345678901234567890", ".5", "5.",
		"1e22", "1e23", "123.456e-22", "1.2.3", " 1", "1 "} {
		checkFloat(t, s)
	}
}

func FuzzParseFloat(f *testing.F) {
	for _, s := range []string{"0", "-1.5", "1e10", "3.14159", "nan", "1e-22", "9007199254740993", "0.1", "1_000", "0x10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkFloat(t, s)
		if v, err := parseInt([]byte(s)); err == nil {
			w, werr := strconv.ParseInt(s, 10, 64)
			if werr != nil || v != w {
				t.Fatalf("parseInt(%q) = %d; strconv gives %d, %v", s, v, w, werr)
			}
		} else if !strings.Contains(s, "_") {
			if _, werr := strconv.ParseInt(s, 10, 64); werr == nil {
				t.Fatalf("parseInt(%q) fails, strconv accepts it", s)
			}
		}
	})
}

func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n",
		"a,b\n1,\"x\ny\"\n\"3\",4\r\n",
		"x\n1.5\nnan\n\n-3e4\n",
		"a,b\n1\n2,3,4\n\"unterminated\n",
		"\xEF\xBB\xBFa;b\r\n\"q\"\"\";t\r\n",
		"a,a\n",
		"",
	} {
		f.Add(s, uint8(2), false)
	}
	f.Fuzz(func(t *testing.T, s string, batch uint8, skip bool) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		opts := Options{ReadOptions: connectors.ReadOptions{BatchSize: int(batch%7) + 1, Allocator: mem}, InferRows: 3}
		if skip {
			opts.OnError = connectors.Skip
		}
		r, err := NewReader(context.Background(), strings.NewReader(s), opts)
		if err != nil {
			return
		}
		defer r.Release()
		var rows int64
		for r.Next() {
			rec := r.Record()
			rows += rec.NumRows()
			for _, c := range rec.Columns() {
				if c.Len() != int(rec.NumRows()) {
					t.Fatalf("column of %d values in a batch of %d rows", c.Len(), rec.NumRows())
				}
				nulls := 0
				for i := 0; i < c.Len(); i++ {
					if c.IsNull(i) {
						nulls++
					}
				}
				if nulls != c.NullN() {
					t.Fatalf("null count %d, %d null values", c.NullN(), nulls)
				}
				if sa, ok := c.(*array.String); ok {
					offs := sa.ValueOffsets()
					for i := 1; i < len(offs); i++ {
						if offs[i] < offs[i-1] || int(offs[i]) > len(sa.ValueBytes()) {
							t.Fatalf("bad string offsets %v over %d bytes", offs, len(sa.ValueBytes()))
						}
					}
				}
			}
		}
		if err := r.Err(); err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatal(err)
		}
		if skip && r.Err() != nil {
			t.Fatalf("error under Skip: %v", r.Err())
		}
		if rows != r.Offset() {
			t.Fatalf("%d rows delivered, offset %d", rows, r.Offset())
		}
		if nl := int64(strings.Count(s, "\n") + 1); rows+r.Skipped() > nl {
			t.Fatalf("%d rows and %d skipped from %d lines", rows, r.Skipped(), nl)
		}
	})
}
