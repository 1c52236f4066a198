package minmaxscaler

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
	Kind      = "min_max_scaler"
	ModelKind = "min_max_scaler_model"
)

// Params.
var (
	Min = param.New("min", "lower bound of the output range", 0.0)
	Max = param.New("max", "upper bound of the output range (greater than min)", 1.0)
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Learns per-feature min and max of a vector column (sklearn MinMaxScaler).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: ModelKind, Doc: "Rescales each feature of a vector column to [min, max].",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

func checkRange(s *param.Set, kind string) error {
	lo, hi := Min.Get(s), Max.Get(s)
	if !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return &param.Error{Kind: kind, Param: Max.Name(), Err: fmt.Errorf("must be finite and greater than min=%v, got %v", lo, hi)}
	}
	return nil
}

// MinMaxScaler is the min_max_scaler estimator.
type MinMaxScaler struct {
	param.HasInputCol
	param.HasOutputCol
	param.HasModelVersionCol
	params *param.Set
}

// New builds a min_max_scaler from param values.
func New(values map[string]any) (*MinMaxScaler, error) {
	s := &MinMaxScaler{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, &s.HasModelVersionCol, Min, Max)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	if err := checkRange(s.params, Kind); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *MinMaxScaler) Kind() string       { return Kind }
func (s *MinMaxScaler) Params() *param.Set { return s.params }

// Fit learns the per-feature minimum and maximum, ignoring NaN.
func (s *MinMaxScaler) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	var lo, hi []float64
	_, rows, err := vecutil.ScanVectors(r, s.InputCol(), func(x []float64) error {
		if lo == nil {
			lo, hi = make([]float64, len(x)), make([]float64, len(x))
			for j := range lo {
				lo[j], hi[j] = math.NaN(), math.NaN()
			}
		}
		for j, v := range x {
			if v < lo[j] || lo[j] != lo[j] {
				lo[j] = v
			}
			if v > hi[j] || hi[j] != hi[j] {
				hi[j] = v
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
	rec, err := ModelDataRecord(pipeline.Allocator(ctx), lo, hi)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return m, m.SetModelData(rec)
}

// ModelDataRecord builds min_max_scaler_model data. The caller owns one
// Release.
func ModelDataRecord(mem memory.Allocator, dataMin, dataMax []float64) (arrow.Record, error) {
	if len(dataMin) != len(dataMax) {
		return nil, fmt.Errorf("stage %q: %d minima for %d maxima", ModelKind, len(dataMin), len(dataMax))
	}
	return vecutil.FeatureRecord(mem, []string{"data_min", "data_max"}, dataMin, dataMax)
}

type state struct{ lo, hi []float64 }

// Model is the min_max_scaler_model.
type Model struct {
	vecmodel.Base[state]
}

var (
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds a min_max_scaler_model (without data) from param values.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	err := m.Init(ModelKind, vecmodel.Hooks[state]{
		Decode: decode,
		Dims:   func(s state) (int, int) { return len(s.lo), len(s.lo) },
		Mapper: m.mapper,
	}, values, Min, Max)
	if err != nil {
		return nil, err
	}
	if err := checkRange(m.Params(), ModelKind); err != nil {
		return nil, err
	}
	return m, nil
}

// DataMin returns a copy of the learned minima.
func (m *Model) DataMin() []float64 { s, _ := m.State(); return append([]float64(nil), s.lo...) }

// DataMax returns a copy of the learned maxima.
func (m *Model) DataMax() []float64 { s, _ := m.State(); return append([]float64(nil), s.hi...) }

func decode(data []arrow.Record) (state, error) {
	cols, err := vecutil.FeatureColumns(data, "data_min", "data_max")
	if err != nil {
		return state{}, err
	}
	return state{lo: cols[0], hi: cols[1]}, nil
}

func (m *Model) mapper(s state) func(dst, src []float64) {
	lo, hi := Min.Get(m.Params()), Max.Get(m.Params())
	scale := make([]float64, len(s.lo))
	shift := make([]float64, len(s.lo))
	for j := range scale {
		r := s.hi[j] - s.lo[j]
		if r < 10*2.220446049250313e-16 {
			r = 1
		}
		scale[j] = (hi - lo) / r
		shift[j] = lo - s.lo[j]*scale[j]
	}
	return func(dst, src []float64) {
		for j, v := range src {
			dst[j] = v*scale[j] + shift[j]
		}
	}
}
