package drift

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

// bernoulli returns n 0/1 errors with rate p before change and q from
// change on.
func bernoulli(seed uint64, n, change int, p, q float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	xs := make([]float64, n)
	for i := range xs {
		r := p
		if i >= change {
			r = q
		}
		if rng.Float64() < r {
			xs[i] = 1
		}
	}
	return xs
}

func newDetector(t testing.TB, kind string) Detector {
	t.Helper()
	d, err := New(kind)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// firstDrift returns the index of the first drift at or after from, -1
// for none.
func firstDrift(d Detector, xs []float64, from int) int {
	first := -1
	for i, x := range xs {
		if d.Update(x) && i >= from && first < 0 {
			first = i
		}
	}
	return first
}

// Documented behaviour on 0/1 error streams with rate 0.2 that jumps to
// 0.6 at row 5000 (ten seeds): every detector fires within maxDelay rows
// after the change, and never before it nor on a stationary stream of
// 20000 rows. ADWIN (River's defaults) has a conservative bound (delta
// 0.002, cuts checked every 32 rows): it needs 280-470 rows here. DDM
// with River's defaults (30 warm-up values, drift at 3 s) false-alarmed on
// 26 of 80 such streams (p_min caught on a lucky run), so it is tested
// with 1000 warm-up values and a drift level of 4 (0 of 80, delay <= 444).
// Page-Hinkley's default delta 0.005 is small for 0/1 errors of variance
// 0.16 (the reflected sum then exceeds 50 by chance within 10000 rows):
// delta 0.01 gave 0 false alarms in 80 streams and delays <= 148.
func TestDetectsAbruptChange(t *testing.T) {
	const change = 5000
	for _, tc := range []struct {
		kind     string
		new      func() (Detector, error)
		maxDelay int
	}{
		{KindADWIN, func() (Detector, error) { return NewADWIN(ADWINConfig{}) }, 500},
		{KindDDM, func() (Detector, error) { return NewDDM(DDMConfig{MinInstances: 1000, DriftLevel: 4}) }, 500},
		{KindPageHinkley, func() (Detector, error) { return NewPageHinkley(PageHinkleyConfig{Delta: 0.01}) }, 200},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			mk := func() Detector {
				d, err := tc.new()
				if err != nil {
					t.Fatal(err)
				}
				return d
			}
			for seed := range uint64(10) {
				xs := bernoulli(seed, change+1000, change, 0.2, 0.6)
				d := mk()
				for i, x := range xs[:change] {
					if d.Update(x) {
						t.Fatalf("seed %d: false alarm at row %d before the change", seed, i)
					}
				}
				at := firstDrift(d, xs[change:], 0)
				if at < 0 || at > tc.maxDelay {
					t.Errorf("seed %d: detected %d rows after the change, want within %d", seed, at, tc.maxDelay)
				}
				if i := firstDrift(mk(), bernoulli(seed+100, 20000, 20000, 0.2, 0.2), 0); i >= 0 {
					t.Errorf("seed %d: false alarm at row %d of a stationary stream", seed, i)
				}
			}
		})
	}
}

// The exponential histogram keeps exact totals and variances of the
// window, which is always the newest Width values of the stream.
func TestADWINWindowIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	a, err := NewADWIN(ADWINConfig{Clock: 8})
	if err != nil {
		t.Fatal(err)
	}
	var xs []float64
	drifts := 0
	for i := range 6000 {
		mu := 0.0
		if i >= 3000 {
			mu = 2
		}
		x := mu + rng.NormFloat64()
		xs = append(xs, x)
		if a.Update(x) {
			drifts++
			if (i+1)%8 != 0 {
				t.Fatalf("drift at update %d, not a multiple of the clock", i+1)
			}
		}
		w := int(a.Width())
		if w < 1 || w > len(xs) {
			t.Fatalf("update %d: width %d", i, w)
		}
		var sum float64
		for _, v := range xs[len(xs)-w:] {
			sum += v
		}
		mean := sum / float64(w)
		var ss float64
		for _, v := range xs[len(xs)-w:] {
			ss += (v - mean) * (v - mean)
		}
		if math.Abs(a.Mean()-mean) > 1e-9 || math.Abs(a.Variance()-ss/float64(w)) > 1e-9*max(1, ss/float64(w)) {
			t.Fatalf("update %d: window mean %v variance %v, want %v %v", i, a.Mean(), a.Variance(), mean, ss/float64(w))
		}
	}
	if drifts == 0 {
		t.Fatal("no drift detected on a mean shift of two standard deviations")
	}
	// After the shift, the window has dropped (almost) all old values.
	if w := a.Width(); w > 3000+64 {
		t.Errorf("window width %d after the change, want about 3000 or less", w)
	}
	if math.Abs(a.Mean()-2) > 0.1 {
		t.Errorf("window mean %v after the change, want about 2", a.Mean())
	}
}

// The bucket counts per size follow the exponential histogram with M = 5,
// worked by hand: the sixth bucket of a size merges its two oldest.
func TestADWINHistogramShape(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want []int
	}{
		{1, []int{1}},
		{5, []int{5}},
		{6, []int{4, 1}},
		{8, []int{4, 2}},
		{15, []int{5, 5}},
		{16, []int{4, 4, 1}},
		{20, []int{4, 4, 2}},
	} {
		a, _ := NewADWIN(ADWINConfig{Clock: 1 << 30})
		for range tc.n {
			a.Update(1)
		}
		var got []int
		for _, r := range a.rows {
			got = append(got, r.n)
		}
		if len(got) != len(tc.want) {
			t.Errorf("%d values: rows %v, want %v", tc.n, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%d values: rows %v, want %v", tc.n, got, tc.want)
				break
			}
		}
	}
}

// Worked by hand from River's update rule with min instances 1, delta
// d = 0.005, alpha 1 and threshold 2: 0,0,0 keeps mean and sum at 0 (the
// sum is clipped at 0); then 1s give means 1/4, 2/5, 3/6, 4/7 and sums
// 3/4-d, +3/5-d, +1/2-d, +3/7-d = 2.2586 >= 2 at the seventh value.
func TestPageHinkleyByHand(t *testing.T) {
	const d = 0.005
	p, err := NewPageHinkley(PageHinkleyConfig{MinInstances: 1, Delta: d, Threshold: 2, Alpha: 1})
	if err != nil {
		t.Fatal(err)
	}
	xs := []float64{0, 0, 0, 1, 1, 1, 1}
	wantSum := []float64{0, 0, 0, 3.0/4 - d, 3.0/4 + 3.0/5 - 2*d, 3.0/4 + 3.0/5 + 1.0/2 - 3*d, 3.0/4 + 3.0/5 + 1.0/2 + 3.0/7 - 4*d}
	for i, x := range xs {
		got := p.Update(x)
		if math.Abs(p.Statistic()-wantSum[i]) > 1e-15 {
			t.Errorf("value %d: sum %v, want %v", i, p.Statistic(), wantSum[i])
		}
		if got != (i == 6) {
			t.Errorf("value %d: drift %v", i, got)
		}
	}
	// The update after a drift starts afresh: mean = x, sum = max(0, -d).
	p.Update(5)
	if p.Mean() != 5 || p.Statistic() != 0 || p.State() != Stable {
		t.Errorf("after reset: mean %v sum %v state %v", p.Mean(), p.Statistic(), p.State())
	}
}

// By hand: with 30 correct predictions p = s = 0 becomes the minimum at
// value 31, so the first error (value 32, p = 1/32) exceeds p_min + 3
// s_min = 0: DDM's well-known instant alarm after a perfect start, as in
// River. With errors every other value p stays near 1/2 and nothing fires.
func TestDDMByHand(t *testing.T) {
	d, _ := NewDDM(DDMConfig{})
	for i := range 31 {
		if d.Update(0) {
			t.Fatalf("drift at value %d", i)
		}
	}
	if !d.Update(1) || d.State() != Drift {
		t.Fatal("no drift at the first error after 31 correct values")
	}
	want := 1.0/32 + math.Sqrt(1.0/32*31.0/32/32)
	if d.Statistic() != want {
		t.Errorf("statistic %v, want %v", d.Statistic(), want)
	}
	d.Reset()
	for i := range 1000 {
		d.Update(float64(i % 2))
		if d.State() == Drift {
			t.Fatalf("drift at value %d of an alternating stream", i)
		}
	}
	// Warning then drift on a rate that climbs.
	d.Reset()
	xs := bernoulli(1, 4000, 2000, 0.1, 0.5)
	sawWarning := false
	for _, x := range xs {
		if d.Update(x) {
			break
		}
		sawWarning = sawWarning || d.State() == Warning
	}
	if !sawWarning || d.State() != Drift {
		t.Errorf("warning %v, final state %v; want a warning before the drift", sawWarning, d.State())
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"adwin delta", func() error { _, err := NewADWIN(ADWINConfig{Delta: 2}); return err }()},
		{"adwin clock", func() error { _, err := NewADWIN(ADWINConfig{Clock: -1}); return err }()},
		{"adwin buckets", func() error { _, err := NewADWIN(ADWINConfig{MaxBuckets: 1}); return err }()},
		{"ddm levels", func() error { _, err := NewDDM(DDMConfig{WarningLevel: 3, DriftLevel: 2}); return err }()},
		{"ddm min", func() error { _, err := NewDDM(DDMConfig{MinInstances: -3}); return err }()},
		{"ph alpha", func() error { _, err := NewPageHinkley(PageHinkleyConfig{Alpha: 1.5}); return err }()},
		{"ph threshold", func() error { _, err := NewPageHinkley(PageHinkleyConfig{Threshold: -1}); return err }()},
		{"kind", func() error { _, err := New("cusum"); return err }()},
	} {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// Snapshot mid-stream, restore into a fresh detector, and both continue
// bit for bit: same detections, same final snapshot bytes.
func TestSnapshotRestoreBitExact(t *testing.T) {
	xs := bernoulli(9, 8000, 4000, 0.2, 0.5)
	for _, kind := range Kinds() {
		t.Run(kind, func(t *testing.T) {
			for _, cut := range []int{0, 1, 37, 3999, 4100, 7999} {
				a := newDetector(t, kind)
				for _, x := range xs[:cut] {
					a.Update(x)
				}
				snap, err := a.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				b := newDetector(t, kind)
				b.Update(0.5) // state to be overwritten
				if err := b.Restore(snap); err != nil {
					t.Fatal(err)
				}
				for i, x := range xs[cut:] {
					da, db := a.Update(x), b.Update(x)
					if da != db || a.State() != b.State() || math.Float64bits(a.Statistic()) != math.Float64bits(b.Statistic()) {
						t.Fatalf("cut %d row %d: %v/%v %v/%v", cut, cut+i, da, db, a.Statistic(), b.Statistic())
					}
				}
				sa, _ := a.Snapshot()
				sb, _ := b.Snapshot()
				if !bytes.Equal(sa, sb) {
					t.Errorf("cut %d: final snapshots differ", cut)
				}
			}
		})
	}
}

func TestRestoreRejectsBadBytes(t *testing.T) {
	for _, kind := range Kinds() {
		d := newDetector(t, kind)
		for _, x := range bernoulli(1, 500, 500, 0.3, 0.3) {
			d.Update(x)
		}
		snap, _ := d.Snapshot()
		before, _ := d.Snapshot()
		for _, bad := range [][]byte{nil, snap[:8], snap[:len(snap)-1], append(append([]byte{}, snap...), 0)} {
			if err := d.Restore(bad); err == nil {
				t.Errorf("%s: restore of %d bytes: no error", kind, len(bad))
			}
		}
		after, _ := d.Snapshot()
		if !bytes.Equal(before, after) {
			t.Errorf("%s: a failed restore changed the detector", kind)
		}
		for _, other := range Kinds() {
			if other == kind {
				continue
			}
			if err := newDetector(t, other).Restore(snap); err == nil {
				t.Errorf("%s restored a %s snapshot", other, kind)
			}
		}
	}
}

func FuzzRestore(f *testing.F) {
	for _, kind := range Kinds() {
		d, _ := New(kind)
		for _, x := range bernoulli(2, 300, 150, 0.1, 0.9) {
			d.Update(x)
		}
		b, _ := d.Snapshot()
		f.Add(b)
	}
	f.Add([]byte("EDDYADWN\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, kind := range Kinds() {
			d, _ := New(kind)
			if err := d.Restore(b); err != nil {
				continue
			}
			// A restored detector must keep working and round-trip.
			for _, x := range []float64{0, 1, 1, 0, 1} {
				d.Update(x)
			}
			s, err := d.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Restore(s); err != nil {
				t.Fatalf("%s: restore of own snapshot: %v", kind, err)
			}
		}
		decodeOpState(b)
	})
}

func BenchmarkUpdate(b *testing.B) {
	xs := bernoulli(5, 1<<16, 1<<15, 0.2, 0.4)
	for _, kind := range Kinds() {
		b.Run(kind, func(b *testing.B) {
			d := newDetector(b, kind)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				d.Update(xs[i&(len(xs)-1)])
				i++
			}
		})
	}
}
