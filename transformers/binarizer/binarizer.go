package binarizer

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
)

// Kind is the registry kind.
const Kind = "binarizer"

// Thresholds holds one threshold per input column, or one for all.
var Thresholds = param.New("thresholds", "values above the threshold become 1, others 0: one per input column, or a single one for all",
	[]float64{0}, param.NonEmptySlice[float64]())

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Maps numeric values and vectors to 1 above a threshold, 0 otherwise (sklearn Binarizer).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
}

// Binarizer is the binarizer transformer.
type Binarizer struct {
	param.HasInputCols
	param.HasOutputCols
	params *param.Set
}

// New builds a binarizer from param values.
func New(values map[string]any) (*Binarizer, error) {
	s := &Binarizer{}
	s.params = param.NewSet(Kind, &s.HasInputCols, &s.HasOutputCols, Thresholds)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Binarizer) check() error {
	in, out, th := s.InputCols(), s.OutputCols(), Thresholds.Get(s.params)
	if len(out) != len(in) {
		return &param.Error{Kind: Kind, Param: param.OutputCols.Name(),
			Err: fmt.Errorf("has %d columns for %d input_cols", len(out), len(in))}
	}
	if len(th) != 1 && len(th) != len(in) {
		return &param.Error{Kind: Kind, Param: Thresholds.Name(),
			Err: fmt.Errorf("has %d values for %d input_cols (want 1 or one per column)", len(th), len(in))}
	}
	return nil
}

func (s *Binarizer) Kind() string       { return Kind }
func (s *Binarizer) Params() *param.Set { return s.params }

// SetThresholds sets thresholds.
func (s *Binarizer) SetThresholds(v ...float64) error { return Thresholds.Set(s.params, v) }

func (s *Binarizer) threshold(k int) float64 {
	th := Thresholds.Get(s.params)
	if len(th) == 1 {
		return th[0]
	}
	return th[k]
}

func (s *Binarizer) schema(in *arrow.Schema) (*arrow.Schema, []int, error) {
	if err := s.check(); err != nil {
		return nil, nil, err
	}
	names := s.InputCols()
	if len(names) == 0 {
		return nil, nil, &param.Error{Kind: Kind, Param: param.InputCols.Name(), Err: fmt.Errorf("is empty")}
	}
	idx := make([]int, len(names))
	fields := make([]arrow.Field, len(names))
	for k, name := range names {
		i, err := table.FieldIndex(in, name)
		if err != nil {
			return nil, nil, fmt.Errorf("stage %q: %w", Kind, err)
		}
		idx[k] = i
		dt := in.Field(i).Type
		out := s.OutputCols()[k]
		switch {
		case vecutil.IsNumeric(dt):
			fields[k] = vecutil.Float64Field(out)
		case table.IsDenseVector(dt):
			fields[k] = vecutil.DenseField(out, int(dt.(*arrow.FixedSizeListType).Len()))
		case table.IsSparseVector(dt):
			if t := s.threshold(k); t < 0 {
				return nil, nil, fmt.Errorf("stage %q: column %q is sparse: threshold %v must be non-negative", Kind, name, t)
			}
			fields[k] = arrow.Field{Name: out, Type: table.SparseVectorType(), Nullable: true}
		default:
			return nil, nil, fmt.Errorf("stage %q: column %q has type %s, want a numeric or vector type", Kind, name, dt)
		}
	}
	out, err := vecutil.AppendFields(in, fields...)
	if err != nil {
		return nil, nil, fmt.Errorf("stage %q: %w", Kind, err)
	}
	return out, idx, nil
}

// OutputSchema appends one output column per input column.
func (s *Binarizer) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	out, _, err := s.schema(in)
	return out, err
}

// Transform appends the binarized columns. rec is borrowed.
func (s *Binarizer) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	schema, idx, err := s.schema(rec.Schema())
	if err != nil {
		return nil, err
	}
	mem := pipeline.Allocator(ctx)
	outs := make([]arrow.Array, 0, len(idx))
	defer func() {
		for _, a := range outs {
			a.Release()
		}
	}()
	var buf []float64
	for k, c := range idx {
		arr, th, name := rec.Column(c), s.threshold(k), s.InputCols()[k]
		var out arrow.Array
		switch dt := arr.DataType(); {
		case vecutil.IsNumeric(dt):
			vals, err := vecutil.Float64Column(buf, arr)
			if err != nil {
				return nil, fmt.Errorf("stage %q: column %q: %w", Kind, name, err)
			}
			if _, ok := arr.(*array.Float64); !ok {
				buf = vals
			}
			out = scalar(mem, arr, vals, th)
		case table.IsDenseVector(dt):
			dim := int(dt.(*arrow.FixedSizeListType).Len())
			out, err = vecutil.MapDense(mem, arr, name, dim, dim, func(dst, src []float64) {
				for j, v := range src {
					if v > th {
						dst[j] = 1
					}
				}
			})
		default:
			out, err = sparse(mem, arr, th)
		}
		if err != nil {
			return nil, fmt.Errorf("stage %q: column %q: %w", Kind, name, err)
		}
		outs = append(outs, out)
	}
	return vecutil.AppendColumns(schema, rec, outs...)
}

// scalar writes the 0/1 float64 column of vals (the values of arr),
// copying arr's validity.
func scalar(mem memory.Allocator, arr arrow.Array, vals []float64, th float64) arrow.Array {
	n := len(vals)
	b := memory.NewResizableBuffer(mem)
	b.Resize(n * arrow.Float64SizeBytes)
	dst := arrow.Float64Traits.CastFromBytes(b.Bytes())[:n]
	for i, v := range vals {
		if v > th {
			dst[i] = 1
		} else {
			dst[i] = 0
		}
	}
	bufs := []*memory.Buffer{nil, b}
	nulls := arr.NullN()
	if nulls > 0 {
		bufs[0] = copyBitmap(mem, arr)
	}
	data := array.NewData(arrow.PrimitiveTypes.Float64, n, bufs, nil, nulls, 0)
	for _, x := range bufs {
		if x != nil {
			x.Release()
		}
	}
	out := array.NewFloat64Data(data)
	data.Release()
	return out
}

// copyBitmap returns arr's validity bitmap re-based at offset 0.
func copyBitmap(mem memory.Allocator, arr arrow.Array) *memory.Buffer {
	n := arr.Len()
	b := memory.NewResizableBuffer(mem)
	b.Resize((n + 7) / 8)
	bits := b.Bytes()
	clear(bits)
	for i := 0; i < n; i++ {
		if arr.IsValid(i) {
			bits[i/8] |= 1 << (i % 8)
		}
	}
	return b
}

// sparse binarizes a sparse vector column into a sparse one (th >= 0).
func sparse(mem memory.Allocator, arr arrow.Array, th float64) (arrow.Array, error) {
	v, err := vecutil.NewVectors(arr)
	if err != nil {
		return nil, err
	}
	b := table.NewSparseVectorBuilder(mem)
	defer b.Release()
	var idx []int32
	var ones []float64
	for i := 0; i < v.Len(); i++ {
		if v.IsNull(i) {
			b.AppendNull()
			continue
		}
		size, ix, vals, _ := v.Sparse(i)
		idx, ones = idx[:0], ones[:0]
		for k, x := range vals {
			if x > th {
				idx = append(idx, ix[k])
				ones = append(ones, 1)
			}
		}
		if err := b.Append(size, idx, ones); err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
	}
	return b.NewArray(), nil
}
