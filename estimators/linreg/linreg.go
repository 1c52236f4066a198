package linreg

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/design"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
	"gonum.org/v1/gonum/mat"
)

// Kind names.
const (
	Kind      = "linear_regression"
	ModelKind = "linear_regression_model"
)

// Params.
var (
	RegParam        = param.New("reg_param", "regularization strength α (scikit-learn's alpha for ElasticNet/Lasso)", 0.0, param.GtEq(0.0))
	ElasticNetParam = param.New("elastic_net_param", "ρ in [0, 1] (scikit-learn's l1_ratio): 0 is ridge, 1 is lasso", 0.0, param.InRange(0.0, 1.0))
	FitIntercept    = param.New("fit_intercept", "fit an (unpenalized) intercept", true)
	MaxIter         = param.New("max_iter", "maximum number of coordinate descent sweeps", 1000, param.Gt(0))
	Tol             = param.New("tol", "coordinate descent tolerance (scikit-learn's tol)", 1e-4, param.GtEq(0.0))
	WarmStart       = param.New("warm_start", "coordinate descent (elastic_net_param > 0) starts from the previous Fit's coefficients or SetInitialModel's", false)
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Least squares linear regression: OLS, ridge, lasso and elastic net (scikit-learn's objective).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: ModelKind, Doc: "Predicts x·w + b of a fitted linear regression.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// LinearRegression is the linear_regression estimator.
type LinearRegression struct {
	param.HasFeaturesCol
	param.HasLabelCol
	param.HasWeightCol
	param.HasPredictionCol
	param.HasModelVersionCol
	params *param.Set

	mu   sync.Mutex
	init []float64 // warm start coefficients
}

var _ pipeline.Estimator = (*LinearRegression)(nil)

// FitResult reports how a Fit ended: Iter is the number of coordinate
// descent sweeps (0 for the closed-form OLS and ridge solutions).
type FitResult struct {
	Iter int
}

// New builds a linear_regression from param values.
func New(values map[string]any) (*LinearRegression, error) {
	s := &LinearRegression{}
	s.params = param.NewSet(Kind, &s.HasFeaturesCol, &s.HasLabelCol, &s.HasWeightCol, &s.HasPredictionCol,
		&s.HasModelVersionCol, RegParam, ElasticNetParam, FitIntercept, MaxIter, Tol, WarmStart)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *LinearRegression) Kind() string       { return Kind }
func (s *LinearRegression) Params() *param.Set { return s.params }

// SetInitialModel makes the next Fit with warm_start (and
// elastic_net_param > 0) start from m's coefficients; nil forgets them.
func (s *LinearRegression) SetInitialModel(m *Model) error {
	if m == nil {
		s.mu.Lock()
		s.init = nil
		s.mu.Unlock()
		return nil
	}
	return s.SetInitialModelData(m.ModelData()...)
}

// SetInitialModelData is SetInitialModel from linear_regression_model
// data (borrowed; see ModelDataRecord).
func (s *LinearRegression) SetInitialModelData(data ...arrow.Record) error {
	st, err := decode(data)
	if err != nil {
		return fmt.Errorf("stage %q: initial model data: %w", Kind, err)
	}
	s.mu.Lock()
	s.init = slices.Clone(st.coef)
	s.mu.Unlock()
	return nil
}

// Fit reads r (borrowed) and fits the coefficients.
func (s *LinearRegression) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	m, _, err := s.FitReport(ctx, r)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// FitReport is Fit that also reports the number of sweeps.
func (s *LinearRegression) FitReport(ctx context.Context, r table.Reader) (*Model, FitResult, error) {
	fail := func(err error) (*Model, FitResult, error) {
		return nil, FitResult{}, fmt.Errorf("stage %q: fit: %w", Kind, err)
	}
	if err := design.CheckFeatures(r.Schema(), s.FeaturesCol()); err != nil {
		return fail(err)
	}
	d, err := design.Read(r, s.FeaturesCol(), s.LabelCol(), s.WeightCol())
	if err != nil {
		return fail(err)
	}
	warm := WarmStart.Get(s.params)
	var w0 []float64
	if warm {
		s.mu.Lock()
		w0 = s.init
		s.mu.Unlock()
		if w0 != nil && len(w0) != d.D {
			return fail(fmt.Errorf("warm start: the initial model has %d features, the data %d", len(w0), d.D))
		}
	}
	coef, b, iters, err := solve(d, RegParam.Get(s.params), ElasticNetParam.Get(s.params), FitIntercept.Get(s.params),
		MaxIter.Get(s.params), Tol.Get(s.params), w0)
	if err != nil {
		return fail(err)
	}
	if warm {
		s.mu.Lock()
		s.init = slices.Clone(coef)
		s.mu.Unlock()
	}
	m, err := NewModel(nil)
	if err != nil {
		return fail(err)
	}
	if err := m.params.CopyFrom(s.params); err != nil {
		return fail(err)
	}
	rec, err := ModelDataRecord(pipeline.Allocator(ctx), coef, b)
	if err != nil {
		return fail(err)
	}
	defer rec.Release()
	if err := m.SetModelData(rec); err != nil {
		return fail(err)
	}
	return m, FitResult{Iter: iters}, nil
}

// solve centres the (weighted) data and dispatches to QR, ridge or
// coordinate descent (from w0 when not nil), returning the coefficients,
// the intercept and the number of sweeps.
func solve(d *design.Data, alpha, rho float64, fitB bool, maxIter int, tol float64, w0 []float64) ([]float64, float64, int, error) {
	n, p := d.N, d.D
	sw := make([]float64, n) // sqrt of weights rescaled to sum n
	var wsum float64
	for i := range n {
		wsum += weight(d.W, i)
	}
	if wsum == 0 {
		return nil, 0, 0, errors.New("weights sum to 0")
	}
	for i := range n {
		sw[i] = math.Sqrt(weight(d.W, i) * float64(n) / wsum)
	}
	xm, ym := make([]float64, p), 0.0
	if fitB {
		for i := range n {
			wi := sw[i] * sw[i] / float64(n)
			for j := range p {
				xm[j] += wi * d.X[i*p+j]
			}
			ym += wi * d.Y[i]
		}
	}
	xc := mat.NewDense(n, max(p, 1), nil)
	yc := make([]float64, n)
	for i := range n {
		for j := range p {
			xc.Set(i, j, (d.X[i*p+j]-xm[j])*sw[i])
		}
		yc[i] = (d.Y[i] - ym) * sw[i]
	}
	var w []float64
	var err error
	var iters int
	switch {
	case p == 0:
		w = nil
	case alpha == 0:
		w, err = ols(xc, yc)
	case rho == 0:
		w, err = ridge(xc, yc, alpha*float64(n))
	default:
		w, iters = coordinateDescent(xc, yc, alpha*rho*float64(n), alpha*(1-rho)*float64(n), maxIter, tol, w0)
	}
	if err != nil {
		return nil, 0, 0, err
	}
	b := ym
	for j := range p {
		b -= xm[j] * w[j]
	}
	if !fitB {
		b = 0
	}
	return w, b, iters, nil
}

func weight(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}

func ols(x *mat.Dense, y []float64) ([]float64, error) {
	n, p := x.Dims()
	if n < p {
		// Minimum-norm solution via ridge with a tiny penalty would differ
		// from scikit-learn's lstsq; refuse instead.
		return nil, fmt.Errorf("ordinary least squares needs at least as many rows as features (%d < %d); set reg_param", n, p)
	}
	var qr mat.QR
	qr.Factorize(x)
	var w mat.VecDense
	if err := qr.SolveVecTo(&w, false, mat.NewVecDense(n, y)); err != nil {
		return nil, fmt.Errorf("least squares: %w (collinear features? set reg_param)", err)
	}
	return slices.Clone(w.RawVector().Data), nil
}

func ridge(x *mat.Dense, y []float64, lambda float64) ([]float64, error) {
	_, p := x.Dims()
	var a mat.SymDense
	a.SymOuterK(1, x.T())
	for j := range p {
		a.SetSym(j, j, a.At(j, j)+lambda)
	}
	var rhs mat.VecDense
	rhs.MulVec(x.T(), mat.NewVecDense(len(y), y))
	var ch mat.Cholesky
	if !ch.Factorize(&a) {
		return nil, errors.New("ridge system is not positive definite")
	}
	var w mat.VecDense
	if err := ch.SolveVecTo(&w, &rhs); err != nil {
		return nil, err
	}
	return slices.Clone(w.RawVector().Data), nil
}

// coordinateDescent minimises 1/2||y - Xw||² + l1||w||_1 + l2/2||w||² like
// scikit-learn's enet_coordinate_descent (l1 = α ρ n, l2 = α (1-ρ) n),
// from w0 (nil: zero), returning the coefficients and the sweeps.
func coordinateDescent(x *mat.Dense, y []float64, l1, l2 float64, maxIter int, tol float64, w0 []float64) ([]float64, int) {
	n, p := x.Dims()
	cols := make([][]float64, p) // column-major copy for cache-friendly sweeps
	norm := make([]float64, p)
	for j := range p {
		cols[j] = make([]float64, n)
		mat.Col(cols[j], j, x)
		for _, v := range cols[j] {
			norm[j] += v * v
		}
	}
	w := make([]float64, p)
	r := slices.Clone(y)
	if w0 != nil {
		copy(w, w0)
		for j, c := range cols {
			if w[j] != 0 {
				for i, v := range c {
					r[i] -= w[j] * v
				}
			}
		}
	}
	var yy float64
	for _, v := range y {
		yy += v * v
	}
	tol *= yy
	iter := 0
	for iter < maxIter {
		iter++
		var wMax, dMax float64
		for j := range p {
			if norm[j] == 0 {
				continue
			}
			c, old := cols[j], w[j]
			tmp := 0.0
			for i, v := range c {
				tmp += v * r[i]
			}
			tmp += old * norm[j]
			nw := math.Copysign(math.Max(math.Abs(tmp)-l1, 0), tmp) / (norm[j] + l2)
			if nw != old {
				dw := nw - old
				for i, v := range c {
					r[i] -= dw * v
				}
				w[j] = nw
			}
			dMax = math.Max(dMax, math.Abs(nw-old))
			wMax = math.Max(wMax, math.Abs(nw))
		}
		if wMax == 0 || dMax/wMax < tol/math.Max(yy, 1e-300) || iter == maxIter {
			if dualGap(cols, y, r, w, l1, l2) < tol {
				break
			}
		}
	}
	return w, iter
}

func dualGap(cols [][]float64, y, r, w []float64, l1, l2 float64) float64 {
	var dualNorm, rNorm2, wNorm2, l1Norm, ry float64
	for j, c := range cols {
		var xtA float64
		for i, v := range c {
			xtA += v * r[i]
		}
		xtA -= l2 * w[j]
		dualNorm = math.Max(dualNorm, math.Abs(xtA))
		wNorm2 += w[j] * w[j]
		l1Norm += math.Abs(w[j])
	}
	for i, v := range r {
		rNorm2 += v * v
		ry += v * y[i]
	}
	var gap, cst float64
	if dualNorm > l1 {
		cst = l1 / dualNorm
		gap = 0.5 * (rNorm2 + rNorm2*cst*cst)
	} else {
		cst = 1
		gap = rNorm2
	}
	return gap + l1*l1Norm - cst*ry + 0.5*l2*(1+cst*cst)*wNorm2
}

// ModelDataRecord builds linear_regression_model data. The caller owns
// one Release.
func ModelDataRecord(mem memory.Allocator, coef []float64, intercept float64) (arrow.Record, error) {
	return table.Build(mem, table.Col("intercept", []float64{intercept}),
		table.DenseCol("coefficients", len(coef), [][]float64{coef}))
}

type state struct {
	coef      []float64
	intercept float64
}

func decode(data []arrow.Record) (state, error) {
	if len(data) != 1 || data[0].NumRows() != 1 {
		return state{}, errors.New("want one model data record with one row")
	}
	rec := data[0]
	ii, err := table.FieldIndex(rec.Schema(), "intercept")
	if err != nil {
		return state{}, err
	}
	ci, err := table.FieldIndex(rec.Schema(), "coefficients")
	if err != nil {
		return state{}, err
	}
	b, err := table.Float64s(rec.Column(ii))
	if err != nil {
		return state{}, fmt.Errorf("column \"intercept\": %w", err)
	}
	coef, _, err := table.DenseVectors(rec.Column(ci))
	if err != nil {
		return state{}, fmt.Errorf("column \"coefficients\": %w", err)
	}
	return state{coef: coef, intercept: b[0]}, nil
}

// Model is the linear_regression_model.
type Model struct {
	param.HasFeaturesCol
	param.HasPredictionCol
	param.HasModelVersionCol
	params *param.Set
	state  pipeline.ModelState[state]
}

var (
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds a linear_regression_model (without data).
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	var lc param.HasLabelCol
	var wc param.HasWeightCol
	m.params = param.NewSet(ModelKind, &m.HasFeaturesCol, &lc, &wc, &m.HasPredictionCol, &m.HasModelVersionCol,
		RegParam, ElasticNetParam, FitIntercept, MaxIter, Tol)
	if err := m.params.SetMap(values); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) Kind() string              { return ModelKind }
func (m *Model) Params() *param.Set        { return m.params }
func (m *Model) ModelData() []arrow.Record { return m.state.ModelData() }
func (m *Model) ModelVersion() int64       { return m.state.ModelVersion() }

// SetModelData replaces the model data (see ModelDataRecord).
func (m *Model) SetModelData(recs ...arrow.Record) error {
	if err := m.state.Set(recs, decode); err != nil {
		return fmt.Errorf("stage %q: set model data: %w", ModelKind, err)
	}
	return nil
}

// Coefficients returns a copy of the coefficients (nil without data).
func (m *Model) Coefficients() []float64 {
	if snap := m.state.Load(); snap != nil {
		return slices.Clone(snap.State.coef)
	}
	return nil
}

// Intercept returns the intercept.
func (m *Model) Intercept() float64 {
	if snap := m.state.Load(); snap != nil {
		return snap.State.intercept
	}
	return 0
}

// OutputSchema appends the prediction (and model version) columns.
func (m *Model) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := design.CheckFeatures(in, m.FeaturesCol()); err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	out, err := pipeline.AppendField(in, arrow.Field{Name: m.PredictionCol(), Type: arrow.PrimitiveTypes.Float64})
	if err == nil && m.ModelVersionCol() != "" {
		out, err = pipeline.AppendField(out, pipeline.VersionField(m.ModelVersionCol()))
	}
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	return out, nil
}

// Transform appends x·w + b.
func (m *Model) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	snap := m.state.Load()
	if snap == nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, pipeline.ErrNoModelData)
	}
	schema, err := m.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	s := snap.State
	d := len(s.coef)
	x, _, err := design.Features(rec, m.FeaturesCol(), d, 0, nil)
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	mem := pipeline.Allocator(ctx)
	n := int(rec.NumRows())
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * 8)
	pred := arrow.Float64Traits.CastFromBytes(buf.Bytes())[:n]
	for i := range n {
		z := s.intercept
		for j, v := range x[i*d : (i+1)*d] {
			z += v * s.coef[j]
		}
		pred[i] = z
	}
	data := array.NewData(arrow.PrimitiveTypes.Float64, n, []*memory.Buffer{nil, buf}, nil, 0, 0)
	buf.Release()
	col := array.MakeFromData(data)
	data.Release()
	defer col.Release()
	cols := append(slices.Clone(rec.Columns()), col)
	vc := m.ModelVersionCol()
	if vc == "" {
		return array.NewRecord(schema, cols, int64(n)), nil
	}
	fields := schema.Fields()
	md := schema.Metadata()
	base := array.NewRecord(arrow.NewSchema(fields[:len(fields)-1], &md), cols, int64(n))
	defer base.Release()
	return pipeline.AppendVersionColumn(mem, base, vc, snap.Version)
}
