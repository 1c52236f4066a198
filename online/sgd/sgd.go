package sgd

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/online/internal/olearn"
	"github.com/eddyml/eddy/pipeline/param"
)

// Kind names.
const (
	LogisticKind = "online_logistic_regression"
	LinearKind   = "online_linear_regression"
)

// Optimizer names.
const (
	SGD     = "sgd"
	AdaGrad = "adagrad"
	RMSProp = "rmsprop"
	Adam    = "adam"
)

// Params.
var (
	Optimizer     = param.New("optimizer", "sgd, adagrad, rmsprop or adam", AdaGrad, param.OneOf(SGD, AdaGrad, RMSProp, Adam))
	LearningRate  = param.New("learning_rate", "base learning rate η (the default suits adagrad; adam and rmsprop want about 0.02)", 0.5, param.Gt(0.0))
	PowerT        = param.New("power_t", "sgd: the step is η / t^power_t", 0.25, param.GtEq(0.0))
	RegParam      = param.New("reg_param", "L2 penalty λ on the weights (not the intercept)", 0.0, param.GtEq(0.0))
	Beta1         = param.New("beta1", "adam: decay of the first moment", 0.9, param.InRange(0.0, 0.999999))
	Beta2         = param.New("beta2", "adam: decay of the second moment", 0.999, param.InRange(0.0, 0.999999999))
	Decay         = param.New("decay", "rmsprop: decay ρ of the squared-gradient average", 0.9, param.InRange(0.0, 0.999999999))
	Epsilon       = param.New("epsilon", "adagrad, rmsprop, adam: ε added to the denominator", 1e-8, param.Gt(0.0))
	FitIntercept  = param.New("fit_intercept", "learn an intercept", true)
	MiniBatchSize = param.New("mini_batch_size", "rows per gradient step; 1 learns row by row", 1, param.Gt(0))
	NumFeatures   = param.New("num_features", "size of the feature vectors; 0 takes it from the first batch", 0, param.GtEq(0))
)

const maxFeatures = 1 << 30

const (
	optSGD = iota
	optAdaGrad
	optRMSProp
	optAdam
)

type hyper struct {
	opt                               int
	lr, powerT, reg, b1, b2, rho, eps float64
	fitB                              bool
	k                                 int
}

// learner is the state shared by both learners: weights (the intercept
// last), optimizer accumulators and counters.
type learner struct {
	kind     string
	logistic bool
	params   *param.Set
	fc, lc   func() string

	h      hyper
	dim    int
	w      []float64 // dim+1
	a1, a2 []float64 // adagrad/rmsprop: G; adam: m, v
	t      int64     // optimizer steps
	rows   int64
	labels [2]float64 // logistic only

	// scratch
	ybuf, tbuf []float64
	grad       []float64 // mini-batch gradient sums, dim+1
	mark       []bool
	touched    []int32
}

func (l *learner) readHyper() {
	opt := map[string]int{SGD: optSGD, AdaGrad: optAdaGrad, RMSProp: optRMSProp, Adam: optAdam}[Optimizer.Get(l.params)]
	l.h = hyper{opt: opt, lr: LearningRate.Get(l.params), powerT: PowerT.Get(l.params), reg: RegParam.Get(l.params),
		b1: Beta1.Get(l.params), b2: Beta2.Get(l.params), rho: Decay.Get(l.params), eps: Epsilon.Get(l.params),
		fitB: FitIntercept.Get(l.params), k: MiniBatchSize.Get(l.params)}
}

func (l *learner) init(n int) error {
	if n > maxFeatures {
		return fmt.Errorf("learner %q: param \"num_features\": %d is more than %d", l.kind, n, maxFeatures)
	}
	l.dim = n
	l.w = make([]float64, n+1)
	l.a1, l.a2 = nil, nil
	switch l.h.opt {
	case optAdaGrad, optRMSProp:
		l.a1 = make([]float64, n+1)
	case optAdam:
		l.a1, l.a2 = make([]float64, n+1), make([]float64, n+1)
	}
	return nil
}

func sigmoid(x float64) float64 {
	if x > 35 {
		x = 35
	} else if x < -35 {
		x = -35
	}
	return 1 / (1 + math.Exp(-x))
}

func (l *learner) out(z float64) float64 {
	if l.logistic {
		return sigmoid(z)
	}
	return z
}

// stepper holds the per-step constants of the optimizer.
type stepper struct {
	opt              int
	eta, b1, b2, rho float64
	c1, c2, eps      float64 // adam bias corrections 1-β^t
	w, a1, a2        []float64
}

func (l *learner) stepper() stepper {
	l.t++
	h := &l.h
	s := stepper{opt: h.opt, eta: h.lr, b1: h.b1, b2: h.b2, rho: h.rho, eps: h.eps, w: l.w, a1: l.a1, a2: l.a2}
	switch h.opt {
	case optSGD:
		if h.powerT != 0 {
			s.eta = h.lr / math.Pow(float64(l.t), h.powerT)
		}
	case optAdam:
		s.c1 = 1 - math.Pow(h.b1, float64(l.t))
		s.c2 = 1 - math.Pow(h.b2, float64(l.t))
	}
	return s
}

// apply moves coordinate i by gradient g.
func (s *stepper) apply(i int, g float64) {
	switch s.opt {
	case optSGD:
		s.w[i] -= s.eta * g
	case optAdaGrad:
		s.a1[i] += g * g
		s.w[i] -= s.eta * g / (math.Sqrt(s.a1[i]) + s.eps)
	case optRMSProp:
		s.a1[i] = s.rho*s.a1[i] + (1-s.rho)*g*g
		s.w[i] -= s.eta * g / (math.Sqrt(s.a1[i]) + s.eps)
	case optAdam:
		m := s.b1*s.a1[i] + (1-s.b1)*g
		v := s.b2*s.a2[i] + (1-s.b2)*g*g
		s.a1[i], s.a2[i] = m, v
		s.w[i] -= s.eta * (m / s.c1) / (math.Sqrt(v/s.c2) + s.eps)
	}
}

func (l *learner) marginSparse(idx []int32, vals []float64) float64 {
	w := l.w
	z := w[l.dim]
	vals = vals[:len(idx)]
	for k, i := range idx {
		z += w[i] * vals[k]
	}
	return z
}

func (l *learner) marginDense(x []float64) float64 {
	w := l.w[:len(x)+1]
	z := w[len(x)]
	for i, v := range x {
		if v != 0 {
			z += w[i] * v
		}
	}
	return z
}

// stepSparse predicts then learns one row (mini_batch_size 1).
func (l *learner) stepSparse(idx []int32, vals []float64, y float64) float64 {
	p := l.out(l.marginSparse(idx, vals))
	g := p - y
	s := l.stepper()
	reg := l.h.reg
	vals = vals[:len(idx)]
	for k, i := range idx {
		if v := vals[k]; v != 0 {
			s.apply(int(i), g*v+reg*s.w[i])
		}
	}
	if l.h.fitB {
		s.apply(l.dim, g)
	}
	return p
}

func (l *learner) stepDense(x []float64, y float64) float64 {
	p := l.out(l.marginDense(x))
	g := p - y
	s := l.stepper()
	reg := l.h.reg
	w := s.w[:len(x)]
	for i, v := range x {
		if v != 0 {
			s.apply(i, g*v+reg*w[i])
		}
	}
	if l.h.fitB {
		s.apply(l.dim, g)
	}
	return p
}

// target maps a label to the regression target (0/1 for logistic).
func (l *learner) target(y float64) (float64, bool) {
	if !l.logistic {
		return y, true
	}
	switch y {
	case l.labels[1]:
		return 1, true
	case l.labels[0]:
		return 0, true
	}
	return 0, false
}

func (l *learner) updateRow(indices []int32, values []float64, y float64) (float64, error) {
	if l.w == nil {
		return 0, fmt.Errorf("learner %q: num_features is unknown: set it or learn a batch first", l.kind)
	}
	t, ok := l.target(y)
	if !ok || math.IsNaN(y) || math.IsInf(y, 0) {
		return 0, fmt.Errorf("learner %q: label %v is not valid", l.kind, y)
	}
	if err := olearn.CheckSparseRow(l.kind, indices, values, l.dim); err != nil {
		return 0, err
	}
	l.rows++
	return l.stepSparse(indices, values, t), nil
}

func (l *learner) updateDense(x []float64, y float64) (float64, error) {
	if l.w == nil {
		if err := l.init(len(x)); err != nil {
			return 0, err
		}
	}
	if len(x) != l.dim {
		return 0, fmt.Errorf("learner %q: vector of size %d, want %d", l.kind, len(x), l.dim)
	}
	t, ok := l.target(y)
	if !ok || math.IsNaN(y) || math.IsInf(y, 0) {
		return 0, fmt.Errorf("learner %q: label %v is not valid", l.kind, y)
	}
	if err := olearn.CheckFinite(l.kind, x); err != nil {
		return 0, err
	}
	l.rows++
	return l.stepDense(x, t), nil
}

func (l *learner) update(ctx context.Context, rec arrow.Record, dst []float64, keep bool) (out []float64, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("learner %q: update panicked: %v", l.kind, r)
		}
	}()
	l.readHyper()
	feats, err := olearn.ReadFeatures(rec, l.fc(), l.dim, l.rows)
	if err != nil {
		return nil, fmt.Errorf("learner %q: %w", l.kind, err)
	}
	y, err := olearn.Labels(rec, l.lc(), l.rows, l.ybuf)
	if err != nil {
		return nil, fmt.Errorf("learner %q: %w", l.kind, err)
	}
	l.ybuf = y
	n := feats.N
	l.tbuf = olearn.Grow(l.tbuf, n)
	t := l.tbuf
	for i, v := range y {
		var ok bool
		if t[i], ok = l.target(v); !ok {
			return nil, fmt.Errorf("learner %q: column %q row %d: label %v is not one of %v", l.kind, l.lc(), l.rows+int64(i), v, l.labels)
		}
	}
	if keep {
		dst = olearn.Grow(dst, n)
	}
	if n == 0 {
		return dst, nil
	}
	if l.w == nil {
		if err := l.init(feats.Dim); err != nil {
			return nil, err
		}
	}
	k := l.h.k
	for g0 := 0; g0 < n; g0 += k {
		g1 := min(n, g0+k)
		if k == 1 {
			var p float64
			if feats.IsSparse {
				idx, vals := feats.SparseRow(g0)
				p = l.stepSparse(idx, vals, t[g0])
			} else {
				p = l.stepDense(feats.Row(g0), t[g0])
			}
			if keep {
				dst[g0] = p
			}
			continue
		}
		l.miniBatch(&feats, t, g0, g1, dst, keep)
	}
	l.rows += int64(n)
	return dst, nil
}

// miniBatch predicts rows [g0, g1) with the current weights and makes one
// step with their averaged gradient.
func (l *learner) miniBatch(feats *olearn.Features, t []float64, g0, g1 int, dst []float64, keep bool) {
	if l.grad == nil {
		l.grad = make([]float64, l.dim+1)
		l.mark = make([]bool, l.dim+1)
	}
	grad, mark := l.grad, l.mark
	touched := l.touched[:0]
	var gb float64
	inv := 1 / float64(g1-g0)
	for r := g0; r < g1; r++ {
		var z float64
		var idx []int32
		var vals, x []float64
		if feats.IsSparse {
			idx, vals = feats.SparseRow(r)
			z = l.marginSparse(idx, vals)
		} else {
			x = feats.Row(r)
			z = l.marginDense(x)
		}
		p := l.out(z)
		if keep {
			dst[r] = p
		}
		g := (p - t[r]) * inv
		gb += g
		if feats.IsSparse {
			for k, i := range idx {
				if v := vals[k]; v != 0 {
					if !mark[i] {
						mark[i] = true
						touched = append(touched, i)
					}
					grad[i] += g * v
				}
			}
		} else {
			for i, v := range x {
				if v != 0 {
					if !mark[i] {
						mark[i] = true
						touched = append(touched, int32(i))
					}
					grad[i] += g * v
				}
			}
		}
	}
	s := l.stepper()
	reg := l.h.reg
	for _, i := range touched {
		s.apply(int(i), grad[i]+reg*s.w[i])
		grad[i], mark[i] = 0, false
	}
	if l.h.fitB {
		s.apply(l.dim, gb)
	}
	l.touched = touched[:0]
}

func (l *learner) predict(rec arrow.Record, dst []float64) ([]float64, error) {
	feats, err := olearn.ReadFeatures(rec, l.fc(), l.dim, 0)
	if err != nil {
		return nil, fmt.Errorf("learner %q: %w", l.kind, err)
	}
	dst = olearn.Grow(dst, feats.N)
	for i := range feats.N {
		var z float64
		switch {
		case l.w == nil:
		case feats.IsSparse:
			z = l.marginSparse(feats.SparseRow(i))
		default:
			z = l.marginDense(feats.Row(i))
		}
		dst[i] = l.out(z)
	}
	return dst, nil
}

func (l *learner) weights(dst []float64) ([]float64, float64) {
	dst = olearn.Grow(dst, l.dim)
	if l.w == nil {
		return dst, 0
	}
	copy(dst, l.w[:l.dim])
	return dst, l.w[l.dim]
}

func (l *learner) warm(coef []float64, intercept float64) error {
	if n := NumFeatures.Get(l.params); n > 0 && n != len(coef) {
		return fmt.Errorf("learner %q: warm start: model has %d coefficients, num_features is %d", l.kind, len(coef), n)
	}
	l.readHyper()
	if err := l.init(len(coef)); err != nil {
		return err
	}
	copy(l.w, coef)
	l.w[l.dim] = intercept
	l.t, l.rows = 0, 0
	l.grad, l.mark = nil, nil
	return nil
}

func (l *learner) snapshot(magic string) []byte {
	e := olearn.NewEnc(magic, 1, 8*3*len(l.w)+128)
	h := l.h
	e.U64(uint64(h.opt))
	for _, v := range []float64{h.lr, h.powerT, h.reg, h.b1, h.b2, h.rho, h.eps} {
		e.F64(v)
	}
	e.Bool(h.fitB)
	e.U64(uint64(h.k))
	e.F64(l.labels[0])
	e.F64(l.labels[1])
	e.I64(l.t)
	e.I64(l.rows)
	e.U64(uint64(l.dim))
	e.Bool(l.w != nil)
	if l.w != nil {
		e.F64s(l.w)
		e.F64s(l.a1)
		e.F64s(l.a2)
	}
	return e.B
}

func (l *learner) restore(b []byte, magic string) error {
	d, err := olearn.OpenSnapshot(l.kind, b, magic, 1)
	if err != nil {
		return err
	}
	l.readHyper()
	h := l.h
	if got := int(d.U64()); got != h.opt {
		d.Fail(fmt.Errorf("snapshot was taken with another optimizer"))
	}
	names := []string{"learning_rate", "power_t", "reg_param", "beta1", "beta2", "decay", "epsilon"}
	for i, want := range []float64{h.lr, h.powerT, h.reg, h.b1, h.b2, h.rho, h.eps} {
		if got := d.F64(); math.Float64bits(got) != math.Float64bits(want) {
			d.Fail(fmt.Errorf("snapshot has %s=%v, the learner %v", names[i], got, want))
		}
	}
	if d.Bool() != h.fitB {
		d.Fail(fmt.Errorf("snapshot has another fit_intercept"))
	}
	if int(d.U64()) != h.k {
		d.Fail(fmt.Errorf("snapshot has another mini_batch_size"))
	}
	labels := [2]float64{d.F64(), d.F64()}
	steps, rows := d.I64(), d.I64()
	dim := d.U64()
	has := d.Bool()
	if n := NumFeatures.Get(l.params); n > 0 && uint64(n) != dim {
		d.Fail(fmt.Errorf("snapshot has %d features, num_features is %d", dim, n))
	}
	var w, a1, a2 []float64
	if has {
		w, a1, a2 = d.F64s(maxFeatures+1), d.F64s(maxFeatures+1), d.F64s(maxFeatures+1)
		want1, want2 := 0, 0
		switch h.opt {
		case optAdaGrad, optRMSProp:
			want1 = len(w)
		case optAdam:
			want1, want2 = len(w), len(w)
		}
		if uint64(len(w)) != dim+1 || len(a1) != want1 || len(a2) != want2 {
			d.Fail(fmt.Errorf("snapshot vectors have the wrong sizes for %d features", dim))
		}
		if len(a1) == 0 {
			a1 = nil
		}
		if len(a2) == 0 {
			a2 = nil
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("learner %q: restore: %w", l.kind, err)
	}
	if l.logistic && (!(labels[0] < labels[1]) || math.IsInf(labels[0], 0) || math.IsInf(labels[1], 0)) {
		return fmt.Errorf("learner %q: restore: labels %v are not increasing", l.kind, labels)
	}
	l.labels, l.t, l.rows, l.w, l.a1, l.a2 = labels, steps, rows, w, a1, a2
	l.dim = 0
	if has {
		l.dim = int(dim)
	}
	l.grad, l.mark = nil, nil
	return nil
}
