package interaction

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
)

// Kind is the registry kind.
const Kind = "interaction"

// maxOutput bounds the output dimension.
const maxOutput = 1 << 20

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Writes the products of all combinations of values of numeric and vector columns (Flink ML Interaction).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
}

// Interaction is the interaction transformer.
type Interaction struct {
	param.HasInputCols
	param.HasOutputCol
	params *param.Set
}

// New builds an interaction from param values.
func New(values map[string]any) (*Interaction, error) {
	s := &Interaction{}
	s.params = param.NewSet(Kind, &s.HasInputCols, &s.HasOutputCol)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Interaction) Kind() string       { return Kind }
func (s *Interaction) Params() *param.Set { return s.params }

// inputs resolves input_cols: their indices and dimensions (1 for
// scalars, -1 for sparse vectors).
func (s *Interaction) inputs(in *arrow.Schema) (idx, dims []int, err error) {
	names := s.InputCols()
	if len(names) == 0 {
		return nil, nil, &param.Error{Kind: Kind, Param: param.InputCols.Name(), Err: errors.New("is empty")}
	}
	idx, dims = make([]int, len(names)), make([]int, len(names))
	for k, name := range names {
		i, err := table.FieldIndex(in, name)
		if err != nil {
			return nil, nil, fmt.Errorf("stage %q: %w", Kind, err)
		}
		idx[k] = i
		switch dt := in.Field(i).Type; {
		case vecutil.IsNumeric(dt):
			dims[k] = 1
		case table.IsDenseVector(dt):
			dims[k] = int(dt.(*arrow.FixedSizeListType).Len())
		case table.IsSparseVector(dt):
			dims[k] = -1
		default:
			return nil, nil, fmt.Errorf("stage %q: column %q has type %s, want a numeric or vector type", Kind, name, dt)
		}
	}
	return idx, dims, nil
}

func (s *Interaction) schema(in *arrow.Schema, dims []int) (*arrow.Schema, int, error) {
	n := 1
	for _, d := range dims {
		n *= d
		if n > maxOutput {
			return nil, 0, fmt.Errorf("stage %q: the output would have more than %d entries", Kind, maxOutput)
		}
	}
	out, err := pipeline.AppendField(in, vecutil.DenseField(s.OutputCol(), n))
	if err != nil {
		return nil, 0, fmt.Errorf("stage %q: %w", Kind, err)
	}
	return out, n, nil
}

// OutputSchema appends output_col. Sparse inputs, whose dimension the
// schema does not tell, are an error here; Transform accepts them.
func (s *Interaction) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	_, dims, err := s.inputs(in)
	if err != nil {
		return nil, err
	}
	for k, d := range dims {
		if d < 0 {
			return nil, fmt.Errorf("stage %q: column %q is sparse: the output dimension is known only from the data", Kind, s.InputCols()[k])
		}
	}
	out, _, err := s.schema(in, dims)
	return out, err
}

// input reads one input column row by row.
type input struct {
	scalar  []float64
	arr     arrow.Array
	vec     vecutil.Vectors
	isVec   bool
	scratch []float64
}

// row returns the values of row i (valid until the next call).
func (in *input) row(i int) ([]float64, error) {
	if !in.isVec {
		return in.scalar[i : i+1], nil
	}
	if d := in.vec.Dense(i); d != nil {
		return d, nil
	}
	return in.scratch, in.vec.Row(i, in.scratch)
}

// Transform appends the interaction vectors. rec is borrowed.
func (s *Interaction) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	idx, dims, err := s.inputs(rec.Schema())
	if err != nil {
		return nil, err
	}
	names := s.InputCols()
	ins := make([]input, len(idx))
	for k, c := range idx {
		arr := rec.Column(c)
		ins[k].arr = arr
		if dims[k] == 1 && vecutil.IsNumeric(arr.DataType()) {
			if ins[k].scalar, err = vecutil.Float64Column(nil, arr); err != nil {
				return nil, fmt.Errorf("stage %q: column %q: %w", Kind, names[k], err)
			}
			continue
		}
		ins[k].isVec = true
		if ins[k].vec, err = vecutil.NewVectors(arr); err != nil {
			return nil, fmt.Errorf("stage %q: column %q: %w", Kind, names[k], err)
		}
		if dims[k] < 0 {
			d, err := vecutil.InputDim(arr)
			if err != nil {
				return nil, fmt.Errorf("stage %q: column %q: %w", Kind, names[k], err)
			}
			dims[k] = max(d, 0)
			ins[k].scratch = make([]float64, dims[k])
		}
	}
	schema, outDim, err := s.schema(rec.Schema(), dims)
	if err != nil {
		return nil, err
	}
	n := int(rec.NumRows())
	o := vecutil.NewDenseOutput(pipeline.Allocator(ctx), n, outDim)
rows:
	for i := 0; i < n; i++ {
		for k := range ins {
			if ins[k].arr.IsNull(i) {
				o.SetNull(i)
				continue rows
			}
		}
		dst := o.Row(i)
		size := 0
		for k := range ins {
			v, err := ins[k].row(i)
			if err != nil {
				o.Release()
				return nil, fmt.Errorf("stage %q: column %q: %w", Kind, names[k], err)
			}
			if k == 0 {
				size = copy(dst, v)
				continue
			}
			// Expand in place from the end: dst[a*d+b] = dst[a] * v[b].
			d := len(v)
			for a := size - 1; a >= 0; a-- {
				x := dst[a]
				for b := d - 1; b >= 0; b-- {
					dst[a*d+b] = x * v[b]
				}
			}
			size *= d
		}
	}
	out := o.Finish()
	defer out.Release()
	return vecutil.AppendColumns(schema, rec, out)
}
