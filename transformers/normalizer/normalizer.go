package normalizer

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
)

// Kind is the registry kind.
const Kind = "normalizer"

// P is the norm's exponent.
var P = param.New("p", "exponent of the p-norm (finite, at least 1)", 2.0, param.GtEq(1.0),
	param.Func("finite", func(v float64) error {
		if math.IsInf(v, 0) {
			return fmt.Errorf("must be finite, got %v", v)
		}
		return nil
	}))

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Scales each vector to unit p-norm (sklearn Normalizer).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
}

// Normalizer is the normalizer transformer.
type Normalizer struct {
	param.HasInputCol
	param.HasOutputCol
	params *param.Set
}

// New builds a normalizer from param values.
func New(values map[string]any) (*Normalizer, error) {
	s := &Normalizer{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, P)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Normalizer) Kind() string       { return Kind }
func (s *Normalizer) Params() *param.Set { return s.params }

// SetP sets p.
func (s *Normalizer) SetP(v float64) error { return P.Set(s.params, v) }

func (s *Normalizer) schema(in *arrow.Schema, dim int) (*arrow.Schema, error) {
	out, err := pipeline.AppendField(in, vecutil.DenseField(s.OutputCol(), dim))
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", Kind, err)
	}
	return out, nil
}

// OutputSchema appends output_col. A sparse input_col, whose dimension
// the schema does not tell, is an error here; Transform accepts it.
func (s *Normalizer) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	_, dim, err := vecutil.VectorField(in, s.InputCol())
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", Kind, err)
	}
	if dim < 0 {
		return nil, fmt.Errorf("stage %q: column %q is sparse: its output dimension is known only from the data", Kind, s.InputCol())
	}
	return s.schema(in, dim)
}

// Transform appends the normalised vectors. rec is borrowed.
func (s *Normalizer) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	col, _, err := vecutil.VectorField(rec.Schema(), s.InputCol())
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", Kind, err)
	}
	dim, err := vecutil.InputDim(rec.Column(col))
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", Kind, err)
	}
	if dim < 0 {
		dim = 0
	}
	schema, err := s.schema(rec.Schema(), dim)
	if err != nil {
		return nil, err
	}
	p := P.Get(s.params)
	arr, err := vecutil.MapDense(pipeline.Allocator(ctx), rec.Column(col), s.InputCol(), dim, dim, func(dst, src []float64) {
		var norm float64
		switch p {
		case 1:
			for _, v := range src {
				norm += math.Abs(v)
			}
		case 2:
			for _, v := range src {
				norm += v * v
			}
			norm = math.Sqrt(norm)
		default:
			for _, v := range src {
				norm += math.Pow(math.Abs(v), p)
			}
			norm = math.Pow(norm, 1/p)
		}
		if norm < 10*2.220446049250313e-16 {
			norm = 1
		}
		for j, v := range src {
			dst[j] = v / norm
		}
	})
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", Kind, err)
	}
	defer arr.Release()
	return vecutil.AppendColumns(schema, rec, arr)
}
