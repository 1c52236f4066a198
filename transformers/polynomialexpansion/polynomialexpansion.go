package polynomialexpansion

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
)

// Kind is the registry kind.
const Kind = "polynomial_expansion"

// Degree is the highest degree of the terms.
var Degree = param.New("degree", "highest degree of the polynomial terms", 2, param.GtEq(1))

// maxOutput bounds the output dimension.
const maxOutput = 1 << 20

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Expands a vector into its polynomial terms (sklearn PolynomialFeatures, no bias).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
}

// PolynomialExpansion is the polynomial_expansion transformer.
type PolynomialExpansion struct {
	param.HasInputCol
	param.HasOutputCol
	params *param.Set
}

// New builds a polynomial_expansion from param values.
func New(values map[string]any) (*PolynomialExpansion, error) {
	s := &PolynomialExpansion{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, Degree)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *PolynomialExpansion) Kind() string       { return Kind }
func (s *PolynomialExpansion) Params() *param.Set { return s.params }

// SetDegree sets degree.
func (s *PolynomialExpansion) SetDegree(v int) error { return Degree.Set(s.params, v) }

// OutputDim returns the number of terms of degree 1..degree of d
// features, C(d+degree, degree) - 1, or an error above 2^20 terms.
func OutputDim(d, degree int) (int, error) {
	n := 1 // C(d+k, k) for k = 0..degree
	for k := 1; k <= degree; k++ {
		n = n * (d + k) / k
		if n-1 > maxOutput {
			return 0, fmt.Errorf("%d features of degree %d give more than %d terms", d, degree, maxOutput)
		}
	}
	return n - 1, nil
}

// plan describes each term of degree >= 2 as parent * x[feature], where
// parent indexes an earlier term (the first d terms are x itself).
type plan struct {
	d               int
	parent, feature []int32
}

// newPlan follows scikit-learn's PolynomialFeatures.transform loop.
func newPlan(d, degree int) plan {
	p := plan{d: d}
	if d == 0 {
		return p
	}
	index := make([]int, d+1) // index[f]: first term of the previous block whose first feature is >= f
	for f := range index {
		index[f] = f
	}
	cur := d
	for k := 2; k <= degree; k++ {
		end := index[d]
		newIndex := make([]int, d+1)
		for f := 0; f < d; f++ {
			newIndex[f] = cur
			for t := index[f]; t < end; t++ {
				p.parent = append(p.parent, int32(t))
				p.feature = append(p.feature, int32(f))
				cur++
			}
		}
		newIndex[d] = cur
		index = newIndex
	}
	return p
}

func (p plan) apply(dst, src []float64) {
	copy(dst, src)
	for t, par := range p.parent {
		dst[p.d+t] = src[p.feature[t]] * dst[par]
	}
}

func (s *PolynomialExpansion) schema(in *arrow.Schema, dim int) (*arrow.Schema, int, error) {
	n, err := OutputDim(dim, Degree.Get(s.params))
	if err != nil {
		return nil, 0, fmt.Errorf("stage %q: column %q: %w", Kind, s.InputCol(), err)
	}
	out, err := pipeline.AppendField(in, vecutil.DenseField(s.OutputCol(), n))
	if err != nil {
		return nil, 0, fmt.Errorf("stage %q: %w", Kind, err)
	}
	return out, n, nil
}

// OutputSchema appends output_col. A sparse input_col, whose dimension
// the schema does not tell, is an error here; Transform accepts it.
func (s *PolynomialExpansion) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	_, dim, err := vecutil.VectorField(in, s.InputCol())
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", Kind, err)
	}
	if dim < 0 {
		return nil, fmt.Errorf("stage %q: column %q is sparse: its output dimension is known only from the data", Kind, s.InputCol())
	}
	out, _, err := s.schema(in, dim)
	return out, err
}

// Transform appends the expanded vectors. rec is borrowed.
func (s *PolynomialExpansion) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	col, _, err := vecutil.VectorField(rec.Schema(), s.InputCol())
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", Kind, err)
	}
	dim, err := vecutil.InputDim(rec.Column(col))
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", Kind, err)
	}
	dim = max(dim, 0)
	schema, n, err := s.schema(rec.Schema(), dim)
	if err != nil {
		return nil, err
	}
	p := newPlan(dim, Degree.Get(s.params))
	arr, err := vecutil.MapDense(pipeline.Allocator(ctx), rec.Column(col), s.InputCol(), dim, n, p.apply)
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", Kind, err)
	}
	defer arr.Release()
	return vecutil.AppendColumns(schema, rec, arr)
}
