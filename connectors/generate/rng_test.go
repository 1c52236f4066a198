package generate

import "testing"

// Known answers computed with the Python formulas of peers/datagen.py
// (plain integer arithmetic, no numpy), so the Go port cannot drift from
// the documented contract.
func TestStreamKnownAnswers(t *testing.T) {
	if got := mix64(0); got != 0 {
		t.Errorf("mix64(0) = %#x, want 0", got)
	}
	if got, want := mix64(12345), uint64(0xf36cf1164265dd51); got != want {
		t.Errorf("mix64(12345) = %#x, want %#x", got, want)
	}
	for i, tc := range []struct {
		seed, stream, idx uint64
		u64               uint64
		unif, ih4         float64
	}{
		{42, 1, 0, 0x59cffd83d8d2fe2a, 0.35082993000908036, 1.0471083208037126},
		{42, 1, 1, 0x7f30fa51549e997d, 0.496841091972437, 0.820418311537092},
		{7, 1<<8 | 2, 3<<32 | 17, 0x5efb989492037c95, 0.37102655055242717, -0.09646836514659433},
		{0, 5, 1000000, 0x908f408e18339316, 0.5646858546171656, 0.04759630832406012},
	} {
		s := newStream(tc.seed, tc.stream)
		if got := s.u64(tc.idx); got != tc.u64 {
			t.Errorf("%d: u64 = %#x, want %#x", i, got, tc.u64)
		}
		if got := s.unif(tc.idx); got != tc.unif {
			t.Errorf("%d: unif = %v, want %v", i, got, tc.unif)
		}
		if got := s.ih4(tc.idx); got != tc.ih4 {
			t.Errorf("%d: ih4 = %v, want %v", i, got, tc.ih4)
		}
	}
}

func TestIH4Moments(t *testing.T) {
	s := newStream(1, 1)
	const n = 200000
	var sum, sq float64
	for i := uint64(0); i < n; i++ {
		x := s.ih4(i)
		if x < -2*sqrt3 || x > 2*sqrt3 {
			t.Fatalf("ih4(%d) = %v outside [-2√3, 2√3]", i, x)
		}
		sum += x
		sq += x * x
	}
	mean := sum / n
	variance := sq/n - mean*mean
	if mean < -0.01 || mean > 0.01 || variance < 0.98 || variance > 1.02 {
		t.Errorf("ih4 mean %v variance %v, want about 0 and 1", mean, variance)
	}
}
