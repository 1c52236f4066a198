package eval

import (
	"fmt"
	"math"
)

// Inertia returns the (weighted) sum of squared Euclidean distances of the
// row-major points x (dimension dim) to their nearest centre among the
// row-major centers.
func Inertia(x []float64, dim int, centers, w []float64) (float64, error) {
	a := InertiaAccumulator{Dim: dim, Centers: centers}
	if err := a.Add(x, w); err != nil {
		return 0, err
	}
	return a.Inertia(), nil
}

// InertiaAccumulator sums the weighted squared distances of points to
// their nearest centre, batch by batch.
type InertiaAccumulator struct {
	Dim     int
	Centers []float64 // row-major, Dim values per centre

	sum  float64
	rows int64
}

// Add adds a batch of row-major points and their weights (nil: 1). On
// error nothing is added.
func (a *InertiaAccumulator) Add(x, w []float64) error {
	if a.Dim < 1 || len(a.Centers) == 0 || len(a.Centers)%a.Dim != 0 {
		return fmt.Errorf("%d centre values for dimension %d", len(a.Centers), a.Dim)
	}
	if len(x)%a.Dim != 0 {
		return fmt.Errorf("%d point values is not a multiple of dimension %d", len(x), a.Dim)
	}
	n := len(x) / a.Dim
	if err := checkWeights(w, n); err != nil {
		return err
	}
	var sum float64
	for i := range n {
		p := x[i*a.Dim : (i+1)*a.Dim]
		best := math.Inf(1)
		for c := 0; c < len(a.Centers); c += a.Dim {
			ctr := a.Centers[c : c+a.Dim]
			var d float64
			for j, v := range p {
				t := v - ctr[j]
				d += t * t
			}
			best = min(best, d)
		}
		if math.IsNaN(best) || math.IsInf(best, 0) {
			return fmt.Errorf("row %d: point is not finite", i)
		}
		sum += weight(w, i) * best
	}
	a.sum += sum
	a.rows += int64(n)
	return nil
}

// Inertia returns the sum so far.
func (a *InertiaAccumulator) Inertia() float64 { return a.sum }

// Rows returns the number of points added.
func (a *InertiaAccumulator) Rows() int64 { return a.rows }
