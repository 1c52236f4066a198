package linearsvc

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"

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
	Kind      = "linear_svc"
	ModelKind = "linear_svc_model"
)

// Params (besides the shared column params).
var (
	MaxIter  = param.New("max_iter", "maximum number of L-BFGS iterations per binary problem", 1000, param.Gt(0))
	Tol      = param.New("tol", "stop when the largest absolute gradient component is at most tol", 1e-4, param.GtEq(0.0))
	RegParam = param.New("reg_param", "regularization strength λ = 1/C of scikit-learn: the objective is λ/2*||(w, b/s)||² + sum_i s_i*max(0, 1 - y_i m_i)²",
		1.0, param.Gt(0.0))
	FitIntercept     = param.New("fit_intercept", "fit an intercept", true)
	InterceptScaling = param.New("intercept_scaling", "the intercept is the weight of a constant feature of this value, penalised like the others (scikit-learn/liblinear); larger values penalise it less",
		1.0, param.Gt(0.0))
	WarmStart = param.New("warm_start", "start L-BFGS from the coefficients and intercepts of the previous Fit or of SetInitialModel", false)
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Linear support vector classifier (squared hinge loss, L2 penalty; one-vs-rest for more than two classes), as scikit-learn's LinearSVC.",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: ModelKind, Doc: "Predicts the class, margins and (uncalibrated) probabilities of a fitted linear SVC.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// LinearSVC is the linear_svc estimator.
type LinearSVC struct {
	param.HasFeaturesCol
	param.HasLabelCol
	param.HasWeightCol
	param.HasPredictionCol
	param.HasRawPredictionCol
	param.HasProbabilityCol
	param.HasModelVersionCol
	params *param.Set

	// warm holds the weights the next Fit starts from when warm_start is
	// set: the last fitted model's or SetInitialModel's.
	warm linmodel.Warm
}

var _ pipeline.Estimator = (*LinearSVC)(nil)

// New builds a linear_svc from param values.
func New(values map[string]any) (*LinearSVC, error) {
	s := &LinearSVC{}
	s.params = param.NewSet(Kind, &s.HasFeaturesCol, &s.HasLabelCol, &s.HasWeightCol, &s.HasPredictionCol,
		&s.HasRawPredictionCol, &s.HasProbabilityCol, &s.HasModelVersionCol,
		MaxIter, Tol, RegParam, FitIntercept, InterceptScaling, WarmStart)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *LinearSVC) Kind() string       { return Kind }
func (s *LinearSVC) Params() *param.Set { return s.params }

// SetRegParam sets reg_param (1/C).
func (s *LinearSVC) SetRegParam(v float64) error { return RegParam.Set(s.params, v) }

// SetWarmStart sets warm_start.
func (s *LinearSVC) SetWarmStart(v bool) error { return WarmStart.Set(s.params, v) }

// SetInitialModel makes the next Fit with warm_start start L-BFGS from m's
// coefficients and intercepts (nil forgets them, so that Fit starts from
// zero). The fitted data must have m's labels and feature count.
func (s *LinearSVC) SetInitialModel(m *Model) error {
	if m == nil {
		s.warm.Set(nil)
		return nil
	}
	return s.SetInitialModelData(m.ModelData()...)
}

// SetInitialModelData is SetInitialModel from linear_svc_model data
// records (borrowed; see ModelDataRecords).
func (s *LinearSVC) SetInitialModelData(data ...arrow.Record) error {
	return s.warm.SetData(Kind, vectors, data)
}

// start returns the warm-start weights when warm_start is set and there
// are some, after checking that they were fitted on labels and dim
// features.
func (s *LinearSVC) start(labels []float64, dim int) (*state, error) {
	if !WarmStart.Get(s.params) {
		return nil, nil
	}
	st := s.warm.Get()
	if st == nil {
		return nil, nil
	}
	if err := st.Check(labels, dim); err != nil {
		return nil, fmt.Errorf("warm start: %w", err)
	}
	return st, nil
}

// Fit reads r (borrowed) into memory and fits one binary problem (two
// classes) or one per class (one-vs-rest).
func (s *LinearSVC) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	m, _, err := s.FitReport(ctx, r)
	return m, err
}

// FitReport is Fit that also returns the solver's report of each binary
// problem.
func (s *LinearSVC) FitReport(ctx context.Context, r table.Reader) (*Model, []optim.Result, error) {
	fail := func(err error) (*Model, []optim.Result, error) {
		return nil, nil, fmt.Errorf("stage %q: fit: %w", Kind, err)
	}
	if err := design.CheckFeatures(r.Schema(), s.FeaturesCol()); err != nil {
		return fail(err)
	}
	d, err := design.Read(r, s.FeaturesCol(), s.LabelCol(), s.WeightCol())
	if err != nil {
		return fail(err)
	}
	labels, cls, err := linmodel.Classes(d.Y, s.LabelCol())
	if err != nil {
		return fail(err)
	}
	nvec := len(labels)
	if nvec == 2 {
		nvec = 1
	}
	init, err := s.start(labels, d.D)
	if err != nil {
		return fail(err)
	}
	scale := 0.0
	if FitIntercept.Get(s.params) {
		scale = InterceptScaling.Get(s.params)
	}
	p := &problem{x: d.X, n: d.N, dim: d.D, w: d.W, scale: scale, lambda: RegParam.Get(s.params)}
	p.init()
	coefs := make([][]float64, nvec)
	intercepts := make([]float64, nvec)
	reports := make([]optim.Result, nvec)
	for v := range nvec {
		pos := int32(v)
		if nvec == 1 {
			pos = 1
		}
		p.y = p.y[:0]
		for _, c := range cls {
			if c == pos {
				p.y = append(p.y, 1)
			} else {
				p.y = append(p.y, -1)
			}
		}
		theta := make([]float64, d.D+1)
		if init != nil {
			// The solver's variable is β = b/scale; without an intercept
			// β stays fixed at 0.
			copy(theta, init.Coef[v*d.D:(v+1)*d.D])
			if scale != 0 {
				theta[d.D] = init.Intercepts[v] / scale
			}
		}
		var fixed []bool
		if scale == 0 {
			fixed = make([]bool, d.D+1)
			fixed[d.D] = true
		}
		res, err := optim.Minimize(p.eval, theta, nil, fixed, optim.Settings{MaxIter: MaxIter.Get(s.params), GradTol: Tol.Get(s.params), FuncTol: 1e-15})
		if err != nil {
			return fail(err)
		}
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		reports[v] = res
		coefs[v] = theta[:d.D]
		intercepts[v] = theta[d.D] * scale
	}
	m, err := NewModel(nil)
	if err != nil {
		return fail(err)
	}
	if err := linmodel.SetFitted(pipeline.Allocator(ctx), &m.modelBase, s.params, coefs, intercepts, labels); err != nil {
		return fail(err)
	}
	if WarmStart.Get(s.params) {
		// Only a successful fit replaces the start.
		s.warm.Set(&state{Coef: slices.Concat(coefs...), Intercepts: intercepts, Labels: labels, Dim: d.D})
	}
	return m, reports, nil
}

// problem is the primal objective of one binary problem over θ = (w, β)
// with the intercept b = β*scale:
//
//	λ/2 (||w||² + β²) + sum_i s_i max(0, 1 - y_i (w·x_i + β scale))²
//
// Rows are split into two fixed parts evaluated concurrently on large
// inputs.
type problem struct {
	x      []float64
	n, dim int
	w, y   []float64
	scale  float64
	lambda float64
	parts  []part
}

type part struct {
	lo, hi int
	grad   []float64
	loss   float64
}

const parallelMin = 1 << 16

func (p *problem) init() {
	nparts := 1
	if p.n*p.dim >= parallelMin {
		nparts = 2
	}
	p.parts = make([]part, nparts)
	for i := range p.parts {
		p.parts[i] = part{lo: p.n * i / nparts, hi: p.n * (i + 1) / nparts, grad: make([]float64, p.dim+1)}
	}
	p.y = make([]float64, 0, p.n)
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
	clear(grad)
	var f float64
	for i := range p.parts {
		f += p.parts[i].loss
		for j, v := range p.parts[i].grad {
			grad[j] += v
		}
	}
	for j, t := range theta {
		f += p.lambda / 2 * t * t
		grad[j] += p.lambda * t
	}
	return f
}

func (p *problem) run(pt *part, theta []float64) {
	d := p.dim
	coef, beta := theta[:d], theta[d]
	g := pt.grad
	clear(g)
	var loss float64
	for i := pt.lo; i < pt.hi; i++ {
		xi := p.x[i*d : (i+1)*d]
		z := beta * p.scale
		for j, v := range xi {
			z += v * coef[j]
		}
		y := p.y[i]
		h := 1 - y*z
		if h <= 0 {
			continue
		}
		wi := 1.0
		if p.w != nil {
			wi = p.w[i]
		}
		loss += wi * h * h
		gz := -2 * wi * y * h
		for j, v := range xi {
			g[j] += gz * v
		}
		g[d] += gz * p.scale
	}
	pt.loss = loss
}
