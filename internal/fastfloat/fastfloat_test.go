package fastfloat

import (
	"math"
	"strconv"
	"testing"
)

func TestFloat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		j    int
		ok   bool
	}{
		{"0", 0, 1, true},
		{"-0", math.Copysign(0, -1), 2, true},
		{"1.5,", 1.5, 3, true},
		{"-0.1234", -0.1234, 7, true},
		{"+12e3", 12e3, 5, true},
		{"3.14159E-2}", 3.14159e-2, 10, true},
		{"9007199254740993", 0, 16, false}, // mantissa above 2^53
		{"1e23", 0, 4, false},              // exponent beyond the exact powers
		{"1e", 0, 2, false},
		{".", 0, 1, false},
		{"abc", 0, 0, false},
	} {
		v, j, ok := Float([]byte(tc.in), 0)
		if ok != tc.ok || j != tc.j || ok && (v != tc.want || math.Signbit(v) != math.Signbit(tc.want)) {
			t.Errorf("Float(%q) = %v, %d, %v; want %v, %d, %v", tc.in, v, j, ok, tc.want, tc.j, tc.ok)
		}
	}
}

func TestInt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{{"42", 42, true}, {"-7x", -7, true}, {"+3", 3, true}, {"1234567890123456789", 0, false}, {"-", 0, false}} {
		v, _, ok := Int([]byte(tc.in), 0)
		if ok != tc.ok || ok && v != tc.want {
			t.Errorf("Int(%q) = %d, %v; want %d, %v", tc.in, v, ok, tc.want, tc.ok)
		}
	}
}

// FuzzFloat: whenever Float says ok, it agrees bit for bit with strconv.
func FuzzFloat(f *testing.F) {
	for _, s := range []string{"0", "-1.25", "1e22", "123456789012345678", "0.000001", "4.9e-324", "+.5e-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, j, ok := Float([]byte(s), 0)
		if j > len(s) {
			t.Fatalf("index %d past %d", j, len(s))
		}
		if !ok {
			return
		}
		w, err := strconv.ParseFloat(s[:j], 64)
		if err != nil || math.Float64bits(v) != math.Float64bits(w) {
			t.Fatalf("Float(%q) = %v over %q; strconv gives %v, %v", s, v, s[:j], w, err)
		}
	})
}

func BenchmarkFloat(b *testing.B) {
	in := []byte("-0.123456")
	for b.Loop() {
		Float(in, 0)
	}
}
