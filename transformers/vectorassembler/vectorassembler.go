package vectorassembler

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
)

// Kind is the registry kind.
const Kind = "vector_assembler"

// InputSizes is the dimension of each input column.
var InputSizes = param.New("input_sizes", "dimension of each input column (1 for a scalar); empty means infer from the schema (impossible for sparse vectors)",
	[]int(nil), param.Each(param.Gt(0)))

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Concatenates numeric and vector columns into one dense vector column.",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
}

// VectorAssembler is the vector_assembler transformer.
type VectorAssembler struct {
	param.HasInputCols
	param.HasOutputCol
	param.HasHandleInvalid
	params *param.Set
}

// New builds a vector_assembler from param values.
func New(values map[string]any) (*VectorAssembler, error) {
	s := &VectorAssembler{}
	s.params = param.NewSet(Kind, &s.HasInputCols, &s.HasOutputCol, &s.HasHandleInvalid, InputSizes)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	if sz := InputSizes.Get(s.params); len(sz) > 0 && len(sz) != len(s.InputCols()) {
		return nil, &param.Error{Kind: Kind, Param: InputSizes.Name(), Err: fmt.Errorf("has %d sizes for %d input_cols", len(sz), len(s.InputCols()))}
	}
	return s, nil
}

func (s *VectorAssembler) Kind() string       { return Kind }
func (s *VectorAssembler) Params() *param.Set { return s.params }

// SetInputSizes sets input_sizes.
func (s *VectorAssembler) SetInputSizes(v ...int) error { return InputSizes.Set(s.params, v) }

type input struct {
	idx    int
	dim    int
	scalar bool
}

func (s *VectorAssembler) resolve(in *arrow.Schema) ([]input, int, *arrow.Schema, error) {
	cols := s.InputCols()
	if len(cols) == 0 {
		return nil, 0, nil, fmt.Errorf("stage %q: param \"input_cols\" is empty", Kind)
	}
	sizes := InputSizes.Get(s.params)
	ins := make([]input, len(cols))
	total := 0
	for k, name := range cols {
		idx, err := table.FieldIndex(in, name)
		if err != nil {
			return nil, 0, nil, fmt.Errorf("stage %q: %w", Kind, err)
		}
		dt := in.Field(idx).Type
		it := input{idx: idx}
		switch {
		case vecutil.IsNumeric(dt):
			it.scalar, it.dim = true, 1
		case table.IsDenseVector(dt):
			it.dim = int(dt.(*arrow.FixedSizeListType).Len())
		case table.IsSparseVector(dt):
			if len(sizes) == 0 {
				return nil, 0, nil, fmt.Errorf("stage %q: column %q is a sparse vector: set input_sizes", Kind, name)
			}
			it.dim = sizes[k]
		default:
			return nil, 0, nil, fmt.Errorf("stage %q: column %q has type %s, want a numeric or vector type", Kind, name, dt)
		}
		if len(sizes) > 0 && sizes[k] != it.dim {
			return nil, 0, nil, fmt.Errorf("stage %q: column %q has dimension %d, input_sizes says %d", Kind, name, it.dim, sizes[k])
		}
		ins[k] = it
		total += it.dim
	}
	out, err := pipeline.AppendField(in, vecutil.DenseField(s.OutputCol(), total))
	if err != nil {
		return nil, 0, nil, fmt.Errorf("stage %q: %w", Kind, err)
	}
	return ins, total, out, nil
}

// OutputSchema appends output_col, a dense vector of the summed input
// dimensions.
func (s *VectorAssembler) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	_, _, out, err := s.resolve(in)
	return out, err
}

// Transform appends the assembled vectors. rec is borrowed.
func (s *VectorAssembler) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	ins, total, schema, err := s.resolve(rec.Schema())
	if err != nil {
		return nil, err
	}
	mem := pipeline.Allocator(ctx)
	n := int(rec.NumRows())
	policy := s.HandleInvalid()
	names := s.InputCols()
	o := vecutil.NewDenseOutput(mem, n, total)
	defer o.Release()
	flat := o.Values()
	var keep []bool
	if policy == param.HandleSkip {
		keep = make([]bool, n)
		for i := range keep {
			keep[i] = true
		}
	}
	// invalid handles a bad value at (k, i); it returns an error under
	// handle_invalid=error.
	invalid := func(k, i int, v any) error {
		switch policy {
		case param.HandleError:
			return fmt.Errorf("stage %q: %w", Kind, vecutil.RowError(names[k], i, v, "invalid value (set handle_invalid to keep or skip)"))
		case param.HandleSkip:
			keep[i] = false
		}
		return nil
	}
	var scalars []float64
	off := 0
	for k, it := range ins {
		arr := rec.Column(it.idx)
		if it.scalar {
			if scalars, err = vecutil.Float64Column(scalars, arr); err != nil {
				return nil, fmt.Errorf("stage %q: column %q: %w", Kind, names[k], err)
			}
			hasNulls := arr.NullN() > 0
			for i, v := range scalars[:n] {
				if hasNulls && arr.IsNull(i) {
					flat[i*total+off] = math.NaN()
					if err := invalid(k, i, nil); err != nil {
						return nil, err
					}
					continue
				}
				flat[i*total+off] = v
				if v != v {
					if err := invalid(k, i, v); err != nil {
						return nil, err
					}
				}
			}
			off++
			continue
		}
		vecs, err := vecutil.NewVectors(arr)
		if err != nil {
			return nil, fmt.Errorf("stage %q: column %q: %w", Kind, names[k], err)
		}
		for i := 0; i < n; i++ {
			dst := flat[i*total+off : i*total+off+it.dim]
			if vecs.IsNull(i) {
				for j := range dst {
					dst[j] = math.NaN()
				}
				if err := invalid(k, i, nil); err != nil {
					return nil, err
				}
				continue
			}
			if err := vecs.Row(i, dst); err != nil {
				return nil, fmt.Errorf("stage %q: column %q: %w", Kind, names[k], err)
			}
			for _, v := range dst {
				if v != v {
					if err := invalid(k, i, v); err != nil {
						return nil, err
					}
					break
				}
			}
		}
		off += it.dim
	}
	col := o.Finish()
	defer col.Release()
	out, err := vecutil.AppendColumns(schema, rec, col)
	if err != nil || keep == nil {
		return out, err
	}
	defer out.Release()
	return vecutil.Filter(mem, out, keep)
}
