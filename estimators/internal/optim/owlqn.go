// Package optim minimises smooth convex objectives plus an optional L1
// term with L-BFGS (Nocedal 1980; Liu and Nocedal 1989) extended to
// OWL-QN for the L1 term (Andrew and Gao 2007, "Scalable training of
// L1-regularized log-linear models"). Without L1 it is plain L-BFGS with a
// backtracking Armijo line search.
package optim

import (
	"errors"
	"math"
)

// Settings control Minimize.
type Settings struct {
	// MaxIter bounds the number of iterations.
	MaxIter int
	// GradTol stops when the largest absolute (pseudo-)gradient component
	// is at most GradTol (scipy L-BFGS-B's pgtol, as scikit-learn's tol).
	GradTol float64
	// FuncTol stops when the relative decrease of the objective is at most
	// FuncTol (scipy's factr*eps; 0 means 2.220446049250313e-09).
	FuncTol float64
	// Memory is the number of correction pairs (0 means 10).
	Memory int
}

// Result reports how Minimize ended.
type Result struct {
	F         float64
	Iter      int
	Evals     int
	Converged bool
}

// Func evaluates the smooth part of the objective at x and writes its
// gradient into grad.
type Func func(x, grad []float64) float64

// Minimize minimises f(x) + sum_i l1[i]*|x_i| starting from x, which it
// updates in place. l1 may be nil (no L1 term); a coordinate with fixed[i]
// true never moves (fixed may be nil).
func Minimize(f Func, x, l1 []float64, fixed []bool, s Settings) (Result, error) {
	n := len(x)
	m := s.Memory
	if m <= 0 {
		m = 10
	}
	ftol := s.FuncTol
	if ftol == 0 {
		ftol = 2.220446049250313e-09
	}
	g := make([]float64, n)
	pg := make([]float64, n)
	d := make([]float64, n)
	xn := make([]float64, n)
	gn := make([]float64, n)
	sk := make([][]float64, m)
	yk := make([][]float64, m)
	for i := range sk {
		sk[i], yk[i] = make([]float64, n), make([]float64, n)
	}
	rho := make([]float64, m)
	alpha := make([]float64, m)
	obj := func(x, g []float64) float64 {
		v := f(x, g)
		for i := range g {
			if fixed != nil && fixed[i] {
				g[i] = 0
			}
		}
		if l1 != nil {
			for i, xi := range x {
				v += l1[i] * math.Abs(xi)
			}
		}
		return v
	}
	fx := obj(x, g)
	res := Result{Evals: 1}
	if math.IsNaN(fx) || math.IsInf(fx, 0) {
		return res, errors.New("objective is not finite at the start")
	}
	k, stored := 0, 0
	for res.Iter = 0; res.Iter < s.MaxIter; res.Iter++ {
		pseudo(pg, x, g, l1)
		if maxAbs(pg) <= s.GradTol {
			res.Converged = true
			break
		}
		// two-loop recursion on -pg
		for i := range d {
			d[i] = -pg[i]
		}
		for j := 0; j < stored; j++ {
			p := (k - 1 - j + m) % m
			alpha[p] = rho[p] * dot(sk[p], d)
			axpy(-alpha[p], yk[p], d)
		}
		if stored > 0 {
			p := (k - 1 + m) % m
			gamma := dot(sk[p], yk[p]) / dot(yk[p], yk[p])
			for i := range d {
				d[i] *= gamma
			}
		}
		for j := stored - 1; j >= 0; j-- {
			p := (k - 1 - j + m) % m
			b := rho[p] * dot(yk[p], d)
			axpy(alpha[p]-b, sk[p], d)
		}
		if l1 != nil { // keep the direction in the pseudo-gradient's orthant
			for i := range d {
				if d[i]*pg[i] >= 0 {
					d[i] = 0
				}
			}
		}
		dg := dot(d, pg)
		if dg >= 0 { // not a descent direction: restart from steepest descent
			for i := range d {
				d[i] = -pg[i]
			}
			dg = dot(d, pg)
			stored = 0
		}
		step := 1.0
		if res.Iter == 0 && stored == 0 {
			step = 1 / math.Max(1, math.Sqrt(dot(d, d)))
		}
		var fn float64
		ok := false
		for ls := 0; ls < 60; ls++ {
			for i := range xn {
				xn[i] = x[i] + step*d[i]
				if l1 != nil { // project onto the orthant of x (or of -pg at 0)
					o := x[i]
					if o == 0 {
						o = -pg[i]
					}
					if xn[i]*o <= 0 {
						xn[i] = 0
					}
				}
			}
			fn = obj(xn, gn)
			res.Evals++
			var dec float64
			for i := range xn {
				dec += pg[i] * (xn[i] - x[i])
			}
			if !math.IsNaN(fn) && fn <= fx+1e-4*dec {
				ok = true
				break
			}
			step *= 0.5
		}
		if !ok {
			// no progress possible at machine precision
			res.Converged = true
			break
		}
		p := k % m
		var sy float64
		for i := range x {
			sk[p][i] = xn[i] - x[i]
			yk[p][i] = gn[i] - g[i]
			sy += sk[p][i] * yk[p][i]
		}
		if sy > 1e-300 {
			rho[p] = 1 / sy
			k++
			stored = min(stored+1, m)
		}
		copy(x, xn)
		copy(g, gn)
		rel := (fx - fn) / math.Max(math.Max(math.Abs(fx), math.Abs(fn)), 1)
		fx = fn
		if rel <= ftol {
			res.Iter++
			res.Converged = true
			break
		}
	}
	res.F = fx
	return res, nil
}

// pseudo writes the (OWL-QN pseudo-)gradient of f + l1·|x|.
func pseudo(pg, x, g, l1 []float64) {
	if l1 == nil {
		copy(pg, g)
		return
	}
	for i, xi := range x {
		c := l1[i]
		switch {
		case xi > 0:
			pg[i] = g[i] + c
		case xi < 0:
			pg[i] = g[i] - c
		case g[i]+c < 0:
			pg[i] = g[i] + c
		case g[i]-c > 0:
			pg[i] = g[i] - c
		default:
			pg[i] = 0
		}
	}
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func axpy(a float64, x, y []float64) {
	for i, v := range x {
		y[i] += a * v
	}
}

func maxAbs(a []float64) float64 {
	var m float64
	for _, v := range a {
		m = math.Max(m, math.Abs(v))
	}
	return m
}
