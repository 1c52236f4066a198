package vecmath

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// kernels is one implementation of the package's kernels.
type kernels struct {
	name    string
	dot     func(x, y []float64) float64
	dots    func(dst, x, m []float64)
	sqDist  func(x, y []float64) float64
	sqDists func(dst, x, m []float64)
	add     func(dst, s []float64)
}

// impls returns the pure-Go kernels and the exported ones: "asm" where
// the CPU has the assembly, "exported" (the same Go) elsewhere.
func impls() []kernels {
	name := "exported"
	if useAsm {
		name = "asm"
	}
	return []kernels{
		{"go", dotGo, dotsGo, sqDistGo, sqDistsGo, addGo},
		{name, Dot, Dots, SqDist, SqDists, Add},
	}
}

func TestTable(t *testing.T) {
	for _, k := range impls() {
		for i, c := range []struct {
			x, y    []float64
			dot, sq float64
		}{
			0: {nil, nil, 0, 0},
			1: {[]float64{2}, []float64{3}, 6, 1},
			2: {[]float64{1, 2, 3}, []float64{4, 5, 6}, 32, 27},
			3: {[]float64{1, -1, 1, -1, 1}, []float64{1, 1, 1, 1, 1}, 1, 8},
			4: {[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, []float64{9, 8, 7, 6, 5, 4, 3, 2, 1}, 165, 240},
			5: {[]float64{0.5, 0.25, 0.125, 0.5, 0.25, 0.125, 0.5, 0.25, 0.125, 0.5, 0.25, 0.125, 1},
				[]float64{2, 4, 8, 2, 4, 8, 2, 4, 8, 2, 4, 8, 0}, 12, 314.3125},
		} {
			if got := k.dot(c.x, c.y); got != c.dot {
				t.Errorf("%s %d: Dot = %v, want %v", k.name, i, got, c.dot)
			}
			if got := k.sqDist(c.x, c.y); got != c.sq {
				t.Errorf("%s %d: SqDist = %v, want %v", k.name, i, got, c.sq)
			}
			for rows := range 6 {
				m := make([]float64, 0, rows*len(c.y))
				for range rows {
					m = append(m, c.y...)
				}
				dst := make([]float64, rows)
				k.dots(dst, c.x, m)
				for r, v := range dst {
					if v != c.dot {
						t.Errorf("%s %d: Dots row %d of %d = %v, want %v", k.name, i, r, rows, v, c.dot)
					}
				}
				k.sqDists(dst, c.x, m)
				for r, v := range dst {
					if v != c.sq {
						t.Errorf("%s %d: SqDists row %d of %d = %v, want %v", k.name, i, r, rows, v, c.sq)
					}
				}
			}
		}
	}
}

// exact returns Σ f(x_j, y_j) rounded once, and Σ |f(x_j, y_j)|.
func exact(x, y []float64, sq bool) (float64, float64) {
	var s big.Float
	s.SetPrec(2000)
	var abs float64
	for j := range x {
		var p big.Float
		p.SetPrec(2000)
		if sq {
			var d big.Float
			d.SetPrec(2000).Sub(big.NewFloat(x[j]), big.NewFloat(y[j]))
			p.Mul(&d, &d)
		} else {
			p.Mul(big.NewFloat(x[j]), big.NewFloat(y[j]))
		}
		s.Add(&s, &p)
		f, _ := p.Float64()
		abs += math.Abs(f)
	}
	f, _ := s.Float64()
	return f, abs
}

// TestRandom compares every kernel with the exact sums over lengths
// 0..70, 0..9 rows and unaligned offsets, and checks that each row of the
// multi-row kernels equals the one-row kernel bit for bit.
func TestRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]float64, 4+11*71)
	for _, k := range impls() {
		for n := 0; n <= 70; n++ {
			for rows := 0; rows <= 9; rows++ {
				off := rng.IntN(4)
				for i := range buf {
					buf[i] = (rng.Float64()*2 - 1) * math.Exp2(float64(rng.IntN(20)-10))
				}
				x := buf[off : off+n]
				m := buf[off+n+1 : off+n+1+rows*n]
				// One sentinel past each destination: nothing written there.
				dots := make([]float64, rows+1)
				sqs := make([]float64, rows+1)
				dots[rows], sqs[rows] = -1, -1
				k.dots(dots[:rows], x, m)
				k.sqDists(sqs[:rows], x, m)
				if dots[rows] != -1 || sqs[rows] != -1 {
					t.Fatalf("%s n=%d rows=%d: wrote past dst", k.name, n, rows)
				}
				for r := range rows {
					mr := m[r*n : (r+1)*n]
					want, abs := exact(x, mr, false)
					if got := k.dot(x, mr); math.Abs(got-want) > 1e-12*abs {
						t.Fatalf("%s n=%d off=%d: Dot = %v, want %v", k.name, n, off, got, want)
					}
					if got := k.dot(x, mr); dots[r] != got {
						t.Fatalf("%s n=%d rows=%d: Dots row %d = %v, Dot %v", k.name, n, rows, r, dots[r], got)
					}
					want, abs = exact(x, mr, true)
					if got := k.sqDist(x, mr); math.Abs(got-want) > 1e-12*abs {
						t.Fatalf("%s n=%d off=%d: SqDist = %v, want %v", k.name, n, off, got, want)
					}
					if got := k.sqDist(x, mr); sqs[r] != got {
						t.Fatalf("%s n=%d rows=%d: SqDists row %d = %v, SqDist %v", k.name, n, rows, r, sqs[r], got)
					}
				}
				if rows == 0 {
					continue
				}
				old := append([]float64(nil), x...)
				k.add(x, m[:n])
				for j := range n {
					if want := old[j] + m[j]; x[j] != want {
						t.Fatalf("%s n=%d: Add[%d] = %v, want %v", k.name, n, j, x[j], want)
					}
				}
			}
		}
	}
}

// class is what must survive any summation order: NaN, ±Inf or finite.
func class(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return "finite"
}

func TestNonFinite(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0}
	for _, k := range impls() {
		for n := 1; n <= 40; n++ {
			for range 20 {
				rows := 1 + rng.IntN(7)
				x := make([]float64, n)
				y := make([]float64, rows*n)
				for i := range x {
					x[i] = rng.NormFloat64()
				}
				for i := range y {
					y[i] = rng.NormFloat64()
				}
				for range 1 + rng.IntN(2) {
					if rng.IntN(2) == 0 {
						x[rng.IntN(n)] = special[rng.IntN(len(special))]
					} else {
						y[rng.IntN(rows*n)] = special[rng.IntN(len(special))]
					}
				}
				dots := make([]float64, rows)
				sqs := make([]float64, rows)
				k.dots(dots, x, y)
				k.sqDists(sqs, x, y)
				for r := range rows {
					yr := y[r*n : (r+1)*n]
					var dot, sq float64 // plain Go, in order
					for j := range x {
						dot += x[j] * yr[j]
						sq += (x[j] - yr[j]) * (x[j] - yr[j])
					}
					if got := k.dot(x, yr); class(got) != class(dot) || class(dots[r]) != class(dot) {
						t.Fatalf("%s: Dot(%v, %v) = %v (Dots %v), want %v", k.name, x, yr, got, dots[r], dot)
					}
					if got := k.sqDist(x, yr); class(got) != class(sq) || class(sqs[r]) != class(sq) {
						t.Fatalf("%s: SqDist(%v, %v) = %v (SqDists %v), want %v", k.name, x, yr, got, sqs[r], sq)
					}
				}
			}
		}
	}
}

func TestPanics(t *testing.T) {
	for i, f := range []func(){
		func() { Dot(make([]float64, 2), make([]float64, 3)) },
		func() { SqDist(make([]float64, 3), make([]float64, 2)) },
		func() { Dots(make([]float64, 2), make([]float64, 3), make([]float64, 5)) },
		func() { SqDists(make([]float64, 2), make([]float64, 3), make([]float64, 7)) },
		func() { Add(make([]float64, 2), make([]float64, 1)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%d: no panic", i)
				}
			}()
			f()
		}()
	}
}

func TestNoAlloc(t *testing.T) {
	x := make([]float64, 50)
	m := make([]float64, 10*50)
	dst := make([]float64, 10)
	if a := testing.AllocsPerRun(10, func() {
		Dots(dst, x, m)
		SqDists(dst[:3], x, m[:150])
		Add(m[:50], x)
	}); a != 0 {
		t.Errorf("%v allocations per run", a)
	}
}

func benchData() (x, m, dst []float64) {
	rng := rand.New(rand.NewPCG(5, 6))
	x = make([]float64, 50)
	m = make([]float64, 10*50)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for i := range m {
		m[i] = rng.NormFloat64()
	}
	return x, m, make([]float64, 10)
}

var sink float64

func BenchmarkDot(b *testing.B) {
	x, m, _ := benchData()
	for _, k := range impls() {
		b.Run(k.name, func(b *testing.B) {
			for b.Loop() {
				sink += k.dot(x, m[:50])
			}
		})
	}
}

// BenchmarkDots is one k-means assignment: d=50, 10 centers.
func BenchmarkDots(b *testing.B) {
	x, m, dst := benchData()
	for _, k := range impls() {
		b.Run(k.name, func(b *testing.B) {
			for b.Loop() {
				k.dots(dst, x, m)
			}
		})
	}
}

// BenchmarkSqDists is one k-means++ candidate pass row: d=50, 4 candidates.
func BenchmarkSqDists(b *testing.B) {
	x, m, dst := benchData()
	for _, k := range impls() {
		b.Run(k.name, func(b *testing.B) {
			for b.Loop() {
				k.sqDists(dst[:4], x, m[:200])
			}
		})
	}
}
