package isotonicregression

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/scoring"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

// ModelDataRecord builds isotonic_regression_model data: one row per
// boundary with float64 "boundary" (strictly increasing) and float64
// "prediction". The caller owns one Release.
func ModelDataRecord(mem memory.Allocator, boundaries, predictions []float64) (arrow.Record, error) {
	if _, err := check(boundaries, predictions); err != nil {
		return nil, err
	}
	return table.Build(mem, table.Col("boundary", boundaries), table.Col("prediction", predictions))
}

type state struct {
	x, y []float64
}

func check(x, y []float64) (state, error) {
	if len(x) == 0 || len(x) != len(y) {
		return state{}, fmt.Errorf("%d boundaries and %d predictions, want the same number > 0", len(x), len(y))
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return state{}, fmt.Errorf("boundary %d: (%v, %v) is not finite", i, v, y[i])
		}
		if i > 0 && !(v > x[i-1]) {
			return state{}, fmt.Errorf("boundary %d: %v is not greater than %v", i, v, x[i-1])
		}
	}
	return state{x: x, y: y}, nil
}

func decode(data []arrow.Record) (state, error) {
	if len(data) != 1 {
		return state{}, fmt.Errorf("want 1 model data record, got %d", len(data))
	}
	rec := data[0]
	var cols [2][]float64
	for k, name := range []string{"boundary", "prediction"} {
		i, err := table.FieldIndex(rec.Schema(), name)
		if err != nil {
			return state{}, err
		}
		if cols[k], err = table.Float64s(rec.Column(i)); err != nil {
			return state{}, fmt.Errorf("column %q: %w", name, err)
		}
	}
	return check(cols[0], cols[1])
}

// predict interpolates linearly (np.interp: exact at boundaries).
func (s *state) predict(v float64, mode string) (float64, error) {
	x, y := s.x, s.y
	n := len(x)
	switch {
	case math.IsNaN(v):
		return v, nil
	case v < x[0] || v > x[n-1]:
		switch mode {
		case OutClip:
			if v < x[0] {
				return y[0], nil
			}
			return y[n-1], nil
		case OutRaise:
			return 0, fmt.Errorf("feature %v outside the training range [%v, %v]", v, x[0], x[n-1])
		}
		return math.NaN(), nil
	case n == 1 || v == x[n-1]:
		return y[n-1], nil
	}
	// j: the last boundary <= v.
	j := sort.SearchFloat64s(x, v)
	if x[j] == v {
		return y[j], nil
	}
	j--
	slope := (y[j+1] - y[j]) / (x[j+1] - x[j])
	return slope*(v-x[j]) + y[j], nil
}

// Model is the isotonic_regression_model.
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

// NewModel builds an isotonic_regression_model (without data) from param
// values.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	m.params = param.NewSet(ModelKind, &m.HasFeaturesCol, &m.HasPredictionCol, &m.HasModelVersionCol, FeatureIndex, OutOfBounds)
	if err := m.params.SetMap(boolToString(values)); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) Kind() string              { return ModelKind }
func (m *Model) Params() *param.Set        { return m.params }
func (m *Model) ModelData() []arrow.Record { return m.state.ModelData() }
func (m *Model) ModelVersion() int64       { return m.state.ModelVersion() }

// SetOutOfBounds sets out_of_bounds (nan, clip or raise).
func (m *Model) SetOutOfBounds(v string) error { return OutOfBounds.Set(m.params, v) }

// SetModelData replaces the boundaries (see ModelDataRecord).
func (m *Model) SetModelData(recs ...arrow.Record) error {
	if err := m.state.Set(recs, decode); err != nil {
		return fmt.Errorf("stage %q: set model data: %w", ModelKind, err)
	}
	return nil
}

// Boundaries returns copies of the boundaries and their fitted values.
func (m *Model) Boundaries() (x, y []float64) {
	if snap := m.state.Load(); snap != nil {
		return slices.Clone(snap.State.x), slices.Clone(snap.State.y)
	}
	return nil, nil
}

// OutputSchema appends the float64 prediction column and the model
// version column when model_version_col is set.
func (m *Model) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := checkFeature(in, m.FeaturesCol()); err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	out, err := pipeline.AppendField(in, scoring.Field(m.PredictionCol(), 0))
	if err == nil && m.ModelVersionCol() != "" {
		out, err = pipeline.AppendField(out, pipeline.VersionField(m.ModelVersionCol()))
	}
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	return out, nil
}

// Transform predicts every row of rec (borrowed).
func (m *Model) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	snap := m.state.Load()
	if snap == nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, pipeline.ErrNoModelData)
	}
	fail := func(err error) (arrow.Record, error) { return nil, fmt.Errorf("stage %q: %w", ModelKind, err) }
	schema, err := m.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	ci, _ := table.FieldIndex(rec.Schema(), m.FeaturesCol())
	var x []float64
	if a, ok := rec.Column(ci).(*array.Float64); ok && a.NullN() == 0 {
		x = a.Float64Values() // no copy for the common float64 column
	} else if x, err = feature(nil, rec, m.FeaturesCol(), FeatureIndex.Get(m.params), 0); err != nil {
		return fail(err)
	}
	mem := pipeline.Allocator(ctx)
	n := int(rec.NumRows())
	pred := scoring.NewColumn(mem, m.PredictionCol(), 0, n)
	mode := OutOfBounds.Get(m.params)
	s := &snap.State
	for i, v := range x[:n] {
		p, err := s.predict(v, mode)
		if err != nil {
			pred.Release()
			return fail(fmt.Errorf("column %q row %d: %w", m.FeaturesCol(), i, err))
		}
		pred.Values[i] = p
	}
	return scoring.Finish(mem, rec, schema, []*scoring.Column{pred}, m.ModelVersionCol(), snap.Version)
}
