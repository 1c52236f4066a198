package gaussianmixture

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/eddyml/eddy/estimators/internal/scoring"
	"github.com/eddyml/eddy/estimators/kmeans"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
)

// Kind names.
const (
	Kind      = "gaussian_mixture"
	ModelKind = "gaussian_mixture_model"
)

// Init values.
const (
	InitKMeans = "kmeans"
	InitRandom = "random"
)

// Params (besides features_col, prediction_col, probability_col,
// model_version_col and seed).
var (
	K              = param.New("k", "number of mixture components (scikit-learn's n_components)", 2, param.Gt(0))
	CovarianceType = param.New("covariance_type", "covariance of each component: full, tied (one shared full matrix), diag or spherical",
		Full, param.OneOf(Full, Tied, Diag, Spherical))
	Init      = param.New("init", "initial responsibilities: kmeans (one-hot k-means labels) or random", InitKMeans, param.OneOf(InitKMeans, InitRandom))
	NInit     = param.New("n_init", "number of initialisations; the run with the largest lower bound wins", 1, param.Gt(0))
	MaxIter   = param.New("max_iter", "maximum number of EM iterations per run", 100, param.Gt(0))
	Tol       = param.New("tol", "stop when the lower bound (mean log-likelihood) changes by less than tol", 1e-3, param.GtEq(0.0))
	RegCovar  = param.New("reg_covar", "non-negative value added to the covariance diagonals", 1e-6, param.GtEq(0.0))
	WarmStart = param.New("warm_start", "start one EM run from the previous Fit's mixture or SetInitialModel's (n_init and init are then unused)", false)
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Gaussian mixture fitted by EM, as scikit-learn's GaussianMixture.",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: ModelKind, Doc: "Assigns each row its most likely Gaussian mixture component and the responsibilities.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// Report is what a fit reports.
type Report struct {
	LowerBound float64 // mean log-likelihood per row at the last E step of the winning run
	Iter       int     // EM iterations of the winning run
	Converged  bool    // whether the winning run stopped by tol
	Best       int     // index of the winning initialisation
}

// GaussianMixture is the gaussian_mixture estimator.
type GaussianMixture struct {
	param.HasFeaturesCol
	param.HasPredictionCol
	param.HasProbabilityCol
	param.HasModelVersionCol
	param.HasSeed
	params *param.Set

	// warm is the mixture the next Fit starts from when warm_start is
	// set: the last fitted one or SetInitialModel's.
	mu   sync.Mutex
	warm *warmStart
}

// warmStart is a starting mixture and its covariance type: the param of
// the fit or model it comes from, or "" when only model data tells (see
// check).
type warmStart struct {
	g   *mixture
	typ string
}

// check returns why a fit of k components, d features and covariance
// type typ cannot start from w, or nil.
func (w *warmStart) check(k, d int, typ string) error {
	g := w.g
	switch {
	case g.k != k:
		return fmt.Errorf("warm start: the initial model has %d components, param %q is %d", g.k, K.Name(), k)
	case g.d != d:
		return fmt.Errorf("warm start: the initial model has %d features, the data %d", g.d, d)
	case w.typ != "":
		if !sameModel(w.typ, typ, k, d) {
			return fmt.Errorf("warm start: the initial model has covariance type %q, param %q is %q", w.typ, CovarianceType.Name(), typ)
		}
	// Model data shows the covariance size and whether the components
	// share one matrix; full and tied have the same size, and a full
	// mixture may happen to share one (as symmetric data gives).
	case covDim(typ, d) != g.cdim:
		return fmt.Errorf("warm start: the initial model has covariance type %q, param %q is %q", g.sizeType(), CovarianceType.Name(), typ)
	case typ == Tied && k > 1 && !g.shared():
		return fmt.Errorf("warm start: the initial model's components have different covariances, param %q is %q", CovarianceType.Name(), typ)
	}
	return nil
}

var _ pipeline.Estimator = (*GaussianMixture)(nil)

// New builds a gaussian_mixture estimator from param values.
func New(values map[string]any) (*GaussianMixture, error) {
	s := &GaussianMixture{}
	s.params = param.NewSet(Kind, &s.HasFeaturesCol, &s.HasPredictionCol, &s.HasProbabilityCol, &s.HasModelVersionCol, &s.HasSeed,
		K, CovarianceType, Init, NInit, MaxIter, Tol, RegCovar, WarmStart)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *GaussianMixture) Kind() string       { return Kind }
func (s *GaussianMixture) Params() *param.Set { return s.params }

// SetK sets k.
func (s *GaussianMixture) SetK(v int) error { return K.Set(s.params, v) }

// SetCovarianceType sets covariance_type.
func (s *GaussianMixture) SetCovarianceType(v string) error { return CovarianceType.Set(s.params, v) }

// SetNInit sets n_init.
func (s *GaussianMixture) SetNInit(v int) error { return NInit.Set(s.params, v) }

// SetWarmStart sets warm_start.
func (s *GaussianMixture) SetWarmStart(v bool) error { return WarmStart.Set(s.params, v) }

// SetInitialModel makes the next Fit with warm_start run EM once from m's
// weights, means and covariances (nil forgets them). The fit must have
// m's k, feature count and covariance_type.
func (s *GaussianMixture) SetInitialModel(m *Model) error {
	if m == nil {
		s.setWarm(nil)
		return nil
	}
	g, err := decode(m.ModelData())
	if err != nil {
		return fmt.Errorf("stage %q: initial model data: %w", Kind, err)
	}
	typ := CovarianceType.Get(m.params)
	if covDim(typ, g.d) != g.cdim || (typ == Tied && g.k > 1 && !g.shared()) {
		typ = "" // data set apart from the param: trust the data
	}
	s.setWarm(&warmStart{g: g, typ: typ})
	return nil
}

// SetInitialModelData is SetInitialModel from gaussian_mixture_model data
// (borrowed; see ModelDataRecord). Without the model's params the
// covariance type is what the data shows: its size tells full or tied,
// diag and spherical apart, and tied needs one matrix shared by all
// components.
func (s *GaussianMixture) SetInitialModelData(data ...arrow.Record) error {
	g, err := decode(data)
	if err != nil {
		return fmt.Errorf("stage %q: initial model data: %w", Kind, err)
	}
	s.setWarm(&warmStart{g: g})
	return nil
}

func (s *GaussianMixture) setWarm(w *warmStart) {
	s.mu.Lock()
	s.warm = w
	s.mu.Unlock()
}

// start returns a copy of the warm-start mixture when warm_start is set
// and there is one, after checking it fits k, the data's dimension d and
// covariance type typ.
func (s *GaussianMixture) start(k, d int, typ string) (*mixture, error) {
	if !WarmStart.Get(s.params) {
		return nil, nil
	}
	s.mu.Lock()
	w := s.warm
	s.mu.Unlock()
	if w == nil {
		return nil, nil
	}
	if err := w.check(k, d, typ); err != nil {
		return nil, err
	}
	// check implies typ's covariance layout; EM updates a copy, the
	// original stays the start of later fits.
	return w.g.clone()
}

// Fit reads r (borrowed) into memory and fits the mixture.
func (s *GaussianMixture) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	m, _, err := s.FitReport(ctx, r)
	return m, err
}

// FitReport is Fit that also reports the lower bound and iterations.
func (s *GaussianMixture) FitReport(ctx context.Context, r table.Reader) (*Model, Report, error) {
	fail := func(err error) (*Model, Report, error) {
		return nil, Report{}, fmt.Errorf("stage %q: fit: %w", Kind, err)
	}
	x, n, d, release, err := scoring.ReadFeatures(r, s.FeaturesCol())
	defer release()
	if err != nil {
		return fail(err)
	}
	k := K.Get(s.params)
	if k > n {
		return fail(fmt.Errorf("param %q is %d but there are only %d rows", K.Name(), k, n))
	}
	m := data{x: x, n: n, d: d}
	typ := CovarianceType.Get(s.params)
	g0, err := s.start(k, d, typ)
	if err != nil {
		return fail(err)
	}
	resp := make([]float64, n*k)
	var best runResult
	var rep Report
	if g0 != nil {
		// As scikit-learn's warm_start: one run, no initialisation.
		best, err = iterate(ctx, m, g0, resp, typ, RegCovar.Get(s.params), Tol.Get(s.params), MaxIter.Get(s.params))
		if err != nil {
			return fail(fmt.Errorf("warm start: %w", err))
		}
		rep = Report{LowerBound: best.lowerBound, Iter: best.iter, Converged: best.converged}
	} else {
		rng := rand.New(rand.NewPCG(uint64(s.Seed()), 0x9E3779B97F4A7C15))
		for run := range NInit.Get(s.params) {
			if err := initResp(ctx, m, k, Init.Get(s.params), rng, resp); err != nil {
				return fail(fmt.Errorf("initialisation %d: %w", run, err))
			}
			res, err := em(ctx, m, resp, k, typ, RegCovar.Get(s.params), Tol.Get(s.params), MaxIter.Get(s.params))
			if err != nil {
				return fail(err)
			}
			if run == 0 || res.lowerBound > best.lowerBound {
				best = res
				rep = Report{LowerBound: res.lowerBound, Iter: res.iter, Converged: res.converged, Best: run}
			}
		}
	}
	if WarmStart.Get(s.params) {
		// best.g is not shared: the model decodes its own copy.
		s.setWarm(&warmStart{g: best.g, typ: typ})
	}
	model, err := NewModel(nil)
	if err != nil {
		return fail(err)
	}
	if err := model.params.CopyFrom(s.params); err != nil {
		return fail(err)
	}
	g := best.g
	rec, err := ModelDataRecord(pipeline.Allocator(ctx), g.weights, rows(g.means, d), rows(g.cov, g.cdim))
	if err != nil {
		return fail(err)
	}
	defer rec.Release()
	if err := model.SetModelData(rec); err != nil {
		return fail(err)
	}
	return model, rep, nil
}

func rows(v []float64, d int) [][]float64 {
	out := make([][]float64, len(v)/d)
	for i := range out {
		out[i] = v[i*d : (i+1)*d]
	}
	return out
}

// initResp writes the initial responsibilities.
func initResp(ctx context.Context, m data, k int, how string, rng *rand.Rand, resp []float64) error {
	if how == InitRandom {
		for i := range m.n {
			r := resp[i*k : (i+1)*k]
			var s float64
			for c := range r {
				r[c] = rng.Float64()
				s += r[c]
			}
			for c := range r {
				r[c] /= s
			}
		}
		return nil
	}
	// One-hot labels of KMeans(n_clusters=k, n_init=1).
	mem := pipeline.Allocator(ctx)
	rec, err := table.Build(mem, table.DenseCol("features", m.d, rows(m.x, m.d)))
	if err != nil {
		return err
	}
	defer rec.Release()
	tbl, err := table.New(rec.Schema(), rec)
	if err != nil {
		return err
	}
	defer tbl.Release()
	km, err := kmeans.New(map[string]any{"k": k, "n_init": 1, "seed": int64(rng.Uint64() >> 1)})
	if err != nil {
		return err
	}
	rd := tbl.Reader()
	model, _, err := km.FitReport(ctx, rd)
	rd.Release()
	if err != nil {
		return err
	}
	out, err := model.Transform(ctx, rec)
	if err != nil {
		return err
	}
	defer out.Release()
	labels, err := table.Float64s(out.Column(1))
	if err != nil {
		return err
	}
	clear(resp)
	for i, l := range labels {
		c := int(l)
		if c < 0 || c >= k || l != math.Trunc(l) {
			return fmt.Errorf("k-means label %v", l)
		}
		resp[i*k+c] = 1
	}
	return nil
}
