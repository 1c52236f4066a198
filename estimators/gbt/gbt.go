package gbt

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/estimators/internal/trees"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
)

// Kind names.
const (
	ClassifierKind      = "gbt_classifier"
	ClassifierModelKind = "gbt_classifier_model"
	RegressorKind       = "gbt_regressor"
	RegressorModelKind  = "gbt_regressor_model"
)

// Early stopping modes.
const (
	EarlyStoppingAuto = "auto"
	EarlyStoppingOn   = "on"
	EarlyStoppingOff  = "off"
)

// Params (besides the shared column params and seed).
var (
	LearningRate = param.New("learning_rate", "shrinkage applied to every leaf value", 0.1, param.Gt(0.0))
	MaxIter      = param.New("max_iter", "boosting iterations (one tree per class and iteration for multiclass)", 100, param.Gt(0))
	MaxLeafNodes = param.New("max_leaf_nodes", "maximum leaves per tree; 0 is unlimited", 31,
		param.Func("0 or at least 2", func(v int) error {
			if v != 0 && v < 2 {
				return fmt.Errorf("got %d", v)
			}
			return nil
		}))
	MaxDepth         = param.New("max_depth", "maximum depth of a tree; 0 is unlimited", 0, param.GtEq(0))
	MinSamplesLeaf   = param.New("min_samples_leaf", "each leaf keeps at least this many rows", 20, param.GtEq(1))
	L2Regularization = param.New("l2_regularization", "λ added to the hessian sum of every leaf", 0.0, param.GtEq(0.0))
	MaxBins          = param.New("max_bins", "bins per feature, from quantiles", 255, param.InRange(2, 255))
	EarlyStopping    = param.New("early_stopping", "auto (on above 10000 rows), on or off", EarlyStoppingAuto,
		param.OneOf(EarlyStoppingAuto, EarlyStoppingOn, EarlyStoppingOff))
	ValidationFraction = param.New("validation_fraction", "share of rows held out for early stopping", 0.1,
		param.Func("in (0, 1)", func(v float64) error {
			if !(v > 0 && v < 1) {
				return fmt.Errorf("got %v", v)
			}
			return nil
		}))
	NIterNoChange = param.New("n_iter_no_change", "stop when the validation loss has not improved by tol in this many iterations", 10, param.Gt(0))
	Tol           = param.New("tol", "improvement of the validation loss that counts", 1e-7, param.GtEq(0.0))
	WarmStart     = param.New("warm_start", "add trees to the previous Fit's ensemble (or SetInitialModel's) up to max_iter iterations", false)
)

func boostParams() []param.Declarer {
	return []param.Declarer{LearningRate, MaxIter, MaxLeafNodes, MaxDepth, MinSamplesLeaf, L2Regularization, MaxBins,
		EarlyStopping, ValidationFraction, NIterNoChange, Tol}
}

// estimatorParams are an estimator's params besides the column params and
// seed: warm_start, then its model's.
func estimatorParams() []param.Declarer { return append([]param.Declarer{WarmStart}, boostParams()...) }

func init() {
	registry.MustRegister(registry.Spec{Kind: ClassifierKind,
		Doc: "Histogram-based gradient boosted trees for classification (log loss, softmax), as scikit-learn's HistGradientBoostingClassifier.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewClassifier(p) }})
	registry.MustRegister(registry.Spec{Kind: ClassifierModelKind,
		Doc: "Predicts the class, margins and class probabilities of fitted gradient boosted trees.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewClassifierModel(p) }})
	registry.MustRegister(registry.Spec{Kind: RegressorKind,
		Doc: "Histogram-based gradient boosted trees for regression (squared error), as scikit-learn's HistGradientBoostingRegressor.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewRegressor(p) }})
	registry.MustRegister(registry.Spec{Kind: RegressorModelKind,
		Doc: "Predicts with fitted gradient boosted regression trees.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewRegressorModel(p) }})
}

// classifierEstimator and regressorEstimator hold an estimator's column
// params, seed and param set.
type (
	classifierEstimator = trees.ClassifierEstimator
	regressorEstimator  = trees.RegressorEstimator
)

// Classifier is the gbt_classifier estimator. Besides the
// methods below it has Kind, Params, and the getters and setters of the
// features, label, weight, prediction, raw prediction, probability and
// model version columns and of the seed.
type Classifier struct {
	classifierEstimator
	warm trees.Warm
}

var _ pipeline.Estimator = (*Classifier)(nil)

// NewClassifier builds a gbt_classifier from param values.
func NewClassifier(values map[string]any) (*Classifier, error) {
	return trees.NewEstimator[Classifier](ClassifierKind, values, estimatorParams()...)
}

// SetMaxIter sets max_iter.
func (s *Classifier) SetMaxIter(v int) error { return MaxIter.Set(s.Params(), v) }

// SetLearningRate sets learning_rate.
func (s *Classifier) SetLearningRate(v float64) error { return LearningRate.Set(s.Params(), v) }

// SetEarlyStopping sets early_stopping (auto, on, off).
func (s *Classifier) SetEarlyStopping(v string) error { return EarlyStopping.Set(s.Params(), v) }

// Fit reads r (borrowed) into memory and boosts.
func (s *Classifier) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	m, _, err := s.FitReport(ctx, r)
	return m, err
}

// FitReport is Fit returning the concrete model and the training report.
func (s *Classifier) FitReport(ctx context.Context, r table.Reader) (*ClassifierModel, Report, error) {
	var rep Report
	m, err := trees.Fit(ctx, s, r, NewClassifierModel, func(t *trees.Training) (e *trees.Ensemble, err error) {
		e, rep, err = warmBoost(ctx, &s.warm, s.Params(), t, s.Seed())
		return e, err
	})
	if err != nil {
		return nil, Report{}, err
	}
	return m, rep, nil
}

// SetWarmStart sets warm_start.
func (s *Classifier) SetWarmStart(v bool) error { return WarmStart.Set(s.Params(), v) }

// SetInitialModel makes the next Fit with warm_start add trees to m's
// ensemble (nil forgets it).
func (s *Classifier) SetInitialModel(m *ClassifierModel) error {
	if m == nil {
		s.warm.Set(nil)
		return nil
	}
	return s.SetInitialModelData(m.ModelData()...)
}

// SetInitialModelData is SetInitialModel from gbt_classifier_model data
// (borrowed).
func (s *Classifier) SetInitialModelData(data ...arrow.Record) error {
	return s.warm.SetData(s, true, data)
}

// ClassifierModel is the gbt_classifier_model.
type ClassifierModel struct {
	*trees.ClassifierModel
}

// NewClassifierModel builds a gbt_classifier_model without data.
func NewClassifierModel(values map[string]any) (*ClassifierModel, error) {
	m, err := trees.NewClassifierModel(ClassifierModelKind, true, values, boostParams()...)
	if err != nil {
		return nil, err
	}
	return &ClassifierModel{m}, nil
}

// Regressor is the gbt_regressor estimator. Besides the methods
// below it has Kind, Params, and the getters and setters of the features,
// label, weight, prediction and model version columns and of the seed.
type Regressor struct {
	regressorEstimator
	warm trees.Warm
}

var _ pipeline.Estimator = (*Regressor)(nil)

// NewRegressor builds a gbt_regressor from param values.
func NewRegressor(values map[string]any) (*Regressor, error) {
	return trees.NewEstimator[Regressor](RegressorKind, values, estimatorParams()...)
}

// SetMaxIter sets max_iter.
func (s *Regressor) SetMaxIter(v int) error { return MaxIter.Set(s.Params(), v) }

// SetLearningRate sets learning_rate.
func (s *Regressor) SetLearningRate(v float64) error { return LearningRate.Set(s.Params(), v) }

// Fit reads r (borrowed) into memory and boosts.
func (s *Regressor) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	m, _, err := s.FitReport(ctx, r)
	return m, err
}

// FitReport is Fit returning the concrete model and the training report.
func (s *Regressor) FitReport(ctx context.Context, r table.Reader) (*RegressorModel, Report, error) {
	var rep Report
	m, err := trees.Fit(ctx, s, r, NewRegressorModel, func(t *trees.Training) (e *trees.Ensemble, err error) {
		e, rep, err = warmBoost(ctx, &s.warm, s.Params(), t, s.Seed())
		return e, err
	})
	if err != nil {
		return nil, Report{}, err
	}
	return m, rep, nil
}

// SetWarmStart sets warm_start.
func (s *Regressor) SetWarmStart(v bool) error { return WarmStart.Set(s.Params(), v) }

// SetInitialModel makes the next Fit with warm_start add trees to m's
// ensemble (nil forgets it).
func (s *Regressor) SetInitialModel(m *RegressorModel) error {
	if m == nil {
		s.warm.Set(nil)
		return nil
	}
	return s.SetInitialModelData(m.ModelData()...)
}

// SetInitialModelData is SetInitialModel from gbt_regressor_model data
// (borrowed).
func (s *Regressor) SetInitialModelData(data ...arrow.Record) error {
	return s.warm.SetData(s, true, data)
}

// RegressorModel is the gbt_regressor_model.
type RegressorModel struct {
	*trees.RegressorModel
}

// NewRegressorModel builds a gbt_regressor_model without data.
func NewRegressorModel(values map[string]any) (*RegressorModel, error) {
	m, err := trees.NewRegressorModel(RegressorModelKind, true, values, boostParams()...)
	if err != nil {
		return nil, err
	}
	return &RegressorModel{m}, nil
}

// Report tells how boosting went.
type Report struct {
	Iterations     int       // boosting iterations in the ensemble (with warm start, the initial ones too)
	EarlyStopped   bool      // stopped before max_iter by early stopping
	TrainLoss      []float64 // mean training loss: before the first tree this Fit adds, then after each iteration
	ValidationLoss []float64 // mean validation loss, same indexing (early stopping only)
}

// warmBoost boosts from the warm-start ensemble when warm_start is set,
// and keeps the result as the next one.
func warmBoost(ctx context.Context, w *trees.Warm, p *param.Set, t *trees.Training, seed int64) (*trees.Ensemble, Report, error) {
	var rep Report
	e, err := w.Fit(WarmStart.Get(p), func(prev *trees.Ensemble) (e *trees.Ensemble, err error) {
		e, rep, err = boost(ctx, p, t, seed, prev)
		return e, err
	})
	return e, rep, err
}

// checkWarm checks that prev can be continued on t with nout outputs
// and at most maxIter iterations.
func checkWarm(prev *trees.Ensemble, t *trees.Training, nout, maxIter int) error {
	if err := trees.CheckWarm(prev, t); err != nil {
		return err
	}
	if len(prev.Baseline) != nout || len(prev.Trees)%nout != 0 {
		return fmt.Errorf("warm start: the initial model has %d outputs and %d trees, want %d outputs", len(prev.Baseline), len(prev.Trees), nout)
	}
	if it := len(prev.Trees) / nout; it > maxIter {
		return fmt.Errorf("warm start: max_iter %d is below the %d iterations of the initial model", maxIter, it)
	}
	return nil
}

// boost runs gradient boosting on t (t.K > 0: log loss, else squared
// error), adding to prev's trees when prev is not nil.
func boost(ctx context.Context, p *param.Set, t *trees.Training, seed int64, prev *trees.Ensemble) (*trees.Ensemble, Report, error) {
	var rep Report
	rng := rand.New(rand.NewPCG(uint64(seed), 0x676274))
	n, d := t.N, t.D
	// Early stopping split (stratified for classification).
	es := EarlyStopping.Get(p)
	early := es == EarlyStoppingOn || (es == EarlyStoppingAuto && n > 10000)
	var train, valid []int32
	if early {
		train, valid = split(t, ValidationFraction.Get(p), rng)
		if len(train) == 0 || len(valid) == 0 {
			return nil, rep, fmt.Errorf("validation_fraction %v leaves an empty training or validation set", ValidationFraction.Get(p))
		}
	} else {
		train = make([]int32, n)
		for i := range train {
			train[i] = int32(i)
		}
	}
	maxBins := MaxBins.Get(p)
	// Bin edges from the training rows.
	gr := &grower{n: n, d: d, bins: make([]uint8, n*d), nbins: make([]int, d), edges: make([][]float64, d), workers: 2,
		cfg: growConfig{maxLeaves: MaxLeafNodes.Get(p), maxDepth: MaxDepth.Get(p), minLeaf: MinSamplesLeaf.Get(p),
			l2: L2Regularization.Get(p), lr: LearningRate.Get(p)}}
	// Features are binned on two goroutines (even and odd features).
	binFeatures := func(first int) {
		col := make([]float64, len(train))
		for f := first; f < d; f += 2 {
			for k, i := range train {
				col[k] = t.X[int(i)*d+f]
			}
			gr.edges[f] = binThresholds(col, maxBins)
			gr.nbins[f] = len(gr.edges[f]) + 1
			b := gr.bins[f*n : (f+1)*n]
			for i := range n {
				b[i] = binOf(gr.edges[f], t.X[i*d+f])
			}
		}
	}
	binned := make(chan struct{})
	go func() {
		defer close(binned)
		binFeatures(1)
	}()
	binFeatures(0)
	<-binned
	nout := 1
	if t.K > 2 {
		nout = t.K
	}
	if prev != nil {
		if err := checkWarm(prev, t, nout, MaxIter.Get(p)); err != nil {
			return nil, rep, err
		}
	}
	w := func(i int32) float64 {
		if t.W == nil {
			return 1
		}
		return t.W[i]
	}
	// Baseline.
	base := make([]float64, nout)
	var wsum float64
	for _, i := range train {
		wsum += w(i)
	}
	switch {
	case t.K == 0:
		for _, i := range train {
			base[0] += w(i) * t.Y[i] / wsum
		}
	case t.K == 2:
		var p1 float64
		for _, i := range train {
			p1 += w(i) * float64(t.Class[i]) / wsum
		}
		p1 = math.Min(math.Max(p1, 1e-15), 1-1e-15)
		base[0] = math.Log(p1 / (1 - p1))
	default:
		for _, i := range train {
			base[t.Class[i]] += w(i) / wsum
		}
		for k := range base {
			base[k] = math.Log(math.Max(base[k], 1e-15))
		}
	}
	start := 0
	if prev != nil {
		base = slices.Clone(prev.Baseline)
		start = len(prev.Trees) / nout
	}
	raw := make([]float64, n*nout) // raw scores of every row (train and validation)
	for i := range n {
		copy(raw[i*nout:(i+1)*nout], base)
	}
	e := &trees.Ensemble{Baseline: base, Dim: d, Labels: t.Labels}
	if prev != nil {
		// The raw scores of the initial trees, added tree by tree as
		// boosting adds them, on two goroutines.
		e.Trees = slices.Clone(prev.Trees)
		parallelRows(n, func(lo, hi int) {
			for ti := range e.Trees {
				tree, k := &e.Trees[ti], ti%nout
				for i := lo; i < hi; i++ {
					raw[i*nout+k] += tree.LeafValue(t.X[i*d : (i+1)*d])[0]
				}
			}
		})
	}
	gr.g, gr.h = make([]float64, n*nout), make([]float64, n*nout)
	grads := make([][]float64, nout)
	hess := make([][]float64, nout)
	for k := range nout {
		grads[k], hess[k] = make([]float64, n), make([]float64, n)
	}
	prob := make([]float64, max(t.K, 1))
	lossOf := func(rows []int32) float64 {
		var l, ws float64
		for _, i := range rows {
			wi := w(i)
			ws += wi
			r := raw[int(i)*nout : (int(i)+1)*nout]
			switch {
			case t.K == 0:
				l += wi * (r[0] - t.Y[i]) * (r[0] - t.Y[i]) / 2
			case t.K == 2:
				z := r[0]
				if t.Class[i] == 1 {
					z = -z
				}
				l += wi * log1pExp(z)
			default:
				trees.Softmax(prob, r)
				l -= wi * math.Log(math.Max(prob[t.Class[i]], 1e-300))
			}
		}
		return l / ws
	}
	// The training loss is reported on at most 10000 evenly spaced
	// training rows, as scikit-learn scores a 10000-row subsample.
	trainSample := train
	if len(train) > 10000 {
		trainSample = make([]int32, 10000)
		for k := range trainSample {
			trainSample[k] = train[k*len(train)/10000]
		}
	}
	rep.TrainLoss = append(rep.TrainLoss, lossOf(trainSample))
	if early {
		rep.ValidationLoss = append(rep.ValidationLoss, lossOf(valid))
	}
	gradients := func(rows []int32, prob []float64) {
		for _, i := range rows {
			r := raw[int(i)*nout : (int(i)+1)*nout]
			wi := w(i)
			switch {
			case t.K == 0:
				grads[0][i], hess[0][i] = f32(wi*(r[0]-t.Y[i])), wi
			case t.K == 2:
				pr := trees.Sigmoid(r[0])
				grads[0][i], hess[0][i] = f32(wi*(pr-float64(t.Class[i]))), f32(wi*pr*(1-pr))
			default:
				trees.Softmax(prob, r)
				for k := range nout {
					y := 0.0
					if int(t.Class[i]) == k {
						y = 1
					}
					grads[k][i], hess[k][i] = f32(wi*(prob[k]-y)), f32(wi*prob[k]*(1-prob[k]))
				}
			}
		}
	}
	rows := make([]int32, len(train))
	gr.identity = len(train) == n // train is then 0..n-1
	nIter, tol := NIterNoChange.Get(p), Tol.Get(p)
	rep.Iterations = start
	for it := start; it < MaxIter.Get(p); it++ {
		if err := ctx.Err(); err != nil {
			return nil, rep, err
		}
		// Gradients and hessians of the loss at the current raw scores, on
		// two goroutines for large inputs (each writes its own rows).
		if len(train) >= 1<<14 {
			half := len(train) / 2
			done := make(chan struct{})
			go func() {
				defer close(done)
				gradients(train[half:], make([]float64, max(t.K, 1)))
			}()
			gradients(train[:half], prob)
			<-done
		} else {
			gradients(train, prob)
		}
		for k := range nout {
			gr.g, gr.h = grads[k], hess[k]
			copy(rows, train)
			tree, leaves := gr.grow(rows)
			// The leaves' segments tile gr.rows: each half of it is
			// updated by its own goroutine.
			gr.halves(len(rows), func(lo, hi int) {
				for _, lf := range leaves {
					a, b := max(lf.start, lo), min(lf.end, hi)
					if a >= b {
						continue
					}
					v := tree.Value[lf.id]
					for _, i := range gr.rows[a:b] {
						raw[int(i)*nout+k] += v
					}
				}
			})
			for _, i := range valid {
				raw[int(i)*nout+k] += tree.LeafValue(t.X[int(i)*d : (int(i)+1)*d])[0]
			}
			e.Trees = append(e.Trees, tree)
		}
		rep.Iterations++
		rep.TrainLoss = append(rep.TrainLoss, lossOf(trainSample))
		if early {
			rep.ValidationLoss = append(rep.ValidationLoss, lossOf(valid))
			if shouldStop(rep.ValidationLoss, nIter, tol) {
				rep.EarlyStopped = true
				break
			}
		}
	}
	return e, rep, nil
}

// parallelRows runs f on two halves of [0, n) concurrently for large n.
func parallelRows(n int, f func(lo, hi int)) {
	if n < 1<<12 {
		f(0, n)
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(n/2, n)
	}()
	f(0, n/2)
	<-done
}

// shouldStop is scikit-learn's rule on losses (lower is better): stop
// when none of the last n losses is below the one n+1 back minus tol.
func shouldStop(losses []float64, n int, tol float64) bool {
	if len(losses) <= n {
		return false
	}
	ref := losses[len(losses)-n-1] - tol
	for _, l := range losses[len(losses)-n:] {
		if l < ref {
			return false
		}
	}
	return true
}

// split holds out a fraction of the rows, per class for classification,
// chosen by rng.
func split(t *trees.Training, frac float64, rng *rand.Rand) (train, valid []int32) {
	groups := map[int32][]int32{}
	for i := range t.N {
		c := int32(0)
		if t.K > 0 {
			c = t.Class[i]
		}
		groups[c] = append(groups[c], int32(i))
	}
	keys := make([]int32, 0, len(groups))
	for c := range groups {
		keys = append(keys, c)
	}
	slices.Sort(keys)
	for _, c := range keys {
		g := groups[c]
		rng.Shuffle(len(g), func(a, b int) { g[a], g[b] = g[b], g[a] })
		nv := int(math.Round(frac * float64(len(g))))
		valid = append(valid, g[:nv]...)
		train = append(train, g[nv:]...)
	}
	slices.Sort(train)
	slices.Sort(valid)
	return train, valid
}

func log1pExp(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// f32 rounds to float32: scikit-learn keeps gradients and hessians in
// float32 (G_H_DTYPE), and matching its rounding makes near-tied splits
// go the same way.
func f32(v float64) float64 { return float64(float32(v)) }
