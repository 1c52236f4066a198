package logreg

import (
	"context"

	"fmt"
	"github.com/apache/arrow/go/v17/arrow"
	"math"
	"slices"
	"sync"

	"github.com/eddyml/eddy/estimators/internal/design"
	"github.com/eddyml/eddy/estimators/internal/linmodel"
	"github.com/eddyml/eddy/estimators/internal/optim"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
)

// Kind names.
const (
	Kind      = "logistic_regression"
	ModelKind = "logistic_regression_model"
)

// Family values.
const (
	FamilyAuto        = "auto"
	FamilyBinomial    = "binomial"
	FamilyMultinomial = "multinomial"
)

// Params (besides the shared column params).
var (
	MaxIter = param.New("max_iter", "maximum number of L-BFGS iterations (solver sgd: epochs)", 100, param.Gt(0))
	Tol     = param.New("tol", "stop when the largest absolute gradient component is at most tol (solver sgd: when an epoch's summed loss has not decreased by tol*n for n_iter_no_change epochs)",
		1e-4, param.GtEq(0.0))
	RegParam = param.New("reg_param", "regularization strength λ, the inverse of scikit-learn's C: the penalty is λ*((1-α)/2*||w||² + α*||w||_1) on a summed loss",
		1.0, param.GtEq(0.0))
	ElasticNetParam = param.New("elastic_net_param", "α in [0, 1]: 0 is L2, 1 is L1", 0.0, param.InRange(0.0, 1.0))
	FitIntercept    = param.New("fit_intercept", "fit an (unpenalized) intercept", true)
	Family          = param.New("family", "auto (binomial for 2 classes, else multinomial), binomial or multinomial",
		FamilyAuto, param.OneOf(FamilyAuto, FamilyBinomial, FamilyMultinomial))
	ClassWeight  = param.New("class_weight", `"" (every class weighs 1) or "balanced" (n / (classes * count))`, "", param.OneOf("", "balanced"))
	ClassWeights = param.New("class_weights", "one weight per class, in sorted label order; overrides class_weight", []float64(nil),
		param.Each(param.GtEq(0.0)))
	Solver = param.New("solver", "lbfgs or owlqn (L-BFGS, OWL-QN when elastic_net_param > 0: the same solver), or sgd (stochastic gradient descent, as scikit-learn's SGDClassifier(loss=\"log_loss\"))",
		SolverLBFGS, param.OneOf(SolverLBFGS, SolverOWLQN, SolverSGD))
	LearningRate = param.New("learning_rate", "solver sgd: optimal (1/(α(t0+t))), invscaling (eta0/t^power_t) or constant (eta0)",
		LearningRateOptimal, param.OneOf(LearningRateOptimal, LearningRateInvScaling, LearningRateConstant))
	Eta0          = param.New("eta0", "solver sgd: initial learning rate of the invscaling and constant schedules", 0.01, param.Gt(0.0))
	PowerT        = param.New("power_t", "solver sgd: exponent of the invscaling schedule", 0.5, param.GtEq(0.0))
	Shuffle       = param.New("shuffle", "solver sgd: shuffle the rows (with seed) before each epoch", true)
	NIterNoChange = param.New("n_iter_no_change", "solver sgd: epochs without improvement before stopping", 5, param.Gt(0))
	WarmStart     = param.New("warm_start", "start from the coefficients of the previous Fit of this estimator (or of SetInitialModel)", false)
)

// Solver values.
const (
	SolverLBFGS = "lbfgs"
	SolverOWLQN = "owlqn"
	SolverSGD   = "sgd"
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Binomial and multinomial logistic regression with L2, L1 or elastic-net penalty (L-BFGS/OWL-QN or SGD), as scikit-learn's LogisticRegression and SGDClassifier(loss=\"log_loss\").",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: ModelKind, Doc: "Predicts the class, margins and class probabilities of a fitted logistic regression.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// LogisticRegression is the logistic_regression estimator.
type LogisticRegression struct {
	param.HasFeaturesCol
	param.HasLabelCol
	param.HasWeightCol
	param.HasPredictionCol
	param.HasRawPredictionCol
	param.HasProbabilityCol
	param.HasModelVersionCol
	param.HasSeed
	params *param.Set

	// warm holds the coefficients the next Fit starts from when
	// warm_start is set: the last fitted model's or SetInitialModel's.
	warm linmodel.Warm
}

var _ pipeline.Estimator = (*LogisticRegression)(nil)

// New builds a logistic_regression from param values.
func New(values map[string]any) (*LogisticRegression, error) {
	s := &LogisticRegression{}
	s.params = param.NewSet(Kind, &s.HasFeaturesCol, &s.HasLabelCol, &s.HasWeightCol, &s.HasPredictionCol,
		&s.HasRawPredictionCol, &s.HasProbabilityCol, &s.HasModelVersionCol, &s.HasSeed,
		MaxIter, Tol, RegParam, ElasticNetParam, FitIntercept, Family, ClassWeight, ClassWeights,
		Solver, LearningRate, Eta0, PowerT, Shuffle, NIterNoChange, WarmStart)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *LogisticRegression) Kind() string       { return Kind }
func (s *LogisticRegression) Params() *param.Set { return s.params }

// SetRegParam sets reg_param (1/C).
func (s *LogisticRegression) SetRegParam(v float64) error { return RegParam.Set(s.params, v) }

// SetElasticNetParam sets elastic_net_param.
func (s *LogisticRegression) SetElasticNetParam(v float64) error {
	return ElasticNetParam.Set(s.params, v)
}

// SetMaxIter sets max_iter.
func (s *LogisticRegression) SetMaxIter(v int) error { return MaxIter.Set(s.params, v) }

// SetTol sets tol.
func (s *LogisticRegression) SetTol(v float64) error { return Tol.Set(s.params, v) }

// SetFamily sets family.
func (s *LogisticRegression) SetFamily(v string) error { return Family.Set(s.params, v) }

// SetSolver sets solver.
func (s *LogisticRegression) SetSolver(v string) error { return Solver.Set(s.params, v) }

// SetWarmStart sets warm_start.
func (s *LogisticRegression) SetWarmStart(v bool) error { return WarmStart.Set(s.params, v) }

// SetInitialModel makes the next Fit with warm_start start from m's
// coefficients (nil forgets them, so that Fit starts from zero). The
// fitted data must have m's labels and feature count.
func (s *LogisticRegression) SetInitialModel(m *Model) error {
	if m == nil {
		s.warm.Set(nil)
		return nil
	}
	return s.SetInitialModelData(m.ModelData()...)
}

// SetInitialModelData is SetInitialModel from logistic_regression_model
// data records (borrowed; see ModelDataRecords).
func (s *LogisticRegression) SetInitialModelData(data ...arrow.Record) error {
	return s.warm.SetData(Kind, vectors, data)
}

// FitResult is what the last Fit reported about the optimisation: for
// solver sgd, Iter and Evals are epochs and F the last epoch's summed
// (unweighted, unpenalised) loss.
type FitResult = optim.Result

// Fit reads r (borrowed) into memory and fits the model.
func (s *LogisticRegression) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	m, _, err := s.FitReport(ctx, r)
	return m, err
}

// FitReport is Fit that also returns the solver's report.
func (s *LogisticRegression) FitReport(ctx context.Context, r table.Reader) (*Model, FitResult, error) {
	fail := func(err error) (*Model, FitResult, error) {
		return nil, FitResult{}, fmt.Errorf("stage %q: fit: %w", Kind, err)
	}
	if err := design.CheckFeatures(r.Schema(), s.FeaturesCol()); err != nil {
		return fail(err)
	}
	d, err := design.ReadKeepSparse(r, s.FeaturesCol(), s.LabelCol(), s.WeightCol())
	if err != nil {
		return fail(err)
	}
	labels, cls, err := linmodel.Classes(d.Y, s.LabelCol())
	if err != nil {
		return fail(err)
	}
	k := len(labels)
	fam := Family.Get(s.params)
	if fam == FamilyBinomial && k > 2 {
		return fail(fmt.Errorf("family binomial with %d classes", k))
	}
	multinomial := fam == FamilyMultinomial || k > 2
	counts := make([]float64, k)
	for _, c := range cls {
		counts[c]++
	}
	cw, err := s.classWeights(counts, d.N)
	if err != nil {
		return fail(err)
	}
	w := d.W
	if cw != nil {
		w = make([]float64, d.N)
		for i, c := range cls {
			w[i] = cw[c] * weight(d.W, i)
		}
	}
	p := &problem{x: d.X, sp: d.Sparse, n: d.N, dim: d.D, cls: cls, w: w, k: k, multinomial: multinomial}
	nvec := 1
	if multinomial {
		nvec = k
	}
	stride := d.D + 1
	theta := make([]float64, nvec*stride)
	lambda, alpha := RegParam.Get(s.params), ElasticNetParam.Get(s.params)
	fitB := FitIntercept.Get(s.params)
	fixed := make([]bool, len(theta))
	var l1 []float64
	if alpha > 0 && lambda > 0 {
		l1 = make([]float64, len(theta))
	}
	for v := range nvec {
		fixed[v*stride+d.D] = !fitB
		for j := range d.D {
			if l1 != nil {
				l1[v*stride+j] = lambda * alpha
			}
		}
	}
	if WarmStart.Get(s.params) {
		if init := s.warm.Get(); init != nil {
			if err := startFrom(init, theta, labels, d.D, nvec); err != nil {
				return fail(fmt.Errorf("warm start: %w", err))
			}
		}
	}
	if !fitB {
		for v := range nvec {
			theta[v*stride+d.D] = 0
		}
	}
	var res FitResult
	if Solver.Get(s.params) == SolverSGD {
		res, err = fitSGD(ctx, p, theta, sgdConfig{
			alpha: lambda / float64(d.N), l1Ratio: alpha,
			schedule: LearningRate.Get(s.params), eta0: Eta0.Get(s.params), powerT: PowerT.Get(s.params),
			maxIter: MaxIter.Get(s.params), tol: Tol.Get(s.params), nIterNoChange: NIterNoChange.Get(s.params),
			shuffle: Shuffle.Get(s.params), seed: s.Seed(), fitIntercept: fitB,
		})
	} else {
		p.l2 = lambda * (1 - alpha)
		if p.sp != nil {
			p.initSparse()
		} else {
			p.init()
		}
		res, err = optim.Minimize(p.eval, theta, l1, fixed, optim.Settings{MaxIter: MaxIter.Get(s.params), GradTol: Tol.Get(s.params)})
	}
	if err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	intercepts := make([]float64, nvec)
	coefs := make([][]float64, nvec)
	for v := range nvec {
		coefs[v] = slices.Clone(theta[v*stride : v*stride+d.D])
		intercepts[v] = theta[v*stride+d.D]
	}
	m, err := NewModel(nil)
	if err != nil {
		return fail(err)
	}
	if err := linmodel.SetFitted(pipeline.Allocator(ctx), &m.modelBase, s.params, coefs, intercepts, labels); err != nil {
		return fail(err)
	}
	if WarmStart.Get(s.params) {
		s.warm.Set(&state{Coef: slices.Concat(coefs...), Intercepts: intercepts, Labels: labels, Dim: d.D})
	}
	return m, res, nil
}

func (s *LogisticRegression) classWeights(counts []float64, n int) ([]float64, error) {
	if cw := ClassWeights.Get(s.params); cw != nil {
		if len(cw) != len(counts) {
			return nil, fmt.Errorf("param %q has %d weights for %d classes", ClassWeights.Name(), len(cw), len(counts))
		}
		return cw, nil
	}
	if ClassWeight.Get(s.params) == "balanced" {
		cw := make([]float64, len(counts))
		for c, cnt := range counts {
			cw[c] = float64(n) / (float64(len(counts)) * cnt)
		}
		return cw, nil
	}
	return nil, nil
}

// startFrom writes st's coefficients into theta (nvec vectors of dim
// coefficients and an intercept), checking that st was fitted on the same
// labels and feature count. A binomial start for a multinomial fit (or
// the reverse) is converted: binomial w is multinomial [-w/2, w/2].
func startFrom(st *state, theta, labels []float64, dim, nvec int) error {
	if err := st.Check(labels, dim); err != nil {
		return err
	}
	stride := dim + 1
	sv := len(st.Intercepts)
	for v := range nvec {
		dst := theta[v*stride : (v+1)*stride]
		switch {
		case sv == nvec:
			copy(dst, st.Coef[v*dim:(v+1)*dim])
			dst[dim] = st.Intercepts[v]
		case sv == 1: // binomial -> multinomial (2 classes)
			sign := -0.5
			if v == 1 {
				sign = 0.5
			}
			for j := range dim {
				dst[j] = sign * st.Coef[j]
			}
			dst[dim] = sign * st.Intercepts[0]
		default: // multinomial (2 classes) -> binomial
			for j := range dim {
				dst[j] = st.Coef[dim+j] - st.Coef[j]
			}
			dst[dim] = st.Intercepts[1] - st.Intercepts[0]
		}
	}
	return nil
}

func weight(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}

// problem is the smooth part of the objective. Rows are split into fixed
// parts (so results do not depend on the number of cores) evaluated
// concurrently, each into its own gradient buffer.
type problem struct {
	x           []float64
	sp          *design.CSR // the rows when sparse (x nil); see sparse.go
	n, dim, k   int
	cls         []int32
	w           []float64
	multinomial bool
	l2          float64

	parts []part
}

type part struct {
	lo, hi int
	grad   []float64
	z      []float64
	loss   float64
}

// parallelMin is the number of feature values above which two parts are
// used.
const parallelMin = 1 << 16

func (p *problem) init() {
	nparts := 1
	if p.n*p.dim >= parallelMin {
		nparts = 2
	}
	nvec := 1
	if p.multinomial {
		nvec = p.k
	}
	p.parts = make([]part, nparts)
	for i := range p.parts {
		p.parts[i] = part{lo: p.n * i / nparts, hi: p.n * (i + 1) / nparts,
			grad: make([]float64, nvec*(p.dim+1)), z: make([]float64, p.k)}
	}
}

func (p *problem) eval(theta, grad []float64) float64 {
	if len(p.parts) == 1 {
		p.run(&p.parts[0], theta)
	} else {
		var wg sync.WaitGroup
		for i := range p.parts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p.run(&p.parts[i], theta)
			}()
		}
		wg.Wait()
	}
	var f float64
	clear(grad)
	for i := range p.parts {
		f += p.parts[i].loss
		for j, v := range p.parts[i].grad {
			grad[j] += v
		}
	}
	stride := p.dim + 1
	for v := 0; v < len(theta); v += stride {
		for j := range p.dim {
			t := theta[v+j]
			f += p.l2 / 2 * t * t
			grad[v+j] += p.l2 * t
		}
	}
	return f
}

func (p *problem) run(pt *part, theta []float64) {
	clear(pt.grad)
	pt.loss = 0
	if p.sp != nil {
		p.runSparse(pt, theta)
		return
	}
	if p.multinomial {
		p.runMultinomial(pt, theta)
	} else {
		p.runBinomial(pt, theta)
	}
}

func (p *problem) runBinomial(pt *part, theta []float64) {
	d := p.dim
	coef, b := theta[:d], theta[d]
	g := pt.grad[:d]
	var gb, loss float64
	for i := pt.lo; i < pt.hi; i++ {
		xi := p.x[i*d : (i+1)*d]
		xi = xi[:len(coef)]
		// Four accumulator chains: one chain of dependent adds would
		// bound this loop by the add latency.
		var z0, z1, z2, z3 float64
		j := 0
		for ; j+3 < len(xi); j += 4 {
			z0 += xi[j] * coef[j]
			z1 += xi[j+1] * coef[j+1]
			z2 += xi[j+2] * coef[j+2]
			z3 += xi[j+3] * coef[j+3]
		}
		for ; j < len(xi); j++ {
			z0 += xi[j] * coef[j]
		}
		z := b + ((z0 + z1) + (z2 + z3))
		// y in {-1, +1}; loss = log(1 + exp(-y z)).
		y := -1.0
		if p.cls[i] == 1 {
			y = 1
		}
		wi := weight(p.w, i)
		u := -y * z
		// log1pExp(u) and sigmoid(u) from one exponential, exp(-|u|),
		// the one each of them takes.
		e := math.Exp(-math.Abs(u))
		l, sg := math.Log1p(e), e/(1+e)
		if u > 0 {
			l += u
		}
		if u >= 0 {
			sg = 1 / (1 + e)
		}
		loss += wi * l
		// d/dz = -y * sigmoid(-yz)
		gz := -y * wi * sg
		if gz == 0 {
			continue
		}
		for j, v := range xi {
			g[j] += gz * v
		}
		gb += gz
	}
	pt.grad[d] = gb
	pt.loss = loss
}

func (p *problem) runMultinomial(pt *part, theta []float64) {
	d, k := p.dim, p.k
	stride := d + 1
	z := pt.z
	var loss float64
	for i := pt.lo; i < pt.hi; i++ {
		xi := p.x[i*d : (i+1)*d]
		zmax := math.Inf(-1)
		for c := range k {
			w := theta[c*stride : c*stride+d]
			s := theta[c*stride+d]
			for j, v := range xi {
				s += v * w[j]
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
			for j, v := range xi {
				g[j] += gz * v
			}
			pt.grad[c*stride+d] += gz
		}
	}
	pt.loss = loss
}

// log1pExp is log(1 + exp(x)) without overflow.
func log1pExp(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
