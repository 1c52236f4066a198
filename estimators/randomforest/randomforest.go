package randomforest

import (
	"context"
	"fmt"
	"math/rand/v2"
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
	return append(trees.CARTParams(crit, mf), NumEstimators, Bootstrap, Parallelism)
}

// estimatorParams are an estimator's params besides the column params and
// seed: warm_start, then its model's.
func estimatorParams(crit, mf param.Declarer) []param.Declarer {
	return append([]param.Declarer{WarmStart}, forestParams(crit, mf)...)
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

// classifierEstimator and regressorEstimator hold an estimator's column
// params, seed and param set.
type (
	classifierEstimator = trees.ClassifierEstimator
	regressorEstimator  = trees.RegressorEstimator
)

// Classifier is the random_forest_classifier estimator. Besides the
// methods below it has Kind, Params, and the getters and setters of the
// features, label, weight, prediction, raw prediction, probability and
// model version columns and of the seed.
type Classifier struct {
	classifierEstimator
	warm trees.Warm
}

var _ pipeline.Estimator = (*Classifier)(nil)

// NewClassifier builds a random_forest_classifier from param values.
func NewClassifier(values map[string]any) (*Classifier, error) {
	return trees.NewEstimator[Classifier](ClassifierKind, values, estimatorParams(Criterion, MaxFeatures)...)
}

// SetNumEstimators sets n_estimators.
func (s *Classifier) SetNumEstimators(v int) error { return NumEstimators.Set(s.Params(), v) }

// SetMaxFeatures sets max_features.
func (s *Classifier) SetMaxFeatures(v string) error { return MaxFeatures.Set(s.Params(), v) }

// SetMaxDepth sets max_depth (0: unlimited).
func (s *Classifier) SetMaxDepth(v int) error { return MaxDepth.Set(s.Params(), v) }

// Fit reads r (borrowed) into memory and grows the forest.
func (s *Classifier) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	return s.FitForest(ctx, r)
}

// FitForest is Fit returning the concrete model.
func (s *Classifier) FitForest(ctx context.Context, r table.Reader) (*ClassifierModel, error) {
	return trees.Fit(ctx, s, r, NewClassifierModel, func(t *trees.Training) (*trees.Ensemble, error) {
		return warmGrow(ctx, &s.warm, s.Params(), t, Criterion.Get(s.Params()), MaxFeatures.Get(s.Params()), s.Seed())
	})
}

// warmGrow grows the forest, from the warm-start trees when warm_start is
// set, keeping the result as the next start.
func warmGrow(ctx context.Context, w *trees.Warm, p *param.Set, t *trees.Training, crit, maxFeatures string, seed int64) (*trees.Ensemble, error) {
	return w.Fit(WarmStart.Get(p), func(prev *trees.Ensemble) (*trees.Ensemble, error) {
		if prev != nil {
			if err := trees.CheckWarm(prev, t); err != nil {
				return nil, err
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
		return e, nil
	})
}

// grow grows n_estimators trees on two goroutines (or parallelism). Tree
// i draws its bootstrap rows and features from its own generator seeded
// by (seed, i), so the forest does not depend on scheduling; with prev,
// its trees are kept as trees 0..len(prev.Trees)-1 and only the next ones
// are grown.
func grow(ctx context.Context, p *param.Set, t *trees.Training, crit, maxFeatures string, seed int64, prev *trees.Ensemble) (*trees.Ensemble, error) {
	cfg, err := trees.CARTConfig(p, crit, maxFeatures, t.D)
	if err != nil {
		return nil, err
	}
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
func (s *Classifier) SetWarmStart(v bool) error { return WarmStart.Set(s.Params(), v) }

// SetInitialModel makes the next Fit with warm_start keep m's trees and
// grow more (nil forgets them).
func (s *Classifier) SetInitialModel(m *ClassifierModel) error {
	if m == nil {
		s.warm.Set(nil)
		return nil
	}
	return s.SetInitialModelData(m.ModelData()...)
}

// SetInitialModelData is SetInitialModel from
// random_forest_classifier_model data (borrowed).
func (s *Classifier) SetInitialModelData(data ...arrow.Record) error {
	return s.warm.SetData(s, false, data)
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

// Regressor is the random_forest_regressor estimator. Besides the methods
// below it has Kind, Params, and the getters and setters of the features,
// label, weight, prediction and model version columns and of the seed.
type Regressor struct {
	regressorEstimator
	warm trees.Warm
}

var _ pipeline.Estimator = (*Regressor)(nil)

// NewRegressor builds a random_forest_regressor from param values.
func NewRegressor(values map[string]any) (*Regressor, error) {
	return trees.NewEstimator[Regressor](RegressorKind, values, estimatorParams(RegressorCriterion, RegressorMaxFeatures)...)
}

// SetNumEstimators sets n_estimators.
func (s *Regressor) SetNumEstimators(v int) error { return NumEstimators.Set(s.Params(), v) }

// Fit reads r (borrowed) into memory and grows the forest.
func (s *Regressor) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	return s.FitForest(ctx, r)
}

// FitForest is Fit returning the concrete model.
func (s *Regressor) FitForest(ctx context.Context, r table.Reader) (*RegressorModel, error) {
	return trees.Fit(ctx, s, r, NewRegressorModel, func(t *trees.Training) (*trees.Ensemble, error) {
		return warmGrow(ctx, &s.warm, s.Params(), t, RegressorCriterion.Get(s.Params()), RegressorMaxFeatures.Get(s.Params()), s.Seed())
	})
}

// SetWarmStart sets warm_start.
func (s *Regressor) SetWarmStart(v bool) error { return WarmStart.Set(s.Params(), v) }

// SetInitialModel makes the next Fit with warm_start keep m's trees and
// grow more (nil forgets them).
func (s *Regressor) SetInitialModel(m *RegressorModel) error {
	if m == nil {
		s.warm.Set(nil)
		return nil
	}
	return s.SetInitialModelData(m.ModelData()...)
}

// SetInitialModelData is SetInitialModel from
// random_forest_regressor_model data (borrowed).
func (s *Regressor) SetInitialModelData(data ...arrow.Record) error {
	return s.warm.SetData(s, false, data)
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
