package logreg

import (
	"math"
	"sync"

	"github.com/eddyml/eddy/estimators/internal/design"
)

// This file holds the sparse-features paths: the L-BFGS/OWL-QN loss and
// gradient, the sgd epoch and the model's scoring over CSR rows, each
// costing O(non-zeros) per row instead of O(dim). Stored entries are
// visited in increasing index order, which is the order of the dense
// loops, so that skipped zeros are the only difference (a zero adds
// nothing to a sum): the loss, the gradient and the sgd steps equal the
// dense ones on the densified data, apart from the split of the rows into
// parts, which may differ (see sparseParallelMin).

// sparseParallelMin is the number of stored entries plus rows from which
// the sparse loss and gradient are computed in two parts.
const sparseParallelMin = 1 << 15

// initSparse is init for sparse rows: the parts are chosen by stored
// entries, not rows × dim.
func (p *problem) initSparse() {
	p.init()
	want := 1
	if p.sp.NNZ()+p.n >= sparseParallelMin {
		want = 2
	}
	if want == len(p.parts) {
		return
	}
	nvec := 1
	if p.multinomial {
		nvec = p.k
	}
	p.parts = make([]part, want)
	for i := range p.parts {
		p.parts[i] = part{lo: p.n * i / want, hi: p.n * (i + 1) / want,
			grad: make([]float64, nvec*(p.dim+1)), z: make([]float64, p.k)}
	}
}

// runSparse is run for sparse rows (pt.grad is cleared).
func (p *problem) runSparse(pt *part, theta []float64) {
	if p.multinomial {
		p.runMultinomialSparse(pt, theta)
	} else {
		p.runBinomialSparse(pt, theta)
	}
}

func (p *problem) runBinomialSparse(pt *part, theta []float64) {
	d := p.dim
	coef, b := theta[:d], theta[d]
	g := pt.grad[:d]
	off, indices, values := p.sp.Offsets, p.sp.Indices, p.sp.Values
	var gb, loss float64
	for i := pt.lo; i < pt.hi; i++ {
		lo, hi := off[i], off[i+1]
		idx := indices[lo:hi]
		val := values[lo:hi]
		val = val[:len(idx)]
		z := b
		for k, j := range idx {
			z += val[k] * coef[j]
		}
		y := -1.0
		if p.cls[i] == 1 {
			y = 1
		}
		wi := weight(p.w, i)
		// log1pExp(x) and sigmoid(x) at x = -yz from one exponential
		// (the same values as the two functions compute).
		x := -y * z
		e := math.Exp(-math.Abs(x))
		var sig float64
		if x > 0 {
			loss += wi * (x + math.Log1p(e))
			sig = 1 / (1 + e)
		} else {
			loss += wi * math.Log1p(e)
			sig = e / (1 + e)
		}
		gz := -y * wi * sig
		if gz == 0 {
			continue
		}
		for k, j := range idx {
			g[j] += gz * val[k]
		}
		gb += gz
	}
	pt.grad[d] = gb
	pt.loss = loss
}

func (p *problem) runMultinomialSparse(pt *part, theta []float64) {
	d, k := p.dim, p.k
	stride := d + 1
	z := pt.z
	off, indices, values := p.sp.Offsets, p.sp.Indices, p.sp.Values
	var loss float64
	for i := pt.lo; i < pt.hi; i++ {
		lo, hi := off[i], off[i+1]
		idx := indices[lo:hi]
		val := values[lo:hi]
		val = val[:len(idx)]
		zmax := math.Inf(-1)
		for c := range k {
			w := theta[c*stride : c*stride+d]
			s := theta[c*stride+d]
			for q, j := range idx {
				s += val[q] * w[j]
			}
			z[c] = s
			zmax = math.Max(zmax, s)
		}
		y := int(p.cls[i])
		zy := z[y] - zmax
		var sum float64
		for c := range k {
			z[c] = math.Exp(z[c] - zmax)
			sum += z[c]
		}
		wi := weight(p.w, i)
		loss += wi * (math.Log(sum) - zy)
		for c := range k {
			gz := z[c] / sum
			if c == y {
				gz--
			}
			gz *= wi
			g := pt.grad[c*stride : c*stride+d]
			for q, j := range idx {
				g[j] += gz * val[q]
			}
			pt.grad[c*stride+d] += gz
		}
	}
	pt.loss = loss
}

// sgdEpochSparse is sgdEpoch over sparse rows: the margin, the gradient
// step and the cumulative L1 penalty touch only the row's stored entries
// (scikit-learn's _plain_sgd on a CSR matrix). With α = 0 every step
// equals the dense one; with α > 0 a coefficient is penalised only at the
// rows where its feature is stored (in the dense path, at every row), as
// in scikit-learn, so sparse and dense fits differ.
func (p *problem) sgdEpochSparse(wk *sgdWorker, cfg sgdConfig, optimalInit float64, l1 bool) {
	d := p.dim
	nvec := len(wk.b)
	t := wk.t0
	shrinkRate := (1 - cfg.l1Ratio) * cfg.alpha
	l2 := shrinkRate > 0
	sched := 0
	switch cfg.schedule {
	case LearningRateInvScaling:
		sched = 1
	case LearningRateConstant:
		sched = 2
	}
	off, indices, values := p.sp.Offsets, p.sp.Indices, p.sp.Values
	var loss float64
	for _, row := range wk.rows {
		i := int(row)
		lo, hi := off[i], off[i+1]
		idx := indices[lo:hi]
		val := values[lo:hi]
		var eta float64
		switch sched {
		case 0:
			eta = 1 / (cfg.alpha * (optimalInit + t - 1))
		case 1:
			eta = cfg.eta0 / math.Pow(t, cfg.powerT)
		default:
			eta = cfg.eta0
		}
		t += wk.tStep
		sw := weight(p.w, i)
		shrink := max(0, 1-shrinkRate*eta)
		if nvec == 1 {
			w := wk.w
			m := dotSparse(idx, val, w, d)*wk.wscale + wk.b[0]
			y := -1.0
			if p.cls[i] == 1 {
				y = 1
			}
			z := y * m
			e := math.Exp(-math.Abs(z))
			var sig float64
			if z > 0 {
				loss += math.Log1p(e)
				sig = e / (1 + e)
			} else {
				loss += math.Log1p(e) - z
				sig = 1 / (1 + e)
			}
			update := eta * y * sig * sw
			if l2 {
				wk.shrink(shrink)
			}
			if update != 0 {
				axpySparse(update/wk.wscale, idx, val, w)
				if cfg.fitIntercept {
					wk.b[0] += update
				}
			}
		} else {
			z := wk.z
			zmax := math.Inf(-1)
			for c := range nvec {
				z[c] = dotSparse(idx, val, wk.w[c*d:(c+1)*d], d)*wk.wscale + wk.b[c]
				zmax = max(zmax, z[c])
			}
			y := int(p.cls[i])
			zy := z[y] - zmax
			var sum float64
			for c := range nvec {
				z[c] = math.Exp(z[c] - zmax)
				sum += z[c]
			}
			loss += math.Log(sum) - zy
			if l2 {
				wk.shrink(shrink)
			}
			for c := range nvec {
				g := z[c] / sum
				if c == y {
					g--
				}
				update := -eta * g * sw
				if update == 0 {
					continue
				}
				axpySparse(update/wk.wscale, idx, val, wk.w[c*d:(c+1)*d])
				if cfg.fitIntercept {
					wk.b[c] += update
				}
			}
		}
		if l1 {
			wk.u += cfg.l1Ratio * eta * cfg.alpha
			wk.l1PenaltySparse(idx, d, nvec)
		}
	}
	wk.loss = loss
}

// l1PenaltySparse is l1Penalty on the coefficients of the features idx
// (of every coefficient vector) only.
func (wk *sgdWorker) l1PenaltySparse(idx []int32, d, nvec int) {
	ws, u := wk.wscale, wk.u
	for c := range nvec {
		w := wk.w[c*d : (c+1)*d]
		q := wk.q[c*d : (c+1)*d]
		for _, j := range idx {
			z := w[j]
			switch {
			case ws*z > 0:
				w[j] = max(0, z-(u+q[j])/ws)
			case ws*z < 0:
				w[j] = min(0, z+(u-q[j])/ws)
			default:
				continue
			}
			q[j] += ws * (w[j] - z)
		}
	}
}

// dotSparse is the dot product of the sparse row (idx, val) of dimension
// d with w, summed in the four accumulators dot uses for each index, so
// that it equals dot on the densified row.
func dotSparse(idx []int32, val, w []float64, d int) float64 {
	val = val[:len(idx)]
	d4 := int32(d &^ 3)
	var s [4]float64
	for k, j := range idx {
		a := j & 3
		if j >= d4 {
			a = 0
		}
		s[a] += val[k] * w[j]
	}
	return (s[0] + s[1]) + (s[2] + s[3])
}

// axpySparse is w += a*x for the sparse row x = (idx, val).
func axpySparse(a float64, idx []int32, val, w []float64) {
	val = val[:len(idx)]
	for k, j := range idx {
		w[j] += a * val[k]
	}
}

// scoreSparse is score for the rows of a CSR matrix; it allocates
// nothing.
func scoreSparse(s state, x *design.CSR, pred, raw, prob []float64) {
	d, k := s.Dim, len(s.Labels)
	for i := range x.N {
		idx, val := x.Row(i)
		val = val[:len(idx)]
		r, p := raw[i*k:(i+1)*k], prob[i*k:(i+1)*k]
		if binomial(s) {
			z := s.Intercepts[0]
			for q, j := range idx {
				z += val[q] * s.Coef[j]
			}
			r[0], r[1] = -z, z
			p1 := sigmoid(z)
			p[0], p[1] = 1-p1, p1
			pred[i] = s.Labels[0]
			if z > 0 {
				pred[i] = s.Labels[1]
			}
			continue
		}
		best := 0
		zmax := math.Inf(-1)
		for c := range k {
			w := s.Coef[c*d : (c+1)*d]
			z := s.Intercepts[c]
			for q, j := range idx {
				z += val[q] * w[j]
			}
			r[c] = z
			if z > zmax {
				zmax, best = z, c
			}
		}
		var sum float64
		for c := range k {
			p[c] = math.Exp(r[c] - zmax)
			sum += p[c]
		}
		for c := range k {
			p[c] /= sum
		}
		pred[i] = s.Labels[best]
	}
}

// csrPool holds the CSR views Transform reads sparse batches into (their
// offsets storage is what is reused).
var csrPool = sync.Pool{New: func() any { return new(design.CSR) }}
