package imputer

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
)

// Kind names.
const (
	Kind      = "imputer"
	ModelKind = "imputer_model"
)

// Strategies.
const (
	Mean         = "mean"
	Median       = "median"
	MostFrequent = "most_frequent"
	Constant     = "constant"
)

// Params.
var (
	Strategy  = param.New("strategy", "how the surrogate is computed", Mean, param.OneOf(Mean, Median, MostFrequent, Constant))
	FillValue = param.New("fill_value", "the surrogate of strategy constant", 0.0, param.Func("finite", func(v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("must be finite, got %v", v)
		}
		return nil
	}))
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Learns a surrogate (mean, median, most frequent or constant) per numeric column (sklearn SimpleImputer).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: ModelKind, Doc: "Replaces nulls and NaN of numeric columns with learned surrogates.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

type cols struct {
	param.HasInputCols
	param.HasOutputCols
	param.HasModelVersionCol
	params *param.Set
}

func (c *cols) init(kind string, values map[string]any) error {
	c.params = param.NewSet(kind, &c.HasInputCols, &c.HasOutputCols, &c.HasModelVersionCol, Strategy, FillValue)
	if err := c.params.SetMap(values); err != nil {
		return err
	}
	if len(c.OutputCols()) != len(c.InputCols()) {
		return &param.Error{Kind: kind, Param: param.OutputCols.Name(),
			Err: fmt.Errorf("has %d columns for %d input_cols", len(c.OutputCols()), len(c.InputCols()))}
	}
	return nil
}

// Params returns the params.
func (c *cols) Params() *param.Set { return c.params }

// Imputer is the imputer estimator.
type Imputer struct{ cols }

// New builds an imputer from param values.
func New(values map[string]any) (*Imputer, error) {
	s := &Imputer{}
	if err := s.init(Kind, values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Imputer) Kind() string { return Kind }

// Fit computes one surrogate per input column.
func (s *Imputer) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	names := s.InputCols()
	idx := make([]int, len(names))
	for k, name := range names {
		var err error
		if idx[k], err = vecutil.NumericField(r.Schema(), name); err != nil {
			return nil, fmt.Errorf("stage %q: fit: %w", Kind, err)
		}
	}
	strategy := Strategy.Get(s.params)
	sums := make([]float64, len(names))
	counts := make([]int, len(names))
	var kept [][]float64
	if strategy == Median || strategy == MostFrequent {
		kept = make([][]float64, len(names))
	}
	var buf []float64
	for r.Next() {
		rec := r.Record()
		for k, c := range idx {
			arr := rec.Column(c)
			vals, err := vecutil.Float64Column(buf, arr)
			if err != nil {
				return nil, fmt.Errorf("stage %q: fit: column %q: %w", Kind, names[k], err)
			}
			if _, ok := arr.(*array.Float64); !ok {
				buf = vals
			}
			nulls := arr.NullN() > 0
			for i, v := range vals {
				if v != v || nulls && arr.IsNull(i) {
					continue
				}
				sums[k] += v
				counts[k]++
				if kept != nil {
					kept[k] = append(kept[k], v)
				}
			}
		}
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("stage %q: fit: %w", Kind, err)
	}
	sur := make([]float64, len(names))
	for k := range names {
		if counts[k] == 0 && strategy != Constant {
			return nil, fmt.Errorf("stage %q: fit: column %q has no non-missing values", Kind, names[k])
		}
		switch strategy {
		case Mean:
			sur[k] = sums[k] / float64(counts[k])
		case Median:
			v := kept[k]
			slices.Sort(v)
			if h := len(v) / 2; len(v)%2 == 1 {
				sur[k] = v[h]
			} else {
				sur[k] = (v[h-1] + v[h]) / 2
			}
		case MostFrequent:
			v := kept[k]
			slices.Sort(v)
			best, bestN := v[0], 0
			for i := 0; i < len(v); {
				j := i
				for j < len(v) && v[j] == v[i] {
					j++
				}
				if j-i > bestN {
					best, bestN = v[i], j-i
				}
				i = j
			}
			sur[k] = best
		case Constant:
			sur[k] = FillValue.Get(s.params)
		}
	}
	m, err := NewModel(nil)
	if err != nil {
		return nil, err
	}
	if err := m.params.CopyFrom(s.params); err != nil {
		return nil, err
	}
	rec, err := ModelDataRecord(pipeline.Allocator(ctx), sur)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return m, m.SetModelData(rec)
}

// ModelDataRecord builds imputer_model data from one surrogate per input
// column. The caller owns one Release.
func ModelDataRecord(mem memory.Allocator, surrogates []float64) (arrow.Record, error) {
	return vecutil.FeatureRecord(mem, []string{"surrogate"}, surrogates)
}

// Model is the imputer_model.
type Model struct {
	cols
	state pipeline.ModelState[[]float64]
}

var (
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds an imputer_model (without data) from param values.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	if err := m.init(ModelKind, values); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) Kind() string              { return ModelKind }
func (m *Model) ModelData() []arrow.Record { return m.state.ModelData() }
func (m *Model) ModelVersion() int64       { return m.state.ModelVersion() }

// Surrogates returns a copy of the learned surrogates.
func (m *Model) Surrogates() []float64 {
	if snap := m.state.Load(); snap != nil {
		return slices.Clone(snap.State)
	}
	return nil
}

// SetModelData replaces the surrogates; safe while Transform runs.
func (m *Model) SetModelData(recs ...arrow.Record) error {
	err := m.state.Set(recs, func(data []arrow.Record) ([]float64, error) {
		c, err := vecutil.FeatureColumns(data, "surrogate")
		if err != nil {
			return nil, err
		}
		return c[0], nil
	})
	if err != nil {
		return fmt.Errorf("stage %q: set model data: %w", ModelKind, err)
	}
	return nil
}

func (m *Model) schema(in *arrow.Schema, snap *pipeline.Snapshot[[]float64]) (*arrow.Schema, []int, error) {
	if snap == nil {
		return nil, nil, fmt.Errorf("stage %q: %w", ModelKind, pipeline.ErrNoModelData)
	}
	names := m.InputCols()
	if len(snap.State) != len(names) {
		return nil, nil, fmt.Errorf("stage %q: model has %d surrogates for %d input_cols", ModelKind, len(snap.State), len(names))
	}
	idx := make([]int, len(names))
	fields := make([]arrow.Field, 0, len(names)+1)
	for k, name := range names {
		var err error
		if idx[k], err = vecutil.NumericField(in, name); err != nil {
			return nil, nil, fmt.Errorf("stage %q: %w", ModelKind, err)
		}
		fields = append(fields, arrow.Field{Name: m.OutputCols()[k], Type: arrow.PrimitiveTypes.Float64})
	}
	if vc := m.ModelVersionCol(); vc != "" {
		fields = append(fields, pipeline.VersionField(vc))
	}
	out, err := vecutil.AppendFields(in, fields...)
	if err != nil {
		return nil, nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	return out, idx, nil
}

// OutputSchema appends the float64 output_cols and model_version_col.
func (m *Model) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	s, _, err := m.schema(in, m.state.Load())
	return s, err
}

// Transform appends the imputed columns. rec is borrowed.
func (m *Model) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	snap := m.state.Load()
	schema, idx, err := m.schema(rec.Schema(), snap)
	if err != nil {
		return nil, err
	}
	mem := pipeline.Allocator(ctx)
	n := int(rec.NumRows())
	outs := make([]arrow.Array, 0, len(idx)+1)
	defer func() {
		for _, a := range outs {
			a.Release()
		}
	}()
	var buf []float64
	for k, c := range idx {
		arr := rec.Column(c)
		vals, err := vecutil.Float64Column(buf, arr)
		if err != nil {
			return nil, fmt.Errorf("stage %q: column %q: %w", ModelKind, m.InputCols()[k], err)
		}
		if _, ok := arr.(*array.Float64); !ok {
			buf = vals
		}
		b := memory.NewResizableBuffer(mem)
		b.Resize(n * 8)
		dst := arrow.Float64Traits.CastFromBytes(b.Bytes())[:n]
		sur, nulls := snap.State[k], arr.NullN() > 0
		for i, v := range vals {
			if v != v || nulls && arr.IsNull(i) {
				v = sur
			}
			dst[i] = v
		}
		data := array.NewData(arrow.PrimitiveTypes.Float64, n, []*memory.Buffer{nil, b}, nil, 0, 0)
		b.Release()
		outs = append(outs, array.NewFloat64Data(data))
		data.Release()
	}
	if vc := m.ModelVersionCol(); vc != "" {
		vb := array.NewInt64Builder(mem)
		defer vb.Release()
		vb.Reserve(n)
		for i := 0; i < n; i++ {
			vb.UnsafeAppend(snap.Version)
		}
		outs = append(outs, vb.NewArray())
	}
	return vecutil.AppendColumns(schema, rec, outs...)
}
