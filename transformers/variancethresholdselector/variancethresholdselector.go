package variancethresholdselector

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
	Kind      = "variance_threshold_selector"
	ModelKind = "variance_threshold_selector_model"
)

// VarianceThreshold is the variance a feature must exceed to be kept.
var VarianceThreshold = param.New("variance_threshold", "features with a (population) variance not above this are removed", 0.0,
	param.GtEq(0.0), param.Func("finite", func(v float64) error {
		if math.IsInf(v, 0) {
			return fmt.Errorf("must be finite, got %v", v)
		}
		return nil
	}))

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Learns per-feature variances of a vector column to drop low-variance features (sklearn VarianceThreshold).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: ModelKind, Doc: "Keeps the features of a vector column whose variance exceeds a threshold.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// Selector is the variance_threshold_selector estimator.
type Selector struct {
	param.HasInputCol
	param.HasOutputCol
	param.HasModelVersionCol
	params *param.Set
}

// New builds a variance_threshold_selector from param values.
func New(values map[string]any) (*Selector, error) {
	s := &Selector{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, &s.HasModelVersionCol, VarianceThreshold)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Selector) Kind() string       { return Kind }
func (s *Selector) Params() *param.Set { return s.params }

// SetVarianceThreshold sets variance_threshold.
func (s *Selector) SetVarianceThreshold(v float64) error { return VarianceThreshold.Set(s.params, v) }

// Fit computes each feature's variance (see the package doc).
func (s *Selector) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	var mean, m2, n, lo, hi []float64
	var hasNaN []bool
	_, rows, err := vecutil.ScanVectors(r, s.InputCol(), func(x []float64) error {
		if mean == nil {
			d := len(x)
			mean, m2, n, lo, hi, hasNaN = make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d), make([]bool, d)
			for j := range lo {
				lo[j], hi[j] = math.Inf(1), math.Inf(-1)
			}
		}
		for j, v := range x {
			if v != v {
				hasNaN[j] = true
				continue
			}
			n[j]++
			d := v - mean[j]
			mean[j] += d / n[j]
			m2[j] += d * (v - mean[j])
			lo[j], hi[j] = min(lo[j], v), max(hi[j], v)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("stage %q: fit: %w", Kind, err)
	}
	if rows == 0 {
		return nil, fmt.Errorf("stage %q: fit: column %q has no non-null vectors", Kind, s.InputCol())
	}
	th := VarianceThreshold.Get(s.params)
	variance := make([]float64, len(mean))
	kept := 0
	for j := range variance {
		variance[j] = math.NaN()
		if n[j] > 0 {
			variance[j] = m2[j] / n[j]
		}
		if th == 0 && !hasNaN[j] && hi[j]-lo[j] < variance[j] {
			variance[j] = hi[j] - lo[j]
		}
		if variance[j] > th {
			kept++
		}
	}
	if kept == 0 {
		return nil, fmt.Errorf("stage %q: fit: no feature of column %q has a variance above %v", Kind, s.InputCol(), th)
	}
	m, err := NewModel(nil)
	if err != nil {
		return nil, err
	}
	if err := m.params.CopyFrom(s.params); err != nil {
		return nil, err
	}
	rec, err := ModelDataRecord(pipeline.Allocator(ctx), variance)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return m, m.SetModelData(rec)
}

// ModelDataRecord builds variance_threshold_selector_model data from the
// per-feature variances. The caller owns one Release.
func ModelDataRecord(mem memory.Allocator, variance []float64) (arrow.Record, error) {
	return vecutil.FeatureRecord(mem, []string{"variance"}, variance)
}

// Model is the variance_threshold_selector_model.
type Model struct {
	vecmodel.Base[[]float64]
	params *param.Set
}

var (
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds a variance_threshold_selector_model (without data) from
// param values.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	err := m.Init(ModelKind, vecmodel.Hooks[[]float64]{
		Decode: decode,
		Dims:   func(v []float64) (int, int) { return len(v), len(m.selected(v)) },
		Mapper: func(v []float64) func(dst, src []float64) {
			sel := m.selected(v)
			return func(dst, src []float64) {
				for t, j := range sel {
					dst[t] = src[j]
				}
			}
		},
	}, values, VarianceThreshold)
	if err != nil {
		return nil, err
	}
	m.params = m.Params()
	return m, nil
}

// SetVarianceThreshold sets variance_threshold.
func (m *Model) SetVarianceThreshold(v float64) error { return VarianceThreshold.Set(m.params, v) }

// Variances returns a copy of the learned variances (nil without model
// data).
func (m *Model) Variances() []float64 {
	v, _ := m.State()
	return append([]float64(nil), v...)
}

// Selected returns the indices of the kept features.
func (m *Model) Selected() []int {
	v, _ := m.State()
	return m.selected(v)
}

func (m *Model) selected(v []float64) []int {
	th := VarianceThreshold.Get(m.params)
	sel := []int{}
	for j, x := range v {
		if x > th {
			sel = append(sel, j)
		}
	}
	return sel
}

func decode(data []arrow.Record) ([]float64, error) {
	cols, err := vecutil.FeatureColumns(data, "variance")
	if err != nil {
		return nil, err
	}
	return cols[0], nil
}
