// Package toystage holds tiny stages that exercise the Stage API, the
// pipeline, params and save/load in tests, before real transformers
// exist: add_constant (a transformer), mean_center (an estimator) and
// mean_center_model (its model, with model data and a version). They are
// never registered globally: tests call Register on their own environment.
package toystage

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
)

// Kind names.
const (
	KindAddConstant     = "add_constant"
	KindMeanCenter      = "mean_center"
	KindMeanCenterModel = "mean_center_model"
)

// Value is the constant add_constant adds.
var Value = param.New("value", "the constant added to every value", 1.0,
	param.Func("finite", func(v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("must be finite, got %v", v)
		}
		return nil
	}))

// Register adds the three kinds to env.
func Register(env *registry.Environment) error {
	return errors.Join(
		env.Register(registry.Spec{Kind: KindAddConstant, Doc: "Adds a constant to a float64 column.",
			New: func(p map[string]any) (pipeline.Stage, error) { return NewAddConstant(p) }}),
		env.Register(registry.Spec{Kind: KindMeanCenter, Doc: "Learns the mean of a float64 column.",
			New: func(p map[string]any) (pipeline.Stage, error) { return NewMeanCenter(p) }}),
		env.Register(registry.Spec{Kind: KindMeanCenterModel, Doc: "Subtracts a learned mean from a float64 column.",
			New: func(p map[string]any) (pipeline.Stage, error) { return NewMeanCenterModel(p) }}),
	)
}

// AddConstant writes input_col + value to output_col.
type AddConstant struct {
	param.HasInputCol
	param.HasOutputCol
	params *param.Set
}

// NewAddConstant builds an add_constant stage from param values.
func NewAddConstant(values map[string]any) (*AddConstant, error) {
	s := &AddConstant{}
	s.params = param.NewSet(KindAddConstant, &s.HasInputCol, &s.HasOutputCol, Value)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *AddConstant) Kind() string             { return KindAddConstant }
func (s *AddConstant) Params() *param.Set       { return s.params }
func (s *AddConstant) SetValue(v float64) error { return Value.Set(s.params, v) }

func (s *AddConstant) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if _, err := float64Col(in, s.InputCol()); err != nil {
		return nil, err
	}
	return pipeline.AppendField(in, arrow.Field{Name: s.OutputCol(), Type: arrow.PrimitiveTypes.Float64, Nullable: true})
}

func (s *AddConstant) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	schema, err := s.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	i, _ := float64Col(rec.Schema(), s.InputCol())
	return mapColumn(pipeline.Allocator(ctx), rec, schema, i, Value.Get(s.params))
}

// MeanCenter learns the mean of input_col.
type MeanCenter struct {
	param.HasInputCol
	param.HasOutputCol
	param.HasModelVersionCol
	params *param.Set
}

// NewMeanCenter builds a mean_center estimator from param values.
func NewMeanCenter(values map[string]any) (*MeanCenter, error) {
	s := &MeanCenter{}
	s.params = param.NewSet(KindMeanCenter, &s.HasInputCol, &s.HasOutputCol, &s.HasModelVersionCol)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *MeanCenter) Kind() string       { return KindMeanCenter }
func (s *MeanCenter) Params() *param.Set { return s.params }

// Fit computes the mean of the non-null values of input_col.
func (s *MeanCenter) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	col, err := float64Col(r.Schema(), s.InputCol())
	if err != nil {
		return nil, err
	}
	var sum float64
	var n int
	for r.Next() {
		arr := r.Record().Column(col).(*array.Float64)
		for i, v := range arr.Float64Values() {
			if arr.IsValid(i) {
				sum += v
				n++
			}
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("column %q has no values", s.InputCol())
	}
	m, err := NewMeanCenterModel(nil)
	if err != nil {
		return nil, err
	}
	if err := m.params.CopyFrom(s.params); err != nil {
		return nil, err
	}
	rec, err := MeanData(pipeline.Allocator(ctx), sum/float64(n), 1)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return m, m.SetModelData(rec)
}

// MeanData builds mean_center_model data: one row, column "mean", with
// version in the schema metadata.
func MeanData(mem memory.Allocator, mean float64, version int64) (arrow.Record, error) {
	rec, err := table.Build(mem, table.Col("mean", []float64{mean}))
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return pipeline.WithModelVersion(rec, version), nil
}

// MeanCenterModel writes input_col - mean to output_col.
type MeanCenterModel struct {
	param.HasInputCol
	param.HasOutputCol
	param.HasModelVersionCol
	params *param.Set
	state  pipeline.ModelState[float64]
}

var (
	_ pipeline.Model     = (*MeanCenterModel)(nil)
	_ pipeline.Versioned = (*MeanCenterModel)(nil)
)

// NewMeanCenterModel builds a mean_center_model (without data) from param
// values.
func NewMeanCenterModel(values map[string]any) (*MeanCenterModel, error) {
	s := &MeanCenterModel{}
	s.params = param.NewSet(KindMeanCenterModel, &s.HasInputCol, &s.HasOutputCol, &s.HasModelVersionCol)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *MeanCenterModel) Kind() string              { return KindMeanCenterModel }
func (s *MeanCenterModel) Params() *param.Set        { return s.params }
func (s *MeanCenterModel) ModelData() []arrow.Record { return s.state.ModelData() }
func (s *MeanCenterModel) ModelVersion() int64       { return s.state.ModelVersion() }

func (s *MeanCenterModel) SetModelData(recs ...arrow.Record) error {
	return s.state.Set(recs, func(data []arrow.Record) (float64, error) {
		if len(data) != 1 || data[0].NumRows() != 1 || data[0].NumCols() != 1 {
			return 0, errors.New("want one record with one row and one column")
		}
		vals, err := table.Float64s(data[0].Column(0))
		if err != nil {
			return 0, err
		}
		return vals[0], nil
	})
}

func (s *MeanCenterModel) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if _, err := float64Col(in, s.InputCol()); err != nil {
		return nil, err
	}
	out, err := pipeline.AppendField(in, arrow.Field{Name: s.OutputCol(), Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	if err != nil {
		return nil, err
	}
	if vc := s.ModelVersionCol(); vc != "" {
		return pipeline.AppendField(out, pipeline.VersionField(vc))
	}
	return out, nil
}

func (s *MeanCenterModel) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	snap := s.state.Load()
	if snap == nil {
		return nil, pipeline.ErrNoModelData
	}
	in := rec.Schema()
	col, err := float64Col(in, s.InputCol())
	if err != nil {
		return nil, err
	}
	schema, err := pipeline.AppendField(in, arrow.Field{Name: s.OutputCol(), Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	if err != nil {
		return nil, err
	}
	mem := pipeline.Allocator(ctx)
	out, err := mapColumn(mem, rec, schema, col, -snap.State)
	if err != nil || s.ModelVersionCol() == "" {
		return out, err
	}
	defer out.Release()
	return pipeline.AppendVersionColumn(mem, out, s.ModelVersionCol(), snap.Version)
}

func float64Col(s *arrow.Schema, name string) (int, error) {
	i, err := table.FieldIndex(s, name)
	if err != nil {
		return -1, err
	}
	if s.Field(i).Type.ID() != arrow.FLOAT64 {
		return -1, fmt.Errorf("column %q has type %s, want float64", name, s.Field(i).Type)
	}
	return i, nil
}

// mapColumn appends column col + delta to rec, sharing col's validity
// bitmap.
func mapColumn(mem memory.Allocator, rec arrow.Record, schema *arrow.Schema, col int, delta float64) (arrow.Record, error) {
	in := rec.Column(col).(*array.Float64)
	n, off := in.Len(), in.Data().Offset()
	// The values keep the input's offset, so that its validity bitmap
	// can be shared as is.
	buf := memory.NewResizableBuffer(mem)
	buf.Resize((off + n) * 8)
	dst := arrow.Float64Traits.CastFromBytes(buf.Bytes())[off:]
	for i, v := range in.Float64Values() {
		dst[i] = v + delta
	}
	var valid *memory.Buffer
	if in.NullN() > 0 {
		valid = in.Data().Buffers()[0]
	}
	data := array.NewData(arrow.PrimitiveTypes.Float64, n, []*memory.Buffer{valid, buf}, nil, in.NullN(), off)
	buf.Release()
	out := array.NewFloat64Data(data)
	data.Release()
	defer out.Release()
	cols := append(append(make([]arrow.Array, 0, rec.NumCols()+1), rec.Columns()...), out)
	return array.NewRecord(schema, cols, rec.NumRows()), nil
}
