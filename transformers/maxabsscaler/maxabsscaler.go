package maxabsscaler

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/vecmodel"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
)

// Kind names.
const (
	Kind      = "max_abs_scaler"
	ModelKind = "max_abs_scaler_model"
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Learns per-feature maximum absolute value of a vector column (sklearn MaxAbsScaler).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: ModelKind, Doc: "Divides each feature of a vector column by its maximum absolute value.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// MaxAbsScaler is the max_abs_scaler estimator.
type MaxAbsScaler struct {
	param.HasInputCol
	param.HasOutputCol
	param.HasModelVersionCol
	params *param.Set
}

// New builds a max_abs_scaler from param values.
func New(values map[string]any) (*MaxAbsScaler, error) {
	s := &MaxAbsScaler{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, &s.HasModelVersionCol)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *MaxAbsScaler) Kind() string       { return Kind }
func (s *MaxAbsScaler) Params() *param.Set { return s.params }

// Fit learns the per-feature maximum absolute value, ignoring NaN.
func (s *MaxAbsScaler) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	var mx []float64
	_, rows, err := vecutil.ScanVectors(r, s.InputCol(), func(x []float64) error {
		if mx == nil {
			mx = make([]float64, len(x))
		}
		for j, v := range x {
			if a := math.Abs(v); a > mx[j] {
				mx[j] = a
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("stage %q: fit: %w", Kind, err)
	}
	if rows == 0 {
		return nil, fmt.Errorf("stage %q: fit: column %q has no non-null vectors", Kind, s.InputCol())
	}
	m, err := NewModel(nil)
	if err != nil {
		return nil, err
	}
	if err := m.Params().CopyFrom(s.params); err != nil {
		return nil, err
	}
	rec, err := ModelDataRecord(pipeline.Allocator(ctx), mx)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return m, m.SetModelData(rec)
}

// ModelDataRecord builds max_abs_scaler_model data. The caller owns one
// Release.
func ModelDataRecord(mem memory.Allocator, maxAbs []float64) (arrow.Record, error) {
	return vecutil.FeatureRecord(mem, []string{"max_abs"}, maxAbs)
}

// Model is the max_abs_scaler_model.
type Model struct {
	vecmodel.Base[[]float64]
}

var (
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds a max_abs_scaler_model (without data) from param values.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	err := m.Init(ModelKind, vecmodel.Hooks[[]float64]{
		Decode: func(data []arrow.Record) ([]float64, error) {
			c, err := vecutil.FeatureColumns(data, "max_abs")
			if err != nil {
				return nil, err
			}
			return c[0], nil
		},
		Dims: func(s []float64) (int, int) { return len(s), len(s) },
		Mapper: func(s []float64) func(dst, src []float64) {
			scale := make([]float64, len(s))
			for j, v := range s {
				if v < 10*2.220446049250313e-16 {
					v = 1
				}
				scale[j] = v
			}
			return func(dst, src []float64) {
				for j, v := range src {
					dst[j] = v / scale[j]
				}
			}
		},
	}, values)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// MaxAbs returns a copy of the learned maximum absolute values.
func (m *Model) MaxAbs() []float64 { s, _ := m.State(); return append([]float64(nil), s...) }
