package decisiontree

import (
	"context"
	"math/rand/v2"

	"github.com/eddyml/eddy/estimators/internal/trees"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
)

// Kind names.
const (
	ClassifierKind      = "decision_tree_classifier"
	ClassifierModelKind = "decision_tree_classifier_model"
	RegressorKind       = "decision_tree_regressor"
	RegressorModelKind  = "decision_tree_regressor_model"
)

// Params (besides the shared column params and seed).
var (
	Criterion           = trees.ClassCriterion
	RegressorCriterion  = trees.RegCriterion
	MaxDepth            = trees.MaxDepth
	MinSamplesSplit     = trees.MinSamplesSplit
	MinSamplesLeaf      = trees.MinSamplesLeaf
	MinImpurityDecrease = trees.MinImpurityDecrease
	MaxFeatures         = trees.MaxFeaturesParam("all")
)

func init() {
	registry.MustRegister(registry.Spec{Kind: ClassifierKind,
		Doc: "CART decision tree classifier (gini or entropy, exact splits), as scikit-learn's DecisionTreeClassifier.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewClassifier(p) }})
	registry.MustRegister(registry.Spec{Kind: ClassifierModelKind,
		Doc: "Predicts the class and the class distribution of the leaf of a fitted decision tree.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewClassifierModel(p) }})
	registry.MustRegister(registry.Spec{Kind: RegressorKind,
		Doc: "CART decision tree regressor (squared error, exact splits), as scikit-learn's DecisionTreeRegressor.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewRegressor(p) }})
	registry.MustRegister(registry.Spec{Kind: RegressorModelKind,
		Doc: "Predicts the mean target of the leaf of a fitted decision tree.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewRegressorModel(p) }})
}

// classifierEstimator and regressorEstimator hold an estimator's column
// params, seed and param set.
type (
	classifierEstimator = trees.ClassifierEstimator
	regressorEstimator  = trees.RegressorEstimator
)

func treeParams(crit param.Declarer) []param.Declarer { return trees.CARTParams(crit, MaxFeatures) }

// Classifier is the decision_tree_classifier estimator. Besides the
// methods below it has Kind, Params, and the getters and setters of the
// features, label, weight, prediction, raw prediction, probability and
// model version columns and of the seed.
type Classifier struct {
	classifierEstimator
}

var _ pipeline.Estimator = (*Classifier)(nil)

// NewClassifier builds a decision_tree_classifier from param values.
func NewClassifier(values map[string]any) (*Classifier, error) {
	return trees.NewEstimator[Classifier](ClassifierKind, values, treeParams(Criterion)...)
}

// SetMaxDepth sets max_depth (0: unlimited).
func (s *Classifier) SetMaxDepth(v int) error { return MaxDepth.Set(s.Params(), v) }

// SetCriterion sets criterion (gini or entropy).
func (s *Classifier) SetCriterion(v string) error { return Criterion.Set(s.Params(), v) }

// SetMinSamplesLeaf sets min_samples_leaf.
func (s *Classifier) SetMinSamplesLeaf(v int) error { return MinSamplesLeaf.Set(s.Params(), v) }

// SetMaxFeatures sets max_features.
func (s *Classifier) SetMaxFeatures(v string) error { return MaxFeatures.Set(s.Params(), v) }

// Fit reads r (borrowed) into memory and grows the tree.
func (s *Classifier) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	return s.FitTree(ctx, r)
}

// FitTree is Fit returning the concrete model.
func (s *Classifier) FitTree(ctx context.Context, r table.Reader) (*ClassifierModel, error) {
	return trees.Fit(ctx, s, r, NewClassifierModel, func(t *trees.Training) (*trees.Ensemble, error) {
		return grow(ctx, s.Params(), t, Criterion.Get(s.Params()), s.Seed())
	})
}

// grow grows one tree on t; a classifier's keeps t's labels.
func grow(ctx context.Context, p *param.Set, t *trees.Training, crit string, seed int64) (*trees.Ensemble, error) {
	cfg, err := trees.CARTConfig(p, crit, MaxFeatures.Get(p), t.D)
	if err != nil {
		return nil, err
	}
	t.XT = trees.Transpose(t.X, t.N, t.D)
	t.Presort()
	tree := trees.Build(&t.Data, t.W, cfg, rand.New(rand.NewPCG(uint64(seed), 0x7472656573)))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &trees.Ensemble{Trees: []trees.Tree{tree}, Dim: t.D, Labels: t.Labels}, nil
}

// ClassifierModel is the decision_tree_classifier_model. Its probability
// is the class distribution (weighted) of the leaf a row falls in,
// raw_prediction the same, prediction the most probable class (the
// smallest label on ties).
type ClassifierModel struct {
	*trees.ClassifierModel
}

// NewClassifierModel builds a decision_tree_classifier_model without data.
func NewClassifierModel(values map[string]any) (*ClassifierModel, error) {
	m, err := trees.NewClassifierModel(ClassifierModelKind, false, values, treeParams(Criterion)...)
	if err != nil {
		return nil, err
	}
	return &ClassifierModel{m}, nil
}

// Depth is the depth of the tree (0 without data or for a single leaf).
func (m *ClassifierModel) Depth() int {
	if d := m.Depths(); len(d) > 0 {
		return d[0]
	}
	return 0
}

// Regressor is the decision_tree_regressor estimator. Besides the methods
// below it has Kind, Params, and the getters and setters of the features,
// label, weight, prediction and model version columns and of the seed.
type Regressor struct {
	regressorEstimator
}

var _ pipeline.Estimator = (*Regressor)(nil)

// NewRegressor builds a decision_tree_regressor from param values.
func NewRegressor(values map[string]any) (*Regressor, error) {
	return trees.NewEstimator[Regressor](RegressorKind, values, treeParams(RegressorCriterion)...)
}

// SetMaxDepth sets max_depth (0: unlimited).
func (s *Regressor) SetMaxDepth(v int) error { return MaxDepth.Set(s.Params(), v) }

// SetMinSamplesLeaf sets min_samples_leaf.
func (s *Regressor) SetMinSamplesLeaf(v int) error { return MinSamplesLeaf.Set(s.Params(), v) }

// Fit reads r (borrowed) into memory and grows the tree.
func (s *Regressor) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	return s.FitTree(ctx, r)
}

// FitTree is Fit returning the concrete model.
func (s *Regressor) FitTree(ctx context.Context, r table.Reader) (*RegressorModel, error) {
	return trees.Fit(ctx, s, r, NewRegressorModel, func(t *trees.Training) (*trees.Ensemble, error) {
		return grow(ctx, s.Params(), t, RegressorCriterion.Get(s.Params()), s.Seed())
	})
}

// RegressorModel is the decision_tree_regressor_model: prediction is the
// mean target of the leaf a row falls in.
type RegressorModel struct {
	*trees.RegressorModel
}

// NewRegressorModel builds a decision_tree_regressor_model without data.
func NewRegressorModel(values map[string]any) (*RegressorModel, error) {
	m, err := trees.NewRegressorModel(RegressorModelKind, false, values, treeParams(RegressorCriterion)...)
	if err != nil {
		return nil, err
	}
	return &RegressorModel{m}, nil
}

// Depth is the depth of the tree.
func (m *RegressorModel) Depth() int {
	if d := m.Depths(); len(d) > 0 {
		return d[0]
	}
	return 0
}
