package bucketizer

import (
	"math"
	"slices"
	"testing"
)

// FuzzParseSplits checks that ParseSplits never panics, that what it
// accepts is valid and survives FormatSplits, and that Bucket stays in
// range on it.
func FuzzParseSplits(f *testing.F) {
	for _, s := range []string{"0,1", "-inf, 0, 10, inf", "1e308,1.7976931348623157e308", "nan", "1,1", ",", "0x1p-2, 1", " 3 ,\t4"} {
		f.Add(s, 0.5)
	}
	f.Fuzz(func(t *testing.T, s string, x float64) {
		sp, err := ParseSplits(s)
		if err != nil {
			return
		}
		if checkSplits(sp) != nil {
			t.Fatalf("%q: accepted invalid splits %v", s, sp)
		}
		back, err := ParseSplits(FormatSplits(sp))
		if err != nil || !slices.Equal(back, sp) {
			t.Fatalf("%q: round trip %v -> %v (%v)", s, sp, back, err)
		}
		b := Bucket(sp, x)
		switch {
		case b == -1:
			if x >= sp[0] && x <= sp[len(sp)-1] {
				t.Fatalf("%v in %v: no bucket", x, sp)
			}
		case b < 0 || b > len(sp)-2:
			t.Fatalf("%v in %v: bucket %d", x, sp, b)
		case math.IsNaN(x) || x < sp[b] || (x >= sp[b+1] && b != len(sp)-2):
			t.Fatalf("%v in %v: wrong bucket %d", x, sp, b)
		}
	})
}
