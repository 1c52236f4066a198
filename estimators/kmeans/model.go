package kmeans

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/scoring"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

// ModelDataRecord builds kmeans_model data: one row per center with a
// dense vector "center" (centers is k×d row-major) and a float64 "weight"
// (the training rows of the cluster, summed over the fits of a
// warm-started mini-batch model). The caller owns one
// Release.
func ModelDataRecord(mem memory.Allocator, centers, weights []float64, d int) (arrow.Record, error) {
	if d <= 0 || len(centers) == 0 || len(centers)%d != 0 {
		return nil, fmt.Errorf("%d center values for dimension %d", len(centers), d)
	}
	k := len(centers) / d
	if len(weights) != k {
		return nil, fmt.Errorf("%d weights for %d centers", len(weights), k)
	}
	rows := make([][]float64, k)
	for c := range rows {
		rows[c] = centers[c*d : (c+1)*d]
	}
	return table.Build(mem, table.DenseCol("center", d, rows), table.Col("weight", weights))
}

type state struct {
	centers []float64
	weights []float64
	half    []float64
	k, d    int
}

func decode(data []arrow.Record) (state, error) {
	if len(data) != 1 {
		return state{}, fmt.Errorf("want 1 model data record (centers), got %d", len(data))
	}
	rec := data[0]
	ci, err := table.FieldIndex(rec.Schema(), "center")
	if err != nil {
		return state{}, err
	}
	wi, err := table.FieldIndex(rec.Schema(), "weight")
	if err != nil {
		return state{}, err
	}
	centers, d, err := table.DenseVectors(rec.Column(ci))
	if err != nil {
		return state{}, fmt.Errorf("column \"center\": %w", err)
	}
	weights, err := table.Float64s(rec.Column(wi))
	if err != nil {
		return state{}, fmt.Errorf("column \"weight\": %w", err)
	}
	k := int(rec.NumRows())
	if k == 0 || d == 0 {
		return state{}, errors.New("no centers")
	}
	half := make([]float64, k)
	halfNorms(half, centers, d)
	return state{centers: centers, weights: weights, half: half, k: k, d: d}, nil
}

// Model is the kmeans_model: it assigns each row the index of its nearest
// center.
type Model struct {
	param.HasFeaturesCol
	param.HasPredictionCol
	param.HasModelVersionCol
	params *param.Set
	state  pipeline.ModelState[state]
}

var (
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds a kmeans_model (without data) from param values.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	m.params = param.NewSet(ModelKind, &m.HasFeaturesCol, &m.HasPredictionCol, &m.HasModelVersionCol, K)
	if err := m.params.SetMap(values); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) Kind() string              { return ModelKind }
func (m *Model) Params() *param.Set        { return m.params }
func (m *Model) ModelData() []arrow.Record { return m.state.ModelData() }
func (m *Model) ModelVersion() int64       { return m.state.ModelVersion() }

// SetModelData replaces the centers (see ModelDataRecord).
func (m *Model) SetModelData(recs ...arrow.Record) error {
	if err := m.state.Set(recs, decode); err != nil {
		return fmt.Errorf("stage %q: set model data: %w", ModelKind, err)
	}
	return nil
}

// Centers returns a copy of the centers, one slice per cluster; nil
// without data.
func (m *Model) Centers() [][]float64 {
	snap := m.state.Load()
	if snap == nil {
		return nil
	}
	s := snap.State
	out := make([][]float64, s.k)
	for c := range out {
		out[c] = slices.Clone(s.centers[c*s.d : (c+1)*s.d])
	}
	return out
}

// Weights returns a copy of the number of training rows per cluster.
func (m *Model) Weights() []float64 {
	if snap := m.state.Load(); snap != nil {
		return slices.Clone(snap.State.weights)
	}
	return nil
}

// OutputSchema appends the float64 prediction column (the cluster index)
// and the model version column when model_version_col is set.
func (m *Model) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	out, err := scoring.OutputSchema(in, m.FeaturesCol(), []arrow.Field{scoring.Field(m.PredictionCol(), 0)}, m.ModelVersionCol())
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	return out, nil
}

// Transform assigns each row of rec (borrowed) to its nearest center.
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
	x, err := scoring.Features(rec, m.FeaturesCol(), s.d)
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	mem := pipeline.Allocator(ctx)
	n := int(rec.NumRows())
	pred := scoring.NewColumn(mem, m.PredictionCol(), 0, n)
	for i := range n {
		c, _ := nearest(x[i*s.d:(i+1)*s.d], s.centers, s.half, s.d)
		pred.Values[i] = float64(c)
	}
	return scoring.Finish(mem, rec, schema, []*scoring.Column{pred}, m.ModelVersionCol(), snap.Version)
}
