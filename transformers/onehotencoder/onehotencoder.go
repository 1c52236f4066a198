package onehotencoder

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/catutil"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
)

// Kind names.
const (
	Kind      = "one_hot_encoder"
	KindModel = "one_hot_encoder_model"
)

// DropLast drops the last category (as Flink ML and Spark, default true).
var DropLast = param.New("drop_last", "whether to drop the last category, encoding it as the all-zero vector", true)

// NumCategoriesField is the column of the model data.
const NumCategoriesField = "num_categories"

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind,
		Doc: "Learns the number of categories of index columns (Flink/Spark ML OneHotEncoder).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: KindModel,
		Doc: "Encodes index columns as one-hot sparse vectors (Flink/Spark ML OneHotEncoderModel).",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// OneHotEncoder learns the number of categories of input_cols.
type OneHotEncoder struct {
	param.HasInputCols
	param.HasOutputCols
	param.HasHandleInvalid
	params *param.Set
}

// New builds a one_hot_encoder from param values.
func New(values map[string]any) (*OneHotEncoder, error) {
	s := &OneHotEncoder{}
	s.params = param.NewSet(Kind, &s.HasInputCols, &s.HasOutputCols, &s.HasHandleInvalid, DropLast)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *OneHotEncoder) Kind() string       { return Kind }
func (s *OneHotEncoder) Params() *param.Set { return s.params }

// DropLast tells whether the last category is dropped.
func (s *OneHotEncoder) DropLast() bool { return DropLast.Get(s.params) }

// SetDropLast sets drop_last.
func (s *OneHotEncoder) SetDropLast(v bool) error { return DropLast.Set(s.params, v) }

// Fit finds the largest index of every input column.
func (s *OneHotEncoder) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	in, out := s.InputCols(), s.OutputCols()
	if err := catutil.CheckCols(Kind, in, out); err != nil {
		return nil, err
	}
	idx, err := numericCols(r.Schema(), in)
	if err != nil {
		return nil, err
	}
	maxes := make([]float64, len(in))
	for j := range maxes {
		maxes[j] = -1
	}
	var scratch []float64
	row := 0
	for r.Next() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rec := r.Record()
		for j, c := range idx {
			arr := rec.Column(c)
			vals, err := vecutil.Float64Column(scratch, arr)
			if err != nil {
				return nil, fmt.Errorf("column %q: %w", in[j], err)
			}
			if _, ok := arr.(*array.Float64); !ok {
				scratch = vals
			}
			nulls := arr.NullN() > 0
			for i, v := range vals {
				if math.IsNaN(v) || (nulls && arr.IsNull(i)) {
					continue
				}
				if v < 0 || v != math.Trunc(v) || v >= math.MaxInt32 {
					return nil, vecutil.RowError(in[j], row+i, v, "index must be an integer in [0, 2^31-1)")
				}
				maxes[j] = max(maxes[j], v)
			}
		}
		row += int(rec.NumRows())
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	counts := make([]int32, len(in))
	for j, m := range maxes {
		counts[j] = int32(m + 1)
	}
	m, err := NewModel(nil)
	if err != nil {
		return nil, err
	}
	if err := m.params.CopyFrom(s.params); err != nil {
		return nil, err
	}
	rec := ModelData(pipeline.Allocator(ctx), counts)
	defer rec.Release()
	return m, m.SetModelData(rec)
}

// ModelData returns a model data record giving the number of categories
// of each input column. The caller owns one Release.
func ModelData(mem memory.Allocator, numCategories []int32) arrow.Record {
	rec, _ := table.Build(mem, table.Col(NumCategoriesField, numCategories))
	return rec
}

// Model encodes input_cols as one-hot sparse vectors.
type Model struct {
	param.HasInputCols
	param.HasOutputCols
	param.HasHandleInvalid
	param.HasModelVersionCol
	params *param.Set
	state  pipeline.ModelState[[]int32]
}

var (
	_ pipeline.Estimator = (*OneHotEncoder)(nil)
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds a one_hot_encoder_model (without data) from param values.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	m.params = param.NewSet(KindModel, &m.HasInputCols, &m.HasOutputCols, &m.HasHandleInvalid, DropLast, &m.HasModelVersionCol)
	if err := m.params.SetMap(values); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) Kind() string              { return KindModel }
func (m *Model) Params() *param.Set        { return m.params }
func (m *Model) ModelData() []arrow.Record { return m.state.ModelData() }
func (m *Model) ModelVersion() int64       { return m.state.ModelVersion() }

// DropLast tells whether the last category is dropped.
func (m *Model) DropLast() bool { return DropLast.Get(m.params) }

// SetDropLast sets drop_last.
func (m *Model) SetDropLast(v bool) error { return DropLast.Set(m.params, v) }

// SetModelData sets the number of categories per input column.
func (m *Model) SetModelData(recs ...arrow.Record) error {
	return m.state.Set(recs, func(data []arrow.Record) ([]int32, error) {
		if len(data) != 1 || data[0].NumCols() != 1 || data[0].ColumnName(0) != NumCategoriesField {
			return nil, fmt.Errorf("%s: want one record with one int32 column %q", KindModel, NumCategoriesField)
		}
		vals, err := table.Int32s(data[0].Column(0))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", KindModel, err)
		}
		for j, v := range vals {
			if v < 0 {
				return nil, fmt.Errorf("%s: column %d has %d categories", KindModel, j, v)
			}
		}
		return vals, nil
	})
}

// NumCategories returns the number of categories of each input column, or
// nil without model data.
func (m *Model) NumCategories() []int32 {
	if snap := m.state.Load(); snap != nil {
		return append([]int32(nil), snap.State...)
	}
	return nil
}

func (m *Model) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	ins, outs := m.InputCols(), m.OutputCols()
	if err := catutil.CheckCols(KindModel, ins, outs); err != nil {
		return nil, err
	}
	if _, err := numericCols(in, ins); err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(outs))
	for j, o := range outs {
		fields[j] = catutil.SparseField(o)
	}
	if vc := m.ModelVersionCol(); vc != "" {
		fields = append(fields, pipeline.VersionField(vc))
	}
	return vecutil.AppendFields(in, fields...)
}

func (m *Model) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	snap := m.state.Load()
	if snap == nil {
		return nil, pipeline.ErrNoModelData
	}
	schema, err := m.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	ins := m.InputCols()
	if len(snap.State) != len(ins) {
		return nil, fmt.Errorf("%s: model data has %d columns, input_cols has %d", KindModel, len(snap.State), len(ins))
	}
	idx, _ := numericCols(rec.Schema(), ins)
	mem := pipeline.Allocator(ctx)
	n := int(rec.NumRows())
	policy, dropLast := m.HandleInvalid(), m.DropLast()
	var keep []bool
	var scratch []float64
	cats := make([]int32, n)
	cols := make([]arrow.Array, 0, len(ins)+1)
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for j, c := range idx {
		numCat := int(snap.State[j])
		size := numCat
		if policy == param.HandleKeep {
			size++
		}
		if dropLast {
			size--
		}
		if size < 0 {
			size = 0
		}
		arr := rec.Column(c)
		vals, err := vecutil.Float64Column(scratch, arr)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", ins[j], err)
		}
		if _, ok := arr.(*array.Float64); !ok {
			scratch = vals
		}
		nulls := arr.NullN() > 0
		for i, v := range vals {
			cat := int(v)
			if (nulls && arr.IsNull(i)) || !(v >= 0 && v < float64(numCat)) || float64(cat) != v {
				switch policy {
				case param.HandleError:
					var val any
					if !arr.IsNull(i) {
						val = v
					}
					return nil, vecutil.RowError(ins[j], i, val,
						fmt.Sprintf("not a category index in [0, %d) (handle_invalid=error)", numCat))
				case param.HandleSkip:
					if keep == nil {
						keep = make([]bool, n)
						for k := range keep {
							keep[k] = true
						}
					}
					keep[i] = false
				}
				cat = numCat
			}
			cats[i] = int32(cat) // no entry when cat >= size
		}
		cols = append(cols, catutil.OneHotArray(mem, size, cats))
	}
	if vc := m.ModelVersionCol(); vc != "" {
		b := array.NewInt64Builder(mem)
		for range n {
			b.Append(snap.Version)
		}
		cols = append(cols, b.NewArray())
		b.Release()
	}
	res, err := vecutil.AppendColumns(schema, rec, cols...)
	if err != nil {
		return nil, err
	}
	defer res.Release()
	return vecutil.Filter(mem, res, keep)
}

func numericCols(s *arrow.Schema, names []string) ([]int, error) {
	idx, err := table.FieldIndices(s, names...)
	if err != nil {
		return nil, err
	}
	for j, i := range idx {
		switch s.Field(i).Type.ID() {
		case arrow.FLOAT64, arrow.FLOAT32, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
			arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		default:
			return nil, fmt.Errorf("column %q has type %s, want a numeric index column", names[j], s.Field(i).Type)
		}
	}
	return idx, nil
}
