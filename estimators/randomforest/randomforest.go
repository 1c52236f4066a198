package randomforest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/estimators/internal/trees"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
)

// Kind names.
const (
	ClassifierKind      = "random_forest_classifier"
	ClassifierModelKind = "random_forest_classifier_model"
	RegressorKind       = "random_forest_regressor"
	RegressorModelKind  = "random_forest_regressor_model"
)

// Params (besides the shared column params and seed).
var (
	Criterion           = trees.ClassCriterion
	RegressorCriterion  = trees.RegCriterion
	MaxDepth            = trees.MaxDepth
	MinSamplesSplit     = trees.MinSamplesSplit
	MinSamplesLeaf      = trees.MinSamplesLeaf
	MinImpurityDecrease = trees.MinImpurityDecrease
	// MaxFeatures defaults to sqrt for classification.
	MaxFeatures = trees.MaxFeaturesParam("sqrt")
	// RegressorMaxFeatures defaults to all features, as scikit-learn 1.x.
	RegressorMaxFeatures = trees.MaxFeaturesParam("all")
	NumEstimators        = param.New("n_estimators", "number of trees", 100, param.Gt(0))
	Bootstrap            = param.New("bootstrap", "grow each tree on n rows drawn with replacement (else on every row)", true)
	Parallelism          = param.New("parallelism", "trees grown at once (0: 2, one per core of the target machine); the forest does not depend on it", 0, param.GtEq(0))
	WarmStart            = param.New("warm_start", "keep the previous Fit's trees (or SetInitialModel's) and grow more up to n_estimators", false)
)

func forestParams(crit, mf param.Declarer) []param.Declarer {
	return []param.Declarer{crit, MaxDepth, MinSamplesSplit, MinSamplesLeaf, MinImpurityDecrease, mf, NumEstimators, Bootstrap, Parallelism}
}

func init() {
	registry.MustRegister(registry.Spec{Kind: ClassifierKind,
		Doc: "Random forest classifier (bootstrap, random feature subsets, CART trees), as scikit-learn's RandomForestClassifier.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewClassifier(p) }})
	registry.MustRegister(registry.Spec{Kind: ClassifierModelKind,
		Doc: "Predicts the class and the averaged class distribution of a fitted random forest.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewClassifierModel(p) }})
	registry.MustRegister(registry.Spec{Kind: RegressorKind,
		Doc: "Random forest regressor (bootstrap, CART trees on squared error), as scikit-learn's RandomForestRegressor.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewRegressor(p) }})
	registry.MustRegister(registry.Spec{Kind: RegressorModelKind,
		Doc: "Predicts the mean of the trees of a fitted random forest.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewRegressorModel(p) }})
}

// Classifier is the random_forest_classifier estimator.
type Classifier struct {
	param.HasFeaturesCol
	param.HasLabelCol
	param.HasWeightCol
	param.HasPredictionCol
	param.HasRawPredictionCol
	param.HasProbabilityCol
	param.HasModelVersionCol
	param.HasSeed
	params *param.Set
	warm   warmState
}

var _ pipeline.Estimator = (*Classifier)(nil)

// NewClassifier builds a random_forest_classifier from param values.
func NewClassifier(values map[string]any) (*Classifier, error) {
	s := &Classifier{}
	decls := append([]param.Declarer{&s.HasFeaturesCol, &s.HasLabelCol, &s.HasWeightCol, &s.HasPredictionCol,
		&s.HasRawPredictionCol, &s.HasProbabilityCol, &s.HasModelVersionCol, &s.HasSeed, WarmStart}, forestParams(Criterion, MaxFeatures)...)
	s.params = param.NewSet(ClassifierKind, decls...)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Classifier) Kind() string       { return ClassifierKind }
func (s *Classifier) Params() *param.Set { return s.params }

// SetNumEstimators sets n_estimators.
func (s *Classifier) SetNumEstimators(v int) error { return NumEstimators.Set(s.params, v) }

// SetMaxFeatures sets max_features.
func (s *Classifier) SetMaxFeatures(v string) error { return MaxFeatures.Set(s.params, v) }

// SetMaxDepth sets max_depth (0: unlimited).
func (s *Classifier) SetMaxDepth(v int) error { return MaxDepth.Set(s.params, v) }

// Fit reads r (borrowed) into memory and grows the forest.
func (s *Classifier) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	return s.FitForest(ctx, r)
}

// FitForest is Fit returning the concrete model.
func (s *Classifier) FitForest(ctx context.Context, r table.Reader) (*ClassifierModel, error) {
	fail := func(err error) (*ClassifierModel, error) {
		return nil, fmt.Errorf("stage %q: fit: %w", ClassifierKind, err)
	}
	t, err := trees.Read(r, s.FeaturesCol(), s.LabelCol(), s.WeightCol(), true)
	if err != nil {
		return fail(err)
	}
	e, err := s.warm.grow(ctx, s.params, t, Criterion.Get(s.params), MaxFeatures.Get(s.params), s.Seed())
	if err != nil {
		return fail(err)
	}
	m, err := NewClassifierModel(nil)
	if err != nil {
		return fail(err)
	}
	if err := m.Params().CopyFrom(s.params); err != nil {
		return fail(err)
	}
	if err := m.SetEnsemble(pipeline.Allocator(ctx), e); err != nil {
		return fail(err)
	}
	return m, nil
}

// warmState is an estimator's warm-start forest.
type warmState struct {
	mu   sync.Mutex
	prev *trees.Ensemble
}

func (w *warmState) set(e *trees.Ensemble) {
	w.mu.Lock()
	w.prev = e
	w.mu.Unlock()
}

// grow grows the forest, from the warm-start trees when warm_start is
// set, keeping the result as the next start.
func (w *warmState) grow(ctx context.Context, p *param.Set, t *trees.Training, crit, maxFeatures string, seed int64) (*trees.Ensemble, error) {
	var prev *trees.Ensemble
	warm := WarmStart.Get(p)
	if warm {
		w.mu.Lock()
		prev = w.prev
		w.mu.Unlock()
	}
	if prev != nil {
		if prev.Dim != t.D {
			return nil, fmt.Errorf("warm start: the initial model has %d features, the data %d", prev.Dim, t.D)
		}
		if !slices.Equal(prev.Labels, t.Labels) {
			return nil, fmt.Errorf("warm start: the initial model has labels %v, the data %v", prev.Labels, t.Labels)
		}
		if nt := NumEstimators.Get(p); len(prev.Trees) > nt {
			return nil, fmt.Errorf("warm start: n_estimators %d is below the %d trees of the initial model", nt, len(prev.Trees))
		}
	}
	e, err := grow(ctx, p, t, crit, maxFeatures, seed, prev)
	if err != nil {
		return nil, err
	}
	e.Labels = t.Labels
	if warm {
		w.set(e)
	}
	return e, nil
}

// grow grows n_estimators trees on two goroutines (or parallelism). Tree
// i draws its bootstrap rows and features from its own generator seeded
// by (seed, i), so the forest does not depend on scheduling; with prev,
// its trees are kept as trees 0..len(prev.Trees)-1 and only the next ones
// are grown.
func grow(ctx context.Context, p *param.Set, t *trees.Training, crit, maxFeatures string, seed int64, prev *trees.Ensemble) (*trees.Ensemble, error) {
	mf, err := trees.ResolveMaxFeatures(maxFeatures, t.D)
	if err != nil {
		return nil, err
	}
	cfg := trees.Config{Criterion: crit, MaxDepth: MaxDepth.Get(p), MinSamplesSplit: MinSamplesSplit.Get(p),
		MinSamplesLeaf: MinSamplesLeaf.Get(p), MinImpurityDecrease: MinImpurityDecrease.Get(p), MaxFeatures: mf}
	t.XT = trees.Transpose(t.X, t.N, t.D)
	t.Presort()
	nt := NumEstimators.Get(p)
	workers := Parallelism.Get(p)
	if workers == 0 {
		workers = 2
	}
	boot := Bootstrap.Get(p)
	out := make([]trees.Tree, nt)
	start := 0
	if prev != nil {
		start = copy(out, prev.Trees)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, nt-start) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := make([]float64, t.N)
			for i := range next {
				rng := rand.New(rand.NewPCG(uint64(seed), uint64(i)+1))
				clear(w)
				if boot {
					for range t.N {
						w[rng.IntN(t.N)]++
					}
				} else {
					for j := range w {
						w[j] = 1
					}
				}
				if t.W != nil {
					for j := range w {
						w[j] *= t.W[j]
					}
				}
				out[i] = trees.Build(&t.Data, w, cfg, rng)
			}
		}()
	}
	var cerr error
	for i := start; i < nt; i++ {
		if cerr = ctx.Err(); cerr != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if cerr != nil {
		return nil, cerr
	}
	return &trees.Ensemble{Trees: out, Dim: t.D}, nil
}

// SetWarmStart sets warm_start.
func (s *Classifier) SetWarmStart(v bool) error { return WarmStart.Set(s.params, v) }

// SetInitialModel makes the next Fit with warm_start keep m's trees and
// grow more (nil forgets them).
func (s *Classifier) SetInitialModel(m *ClassifierModel) error {
	if m == nil {
		s.warm.set(nil)
		return nil
	}
	return s.SetInitialModelData(m.ModelData()...)
}

// SetInitialModelData is SetInitialModel from
// random_forest_classifier_model data (borrowed).
func (s *Classifier) SetInitialModelData(data ...arrow.Record) error {
	e, err := trees.Decode(data, true, false)
	if err != nil {
		return fmt.Errorf("stage %q: initial model data: %w", ClassifierKind, err)
	}
	s.warm.set(e)
	return nil
}

// ClassifierModel is the random_forest_classifier_model: probability is
// the mean over trees of the leaf class distributions, raw_prediction
// their sum, prediction the most probable class.
type ClassifierModel struct {
	*trees.ClassifierModel
}

// NewClassifierModel builds a random_forest_classifier_model without data.
func NewClassifierModel(values map[string]any) (*ClassifierModel, error) {
	m, err := trees.NewClassifierModel(ClassifierModelKind, false, values, forestParams(Criterion, MaxFeatures)...)
	if err != nil {
		return nil, err
	}
	return &ClassifierModel{m}, nil
}

// Regressor is the random_forest_regressor estimator.
type Regressor struct {
	param.HasFeaturesCol
	param.HasLabelCol
	param.HasWeightCol
	param.HasPredictionCol
	param.HasModelVersionCol
	param.HasSeed
	params *param.Set
	warm   warmState
}

var _ pipeline.Estimator = (*Regressor)(nil)

// NewRegressor builds a random_forest_regressor from param values.
func NewRegressor(values map[string]any) (*Regressor, error) {
	s := &Regressor{}
	decls := append([]param.Declarer{&s.HasFeaturesCol, &s.HasLabelCol, &s.HasWeightCol, &s.HasPredictionCol,
		&s.HasModelVersionCol, &s.HasSeed, WarmStart}, forestParams(RegressorCriterion, RegressorMaxFeatures)...)
	s.params = param.NewSet(RegressorKind, decls...)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Regressor) Kind() string       { return RegressorKind }
func (s *Regressor) Params() *param.Set { return s.params }

// SetNumEstimators sets n_estimators.
func (s *Regressor) SetNumEstimators(v int) error { return NumEstimators.Set(s.params, v) }

// Fit reads r (borrowed) into memory and grows the forest.
func (s *Regressor) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	return s.FitForest(ctx, r)
}

// FitForest is Fit returning the concrete model.
func (s *Regressor) FitForest(ctx context.Context, r table.Reader) (*RegressorModel, error) {
	fail := func(err error) (*RegressorModel, error) {
		return nil, fmt.Errorf("stage %q: fit: %w", RegressorKind, err)
	}
	t, err := trees.Read(r, s.FeaturesCol(), s.LabelCol(), s.WeightCol(), false)
	if err != nil {
		return fail(err)
	}
	e, err := s.warm.grow(ctx, s.params, t, RegressorCriterion.Get(s.params), RegressorMaxFeatures.Get(s.params), s.Seed())
	if err != nil {
		return fail(err)
	}
	m, err := NewRegressorModel(nil)
	if err != nil {
		return fail(err)
	}
	if err := m.Params().CopyFrom(s.params); err != nil {
		return fail(err)
	}
	if err := m.SetEnsemble(pipeline.Allocator(ctx), e); err != nil {
		return fail(err)
	}
	return m, nil
}

// SetWarmStart sets warm_start.
func (s *Regressor) SetWarmStart(v bool) error { return WarmStart.Set(s.params, v) }

// SetInitialModel makes the next Fit with warm_start keep m's trees and
// grow more (nil forgets them).
func (s *Regressor) SetInitialModel(m *RegressorModel) error {
	if m == nil {
		s.warm.set(nil)
		return nil
	}
	return s.SetInitialModelData(m.ModelData()...)
}

// SetInitialModelData is SetInitialModel from
// random_forest_regressor_model data (borrowed).
func (s *Regressor) SetInitialModelData(data ...arrow.Record) error {
	e, err := trees.Decode(data, false, false)
	if err != nil {
		return fmt.Errorf("stage %q: initial model data: %w", RegressorKind, err)
	}
	s.warm.set(e)
	return nil
}

// RegressorModel is the random_forest_regressor_model: prediction is the
// mean of the trees' leaf values.
type RegressorModel struct {
	*trees.RegressorModel
}

// NewRegressorModel builds a random_forest_regressor_model without data.
func NewRegressorModel(values map[string]any) (*RegressorModel, error) {
	m, err := trees.NewRegressorModel(RegressorModelKind, false, values, forestParams(RegressorCriterion, RegressorMaxFeatures)...)
	if err != nil {
		return nil, err
	}
	return &RegressorModel{m}, nil
}
