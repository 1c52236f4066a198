package knn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/design"
	"github.com/eddyml/eddy/estimators/internal/scoring"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
)

// Kind names.
const (
	Kind      = "knn_classifier"
	ModelKind = "knn_classifier_model"
)

// Weights values.
const (
	WeightsUniform  = "uniform"
	WeightsDistance = "distance"
)

// Params (besides the shared column params).
var (
	K       = param.New("k", "number of neighbours", 5, param.Gt(0))
	Weights = param.New("weights", "uniform (every neighbour votes 1) or distance (votes 1/distance; neighbours at distance 0 take all the vote)",
		WeightsUniform, param.OneOf(WeightsUniform, WeightsDistance))
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "k-nearest-neighbours classifier (brute force, Euclidean), as scikit-learn's KNeighborsClassifier.",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: ModelKind, Doc: "Predicts the class, neighbour votes and class probabilities from the stored training set.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// Classifier is the knn_classifier estimator.
type Classifier struct {
	param.HasFeaturesCol
	param.HasLabelCol
	param.HasPredictionCol
	param.HasRawPredictionCol
	param.HasProbabilityCol
	param.HasModelVersionCol
	params *param.Set
}

var _ pipeline.Estimator = (*Classifier)(nil)

// New builds a knn_classifier from param values.
func New(values map[string]any) (*Classifier, error) {
	s := &Classifier{}
	s.params = param.NewSet(Kind, &s.HasFeaturesCol, &s.HasLabelCol, &s.HasPredictionCol, &s.HasRawPredictionCol,
		&s.HasProbabilityCol, &s.HasModelVersionCol, K, Weights)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Classifier) Kind() string       { return Kind }
func (s *Classifier) Params() *param.Set { return s.params }

// Fit reads r (borrowed) and stores it as the model data.
func (s *Classifier) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	fail := func(err error) (pipeline.Model, error) { return nil, fmt.Errorf("stage %q: fit: %w", Kind, err) }
	if err := design.CheckFeatures(r.Schema(), s.FeaturesCol()); err != nil {
		return fail(err)
	}
	d, err := design.Read(r, s.FeaturesCol(), s.LabelCol(), "")
	if err != nil {
		return fail(err)
	}
	if k := K.Get(s.params); k > d.N {
		return fail(fmt.Errorf("param %q is %d but there are only %d rows", K.Name(), k, d.N))
	}
	m, err := NewModel(nil)
	if err != nil {
		return fail(err)
	}
	if err := m.params.CopyFrom(s.params); err != nil {
		return fail(err)
	}
	rec, err := ModelDataRecord(pipeline.Allocator(ctx), d.X, d.D, d.Y)
	if err != nil {
		return fail(err)
	}
	defer rec.Release()
	if err := m.SetModelData(rec); err != nil {
		return fail(err)
	}
	return m, nil
}

// ModelDataRecord builds knn_classifier_model data: the training set, one
// row per training row with dense vector "features" (x is row-major with
// dim values per row) and float64 "label". The caller owns one Release.
func ModelDataRecord(mem memory.Allocator, x []float64, dim int, labels []float64) (arrow.Record, error) {
	if dim <= 0 || len(x) != dim*len(labels) || len(labels) == 0 {
		return nil, fmt.Errorf("%d feature values of dimension %d for %d labels", len(x), dim, len(labels))
	}
	rows := make([][]float64, len(labels))
	for i := range rows {
		rows[i] = x[i*dim : (i+1)*dim]
	}
	return table.Build(mem, table.DenseCol("features", dim, rows), table.Col("label", labels))
}

type state struct {
	x       []float64
	dim, n  int
	cls     []int32 // class index of each training row
	classes []float64
}

func decode(data []arrow.Record) (state, error) {
	if len(data) != 1 {
		return state{}, fmt.Errorf("want 1 model data record (the training set), got %d", len(data))
	}
	rec := data[0]
	fi, err := table.FieldIndex(rec.Schema(), "features")
	if err != nil {
		return state{}, err
	}
	li, err := table.FieldIndex(rec.Schema(), "label")
	if err != nil {
		return state{}, err
	}
	x, dim, err := table.DenseVectors(rec.Column(fi))
	if err != nil {
		return state{}, fmt.Errorf("column \"features\": %w", err)
	}
	y, err := table.Float64s(rec.Column(li))
	if err != nil {
		return state{}, fmt.Errorf("column \"label\": %w", err)
	}
	if len(y) == 0 || dim == 0 {
		return state{}, errors.New("empty training set")
	}
	classes := slices.Clone(y)
	slices.Sort(classes)
	classes = slices.Compact(classes)
	cls := make([]int32, len(y))
	for i, v := range y {
		c, _ := slices.BinarySearch(classes, v)
		cls[i] = int32(c)
	}
	return state{x: x, dim: dim, n: len(y), cls: cls, classes: classes}, nil
}

// Model is the knn_classifier_model.
type Model struct {
	param.HasFeaturesCol
	param.HasPredictionCol
	param.HasRawPredictionCol
	param.HasProbabilityCol
	param.HasModelVersionCol
	params *param.Set
	state  pipeline.ModelState[state]
}

var (
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds a knn_classifier_model (without data) from param values.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	var lc param.HasLabelCol
	m.params = param.NewSet(ModelKind, &m.HasFeaturesCol, &lc, &m.HasPredictionCol, &m.HasRawPredictionCol,
		&m.HasProbabilityCol, &m.HasModelVersionCol, K, Weights)
	if err := m.params.SetMap(values); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) Kind() string              { return ModelKind }
func (m *Model) Params() *param.Set        { return m.params }
func (m *Model) ModelData() []arrow.Record { return m.state.ModelData() }
func (m *Model) ModelVersion() int64       { return m.state.ModelVersion() }

// SetModelData replaces the training set (see ModelDataRecord).
func (m *Model) SetModelData(recs ...arrow.Record) error {
	if err := m.state.Set(recs, decode); err != nil {
		return fmt.Errorf("stage %q: set model data: %w", ModelKind, err)
	}
	return nil
}

// Labels returns a copy of the class labels.
func (m *Model) Labels() []float64 {
	if snap := m.state.Load(); snap != nil {
		return slices.Clone(snap.State.classes)
	}
	return nil
}

func (m *Model) fields(k int) []arrow.Field {
	return []arrow.Field{scoring.Field(m.PredictionCol(), 0), scoring.Field(m.RawPredictionCol(), k), scoring.Field(m.ProbabilityCol(), k)}
}

// OutputSchema appends prediction, raw prediction (the class votes) and
// probability columns (and the model version column).
func (m *Model) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	snap := m.state.Load()
	if snap == nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, pipeline.ErrNoModelData)
	}
	out, err := scoring.OutputSchema(in, m.FeaturesCol(), m.fields(len(snap.State.classes)), m.ModelVersionCol())
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	return out, nil
}

// parallelMin is the number of distance terms (query rows × training rows
// × dim) above which query rows are split over two goroutines.
const parallelMin = 1 << 18

// Transform finds each row's k nearest training rows and votes.
func (m *Model) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	snap := m.state.Load()
	if snap == nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, pipeline.ErrNoModelData)
	}
	s := snap.State
	schema, err := m.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	x, err := scoring.Features(rec, m.FeaturesCol(), s.dim)
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	k := min(K.Get(m.params), s.n)
	byDist := Weights.Get(m.params) == WeightsDistance
	mem := pipeline.Allocator(ctx)
	n, nc := int(rec.NumRows()), len(s.classes)
	pred := scoring.NewColumn(mem, m.PredictionCol(), 0, n)
	raw := scoring.NewColumn(mem, m.RawPredictionCol(), nc, n)
	prob := scoring.NewColumn(mem, m.ProbabilityCol(), nc, n)
	nparts := 1
	if n > 1 && n*s.n*s.dim >= parallelMin {
		nparts = 2
	}
	var wg sync.WaitGroup
	for p := range nparts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nb := newNeighbours(k)
			for i := n * p / nparts; i < n*(p+1)/nparts; i++ {
				nb.search(s, x[i*s.dim:(i+1)*s.dim])
				pred.Values[i] = nb.vote(s, byDist, raw.Values[i*nc:(i+1)*nc], prob.Values[i*nc:(i+1)*nc])
			}
		}()
	}
	wg.Wait()
	return scoring.Finish(mem, rec, schema, []*scoring.Column{pred, raw, prob}, m.ModelVersionCol(), snap.Version)
}

// neighbours is the k nearest training rows found so far, sorted by
// squared distance then training row index (so equidistant rows keep the
// lower index, a deterministic tie rule).
type neighbours struct {
	idx  []int
	dist []float64
}

func newNeighbours(k int) *neighbours {
	return &neighbours{idx: make([]int, 0, k), dist: make([]float64, 0, k)}
}

func (nb *neighbours) search(s state, q []float64) {
	nb.idx, nb.dist = nb.idx[:0], nb.dist[:0]
	k := cap(nb.idx)
	worst := math.Inf(1)
	d := s.dim
	for t := range s.n {
		row := s.x[t*d : (t+1)*d]
		row = row[:len(q)]
		var dd float64
		for j, v := range q {
			e := v - row[j]
			dd += e * e
		}
		if len(nb.idx) == k && dd >= worst {
			continue
		}
		// Insert keeping (dist, index) order; t is the largest index so far,
		// so it goes after equal distances.
		pos := len(nb.idx)
		for pos > 0 && nb.dist[pos-1] > dd {
			pos--
		}
		if len(nb.idx) < k {
			nb.idx = append(nb.idx, 0)
			nb.dist = append(nb.dist, 0)
		}
		copy(nb.idx[pos+1:], nb.idx[pos:len(nb.idx)-1])
		copy(nb.dist[pos+1:], nb.dist[pos:len(nb.dist)-1])
		nb.idx[pos], nb.dist[pos] = t, dd
		if len(nb.idx) == k {
			worst = nb.dist[k-1]
		}
	}
}

// vote writes the class votes and probabilities and returns the label of
// the largest vote (the smallest label among ties, as scikit-learn's
// argmax).
func (nb *neighbours) vote(s state, byDist bool, votes, prob []float64) float64 {
	clear(votes)
	exact := false
	if byDist {
		for _, dd := range nb.dist {
			if dd == 0 {
				exact = true
				break
			}
		}
	}
	for i, t := range nb.idx {
		w := 1.0
		if byDist {
			switch {
			case exact && nb.dist[i] == 0:
				w = 1
			case exact:
				w = 0
			default:
				w = 1 / math.Sqrt(nb.dist[i])
			}
		}
		votes[s.cls[t]] += w
	}
	var sum float64
	best := 0
	for c, v := range votes {
		sum += v
		if v > votes[best] {
			best = c
		}
	}
	for c, v := range votes {
		prob[c] = v / sum
	}
	return s.classes[best]
}
