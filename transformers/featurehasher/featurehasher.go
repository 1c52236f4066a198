package featurehasher

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
const Kind = "feature_hasher"

// Params of feature_hasher.
var (
	NumFeatures = param.New("num_features", "dimension of the output vector (number of hash buckets)", 1<<18,
		param.InRange(1, 1<<31-1))
	CategoricalCols = param.New("categorical_cols", "numeric input columns to hash as categories (column=value) rather than as values",
		[]string(nil), param.Distinct[string]())
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind,
		Doc: "Hashes columns of mixed types into a sparse vector with MurmurHash3 (Spark/Flink ML FeatureHasher).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
}

// FeatureHasher hashes input_cols into the sparse vector output_col.
type FeatureHasher struct {
	param.HasInputCols
	param.HasOutputCol
	params *param.Set
}

var _ pipeline.Transformer = (*FeatureHasher)(nil)

// New builds a feature_hasher from param values.
func New(values map[string]any) (*FeatureHasher, error) {
	s := &FeatureHasher{}
	s.params = param.NewSet(Kind, &s.HasInputCols, &s.HasOutputCol, NumFeatures, CategoricalCols)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *FeatureHasher) Kind() string       { return Kind }
func (s *FeatureHasher) Params() *param.Set { return s.params }

// NumFeatures returns the output dimension.
func (s *FeatureHasher) NumFeatures() int { return NumFeatures.Get(s.params) }

// SetNumFeatures sets the output dimension.
func (s *FeatureHasher) SetNumFeatures(n int) error { return NumFeatures.Set(s.params, n) }

// CategoricalCols returns the numeric columns hashed as categories.
func (s *FeatureHasher) CategoricalCols() []string { return CategoricalCols.Get(s.params) }

// SetCategoricalCols sets the numeric columns hashed as categories.
func (s *FeatureHasher) SetCategoricalCols(cols ...string) error {
	return CategoricalCols.Set(s.params, cols)
}

type colPlan struct {
	idx         int
	categorical bool
	prefix      []byte // "name=" for categorical columns
	bucket      int32  // hash(name) for numeric ones
}

func (s *FeatureHasher) plan(in *arrow.Schema) ([]colPlan, error) {
	ins := s.InputCols()
	if len(ins) == 0 {
		return nil, &param.Error{Kind: Kind, Param: param.InputCols.Name(), Err: fmt.Errorf("must name at least one column")}
	}
	cats := s.CategoricalCols()
	for _, c := range cats {
		if !slices.Contains(ins, c) {
			return nil, &param.Error{Kind: Kind, Param: CategoricalCols.Name(), Err: fmt.Errorf("column %q is not in input_cols", c)}
		}
	}
	n := s.NumFeatures()
	plans := make([]colPlan, len(ins))
	for j, name := range ins {
		i, err := table.FieldIndex(in, name)
		if err != nil {
			return nil, err
		}
		dt := in.Field(i).Type
		if !catutil.IsCategorical(dt) {
			return nil, fmt.Errorf("column %q has type %s, want string, bool, integer or float", name, dt)
		}
		numeric := dt.ID() != arrow.STRING && dt.ID() != arrow.LARGE_STRING && dt.ID() != arrow.BOOL
		p := colPlan{idx: i, categorical: !numeric || slices.Contains(cats, name)}
		if p.categorical {
			p.prefix = append([]byte(name), '=')
		} else {
			p.bucket = int32(catutil.HashIndex(name, n))
		}
		plans[j] = p
	}
	return plans, nil
}

func (s *FeatureHasher) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if _, err := s.plan(in); err != nil {
		return nil, err
	}
	return pipeline.AppendField(in, catutil.SparseField(s.OutputCol()))
}

func (s *FeatureHasher) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	plans, err := s.plan(rec.Schema())
	if err != nil {
		return nil, err
	}
	schema, err := pipeline.AppendField(rec.Schema(), catutil.SparseField(s.OutputCol()))
	if err != nil {
		return nil, err
	}
	nf := s.NumFeatures()
	n := int(rec.NumRows())
	// Column by column: the bucket and value of every row (-1: nothing).
	buckets := make([][]int32, len(plans))
	values := make([][]float64, len(plans))
	var buf []byte
	for j, p := range plans {
		arr := rec.Column(p.idx)
		b := make([]int32, n)
		buckets[j] = b
		if p.categorical {
			for i := range b {
				var ok bool
				buf, ok = catutil.AppendLabel(append(buf[:0], p.prefix...), arr, i)
				if !ok {
					b[i] = -1
					continue
				}
				b[i] = int32(catutil.NonNegativeMod(catutil.Murmur3(buf, catutil.Seed), nf))
			}
			continue
		}
		vals, err := vecutil.Float64Column(nil, arr)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", s.InputCols()[j], err)
		}
		values[j] = vals
		nulls := arr.NullN() > 0
		for i := range b {
			if nulls && arr.IsNull(i) {
				b[i] = -1
			} else {
				b[i] = p.bucket
			}
		}
	}
	var out catutil.SparseOutput
	for i := 0; i < n; i++ {
		for j := range plans {
			k := buckets[j][i]
			if k < 0 {
				continue
			}
			v := 1.0
			if values[j] != nil {
				v = values[j][i]
			}
			out.AppendEntry(k, v)
		}
		out.SortMerge()
		out.EndRow(nf)
	}
	mem := pipeline.Allocator(ctx)
	col, err := out.NewArray(mem)
	if err != nil {
		return nil, err
	}
	defer col.Release()
	return vecutil.AppendColumns(schema, rec, col)
}
