package vectorassembler

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync/atomic"

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
	// plan caches the last resolved input schema, so that a stage
	// scoring one small batch after another (a server) does not look up
	// every input column and build a new output schema per call.
	plan atomic.Pointer[plan]
}

// plan is what resolve derived from an input schema and the params.
type plan struct {
	in     *arrow.Schema
	cols   []string
	sizes  []int
	output string
	ins    []input
	total  int
	out    *arrow.Schema
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

// resolve returns the plan of input schema in under the current params
// (cols, the input_cols), reusing the cached one when the schema has the
// same fields and the params are unchanged. Safe for concurrent use.
func (s *VectorAssembler) resolve(in *arrow.Schema, cols []string) (*plan, error) {
	sizes := InputSizes.Get(s.params)
	output := s.OutputCol()
	if p := s.plan.Load(); p != nil && p.output == output && slices.Equal(p.cols, cols) && slices.Equal(p.sizes, sizes) &&
		table.SameSchema(p.in, in) {
		return p, nil
	}
	ins, total, out, err := s.resolveNew(in, cols, sizes, output)
	if err != nil {
		return nil, err
	}
	p := &plan{in: in, cols: cols, sizes: sizes, output: output, ins: ins, total: total, out: out}
	s.plan.Store(p)
	return p, nil
}

func (s *VectorAssembler) resolveNew(in *arrow.Schema, cols []string, sizes []int, output string) ([]input, int, *arrow.Schema, error) {
	if len(cols) == 0 {
		return nil, 0, nil, fmt.Errorf("stage %q: param \"input_cols\" is empty", Kind)
	}
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
	out, err := pipeline.AppendField(in, vecutil.DenseField(output, total))
	if err != nil {
		return nil, 0, nil, fmt.Errorf("stage %q: %w", Kind, err)
	}
	return ins, total, out, nil
}

// OutputSchema appends output_col, a dense vector of the summed input
// dimensions.
func (s *VectorAssembler) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	p, err := s.resolve(in, s.InputCols())
	if err != nil {
		return nil, err
	}
	return p.out, nil
}

// Transform appends the assembled vectors. rec is borrowed.
func (s *VectorAssembler) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	names := s.InputCols()
	p, err := s.resolve(rec.Schema(), names)
	if err != nil {
		return nil, err
	}
	ins, total, schema := p.ins, p.total, p.out
	mem := pipeline.Allocator(ctx)
	n := int(rec.NumRows())
	policy := s.HandleInvalid()
	o := vecutil.NewDenseOutputUninit(mem, n, total) // every value is written below
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
	// conv is the conversion buffer of non-float64 columns. It must not
	// be what Float64Column returned for a float64 column, which aliases
	// that column's memory: converting the next column into it would
	// overwrite the input.
	if assembleFloat64(rec, ins, flat, total) {
		return s.finish(mem, schema, rec, o, nil)
	}
	var conv, scalars []float64
	off := 0
	for k, it := range ins {
		arr := rec.Column(it.idx)
		if it.scalar {
			if scalars, err = vecutil.Float64Column(conv, arr); err != nil {
				return nil, fmt.Errorf("stage %q: column %q: %w", Kind, names[k], err)
			}
			if _, aliased := arr.(*array.Float64); !aliased {
				conv = scalars
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
	return s.finish(mem, schema, rec, o, keep)
}

// finish appends the assembled column to rec and drops the rows keep
// rejects (none when keep is nil).
func (s *VectorAssembler) finish(mem memory.Allocator, schema *arrow.Schema, rec arrow.Record, o *vecutil.DenseOutput, keep []bool) (arrow.Record, error) {
	col := o.Finish()
	defer col.Release()
	out, err := vecutil.AppendColumns(schema, rec, col)
	if err != nil || keep == nil {
		return out, err
	}
	defer out.Release()
	return vecutil.Filter(mem, out, keep)
}

// assembleBlock is the rows of one block of the float64 fast path:
// 64 rows of 100 features is 51 KB of output, within the L2 cache.
const assembleBlock = 64

// assembleFloat64 is the fast path of the common case, every input a
// float64 scalar column without nulls: it writes the rows block by block
// (all inputs of 64 rows, then the next 64) rather than input by input
// down the whole batch, whose strided writes miss the cache once the
// batch outgrows it. It reports false, leaving the slow path to start
// over, when an input is of another kind or a value is NaN (so that
// handle_invalid sees the values in its usual order).
func assembleFloat64(rec arrow.Record, ins []input, flat []float64, total int) bool {
	if len(ins) != total {
		return false
	}
	var buf [128][]float64
	srcs := buf[:0]
	for _, it := range ins {
		a, ok := rec.Column(it.idx).(*array.Float64)
		if !ok || !it.scalar || a.NullN() > 0 {
			return false
		}
		srcs = append(srcs, a.Float64Values())
	}
	n := int(rec.NumRows())
	nan := false
	for i0 := 0; i0 < n; i0 += assembleBlock {
		i1 := min(i0+assembleBlock, n)
		for k, src := range srcs {
			for i, v := range src[i0:i1] {
				flat[(i0+i)*total+k] = v
				nan = nan || v != v
			}
		}
	}
	return !nan
}
