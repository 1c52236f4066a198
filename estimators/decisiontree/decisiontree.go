package decisiontree

import (
	"context"
	"fmt"
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

func treeParams(crit param.Declarer) []param.Declarer {
	return []param.Declarer{crit, MaxDepth, MinSamplesSplit, MinSamplesLeaf, MinImpurityDecrease, MaxFeatures}
}

// Classifier is the decision_tree_classifier estimator.
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
}

var _ pipeline.Estimator = (*Classifier)(nil)

// NewClassifier builds a decision_tree_classifier from param values.
func NewClassifier(values map[string]any) (*Classifier, error) {
	s := &Classifier{}
	decls := append([]param.Declarer{&s.HasFeaturesCol, &s.HasLabelCol, &s.HasWeightCol, &s.HasPredictionCol,
		&s.HasRawPredictionCol, &s.HasProbabilityCol, &s.HasModelVersionCol, &s.HasSeed}, treeParams(Criterion)...)
	s.params = param.NewSet(ClassifierKind, decls...)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Classifier) Kind() string       { return ClassifierKind }
func (s *Classifier) Params() *param.Set { return s.params }

// SetMaxDepth sets max_depth (0: unlimited).
func (s *Classifier) SetMaxDepth(v int) error { return MaxDepth.Set(s.params, v) }

// SetCriterion sets criterion (gini or entropy).
func (s *Classifier) SetCriterion(v string) error { return Criterion.Set(s.params, v) }

// SetMinSamplesLeaf sets min_samples_leaf.
func (s *Classifier) SetMinSamplesLeaf(v int) error { return MinSamplesLeaf.Set(s.params, v) }

// SetMaxFeatures sets max_features.
func (s *Classifier) SetMaxFeatures(v string) error { return MaxFeatures.Set(s.params, v) }

// Fit reads r (borrowed) into memory and grows the tree.
func (s *Classifier) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	return s.FitTree(ctx, r)
}

// FitTree is Fit returning the concrete model.
func (s *Classifier) FitTree(ctx context.Context, r table.Reader) (*ClassifierModel, error) {
	fail := func(err error) (*ClassifierModel, error) {
		return nil, fmt.Errorf("stage %q: fit: %w", ClassifierKind, err)
	}
	t, err := trees.Read(r, s.FeaturesCol(), s.LabelCol(), s.WeightCol(), true)
	if err != nil {
		return fail(err)
	}
	e, err := grow(ctx, s.params, t, Criterion.Get(s.params), s.Seed())
	if err != nil {
		return fail(err)
	}
	e.Labels = t.Labels
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

// Config returns the CART settings of params for d features.
func config(p *param.Set, crit string, d int) (trees.Config, error) {
	mf, err := trees.ResolveMaxFeatures(MaxFeatures.Get(p), d)
	if err != nil {
		return trees.Config{}, err
	}
	return trees.Config{Criterion: crit, MaxDepth: MaxDepth.Get(p), MinSamplesSplit: MinSamplesSplit.Get(p),
		MinSamplesLeaf: MinSamplesLeaf.Get(p), MinImpurityDecrease: MinImpurityDecrease.Get(p), MaxFeatures: mf}, nil
}

func grow(ctx context.Context, p *param.Set, t *trees.Training, crit string, seed int64) (*trees.Ensemble, error) {
	cfg, err := config(p, crit, t.D)
	if err != nil {
		return nil, err
	}
	t.XT = trees.Transpose(t.X, t.N, t.D)
	t.Presort()
	tree := trees.Build(&t.Data, t.W, cfg, rand.New(rand.NewPCG(uint64(seed), 0x7472656573)))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &trees.Ensemble{Trees: []trees.Tree{tree}, Dim: t.D}, nil
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

// Regressor is the decision_tree_regressor estimator.
type Regressor struct {
	param.HasFeaturesCol
	param.HasLabelCol
	param.HasWeightCol
	param.HasPredictionCol
	param.HasModelVersionCol
	param.HasSeed
	params *param.Set
}

var _ pipeline.Estimator = (*Regressor)(nil)

// NewRegressor builds a decision_tree_regressor from param values.
func NewRegressor(values map[string]any) (*Regressor, error) {
	s := &Regressor{}
	decls := append([]param.Declarer{&s.HasFeaturesCol, &s.HasLabelCol, &s.HasWeightCol, &s.HasPredictionCol,
		&s.HasModelVersionCol, &s.HasSeed}, treeParams(RegressorCriterion)...)
	s.params = param.NewSet(RegressorKind, decls...)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Regressor) Kind() string       { return RegressorKind }
func (s *Regressor) Params() *param.Set { return s.params }

// SetMaxDepth sets max_depth (0: unlimited).
func (s *Regressor) SetMaxDepth(v int) error { return MaxDepth.Set(s.params, v) }

// SetMinSamplesLeaf sets min_samples_leaf.
func (s *Regressor) SetMinSamplesLeaf(v int) error { return MinSamplesLeaf.Set(s.params, v) }

// Fit reads r (borrowed) into memory and grows the tree.
func (s *Regressor) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	return s.FitTree(ctx, r)
}

// FitTree is Fit returning the concrete model.
func (s *Regressor) FitTree(ctx context.Context, r table.Reader) (*RegressorModel, error) {
	fail := func(err error) (*RegressorModel, error) {
		return nil, fmt.Errorf("stage %q: fit: %w", RegressorKind, err)
	}
	t, err := trees.Read(r, s.FeaturesCol(), s.LabelCol(), s.WeightCol(), false)
	if err != nil {
		return fail(err)
	}
	e, err := grow(ctx, s.params, t, RegressorCriterion.Get(s.params), s.Seed())
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
