package trees

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

// Estimator is a tree estimator: a type embedding ClassifierEstimator or
// RegressorEstimator (its unexported methods leave no other way).
type Estimator interface {
	Kind() string
	Params() *param.Set
	base() *estimatorBase
	classify() bool
	declare() []param.Declarer // the column params and seed
}

// estimatorBase is what classifier and regressor estimators share.
type estimatorBase struct {
	kind   string
	params *param.Set
}

func (b *estimatorBase) Kind() string         { return b.kind }
func (b *estimatorBase) Params() *param.Set   { return b.params }
func (b *estimatorBase) base() *estimatorBase { return b }

// ClassifierEstimator holds the column params and seed of a tree
// classifier estimator and its param set. Embed it and build the
// estimator with NewEstimator.
type ClassifierEstimator struct {
	param.HasFeaturesCol
	param.HasLabelCol
	param.HasWeightCol
	param.HasPredictionCol
	param.HasRawPredictionCol
	param.HasProbabilityCol
	param.HasModelVersionCol
	param.HasSeed
	estimatorBase
}

func (s *ClassifierEstimator) classify() bool { return true }

func (s *ClassifierEstimator) declare() []param.Declarer {
	return []param.Declarer{&s.HasFeaturesCol, &s.HasLabelCol, &s.HasWeightCol, &s.HasPredictionCol,
		&s.HasRawPredictionCol, &s.HasProbabilityCol, &s.HasModelVersionCol, &s.HasSeed}
}

// RegressorEstimator is ClassifierEstimator for a regressor: no raw
// prediction and probability columns.
type RegressorEstimator struct {
	param.HasFeaturesCol
	param.HasLabelCol
	param.HasWeightCol
	param.HasPredictionCol
	param.HasModelVersionCol
	param.HasSeed
	estimatorBase
}

func (s *RegressorEstimator) classify() bool { return false }

func (s *RegressorEstimator) declare() []param.Declarer {
	return []param.Declarer{&s.HasFeaturesCol, &s.HasLabelCol, &s.HasWeightCol, &s.HasPredictionCol,
		&s.HasModelVersionCol, &s.HasSeed}
}

// NewEstimator builds an estimator S of kind from param values: it
// declares the column params and seed, then extra, and sets values.
func NewEstimator[S any, PS interface {
	*S
	Estimator
}](kind string, values map[string]any, extra ...param.Declarer) (PS, error) {
	s := PS(new(S))
	b := s.base()
	b.kind = kind
	b.params = param.NewSet(kind, append(s.declare(), extra...)...)
	if err := b.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

// fitted is a tree model as Fit fills it.
type fitted interface {
	Params() *param.Set
	SetEnsemble(mem memory.Allocator, e *Ensemble) error
}

// Fit reads r (borrowed) with s's columns into memory, grows an ensemble
// on it with grow, and returns a new model (from newModel) holding the
// ensemble and s's params. Errors name s's kind.
func Fit[M fitted](ctx context.Context, s Estimator, r table.Reader, newModel func(map[string]any) (M, error),
	grow func(t *Training) (*Ensemble, error)) (M, error) {
	b := s.base()
	fail := func(err error) (M, error) {
		var none M
		return none, fmt.Errorf("stage %q: fit: %w", b.kind, err)
	}
	p := b.params
	t, err := Read(r, param.FeaturesCol.Get(p), param.LabelCol.Get(p), param.WeightCol.Get(p), s.classify())
	if err != nil {
		return fail(err)
	}
	e, err := grow(t)
	if err != nil {
		return fail(err)
	}
	m, err := newModel(nil)
	if err != nil {
		return fail(err)
	}
	if err := m.Params().CopyFrom(p); err != nil {
		return fail(err)
	}
	if err := m.SetEnsemble(pipeline.Allocator(ctx), e); err != nil {
		return fail(err)
	}
	return m, nil
}

// CARTParams are the params of CART tree growth: criterion crit, the
// shared size limits and the max_features param mf.
func CARTParams(crit, mf param.Declarer) []param.Declarer {
	return []param.Declarer{crit, MaxDepth, MinSamplesSplit, MinSamplesLeaf, MinImpurityDecrease, mf}
}

// CARTConfig returns the CART settings of p for criterion crit and
// max_features maxFeatures on d features.
func CARTConfig(p *param.Set, crit, maxFeatures string, d int) (Config, error) {
	mf, err := ResolveMaxFeatures(maxFeatures, d)
	if err != nil {
		return Config{}, err
	}
	return Config{Criterion: crit, MaxDepth: MaxDepth.Get(p), MinSamplesSplit: MinSamplesSplit.Get(p),
		MinSamplesLeaf: MinSamplesLeaf.Get(p), MinImpurityDecrease: MinImpurityDecrease.Get(p), MaxFeatures: mf}, nil
}

// Warm is a warm-starting estimator's initial ensemble: the previous
// Fit's or SetInitialModel's. It is safe for concurrent use.
type Warm struct {
	prev atomic.Pointer[Ensemble]
}

// Set makes e the initial ensemble (nil: none).
func (w *Warm) Set(e *Ensemble) { w.prev.Store(e) }

// SetData makes the trees of model data (borrowed) of s's model, boosted
// or not, the initial ensemble.
func (w *Warm) SetData(s Estimator, boosted bool, data []arrow.Record) error {
	b := s.base()
	e, err := Decode(data, s.classify(), boosted)
	if err != nil {
		return fmt.Errorf("stage %q: initial model data: %w", b.kind, err)
	}
	w.Set(e)
	return nil
}

// Fit runs fit from the initial ensemble when warm (from nil when not)
// and, when warm, keeps its result as the next initial ensemble.
func (w *Warm) Fit(warm bool, fit func(prev *Ensemble) (*Ensemble, error)) (*Ensemble, error) {
	if !warm {
		return fit(nil)
	}
	e, err := fit(w.prev.Load())
	if err != nil {
		return nil, err
	}
	w.Set(e)
	return e, nil
}

// CheckWarm checks that prev was fitted on t's features and labels.
func CheckWarm(prev *Ensemble, t *Training) error {
	if prev.Dim != t.D {
		return fmt.Errorf("warm start: the initial model has %d features, the data %d", prev.Dim, t.D)
	}
	if !slices.Equal(prev.Labels, t.Labels) {
		return fmt.Errorf("warm start: the initial model has labels %v, the data %v", prev.Labels, t.Labels)
	}
	return nil
}
