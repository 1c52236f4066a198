package vecutil

import (
	"math"
	"slices"
	"testing"
)

func TestPercentile(t *testing.T) {
	a := []float64{1, 2, 4, 8, 16}
	for _, c := range []struct{ p, want float64 }{{0, 1}, {25, 2}, {50, 4}, {62.5, 6}, {75, 8}, {90, 12.8}, {100, 16}} {
		if got := Percentile(a, c.p); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Percentile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if !math.IsNaN(Percentile(nil, 50)) || Percentile([]float64{3}, 40) != 3 {
		t.Error("Percentile of 0 or 1 value")
	}
	if Median([]float64{1, 2, 4, 8}) != 3 || Median(a) != 4 || !math.IsNaN(Median(nil)) {
		t.Error("Median")
	}
	// numpy's _lerp computes b - (b-a)(1-t) from t = 0.5 on.
	// numpy gives 0.26451324737548026 here, a + (b-a)t 0.2645132473754803.
	if got := Lerp(0.0938595867742349, 0.2834747652200631, 0.9); got != 0.26451324737548026 {
		t.Errorf("Lerp %.17g", got)
	}
}

func TestLinspace(t *testing.T) {
	if got := Linspace(0, 1, 5); !slices.Equal(got, []float64{0, 0.25, 0.5, 0.75, 1}) {
		t.Errorf("Linspace %v", got)
	}
	// numpy.linspace(0.1, 0.7, 4) is [0.1, 0.3, 0.5, 0.7] exactly.
	if got := Linspace(0.1, 0.7, 4); !slices.Equal(got, []float64{0.1, 0.3, 0.5, 0.7}) {
		t.Errorf("Linspace %v", got)
	}
	if got := Linspace(3, 9, 1); !slices.Equal(got, []float64{3}) {
		t.Errorf("Linspace of 1 %v", got)
	}
}
