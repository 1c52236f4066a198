package kbinsdiscretizer

import (
	"context"
	"errors"
	"fmt"
	"math"
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
	Kind      = "kbins_discretizer"
	ModelKind = "kbins_discretizer_model"
)

// Strategies.
const (
	Quantile = "quantile"
	Uniform  = "uniform"
)

// Params.
var (
	NBins    = param.New("n_bins", "number of bins per feature", 5, param.GtEq(2))
	Strategy = param.New("strategy", "how bin edges are chosen: quantile (equal counts) or uniform (equal widths)", Quantile, param.OneOf(Quantile, Uniform))
)

// minWidth is scikit-learn's threshold below which quantile bins are
// removed.
const minWidth = 1e-8

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Learns per-feature bin edges of a vector column (sklearn KBinsDiscretizer, ordinal).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: ModelKind, Doc: "Maps each feature of a vector column to its bin index.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// KBinsDiscretizer is the kbins_discretizer estimator.
type KBinsDiscretizer struct {
	param.HasInputCol
	param.HasOutputCol
	param.HasModelVersionCol
	params *param.Set
}

// New builds a kbins_discretizer from param values.
func New(values map[string]any) (*KBinsDiscretizer, error) {
	s := &KBinsDiscretizer{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, &s.HasModelVersionCol, NBins, Strategy)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *KBinsDiscretizer) Kind() string       { return Kind }
func (s *KBinsDiscretizer) Params() *param.Set { return s.params }

// SetNBins sets n_bins.
func (s *KBinsDiscretizer) SetNBins(v int) error { return NBins.Set(s.params, v) }

// SetStrategy sets strategy.
func (s *KBinsDiscretizer) SetStrategy(v string) error { return Strategy.Set(s.params, v) }

// Fit keeps every value of input_col and computes the edges.
func (s *KBinsDiscretizer) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
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
	edges := make([][]float64, len(cols))
	for j, c := range cols {
		slices.Sort(c)
		edges[j] = Edges(c, NBins.Get(s.params), Strategy.Get(s.params))
	}
	m, err := NewModel(nil)
	if err != nil {
		return nil, err
	}
	if err := m.params.CopyFrom(s.params); err != nil {
		return nil, err
	}
	rec, err := ModelDataRecord(pipeline.Allocator(ctx), edges)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return m, m.SetModelData(rec)
}

// Edges returns the bin edges of the sorted, NaN-free values of one
// feature, as scikit-learn's KBinsDiscretizer.fit (see the package doc).
func Edges(sorted []float64, nBins int, strategy string) []float64 {
	if len(sorted) == 0 || sorted[0] == sorted[len(sorted)-1] {
		return []float64{math.Inf(-1), math.Inf(1)}
	}
	lo, hi := sorted[0], sorted[len(sorted)-1]
	if strategy == Uniform {
		return vecutil.Linspace(lo, hi, nBins+1)
	}
	qs := vecutil.Linspace(0, 100, nBins+1)
	edges := make([]float64, 0, len(qs))
	for k, q := range qs {
		e := vecutil.Percentile(sorted, q)
		// numpy.ediff1d(edges, to_begin=inf) > 1e-8 against the
		// previous computed edge, removed or not.
		if k == 0 || e-vecutil.Percentile(sorted, qs[k-1]) > minWidth {
			edges = append(edges, e)
		}
	}
	return edges
}

// ModelDataRecord builds kbins_discretizer_model data from each
// feature's edges (at least 2, non-decreasing). The caller owns one Release.
func ModelDataRecord(mem memory.Allocator, edges [][]float64) (arrow.Record, error) {
	var feat []int64
	var vals []float64
	for j, e := range edges {
		if err := checkEdges(e); err != nil {
			return nil, fmt.Errorf("stage %q: feature %d: %w", ModelKind, j, err)
		}
		for _, v := range e {
			feat = append(feat, int64(j))
			vals = append(vals, v)
		}
	}
	return table.Build(mem, table.Col("feature", feat), table.Col("edge", vals))
}

func checkEdges(e []float64) error {
	if len(e) < 2 {
		return fmt.Errorf("want at least 2 edges, got %d", len(e))
	}
	for i, v := range e {
		if math.IsNaN(v) || i > 0 && v < e[i-1] {
			return fmt.Errorf("edges must be non-decreasing and not NaN, got %v", e)
		}
	}
	return nil
}

// state holds each feature's inner edges.
type state struct {
	edges [][]float64 // full edges per feature
}

// Model is the kbins_discretizer_model.
type Model struct {
	vecmodel.Base[state]
	params *param.Set
}

var (
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds a kbins_discretizer_model (without data) from param
// values. Its n_bins and strategy params are informative: the model data
// decide the bins.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	err := m.Init(ModelKind, vecmodel.Hooks[state]{
		Decode: decode,
		Dims:   func(s state) (int, int) { return len(s.edges), len(s.edges) },
		Mapper: mapper,
	}, values, NBins, Strategy)
	if err != nil {
		return nil, err
	}
	m.params = m.Params()
	return m, nil
}

// Edges returns a copy of each feature's bin edges (nil without model
// data).
func (m *Model) Edges() [][]float64 {
	s, _ := m.State()
	out := make([][]float64, len(s.edges))
	for j, e := range s.edges {
		out[j] = slices.Clone(e)
	}
	return out
}

// NBins returns the number of bins of each feature, which is less than
// n_bins where bins were removed or the feature was constant.
func (m *Model) NBins() []int {
	s, _ := m.State()
	out := make([]int, len(s.edges))
	for j, e := range s.edges {
		out[j] = len(e) - 1
	}
	return out
}

func decode(data []arrow.Record) (state, error) {
	if len(data) != 1 {
		return state{}, fmt.Errorf("want 1 model data record, got %d", len(data))
	}
	rec := data[0]
	fi, err := table.FieldIndex(rec.Schema(), "feature")
	if err != nil {
		return state{}, fmt.Errorf("model data: %w", err)
	}
	ei, err := table.FieldIndex(rec.Schema(), "edge")
	if err != nil {
		return state{}, fmt.Errorf("model data: %w", err)
	}
	feat, err := table.Int64s(rec.Column(fi))
	if err != nil {
		return state{}, fmt.Errorf("model data column \"feature\": %w", err)
	}
	vals, err := table.Float64s(rec.Column(ei))
	if err != nil {
		return state{}, fmt.Errorf("model data column \"edge\": %w", err)
	}
	var s state
	start := 0
	for i := 0; i <= len(feat); i++ {
		if i < len(feat) && feat[i] == feat[start] {
			continue
		}
		if i == start {
			break
		}
		if feat[start] != int64(len(s.edges)) {
			return state{}, fmt.Errorf("model data: feature %d at row %d, want %d", feat[start], start, len(s.edges))
		}
		e := vals[start:i]
		if err := checkEdges(e); err != nil {
			return state{}, fmt.Errorf("model data: feature %d: %w", feat[start], err)
		}
		s.edges = append(s.edges, e)
		start = i
	}
	if len(s.edges) == 0 {
		return state{}, errors.New("model data has no edges")
	}
	return s, nil
}

// Bin returns the bin of x for edges: the number of inner edges <= x
// (NaN for NaN).
func Bin(edges []float64, x float64) float64 {
	if x != x {
		return x
	}
	inner := edges[1 : len(edges)-1]
	lo, hi := 0, len(inner)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if inner[m] <= x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return float64(lo)
}

func mapper(s state) func(dst, src []float64) {
	return func(dst, src []float64) {
		for j, v := range src {
			dst[j] = Bin(s.edges[j], v)
		}
	}
}
