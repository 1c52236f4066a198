package standardscaler

import (
	"context"
	"errors"
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
	Kind      = "standard_scaler"
	ModelKind = "standard_scaler_model"
)

// Params.
var (
	WithMean = param.New("with_mean", "center the data before scaling", true)
	WithStd  = param.New("with_std", "scale the data to unit (population) standard deviation", true)
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Learns per-feature mean and population standard deviation of a vector column (sklearn StandardScaler).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: ModelKind, Doc: "Standardises a vector column: (x - mean) / std.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// StandardScaler is the standard_scaler estimator.
type StandardScaler struct {
	param.HasInputCol
	param.HasOutputCol
	param.HasModelVersionCol
	params *param.Set
}

// New builds a standard_scaler from param values.
func New(values map[string]any) (*StandardScaler, error) {
	s := &StandardScaler{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, &s.HasModelVersionCol, WithMean, WithStd)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *StandardScaler) Kind() string       { return Kind }
func (s *StandardScaler) Params() *param.Set { return s.params }

// SetWithMean sets with_mean.
func (s *StandardScaler) SetWithMean(v bool) error { return WithMean.Set(s.params, v) }

// SetWithStd sets with_std.
func (s *StandardScaler) SetWithStd(v bool) error { return WithStd.Set(s.params, v) }

// Fit learns mean and std of input_col with Welford's one-pass update.
func (s *StandardScaler) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	var mean, m2 []float64
	var n float64
	_, rows, err := vecutil.ScanVectors(r, s.InputCol(), func(x []float64) error {
		if mean == nil {
			mean, m2 = make([]float64, len(x)), make([]float64, len(x))
		}
		n++
		for j, v := range x {
			d := v - mean[j]
			mean[j] += d / n
			m2[j] += d * (v - mean[j])
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("stage %q: fit: %w", Kind, err)
	}
	if rows == 0 {
		return nil, fmt.Errorf("stage %q: fit: column %q has no non-null vectors", Kind, s.InputCol())
	}
	std := make([]float64, len(mean))
	for j := range std {
		std[j] = math.Sqrt(m2[j] / n)
	}
	m, err := NewModel(nil)
	if err != nil {
		return nil, err
	}
	if err := m.params.CopyFrom(s.params); err != nil {
		return nil, err
	}
	rec, err := ModelDataRecord(pipeline.Allocator(ctx), mean, std)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return m, m.SetModelData(rec)
}

// ModelDataRecord builds standard_scaler_model data from per-feature means
// and standard deviations. The caller owns one Release.
func ModelDataRecord(mem memory.Allocator, mean, std []float64) (arrow.Record, error) {
	if len(mean) != len(std) {
		return nil, fmt.Errorf("stage %q: %d means for %d standard deviations", ModelKind, len(mean), len(std))
	}
	return vecutil.FeatureRecord(mem, []string{"mean", "std"}, mean, std)
}

type state struct {
	mean, std []float64
}

// Model is the standard_scaler_model.
type Model struct {
	vecmodel.Base[state]
	params *param.Set
}

var (
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds a standard_scaler_model (without data) from param
// values.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	err := m.Init(ModelKind, vecmodel.Hooks[state]{
		Decode: decode,
		Dims:   func(s state) (int, int) { return len(s.mean), len(s.mean) },
		Mapper: m.mapper,
	}, values, WithMean, WithStd)
	if err != nil {
		return nil, err
	}
	m.params = m.Params()
	return m, nil
}

// SetWithMean sets with_mean.
func (m *Model) SetWithMean(v bool) error { return WithMean.Set(m.params, v) }

// SetWithStd sets with_std.
func (m *Model) SetWithStd(v bool) error { return WithStd.Set(m.params, v) }

// Mean returns a copy of the learned means (nil without model data).
func (m *Model) Mean() []float64 {
	s, _ := m.State()
	return append([]float64(nil), s.mean...)
}

// Std returns a copy of the learned standard deviations.
func (m *Model) Std() []float64 {
	s, _ := m.State()
	return append([]float64(nil), s.std...)
}

func decode(data []arrow.Record) (state, error) {
	cols, err := vecutil.FeatureColumns(data, "mean", "std")
	if err != nil {
		return state{}, err
	}
	s := state{mean: cols[0], std: cols[1]}
	for _, v := range s.std {
		if v < 0 || math.IsNaN(v) {
			return state{}, errors.New("model data column \"std\" holds a negative or NaN value")
		}
	}
	return s, nil
}

// handleZero maps a zero scale to 1 like scikit-learn's
// _handle_zeros_in_scale.
func handleZero(v float64) float64 {
	if v < 10*2.220446049250313e-16 {
		return 1
	}
	return v
}

func (m *Model) mapper(s state) func(dst, src []float64) {
	withMean, withStd := WithMean.Get(m.params), WithStd.Get(m.params)
	switch {
	case withMean && withStd:
		return func(dst, src []float64) {
			for j, v := range src {
				dst[j] = (v - s.mean[j]) / handleZero(s.std[j])
			}
		}
	case withMean:
		return func(dst, src []float64) {
			for j, v := range src {
				dst[j] = v - s.mean[j]
			}
		}
	case withStd:
		return func(dst, src []float64) {
			for j, v := range src {
				dst[j] = v / handleZero(s.std[j])
			}
		}
	}
	return func(dst, src []float64) { copy(dst, src) }
}
