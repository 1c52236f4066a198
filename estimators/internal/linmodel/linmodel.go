package linmodel

import (
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

// Shape checks that nvec weight vectors suit nlabels sorted distinct
// labels (at least 2).
type Shape func(nvec, nlabels int) error

// Coefs is decoded model data: the weight vectors (row-major, one per
// intercept, Dim values each), their intercepts and the class labels.
type Coefs struct {
	Coef       []float64 // len(Intercepts) × Dim
	Intercepts []float64
	Labels     []float64
	Dim        int
}

// Clone returns a deep copy of c.
func (c Coefs) Clone() Coefs {
	return Coefs{Coef: slices.Clone(c.Coef), Intercepts: slices.Clone(c.Intercepts), Labels: slices.Clone(c.Labels), Dim: c.Dim}
}

// Check checks that c was fitted on labels and dim features.
func (c *Coefs) Check(labels []float64, dim int) error {
	if !slices.Equal(c.Labels, labels) {
		return fmt.Errorf("the initial model has labels %v, the data %v", c.Labels, labels)
	}
	if c.Dim != dim {
		return fmt.Errorf("the initial model has %d features, the data %d", c.Dim, dim)
	}
	return nil
}

// Classes returns the sorted distinct labels of y and the index of each
// row's label among them. It needs at least two classes; labelCol names
// the column in the error.
func Classes(y []float64, labelCol string) (labels []float64, cls []int32, err error) {
	labels = slices.Clone(y)
	slices.Sort(labels)
	labels = slices.Compact(labels)
	if len(labels) < 2 {
		return nil, nil, fmt.Errorf("label column %q has only one class (%v): need at least two", labelCol, labels[0])
	}
	cls = make([]int32, len(y))
	for i, v := range y {
		c, _ := slices.BinarySearch(labels, v)
		cls[i] = int32(c)
	}
	return labels, cls, nil
}

// Records builds model data: coefs[v] and intercepts[v] for each weight
// vector and the sorted class labels, checked with shape. The caller owns
// one Release of each record.
func Records(mem memory.Allocator, coefs [][]float64, intercepts, labels []float64, shape Shape) ([]arrow.Record, error) {
	if err := check(coefs, intercepts, labels, shape); err != nil {
		return nil, err
	}
	c, err := table.Build(mem, table.Col("intercept", intercepts), table.DenseCol("coefficients", len(coefs[0]), coefs))
	if err != nil {
		return nil, err
	}
	l, err := table.Build(mem, table.Col("label", labels))
	if err != nil {
		c.Release()
		return nil, err
	}
	return []arrow.Record{c, l}, nil
}

func check(coefs [][]float64, intercepts, labels []float64, shape Shape) error {
	if len(labels) < 2 {
		return fmt.Errorf("%d labels, want at least 2", len(labels))
	}
	if !slices.IsSorted(labels) || len(slices.Compact(slices.Clone(labels))) != len(labels) {
		return errors.New("labels are not sorted and distinct")
	}
	if len(coefs) != len(intercepts) {
		return fmt.Errorf("%d coefficient vectors for %d intercepts", len(coefs), len(intercepts))
	}
	if err := shape(len(coefs), len(labels)); err != nil {
		return err
	}
	for _, c := range coefs {
		if len(c) != len(coefs[0]) {
			return errors.New("coefficient vectors differ in size")
		}
	}
	return nil
}

// Decode decodes model data checked with shape. The slices alias the
// records' buffers.
func Decode(data []arrow.Record, shape Shape) (Coefs, error) {
	if len(data) != 2 {
		return Coefs{}, fmt.Errorf("want 2 model data records (coefficients, labels), got %d", len(data))
	}
	c, l := data[0], data[1]
	ii, err := table.FieldIndex(c.Schema(), "intercept")
	if err != nil {
		return Coefs{}, err
	}
	ci, err := table.FieldIndex(c.Schema(), "coefficients")
	if err != nil {
		return Coefs{}, err
	}
	li, err := table.FieldIndex(l.Schema(), "label")
	if err != nil {
		return Coefs{}, err
	}
	intercepts, err := table.Float64s(c.Column(ii))
	if err != nil {
		return Coefs{}, fmt.Errorf("column \"intercept\": %w", err)
	}
	coef, dim, err := table.DenseVectors(c.Column(ci))
	if err != nil {
		return Coefs{}, fmt.Errorf("column \"coefficients\": %w", err)
	}
	labels, err := table.Float64s(l.Column(li))
	if err != nil {
		return Coefs{}, fmt.Errorf("column \"label\": %w", err)
	}
	if len(intercepts) == 0 {
		return Coefs{}, errors.New("no coefficient vectors")
	}
	coefs := make([][]float64, len(intercepts))
	for v := range coefs {
		coefs[v] = coef[v*dim : (v+1)*dim]
	}
	if err := check(coefs, intercepts, labels, shape); err != nil {
		return Coefs{}, err
	}
	return Coefs{Coef: coef, Intercepts: intercepts, Labels: labels, Dim: dim}, nil
}

// Model is the base of a linear classifier's model: the column params of
// a classifier model, the param set and the model data. Embed it and set
// it up with InitModel.
type Model struct {
	param.HasFeaturesCol
	param.HasPredictionCol
	param.HasRawPredictionCol
	param.HasProbabilityCol
	param.HasModelVersionCol
	kind   string
	shape  Shape
	params *param.Set
	state  pipeline.ModelState[Coefs]
}

// InitModel makes m a model of kind without data whose data is checked
// with shape. It declares features_col, label_col, weight_col (recorded
// only, so that a fitted model records how it was made), prediction_col,
// raw_prediction_col, probability_col and model_version_col, then extra,
// and sets values.
func InitModel(m *Model, kind string, shape Shape, values map[string]any, extra ...param.Declarer) error {
	var lc param.HasLabelCol
	var wc param.HasWeightCol
	m.kind, m.shape = kind, shape
	m.params = param.NewSet(kind, append([]param.Declarer{&m.HasFeaturesCol, &lc, &wc, &m.HasPredictionCol,
		&m.HasRawPredictionCol, &m.HasProbabilityCol, &m.HasModelVersionCol}, extra...)...)
	return m.params.SetMap(values)
}

func (m *Model) Kind() string              { return m.kind }
func (m *Model) Params() *param.Set        { return m.params }
func (m *Model) ModelData() []arrow.Record { return m.state.ModelData() }
func (m *Model) ModelVersion() int64       { return m.state.ModelVersion() }

// SetModelData replaces the model data (see Records).
func (m *Model) SetModelData(recs ...arrow.Record) error {
	err := m.state.Set(recs, func(data []arrow.Record) (Coefs, error) { return Decode(data, m.shape) })
	if err != nil {
		return fmt.Errorf("stage %q: set model data: %w", m.kind, err)
	}
	return nil
}

// Coefficients returns a copy of the weight vectors (coefficient
// vectors); nil without data.
func (m *Model) Coefficients() [][]float64 {
	snap := m.state.Load()
	if snap == nil {
		return nil
	}
	s := snap.State
	out := make([][]float64, len(s.Intercepts))
	for v := range out {
		out[v] = slices.Clone(s.Coef[v*s.Dim : (v+1)*s.Dim])
	}
	return out
}

// Intercepts returns a copy of the intercepts.
func (m *Model) Intercepts() []float64 {
	if snap := m.state.Load(); snap != nil {
		return slices.Clone(snap.State.Intercepts)
	}
	return nil
}

// Labels returns a copy of the class labels.
func (m *Model) Labels() []float64 {
	if snap := m.state.Load(); snap != nil {
		return slices.Clone(snap.State.Labels)
	}
	return nil
}

// Snapshot returns m's current model data (nil without).
func Snapshot(m *Model) *pipeline.Snapshot[Coefs] { return m.state.Load() }

// Fields returns m's output fields for k classes: prediction (float64),
// raw prediction and probability (dense vectors of size k).
func Fields(m *Model, k int) []arrow.Field {
	return []arrow.Field{
		{Name: m.PredictionCol(), Type: arrow.PrimitiveTypes.Float64},
		{Name: m.RawPredictionCol(), Type: table.DenseVectorType(k)},
		{Name: m.ProbabilityCol(), Type: table.DenseVectorType(k)},
	}
}

// SetFitted gives m, a new model, the params of the estimator that fitted
// it and the fitted coefficients (see Records).
func SetFitted(mem memory.Allocator, m *Model, params *param.Set, coefs [][]float64, intercepts, labels []float64) error {
	if err := m.params.CopyFrom(params); err != nil {
		return err
	}
	recs, err := Records(mem, coefs, intercepts, labels, m.shape)
	if err != nil {
		return err
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	return m.SetModelData(recs...)
}

// Warm holds the coefficients a warm-starting estimator's next Fit starts
// from: the last fitted model's or SetInitialModel's. It is safe for
// concurrent use.
type Warm struct {
	init atomic.Pointer[Coefs]
}

// Set makes c the start (nil: none).
func (w *Warm) Set(c *Coefs) { w.init.Store(c) }

// SetData makes a copy of model data (borrowed), checked with shape, the
// start of estimator kind.
func (w *Warm) SetData(kind string, shape Shape, data []arrow.Record) error {
	c, err := Decode(data, shape)
	if err != nil {
		return fmt.Errorf("stage %q: initial model data: %w", kind, err)
	}
	// Decode aliases the records' buffers, which the caller may release.
	c = c.Clone()
	w.Set(&c)
	return nil
}

// Get returns the start (nil: none).
func (w *Warm) Get() *Coefs { return w.init.Load() }
