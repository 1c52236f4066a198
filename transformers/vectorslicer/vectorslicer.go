package vectorslicer

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
)

// Kind is the registry kind.
const Kind = "vector_slicer"

// Indices are the entries kept, in output order.
var Indices = param.New("indices", "indices of the vector entries to keep, in output order", []int(nil),
	param.Distinct[int](), param.Each(param.GtEq(0)))

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Selects entries of a vector by index (Flink ML VectorSlicer).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
}

// VectorSlicer is the vector_slicer transformer.
type VectorSlicer struct {
	param.HasInputCol
	param.HasOutputCol
	params *param.Set
}

// New builds a vector_slicer from param values.
func New(values map[string]any) (*VectorSlicer, error) {
	s := &VectorSlicer{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, Indices)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *VectorSlicer) Kind() string       { return Kind }
func (s *VectorSlicer) Params() *param.Set { return s.params }

// SetIndices sets indices.
func (s *VectorSlicer) SetIndices(v ...int) error { return Indices.Set(s.params, v) }

func (s *VectorSlicer) schema(in *arrow.Schema) (*arrow.Schema, int, []int, error) {
	idx := Indices.Get(s.params)
	if len(idx) == 0 {
		return nil, 0, nil, &param.Error{Kind: Kind, Param: Indices.Name(), Err: errors.New("is empty")}
	}
	col, dim, err := vecutil.VectorField(in, s.InputCol())
	if err != nil {
		return nil, 0, nil, fmt.Errorf("stage %q: %w", Kind, err)
	}
	if m := slices.Max(idx); dim >= 0 && m >= dim {
		return nil, 0, nil, fmt.Errorf("stage %q: index %d is out of range for column %q of dimension %d", Kind, m, s.InputCol(), dim)
	}
	out, err := pipeline.AppendField(in, vecutil.DenseField(s.OutputCol(), len(idx)))
	if err != nil {
		return nil, 0, nil, fmt.Errorf("stage %q: %w", Kind, err)
	}
	return out, col, idx, nil
}

// OutputSchema appends output_col, a dense vector of len(indices).
func (s *VectorSlicer) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	out, _, _, err := s.schema(in)
	return out, err
}

// Transform appends the sliced vectors. rec is borrowed.
func (s *VectorSlicer) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	schema, col, idx, err := s.schema(rec.Schema())
	if err != nil {
		return nil, err
	}
	v, err := vecutil.NewVectors(rec.Column(col))
	if err != nil {
		return nil, fmt.Errorf("stage %q: column %q: %w", Kind, s.InputCol(), err)
	}
	n, k, maxIdx := v.Len(), len(idx), slices.Max(idx)
	o := vecutil.NewDenseOutput(pipeline.Allocator(ctx), n, k)
	for i := 0; i < n; i++ {
		if v.IsNull(i) {
			o.SetNull(i)
			continue
		}
		dst := o.Row(i)
		if src := v.Dense(i); src != nil {
			for t, j := range idx {
				dst[t] = src[j]
			}
			continue
		}
		size, ix, vals, _ := v.Sparse(i)
		if maxIdx >= size {
			o.Release()
			return nil, fmt.Errorf("stage %q: column %q row %d: index %d is out of range for a vector of dimension %d", Kind, s.InputCol(), i, maxIdx, size)
		}
		for t, j := range idx {
			if p, ok := slices.BinarySearch(ix, int32(j)); ok {
				dst[t] = vals[p]
			}
		}
	}
	arr := o.Finish()
	defer arr.Release()
	return vecutil.AppendColumns(schema, rec, arr)
}
