package kmeans

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/eddyml/eddy/estimators/internal/scoring"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
)

// Kind names.
const (
	Kind          = "kmeans"
	MiniBatchKind = "mini_batch_kmeans"
	ModelKind     = "kmeans_model"
)

// Init values.
const (
	InitKMeansPlusPlus = "k-means++"
	InitRandom         = "random"
)

// Params (besides features_col, prediction_col, model_version_col and
// seed).
var (
	K       = param.New("k", "number of clusters", 8, param.Gt(0))
	Init    = param.New("init", "initialisation: k-means++ (greedy, 2+ln k local trials) or random (k distinct rows)", InitKMeansPlusPlus, param.OneOf(InitKMeansPlusPlus, InitRandom))
	NInit   = param.New("n_init", "number of initialisations; the run with the smallest inertia wins", 1, param.Gt(0))
	MaxIter = param.New("max_iter", "maximum number of Lloyd iterations per run", 300, param.Gt(0))
	Tol     = param.New("tol", "stop when the sum of squared center shifts is at most tol times the mean feature variance", 1e-4, param.GtEq(0.0))
	// WarmStart is kmeans'; mini_batch_kmeans has MiniBatchWarmStart.
	WarmStart = param.New("warm_start", "start one Lloyd run from the previous Fit's centers or SetInitialCenters' (n_init and init are then unused)", false)

	BatchSize         = param.New("batch_size", "rows per mini-batch", 1024, param.Gt(0))
	MiniBatchMaxIter  = param.New("max_iter", "maximum number of passes over the data (steps = max_iter * rows / batch_size)", 100, param.Gt(0))
	MiniBatchTol      = param.New("tol", "stop when the squared center shift of a step is at most tol times the mean feature variance; 0 disables", 0.0, param.GtEq(0.0))
	MaxNoImprovement  = param.New("max_no_improvement", "stop after this many steps without improvement of the smoothed batch inertia; 0 disables", 10, param.GtEq(0))
	InitSize          = param.New("init_size", "rows sampled to initialise (0: 3*batch_size, at least 3*k)", 0, param.GtEq(0))
	ReassignmentRatio = param.New("reassignment_ratio", "centers with a count below this fraction of the largest move to random rows", 0.01, param.GtEq(0.0))

	MiniBatchWarmStart = param.New("warm_start", "continue the mini-batch updates from the centers and counts of the previous Fit or of SetInitialModel (init, n_init and init_size are then unused)", false)
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "k-means clustering: k-means++ initialisation and Lloyd iterations, as scikit-learn's KMeans.",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: MiniBatchKind, Doc: "Mini-batch k-means, as scikit-learn's MiniBatchKMeans.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewMiniBatch(p) }})
	registry.MustRegister(registry.Spec{Kind: ModelKind, Doc: "Assigns each row the id of its nearest k-means center.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// Report is what a fit reports.
type Report struct {
	Inertia float64 // sum of squared distances of the training rows to their centers
	Iter    int     // Lloyd iterations (mini-batch: steps) of the winning run
	Best    int     // index of the winning initialisation
}

type common struct {
	param.HasFeaturesCol
	param.HasPredictionCol
	param.HasModelVersionCol
	param.HasSeed
}

func (c *common) decls() []param.Declarer {
	return []param.Declarer{&c.HasFeaturesCol, &c.HasPredictionCol, &c.HasModelVersionCol, &c.HasSeed}
}

// KMeans is the kmeans estimator.
type KMeans struct {
	common
	params *param.Set

	mu   sync.Mutex
	init []float64 // warm start centers, k × d
	d    int
}

var _ pipeline.Estimator = (*KMeans)(nil)

// New builds a kmeans estimator from param values.
func New(values map[string]any) (*KMeans, error) {
	s := &KMeans{}
	s.params = param.NewSet(Kind, append(s.decls(), K, Init, NInit, MaxIter, Tol, WarmStart)...)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *KMeans) Kind() string       { return Kind }
func (s *KMeans) Params() *param.Set { return s.params }

// SetK sets k.
func (s *KMeans) SetK(v int) error { return K.Set(s.params, v) }

// SetNInit sets n_init.
func (s *KMeans) SetNInit(v int) error { return NInit.Set(s.params, v) }

// SetMaxIter sets max_iter.
func (s *KMeans) SetMaxIter(v int) error { return MaxIter.Set(s.params, v) }

// SetTol sets tol.
func (s *KMeans) SetTol(v float64) error { return Tol.Set(s.params, v) }

// SetWarmStart sets warm_start.
func (s *KMeans) SetWarmStart(v bool) error { return WarmStart.Set(s.params, v) }

// SetInitialCenters makes the next Fit with warm_start run Lloyd from
// these centers (as scikit-learn's KMeans(init=centers, n_init=1)): k
// centers of the data's dimension. nil forgets them.
func (s *KMeans) SetInitialCenters(centers [][]float64) error {
	if centers == nil {
		s.mu.Lock()
		s.init, s.d = nil, 0
		s.mu.Unlock()
		return nil
	}
	d := len(centers[0])
	flat := make([]float64, 0, len(centers)*d)
	for c, row := range centers {
		if len(row) != d || d == 0 {
			return fmt.Errorf("stage %q: initial center %d has %d values, center 0 has %d", Kind, c, len(row), d)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("stage %q: initial center %d value %d is %v", Kind, c, j, v)
			}
		}
		flat = append(flat, row...)
	}
	s.mu.Lock()
	s.init, s.d = flat, d
	s.mu.Unlock()
	return nil
}

// SetInitialModel is SetInitialCenters with m's centers.
func (s *KMeans) SetInitialModel(m *Model) error {
	if m == nil {
		return s.SetInitialCenters(nil)
	}
	return s.SetInitialCenters(m.Centers())
}

// SetInitialModelData is SetInitialCenters from kmeans_model data
// (borrowed; see ModelDataRecord).
func (s *KMeans) SetInitialModelData(data ...arrow.Record) error {
	st, err := decode(data)
	if err != nil {
		return fmt.Errorf("stage %q: initial model data: %w", Kind, err)
	}
	s.mu.Lock()
	s.init, s.d = slices.Clone(st.centers), st.d
	s.mu.Unlock()
	return nil
}

// Fit reads r (borrowed) into memory and clusters it.
func (s *KMeans) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	m, _, err := s.FitReport(ctx, r)
	return m, err
}

// FitReport is Fit that also reports the inertia and iterations.
func (s *KMeans) FitReport(ctx context.Context, r table.Reader) (*Model, Report, error) {
	fail := func(err error) (*Model, Report, error) {
		return nil, Report{}, fmt.Errorf("stage %q: fit: %w", Kind, err)
	}
	m, k, release, err := readData(r, s.FeaturesCol(), s.params)
	defer release()
	if err != nil {
		return fail(err)
	}
	best, rep, err := s.run(ctx, m, k)
	if err != nil {
		return fail(err)
	}
	model, err := newFitted(ctx, s.params, best.centers, best.counts, m.d)
	if err != nil {
		return fail(err)
	}
	return model, rep, nil
}

// run clusters m: n_init Lloyd runs (or one from the warm-start centers),
// keeping the best, which becomes the next warm start with warm_start.
func (s *KMeans) run(ctx context.Context, m data, k int) (lloydResult, Report, error) {
	rng := newRand(s.Seed())
	tol := tolerance(m, Tol.Get(s.params))
	var best lloydResult
	var rep Report
	runs := NInit.Get(s.params)
	warm := WarmStart.Get(s.params)
	var start []float64
	if warm {
		s.mu.Lock()
		var sd int
		start, sd = s.init, s.d
		s.mu.Unlock()
		if start != nil {
			if sd != m.d || len(start) != k*m.d {
				return lloydResult{}, Report{}, fmt.Errorf("warm start: %d initial centers of dimension %d, want k=%d of the data's %d", len(start)/max(sd, 1), sd, k, m.d)
			}
			runs = 1
		}
	}
	for run := range runs {
		var centers []float64
		if start != nil {
			centers = slices.Clone(start)
		} else {
			centers = initCenters(m, nil, k, Init.Get(s.params), rng)
		}
		res, err := lloyd(ctx, m, centers, k, MaxIter.Get(s.params), tol)
		if err != nil {
			return lloydResult{}, Report{}, err
		}
		if run == 0 || res.inertia < best.inertia {
			best = res
			rep = Report{Inertia: res.inertia, Iter: res.iter, Best: run}
		}
	}
	if warm {
		s.mu.Lock()
		s.init, s.d = slices.Clone(best.centers), m.d
		s.mu.Unlock()
	}
	return best, rep, nil
}

// FitRows clusters the rows listed in rows of the row-major matrix x (d
// values per row) exactly as FitReport would a table of those rows, with
// the same params and seed, but without copying them. It returns the
// centers (k × d, row-major), each listed row's cluster and squared
// distance to its center, and the report. Package bisectingkmeans fits
// its 2-means splits with it. x must hold finite values (FitReport
// rejects NaN and infinite features; FitRows does not look).
func (s *KMeans) FitRows(ctx context.Context, x []float64, d int, rows []int) (centers []float64, labels []int32, dist []float64, rep Report, err error) {
	fail := func(err error) ([]float64, []int32, []float64, Report, error) {
		return nil, nil, nil, Report{}, fmt.Errorf("stage %q: fit: %w", Kind, err)
	}
	if d <= 0 || len(x)%d != 0 {
		return fail(fmt.Errorf("%d values are not rows of %d", len(x), d))
	}
	for _, i := range rows {
		if i < 0 || i*d >= len(x) {
			return fail(fmt.Errorf("row %d out of range [0, %d)", i, len(x)/d))
		}
	}
	k := K.Get(s.params)
	if k > len(rows) {
		return fail(fmt.Errorf("param %q is %d but there are only %d rows", K.Name(), k, len(rows)))
	}
	best, rep, err := s.run(ctx, data{x: x, n: len(rows), d: d, idx: rows}, k)
	if err != nil {
		return fail(err)
	}
	return best.centers, best.labels, best.dist, rep, nil
}

// readData reads the training matrix (read-only: see scoring.ReadFeatures;
// call release when done with it, also on error).
func readData(r table.Reader, col string, ps *param.Set) (m data, k int, release func(), err error) {
	x, n, d, release, err := scoring.ReadFeatures(r, col)
	if err != nil {
		return data{}, 0, release, err
	}
	k = K.Get(ps)
	if k > n {
		return data{}, 0, release, fmt.Errorf("param %q is %d but there are only %d rows", K.Name(), k, n)
	}
	return data{x: x, n: n, d: d}, k, release, nil
}

// newRand is the estimators' generator: PCG seeded from seed.
func newRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x9E3779B97F4A7C15))
}

func initCenters(m data, idx []int, k int, how string, rng *rand.Rand) []float64 {
	if how == InitKMeansPlusPlus {
		return plusPlus(m, idx, k, rng)
	}
	n := m.n
	if idx != nil {
		n = len(idx)
	}
	centers := make([]float64, 0, k*m.d)
	for _, i := range rng.Perm(n)[:k] {
		if idx != nil {
			i = idx[i]
		}
		centers = append(centers, m.row(i)...)
	}
	return centers
}

func newFitted(ctx context.Context, from *param.Set, centers, counts []float64, d int) (*Model, error) {
	model, err := NewModel(nil)
	if err != nil {
		return nil, err
	}
	if err := model.params.CopyFrom(from); err != nil {
		return nil, err
	}
	rec, err := ModelDataRecord(pipeline.Allocator(ctx), centers, counts, d)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	if err := model.SetModelData(rec); err != nil {
		return nil, err
	}
	return model, nil
}

// MiniBatchKMeans is the mini_batch_kmeans estimator.
type MiniBatchKMeans struct {
	common
	params *param.Set

	// warm is what the next Fit continues from when warm_start is set:
	// the last fitted model's centers and counts or SetInitialModel's.
	mu   sync.Mutex
	warm *state
}

var _ pipeline.Estimator = (*MiniBatchKMeans)(nil)

// NewMiniBatch builds a mini_batch_kmeans estimator from param values.
func NewMiniBatch(values map[string]any) (*MiniBatchKMeans, error) {
	s := &MiniBatchKMeans{}
	s.params = param.NewSet(MiniBatchKind, append(s.decls(), K, Init, NInit, MiniBatchMaxIter, MiniBatchTol,
		BatchSize, MaxNoImprovement, InitSize, ReassignmentRatio, MiniBatchWarmStart)...)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *MiniBatchKMeans) Kind() string       { return MiniBatchKind }
func (s *MiniBatchKMeans) Params() *param.Set { return s.params }

// SetWarmStart sets warm_start.
func (s *MiniBatchKMeans) SetWarmStart(v bool) error { return MiniBatchWarmStart.Set(s.params, v) }

// SetInitialModel makes the next Fit with warm_start continue the
// mini-batch updates from m's centers, with m's weights (the training
// rows of each cluster) as the centers' counts; nil forgets them. The fit
// must have m's k and feature count.
func (s *MiniBatchKMeans) SetInitialModel(m *Model) error {
	if m == nil {
		s.setWarm(nil)
		return nil
	}
	return s.SetInitialModelData(m.ModelData()...)
}

// SetInitialModelData is SetInitialModel from kmeans_model data
// (borrowed; see ModelDataRecord).
func (s *MiniBatchKMeans) SetInitialModelData(data ...arrow.Record) error {
	fail := func(err error) error {
		return fmt.Errorf("stage %q: initial model data: %w", MiniBatchKind, err)
	}
	st, err := decode(data)
	if err != nil {
		return fail(err)
	}
	for i, v := range st.centers {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fail(fmt.Errorf("center %d value %d is %v", i/st.d, i%st.d, v))
		}
	}
	for c, v := range st.weights {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fail(fmt.Errorf("center %d has weight %v, want a count >= 0", c, v))
		}
	}
	s.setWarm(&state{centers: slices.Clone(st.centers), weights: slices.Clone(st.weights), k: st.k, d: st.d})
	return nil
}

func (s *MiniBatchKMeans) setWarm(st *state) {
	s.mu.Lock()
	s.warm = st
	s.mu.Unlock()
}

// start returns copies of the centers and counts to continue from when
// warm_start is set and there are some, after checking k and the data's
// dimension d.
func (s *MiniBatchKMeans) start(k, d int) (centers, counts []float64, err error) {
	if !MiniBatchWarmStart.Get(s.params) {
		return nil, nil, nil
	}
	s.mu.Lock()
	w := s.warm
	s.mu.Unlock()
	switch {
	case w == nil:
		return nil, nil, nil
	case w.k != k:
		return nil, nil, fmt.Errorf("warm start: the initial model has %d centers, param %q is %d", w.k, K.Name(), k)
	case w.d != d:
		return nil, nil, fmt.Errorf("warm start: the initial model has %d features, the data %d", w.d, d)
	}
	// The updates write both; the originals stay the start of later fits.
	return slices.Clone(w.centers), slices.Clone(w.weights), nil
}

// Fit reads r (borrowed) into memory and clusters it.
func (s *MiniBatchKMeans) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	m, _, err := s.FitReport(ctx, r)
	return m, err
}

// FitReport is Fit that also reports the inertia (over all rows, with the
// final centers) and the number of steps.
func (s *MiniBatchKMeans) FitReport(ctx context.Context, r table.Reader) (*Model, Report, error) {
	fail := func(err error) (*Model, Report, error) {
		return nil, Report{}, fmt.Errorf("stage %q: fit: %w", MiniBatchKind, err)
	}
	m, k, release, err := readData(r, s.FeaturesCol(), s.params)
	defer release()
	if err != nil {
		return fail(err)
	}
	centers, counts, err := s.start(k, m.d)
	if err != nil {
		return fail(err)
	}
	rng := newRand(s.Seed())
	batch := min(BatchSize.Get(s.params), m.n)
	steps := MiniBatchMaxIter.Get(s.params) * m.n / batch
	tol := tolerance(m, MiniBatchTol.Get(s.params))
	var iter int
	var prior []float64
	if centers != nil {
		// As scikit-learn's partial_fit: no initialisation, the counts
		// weigh the centers against the new rows.
		prior = slices.Clone(counts)
		iter, err = miniBatchFrom(ctx, m, centers, counts, k, batch, max(steps, 1), tol, ReassignmentRatio.Get(s.params), MaxNoImprovement.Get(s.params), rng)
	} else {
		centers, iter, err = s.coldMiniBatch(ctx, m, k, batch, max(steps, 1), tol, rng)
	}
	if err != nil {
		return fail(err)
	}
	inertia, weights := assignAll(m, centers, k)
	// A continued model's weights count the rows of every fit it came
	// from, each once (the steps draw rows many times).
	for c, v := range prior {
		weights[c] += v
	}
	model, err := newFitted(ctx, s.params, centers, weights, m.d)
	if err != nil {
		return fail(err)
	}
	if MiniBatchWarmStart.Get(s.params) {
		// The model's data holds the same centers and counts, so a
		// saved model continues as this estimator would.
		s.setWarm(&state{centers: centers, weights: weights, k: k, d: m.d})
	}
	return model, Report{Inertia: inertia, Iter: iter}, nil
}

// coldMiniBatch initialises the centers on samples and runs the
// mini-batch updates from them.
func (s *MiniBatchKMeans) coldMiniBatch(ctx context.Context, m data, k, batch, steps int, tol float64, rng *rand.Rand) ([]float64, int, error) {
	initSize := InitSize.Get(s.params)
	if initSize == 0 {
		initSize = 3 * batch
		if initSize < k {
			initSize = 3 * k
		}
	}
	initSize = max(min(initSize, m.n), k)
	// As scikit-learn: candidates are compared on a validation sample.
	valIdx := sample(rng, m.n, initSize)
	val := subset(m, valIdx)
	var centers []float64
	bestInertia := math.Inf(1)
	for range NInit.Get(s.params) {
		idx := sample(rng, m.n, initSize)
		c := initCenters(m, idx, k, Init.Get(s.params), rng)
		if in, _ := assignAll(val, c, k); in < bestInertia {
			centers, bestInertia = c, in
		}
	}
	iter, err := miniBatch(ctx, m, centers, k, batch, steps, tol, ReassignmentRatio.Get(s.params), MaxNoImprovement.Get(s.params), rng)
	return centers, iter, err
}

// sample draws k row indices in [0, n) with replacement.
func sample(rng *rand.Rand, n, k int) []int {
	idx := make([]int, k)
	for i := range idx {
		idx[i] = rng.IntN(n)
	}
	return idx
}

func subset(m data, idx []int) data {
	x := make([]float64, 0, len(idx)*m.d)
	for _, i := range idx {
		x = append(x, m.row(i)...)
	}
	return data{x: x, n: len(idx), d: m.d}
}
