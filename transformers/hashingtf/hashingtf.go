package hashingtf

import (
	"context"
	"fmt"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/catutil"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
)

// Kind is the registry kind name.
const Kind = "hashing_tf"

// Params of hashing_tf.
var (
	NumFeatures = param.New("num_features", "dimension of the output vector (number of hash buckets)", 1<<18,
		param.InRange(1, 1<<31-1))
	Binary = param.New("binary", "whether to write 1.0 for every present term instead of its count", false)
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind,
		Doc: "Maps token lists to hashed term-frequency sparse vectors with MurmurHash3 (Spark/Flink ML HashingTF).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
}

// HashingTF maps the token lists of input_col to term frequencies.
type HashingTF struct {
	param.HasInputCol
	param.HasOutputCol
	params *param.Set
}

var _ pipeline.Transformer = (*HashingTF)(nil)

// New builds a hashing_tf stage from param values.
func New(values map[string]any) (*HashingTF, error) {
	s := &HashingTF{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, NumFeatures, Binary)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *HashingTF) Kind() string       { return Kind }
func (s *HashingTF) Params() *param.Set { return s.params }

// NumFeatures returns the output dimension.
func (s *HashingTF) NumFeatures() int { return NumFeatures.Get(s.params) }

// SetNumFeatures sets the output dimension.
func (s *HashingTF) SetNumFeatures(n int) error { return NumFeatures.Set(s.params, n) }

// Binary tells whether counts are replaced by 1.0.
func (s *HashingTF) Binary() bool { return Binary.Get(s.params) }

// SetBinary sets binary.
func (s *HashingTF) SetBinary(v bool) error { return Binary.Set(s.params, v) }

// IndexOf returns the bucket of term.
func (s *HashingTF) IndexOf(term string) int { return catutil.HashIndex(term, s.NumFeatures()) }

func (s *HashingTF) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if _, err := listCol(in, s.InputCol()); err != nil {
		return nil, err
	}
	return pipeline.AppendField(in, catutil.SparseField(s.OutputCol()))
}

func (s *HashingTF) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	schema, err := s.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	i, _ := listCol(rec.Schema(), s.InputCol())
	lists, err := catutil.NewStringLists(rec.Column(i))
	if err != nil {
		return nil, err
	}
	nf, binary := s.NumFeatures(), s.Binary()
	var out catutil.SparseOutput
	for r := 0; r < lists.Len(); r++ {
		if lists.IsNull(r) {
			out.AppendNull()
			continue
		}
		start, end := lists.Row(r)
		for k := start; k < end; k++ {
			if lists.IsNullToken(k) {
				continue
			}
			out.AppendEntry(int32(catutil.HashIndex(lists.Token(k), nf)), 1)
		}
		idx, vals := out.Pending()
		slices.Sort(idx)
		kept := catutil.MergeSorted(idx, vals)
		if binary {
			for k := range kept {
				vals[k] = 1
			}
		}
		out.Truncate(kept)
		out.EndRow(nf)
	}
	col, err := out.NewArray(pipeline.Allocator(ctx))
	if err != nil {
		return nil, err
	}
	defer col.Release()
	return vecutil.AppendColumns(schema, rec, col)
}

func listCol(s *arrow.Schema, name string) (int, error) {
	i, err := table.FieldIndex(s, name)
	if err != nil {
		return -1, err
	}
	if dt := s.Field(i).Type; !catutil.IsStringList(dt) {
		return -1, fmt.Errorf("column %q has type %s, want list<string>", name, dt)
	}
	return i, nil
}
