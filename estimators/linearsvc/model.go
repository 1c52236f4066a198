package linearsvc

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/scoring"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

// ModelDataRecords builds linear_svc_model data: coefs[v] and
// intercepts[v] for each weight vector (one for two classes, one per
// class for one-vs-rest) and the sorted class labels. The caller owns one
// Release of each record.
func ModelDataRecords(mem memory.Allocator, coefs [][]float64, intercepts, labels []float64) ([]arrow.Record, error) {
	if err := checkShape(coefs, intercepts, labels); err != nil {
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

func checkShape(coefs [][]float64, intercepts, labels []float64) error {
	if len(labels) < 2 {
		return fmt.Errorf("%d labels, want at least 2", len(labels))
	}
	if !slices.IsSorted(labels) || len(slices.Compact(slices.Clone(labels))) != len(labels) {
		return errors.New("labels are not sorted and distinct")
	}
	if len(coefs) != len(intercepts) {
		return fmt.Errorf("%d coefficient vectors for %d intercepts", len(coefs), len(intercepts))
	}
	want := len(labels)
	if want == 2 {
		want = 1
	}
	if len(coefs) != want {
		return fmt.Errorf("%d coefficient vectors for %d labels, want %d", len(coefs), len(labels), want)
	}
	for _, c := range coefs {
		if len(c) != len(coefs[0]) {
			return errors.New("coefficient vectors differ in size")
		}
	}
	return nil
}

type state struct {
	coef       []float64
	intercepts []float64
	labels     []float64
	dim        int
}

func decode(data []arrow.Record) (state, error) {
	if len(data) != 2 {
		return state{}, fmt.Errorf("want 2 model data records (coefficients, labels), got %d", len(data))
	}
	c, l := data[0], data[1]
	ii, err := table.FieldIndex(c.Schema(), "intercept")
	if err != nil {
		return state{}, err
	}
	ci, err := table.FieldIndex(c.Schema(), "coefficients")
	if err != nil {
		return state{}, err
	}
	li, err := table.FieldIndex(l.Schema(), "label")
	if err != nil {
		return state{}, err
	}
	intercepts, err := table.Float64s(c.Column(ii))
	if err != nil {
		return state{}, fmt.Errorf("column \"intercept\": %w", err)
	}
	coef, dim, err := table.DenseVectors(c.Column(ci))
	if err != nil {
		return state{}, fmt.Errorf("column \"coefficients\": %w", err)
	}
	labels, err := table.Float64s(l.Column(li))
	if err != nil {
		return state{}, fmt.Errorf("column \"label\": %w", err)
	}
	if len(intercepts) == 0 {
		return state{}, errors.New("no coefficient vectors")
	}
	coefs := make([][]float64, len(intercepts))
	for v := range coefs {
		coefs[v] = coef[v*dim : (v+1)*dim]
	}
	if err := checkShape(coefs, intercepts, labels); err != nil {
		return state{}, err
	}
	return state{coef: coef, intercepts: intercepts, labels: labels, dim: dim}, nil
}

// Model is the linear_svc_model.
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

// NewModel builds a linear_svc_model (without data) from param values.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	var lc param.HasLabelCol
	var wc param.HasWeightCol
	m.params = param.NewSet(ModelKind, &m.HasFeaturesCol, &lc, &wc, &m.HasPredictionCol, &m.HasRawPredictionCol,
		&m.HasProbabilityCol, &m.HasModelVersionCol, MaxIter, Tol, RegParam, FitIntercept, InterceptScaling)
	if err := m.params.SetMap(values); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) Kind() string              { return ModelKind }
func (m *Model) Params() *param.Set        { return m.params }
func (m *Model) ModelData() []arrow.Record { return m.state.ModelData() }
func (m *Model) ModelVersion() int64       { return m.state.ModelVersion() }

// SetModelData replaces the model data (see ModelDataRecords).
func (m *Model) SetModelData(recs ...arrow.Record) error {
	if err := m.state.Set(recs, decode); err != nil {
		return fmt.Errorf("stage %q: set model data: %w", ModelKind, err)
	}
	return nil
}

// Coefficients returns a copy of the weight vectors.
func (m *Model) Coefficients() [][]float64 {
	snap := m.state.Load()
	if snap == nil {
		return nil
	}
	s := snap.State
	out := make([][]float64, len(s.intercepts))
	for v := range out {
		out[v] = slices.Clone(s.coef[v*s.dim : (v+1)*s.dim])
	}
	return out
}

// Intercepts returns a copy of the intercepts.
func (m *Model) Intercepts() []float64 {
	if snap := m.state.Load(); snap != nil {
		return slices.Clone(snap.State.intercepts)
	}
	return nil
}

// Labels returns a copy of the class labels.
func (m *Model) Labels() []float64 {
	if snap := m.state.Load(); snap != nil {
		return slices.Clone(snap.State.labels)
	}
	return nil
}

func (m *Model) fields(k int) []arrow.Field {
	return []arrow.Field{scoring.Field(m.PredictionCol(), 0), scoring.Field(m.RawPredictionCol(), k), scoring.Field(m.ProbabilityCol(), k)}
}

// OutputSchema appends prediction, raw prediction and probability columns
// (and the model version column). It needs model data for the class
// count.
func (m *Model) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	snap := m.state.Load()
	if snap == nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, pipeline.ErrNoModelData)
	}
	out, err := scoring.OutputSchema(in, m.FeaturesCol(), m.fields(len(snap.State.labels)), m.ModelVersionCol())
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	return out, nil
}

// Transform scores rec (borrowed).
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
	mem := pipeline.Allocator(ctx)
	n, k, d := int(rec.NumRows()), len(s.labels), s.dim
	pred := scoring.NewColumn(mem, m.PredictionCol(), 0, n)
	raw := scoring.NewColumn(mem, m.RawPredictionCol(), k, n)
	prob := scoring.NewColumn(mem, m.ProbabilityCol(), k, n)
	for i := range n {
		xi := x[i*d : (i+1)*d]
		r, p := raw.Values[i*k:(i+1)*k], prob.Values[i*k:(i+1)*k]
		if k == 2 {
			z := s.intercepts[0]
			for j, v := range xi {
				z += v * s.coef[j]
			}
			r[0], r[1] = -z, z
			p1 := sigmoid(z)
			p[0], p[1] = 1-p1, p1
			pred.Values[i] = s.labels[0]
			if z > 0 {
				pred.Values[i] = s.labels[1]
			}
			continue
		}
		best := 0
		var sum float64
		for c := range k {
			z := s.intercepts[c]
			for j, v := range xi {
				z += v * s.coef[c*d+j]
			}
			r[c] = z
			if z > r[best] {
				best = c
			}
			p[c] = sigmoid(z)
			sum += p[c]
		}
		for c := range p {
			p[c] /= sum
		}
		pred.Values[i] = s.labels[best]
	}
	return scoring.Finish(mem, rec, schema, []*scoring.Column{pred, raw, prob}, m.ModelVersionCol(), snap.Version)
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
