package gaussianmixture

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Covariance types.
const (
	Full      = "full"
	Tied      = "tied"
	Diag      = "diag"
	Spherical = "spherical"
)

const log2Pi = 1.8378770664093453 // log(2π)

// data is a row-major n×d matrix.
type data struct {
	x    []float64
	n, d int
}

func (m data) row(i int) []float64 { return m.x[i*m.d : (i+1)*m.d] }

// nparts is how many goroutines share the rows: 2 when there are enough.
func nparts(n int) int {
	if n >= 2048 {
		return 2
	}
	return 1
}

// parallel runs f over nparts fixed, contiguous row ranges.
func parallel(n, parts int, f func(part, lo, hi int)) {
	if parts == 1 {
		f(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(p, p*n/parts, (p+1)*n/parts)
		}()
	}
	wg.Wait()
}

// mixture is a fitted or current mixture. cov holds the covariances as
// model data stores them per component: d×d (full), d (diag) or 1
// (spherical); tied mixtures hold k copies of the shared matrix. The
// factors are derived by prepare.
type mixture struct {
	k, d    int
	cdim    int // values per covariance: d*d, d or 1
	weights []float64
	means   []float64 // k×d
	cov     []float64 // k×cdim

	logW   []float64 // log weights
	factor []float64 // k×cdim: lower Cholesky factors (full), standard deviations (diag, spherical)
	logDet []float64 // per component: sum_j log L_jj
	prec   []float64 // full: k×d×d, L^-T (upper triangular), so that z = (x-mu) L^-T
}

// covDim is the number of covariance values per component of typ.
func covDim(typ string, d int) int {
	switch typ {
	case Diag:
		return d
	case Spherical:
		return 1
	}
	return d * d
}

// prepare computes the log weights, Cholesky factors and log
// determinants; it fails when a covariance is not positive definite.
func (g *mixture) prepare() error {
	k, d, cd := g.k, g.d, g.cdim
	g.logW = resize(g.logW, k)
	g.factor = resize(g.factor, k*cd)
	g.logDet = resize(g.logDet, k)
	if cd == d*d && d > 1 {
		g.prec = resize(g.prec, k*cd)
	}
	for c := range k {
		g.logW[c] = math.Log(g.weights[c])
		cov := g.cov[c*cd : (c+1)*cd]
		f := g.factor[c*cd : (c+1)*cd]
		switch cd {
		case d * d:
			sym := mat.NewSymDense(d, append([]float64(nil), cov...))
			var ch mat.Cholesky
			if !ch.Factorize(sym) {
				return fmt.Errorf("covariance of component %d is not positive definite; increase param \"reg_covar\"", c)
			}
			var l mat.TriDense
			ch.LTo(&l)
			var ld float64
			for i := range d {
				for j := range d {
					if j <= i {
						f[i*d+j] = l.At(i, j)
					} else {
						f[i*d+j] = 0
					}
				}
				ld += math.Log(f[i*d+i])
			}
			g.logDet[c] = ld
			if d > 1 {
				// prec = L^-T: solve L Pᵀ = I.
				p := g.prec[c*cd : (c+1)*cd]
				clear(p)
				for i := range d {
					p[i*d+i] = 1
				}
				blas64.Implementation().Dtrsm(blas.Left, blas.Lower, blas.NoTrans, blas.NonUnit, d, d, 1, f, d, p, d)
				// p now holds L^-1; transpose in place.
				for i := range d {
					for j := i + 1; j < d; j++ {
						p[i*d+j], p[j*d+i] = p[j*d+i], p[i*d+j]
					}
				}
			}
		default:
			var ld float64
			for j, v := range cov {
				if !(v > 0) {
					return fmt.Errorf("variance %d of component %d is %v; increase param \"reg_covar\"", j, c, v)
				}
				f[j] = math.Sqrt(v)
				ld += math.Log(f[j])
			}
			if cd == 1 {
				ld *= float64(d)
			}
			g.logDet[c] = ld
		}
	}
	return nil
}

func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// weightedLogProb writes log w_c + log N(xi; mu_c, Sigma_c) to out (k
// values); z is scratch of d values.
func (g *mixture) weightedLogProb(xi, out, z []float64) {
	d, cd := g.d, g.cdim
	for c := range g.k {
		mu := g.means[c*d : (c+1)*d]
		f := g.factor[c*cd : (c+1)*cd]
		var q float64
		switch {
		case cd == d*d:
			// forward substitution L z = x - mu
			for i := range d {
				s := xi[i] - mu[i]
				li := f[i*d : i*d+i]
				for j, l := range li {
					s -= l * z[j]
				}
				zi := s / f[i*d+i]
				z[i] = zi
				q += zi * zi
			}
		case cd == d:
			for j := range d {
				v := (xi[j] - mu[j]) / f[j]
				q += v * v
			}
		default:
			inv := 1 / f[0]
			for j := range d {
				v := (xi[j] - mu[j]) * inv
				q += v * v
			}
		}
		out[c] = g.logW[c] - 0.5*(float64(d)*log2Pi+q) - g.logDet[c]
	}
}

// softmax turns log probabilities into probabilities in place and returns
// their log-sum-exp.
func softmax(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	var s float64
	for i, x := range v {
		e := math.Exp(x - m)
		v[i] = e
		s += e
	}
	for i := range v {
		v[i] /= s
	}
	return m + math.Log(s)
}

// blockRows is the row block of the BLAS-based full-covariance passes.
const blockRows = 256

// eStep writes the responsibilities (n×k) and returns the mean
// log-likelihood. Full (and tied) covariances compute z = (x - mu) L^-T
// for a block of rows at once (BLAS Dgemm); the others go row by row.
func eStep(m data, g *mixture, resp []float64) float64 {
	parts := nparts(m.n)
	sums := make([]float64, parts)
	full := g.cdim == g.d*g.d && g.d > 1
	parallel(m.n, parts, func(p, lo, hi int) {
		z := make([]float64, m.d)
		var block []float64
		if full {
			block = make([]float64, 2*blockRows*m.d)
		}
		var s float64
		for b := lo; b < hi; b += blockRows {
			e := min(b+blockRows, hi)
			if full {
				g.blockLogProb(m, b, e, block, resp)
			} else {
				for i := b; i < e; i++ {
					g.weightedLogProb(m.row(i), resp[i*g.k:(i+1)*g.k], z)
				}
			}
			for i := b; i < e; i++ {
				s += softmax(resp[i*g.k : (i+1)*g.k])
			}
		}
		sums[p] = s
	})
	var s float64
	for _, v := range sums {
		s += v
	}
	return s / float64(m.n)
}

// blockLogProb writes the weighted log probabilities of rows [lo, hi)
// for full covariances; block is scratch of 2×blockRows×d values.
func (g *mixture) blockLogProb(m data, lo, hi int, block, out []float64) {
	d, k, rows := g.d, g.k, hi-lo
	impl := blas64.Implementation()
	diff, z := block[:rows*d], block[blockRows*d:blockRows*d+rows*d]
	for c := range k {
		mu := g.means[c*d : (c+1)*d]
		for i := range rows {
			xi, bi := m.row(lo+i), diff[i*d:(i+1)*d]
			for j := range d {
				bi[j] = xi[j] - mu[j]
			}
		}
		// z = (x - mu) L^-T, i.e. each row z solves L z = x - mu.
		impl.Dgemm(blas.NoTrans, blas.NoTrans, rows, d, d, 1, diff, d, g.prec[c*d*d:(c+1)*d*d], d, 0, z, d)
		base := g.logW[c] - 0.5*float64(d)*log2Pi - g.logDet[c]
		for i := range rows {
			var q float64
			for _, v := range z[i*d : (i+1)*d] {
				q += v * v
			}
			out[(lo+i)*k+c] = base - 0.5*q
		}
	}
}

const eps = 2.220446049250313e-16

// mStep sets g's weights, means and covariances from resp, as
// scikit-learn's _estimate_gaussian_parameters.
func mStep(m data, g *mixture, resp []float64, typ string, reg float64) {
	k, d := g.k, g.d
	parts := nparts(m.n)
	// First pass: n_c and sum r x.
	nkP := make([][]float64, parts)
	sxP := make([][]float64, parts)
	parallel(m.n, parts, func(p, lo, hi int) {
		nk, sx := make([]float64, k), make([]float64, k*d)
		for i := lo; i < hi; i++ {
			xi, r := m.row(i), resp[i*k:(i+1)*k]
			for c, rc := range r {
				nk[c] += rc
				if rc == 0 {
					continue
				}
				s := sx[c*d : (c+1)*d]
				for j, v := range xi {
					s[j] += rc * v
				}
			}
		}
		nkP[p], sxP[p] = nk, sx
	})
	nk := make([]float64, k)
	var total float64
	for c := range k {
		for p := range parts {
			nk[c] += nkP[p][c]
		}
		nk[c] += 10 * eps
		total += nk[c]
	}
	for c := range k {
		g.weights[c] = nk[c] / total
		for j := range d {
			var s float64
			for p := range parts {
				s += sxP[p][c*d+j]
			}
			g.means[c*d+j] = s / nk[c]
		}
	}
	// Second pass: centered second moments (lower triangle for full and
	// tied, diagonal otherwise).
	full := typ == Full || typ == Tied
	per := d
	if full {
		per = d * d
	}
	accP := make([][]float64, parts)
	parallel(m.n, parts, func(p, lo, hi int) {
		acc := make([]float64, k*per)
		if full {
			// acc_c += Yᵀ Y over row blocks, Y_i = sqrt(r_ic) (x_i - mu_c)
			// (BLAS Dsyrk, lower triangle).
			impl := blas64.Implementation()
			block := make([]float64, blockRows*d)
			for b := lo; b < hi; b += blockRows {
				e := min(b+blockRows, hi)
				for c := range k {
					mu := g.means[c*d : (c+1)*d]
					rows := 0
					for i := b; i < e; i++ {
						rc := resp[i*k+c]
						if rc == 0 {
							continue
						}
						sq, xi, bi := math.Sqrt(rc), m.row(i), block[rows*d:(rows+1)*d]
						for j := range d {
							bi[j] = sq * (xi[j] - mu[j])
						}
						rows++
					}
					if rows > 0 {
						impl.Dsyrk(blas.Lower, blas.Trans, d, rows, 1, block, d, 1, acc[c*per:(c+1)*per], d)
					}
				}
			}
			accP[p] = acc
			return
		}
		for i := lo; i < hi; i++ {
			xi, r := m.row(i), resp[i*k:(i+1)*k]
			for c, rc := range r {
				if rc == 0 {
					continue
				}
				mu := g.means[c*d : (c+1)*d]
				a := acc[c*d : (c+1)*d]
				for j := range d {
					v := xi[j] - mu[j]
					a[j] += rc * v * v
				}
			}
		}
		accP[p] = acc
	})
	acc := accP[0]
	for p := 1; p < parts; p++ {
		for i, v := range accP[p] {
			acc[i] += v
		}
	}
	cd := g.cdim
	switch typ {
	case Full:
		for c := range k {
			cov, a := g.cov[c*cd:(c+1)*cd], acc[c*per:(c+1)*per]
			for i := range d {
				for j := 0; j <= i; j++ {
					v := a[i*d+j] / nk[c]
					cov[i*d+j], cov[j*d+i] = v, v
				}
				cov[i*d+i] += reg
			}
		}
	case Tied:
		shared := g.cov[:cd]
		for i := range d {
			for j := 0; j <= i; j++ {
				var s float64
				for c := range k {
					s += acc[c*per+i*d+j]
				}
				v := s / total
				shared[i*d+j], shared[j*d+i] = v, v
			}
			shared[i*d+i] += reg
		}
		for c := 1; c < k; c++ {
			copy(g.cov[c*cd:(c+1)*cd], shared)
		}
	case Diag:
		for c := range k {
			for j := range d {
				g.cov[c*d+j] = acc[c*d+j]/nk[c] + reg
			}
		}
	case Spherical:
		for c := range k {
			var s float64
			for j := range d {
				s += acc[c*d+j]/nk[c] + reg
			}
			g.cov[c] = s / float64(d)
		}
	}
}

// clone copies g's parameters into a new, prepared mixture.
func (g *mixture) clone() (*mixture, error) {
	c := &mixture{k: g.k, d: g.d, cdim: g.cdim, weights: slices.Clone(g.weights), means: slices.Clone(g.means), cov: slices.Clone(g.cov)}
	if err := c.prepare(); err != nil {
		return nil, err
	}
	return c, nil
}

// shared reports whether every component has the same covariance, as
// in a tied mixture.
func (g *mixture) shared() bool {
	first := g.cov[:g.cdim]
	for c := 1; c < g.k; c++ {
		if !slices.Equal(first, g.cov[c*g.cdim:(c+1)*g.cdim]) {
			return false
		}
	}
	return true
}

// sizeType names the covariance types g's covariance size allows when
// d > 1 (in one dimension every type has one value per component).
func (g *mixture) sizeType() string {
	switch {
	case g.cdim != g.d*g.d && g.cdim == g.d:
		return Diag
	case g.cdim != g.d*g.d:
		return Spherical
	case g.k > 1 && g.shared():
		return "full or tied"
	}
	return Full
}

// sameModel reports whether covariance types a and b define the same
// family of k-component mixtures in d dimensions: with one component tied
// is full, and in one dimension full, diag and spherical coincide.
func sameModel(a, b string, k, d int) bool {
	canon := func(t string) string {
		if (t == Tied && k == 1) || (d == 1 && (t == Diag || t == Spherical)) {
			return Full
		}
		return t
	}
	return canon(a) == canon(b)
}

func newMixture(k, d int, typ string) *mixture {
	cd := covDim(typ, d)
	return &mixture{k: k, d: d, cdim: cd, weights: make([]float64, k), means: make([]float64, k*d), cov: make([]float64, k*cd)}
}

type runResult struct {
	g          *mixture
	lowerBound float64
	iter       int
	converged  bool
}

// em runs EM from the responsibilities in resp (overwritten).
func em(ctx context.Context, m data, resp []float64, k int, typ string, reg, tol float64, maxIter int) (runResult, error) {
	g := newMixture(k, m.d, typ)
	mStep(m, g, resp, typ, reg)
	if err := g.prepare(); err != nil {
		return runResult{}, err
	}
	return iterate(ctx, m, g, resp, typ, reg, tol, maxIter)
}

// iterate runs EM iterations from the prepared mixture g (updated in
// place; resp, n×k, is scratch). The first E step has no previous lower
// bound to compare with, so a run takes at least two iterations unless
// max_iter is 1.
func iterate(ctx context.Context, m data, g *mixture, resp []float64, typ string, reg, tol float64, maxIter int) (runResult, error) {
	res := runResult{lowerBound: math.Inf(-1)}
	for it := 1; it <= maxIter; it++ {
		if err := ctx.Err(); err != nil {
			return runResult{}, err
		}
		prev := res.lowerBound
		lb := eStep(m, g, resp)
		mStep(m, g, resp, typ, reg)
		if err := g.prepare(); err != nil {
			return runResult{}, fmt.Errorf("iteration %d: %w", it, err)
		}
		res.lowerBound, res.iter = lb, it
		if math.Abs(lb-prev) < tol {
			res.converged = true
			break
		}
	}
	res.g = g
	return res, nil
}
