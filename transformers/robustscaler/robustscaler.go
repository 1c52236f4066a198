package robustscaler

import (
	"context"
	"errors"
	"fmt"
	"slices"

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
	Kind      = "robust_scaler"
	ModelKind = "robust_scaler_model"
)

// Params.
var (
	WithCentering = param.New("with_centering", "subtract the median before scaling", true)
	WithScaling   = param.New("with_scaling", "divide by the quantile range", true)
	QuantileRange = param.New("quantile_range", "lower and upper percentiles of the scale, 0 <= lo <= hi <= 100", []float64{25, 75},
		param.Func("a percentile range", func(v []float64) error {
			if len(v) != 2 || !(0 <= v[0] && v[0] <= v[1] && v[1] <= 100) {
				return fmt.Errorf("want [lo, hi] with 0 <= lo <= hi <= 100, got %v", v)
			}
			return nil
		}))
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Learns per-feature median and quantile range of a vector column (sklearn RobustScaler).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: ModelKind, Doc: "Scales a vector column: (x - median) / (q_hi - q_lo).",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// RobustScaler is the robust_scaler estimator.
type RobustScaler struct {
	param.HasInputCol
	param.HasOutputCol
	param.HasModelVersionCol
	params *param.Set
}

// New builds a robust_scaler from param values.
func New(values map[string]any) (*RobustScaler, error) {
	s := &RobustScaler{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, &s.HasModelVersionCol, WithCentering, WithScaling, QuantileRange)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *RobustScaler) Kind() string       { return Kind }
func (s *RobustScaler) Params() *param.Set { return s.params }

// SetWithCentering sets with_centering.
func (s *RobustScaler) SetWithCentering(v bool) error { return WithCentering.Set(s.params, v) }

// SetWithScaling sets with_scaling.
func (s *RobustScaler) SetWithScaling(v bool) error { return WithScaling.Set(s.params, v) }

// SetQuantileRange sets quantile_range (percentiles).
func (s *RobustScaler) SetQuantileRange(lo, hi float64) error {
	return QuantileRange.Set(s.params, []float64{lo, hi})
}

// Fit keeps every value of input_col and computes medians and quantiles.
func (s *RobustScaler) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	var cols [][]float64
	_, rows, err := vecutil.ScanVectors(r, s.InputCol(), func(x []float64) error {
		if cols == nil {
			cols = make([][]float64, len(x))
		}
		for j, v := range x {
			if v == v {
				cols[j] = append(cols[j], v)
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
	qr := QuantileRange.Get(s.params)
	center, scale := make([]float64, len(cols)), make([]float64, len(cols))
	for j, c := range cols {
		slices.Sort(c)
		center[j] = Median(c)
		scale[j] = handleZero(Percentile(c, qr[1]) - Percentile(c, qr[0]))
	}
	m, err := NewModel(nil)
	if err != nil {
		return nil, err
	}
	if err := m.params.CopyFrom(s.params); err != nil {
		return nil, err
	}
	rec, err := ModelDataRecord(pipeline.Allocator(ctx), center, scale)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return m, m.SetModelData(rec)
}

// Median returns the median of the sorted values a (NaN when empty), as
// numpy.median: the mean of the two middle values for an even count.
func Median(a []float64) float64 { return vecutil.Median(a) }

// Percentile returns the p-th percentile (0 <= p <= 100) of the sorted
// values a (NaN when empty) with numpy's default 'linear' method.
func Percentile(a []float64, p float64) float64 { return vecutil.Percentile(a, p) }

// handleZero maps a (near) zero scale to 1 like scikit-learn's
// _handle_zeros_in_scale.
func handleZero(v float64) float64 {
	if v < 10*2.220446049250313e-16 {
		return 1
	}
	return v
}

// ModelDataRecord builds robust_scaler_model data from per-feature
// centers and scales. The caller owns one Release.
func ModelDataRecord(mem memory.Allocator, center, scale []float64) (arrow.Record, error) {
	if len(center) != len(scale) {
		return nil, fmt.Errorf("stage %q: %d centers for %d scales", ModelKind, len(center), len(scale))
	}
	return vecutil.FeatureRecord(mem, []string{"center", "scale"}, center, scale)
}

type state struct {
	center, scale []float64
}

// Model is the robust_scaler_model.
type Model struct {
	vecmodel.Base[state]
	params *param.Set
}

var (
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds a robust_scaler_model (without data) from param values.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	err := m.Init(ModelKind, vecmodel.Hooks[state]{
		Decode: decode,
		Dims:   func(s state) (int, int) { return len(s.center), len(s.center) },
		Mapper: m.mapper,
	}, values, WithCentering, WithScaling, QuantileRange)
	if err != nil {
		return nil, err
	}
	m.params = m.Params()
	return m, nil
}

// SetWithCentering sets with_centering.
func (m *Model) SetWithCentering(v bool) error { return WithCentering.Set(m.params, v) }

// SetWithScaling sets with_scaling.
func (m *Model) SetWithScaling(v bool) error { return WithScaling.Set(m.params, v) }

// Center returns a copy of the learned medians (nil without model data).
func (m *Model) Center() []float64 {
	s, _ := m.State()
	return append([]float64(nil), s.center...)
}

// Scale returns a copy of the learned scales.
func (m *Model) Scale() []float64 {
	s, _ := m.State()
	return append([]float64(nil), s.scale...)
}

func decode(data []arrow.Record) (state, error) {
	cols, err := vecutil.FeatureColumns(data, "center", "scale")
	if err != nil {
		return state{}, err
	}
	for _, v := range cols[1] {
		if v <= 0 {
			return state{}, errors.New("model data column \"scale\" holds a non-positive value")
		}
	}
	return state{center: cols[0], scale: cols[1]}, nil
}

func (m *Model) mapper(s state) func(dst, src []float64) {
	center, scale := WithCentering.Get(m.params), WithScaling.Get(m.params)
	switch {
	case center && scale:
		return func(dst, src []float64) {
			for j, v := range src {
				dst[j] = (v - s.center[j]) / s.scale[j]
			}
		}
	case center:
		return func(dst, src []float64) {
			for j, v := range src {
				dst[j] = v - s.center[j]
			}
		}
	case scale:
		return func(dst, src []float64) {
			for j, v := range src {
				dst[j] = v / s.scale[j]
			}
		}
	}
	return func(dst, src []float64) { copy(dst, src) }
}
