package pca

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/vecmodel"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
	"gonum.org/v1/gonum/mat"
)

// Kind names.
const (
	Kind      = "pca"
	ModelKind = "pca_model"
)

// K is the number of principal components.
var K = param.New("k", "number of principal components", 2, param.Gt(0))

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Learns the first k principal components of a vector column (sklearn PCA, full SVD).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: ModelKind, Doc: "Projects a vector column on learned principal components.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// PCA is the pca estimator.
type PCA struct {
	param.HasInputCol
	param.HasOutputCol
	param.HasModelVersionCol
	params *param.Set
}

// New builds a pca from param values.
func New(values map[string]any) (*PCA, error) {
	s := &PCA{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, &s.HasModelVersionCol, K)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *PCA) Kind() string       { return Kind }
func (s *PCA) Params() *param.Set { return s.params }

// SetK sets k.
func (s *PCA) SetK(v int) error { return K.Set(s.params, v) }

// Fit centers the data and takes its SVD (see the package doc).
func (s *PCA) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	var data []float64
	dim, rows, err := vecutil.ScanVectors(r, s.InputCol(), func(x []float64) error {
		data = append(data, x...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("stage %q: fit: %w", Kind, err)
	}
	n, k := int(rows), K.Get(s.params)
	if n == 0 || dim == 0 {
		return nil, fmt.Errorf("stage %q: fit: column %q has no non-null vectors", Kind, s.InputCol())
	}
	if k > min(n, dim) {
		return nil, &param.Error{Kind: Kind, Param: K.Name(),
			Err: fmt.Errorf("is %d, more than min(rows, dimension) = min(%d, %d)", k, n, dim)}
	}
	mean, comps, variance, err := fit(data, n, dim, k)
	if err != nil {
		return nil, fmt.Errorf("stage %q: fit: %w", Kind, err)
	}
	m, err := NewModel(nil)
	if err != nil {
		return nil, err
	}
	if err := m.params.CopyFrom(s.params); err != nil {
		return nil, err
	}
	rec, err := ModelDataRecord(pipeline.Allocator(ctx), mean, comps, variance)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return m, m.SetModelData(rec)
}

// fit returns the mean, the first k components (each of length d, signs
// by svd_flip) and their explained variances. data (n x d, row-major) is
// centered in place.
func fit(data []float64, n, d, k int) (mean []float64, comps [][]float64, variance []float64, err error) {
	mean = make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range data[i*d : (i+1)*d] {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for i := 0; i < n; i++ {
		row := data[i*d : (i+1)*d]
		for j := range row {
			row[j] -= mean[j]
		}
	}
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(n, d, data), mat.SVDThin) {
		return nil, nil, nil, errors.New("singular value decomposition did not converge")
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	sv := svd.Values(nil)
	comps = make([][]float64, k)
	variance = make([]float64, k)
	for c := 0; c < k; c++ {
		// svd_flip: the largest |U[i, c]| (first on ties) must be positive.
		best, sign := -1.0, 1.0
		for i := 0; i < n; i++ {
			if a := math.Abs(u.At(i, c)); a > best {
				best = a
				sign = 1
				if u.At(i, c) < 0 {
					sign = -1
				}
			}
		}
		comps[c] = make([]float64, d)
		for j := range comps[c] {
			comps[c][j] = sign * v.At(j, c)
		}
		if n > 1 {
			variance[c] = sv[c] * sv[c] / float64(n-1)
		}
	}
	return mean, comps, variance, nil
}

func pcName(c int) string { return "pc_" + strconv.Itoa(c) }

// ModelDataRecord builds pca_model data from the mean (length d), the
// components (k slices of length d) and their explained variances (k).
// The caller owns one Release.
func ModelDataRecord(mem memory.Allocator, mean []float64, comps [][]float64, variance []float64) (arrow.Record, error) {
	d := len(mean)
	if len(variance) != len(comps) || len(comps) > d {
		return nil, fmt.Errorf("stage %q: %d components and %d variances for dimension %d", ModelKind, len(comps), len(variance), d)
	}
	names := []string{"mean", "explained_variance"}
	ev := make([]float64, d)
	for c := range ev {
		ev[c] = math.NaN()
	}
	copy(ev, variance)
	cols := [][]float64{mean, ev}
	for c, comp := range comps {
		if len(comp) != d {
			return nil, fmt.Errorf("stage %q: component %d has dimension %d, want %d", ModelKind, c, len(comp), d)
		}
		names = append(names, pcName(c))
		cols = append(cols, comp)
	}
	return vecutil.FeatureRecord(mem, names, cols...)
}

type state struct {
	mean     []float64
	comps    [][]float64
	variance []float64
}

// Model is the pca_model.
type Model struct {
	vecmodel.Base[state]
	params *param.Set
}

var (
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds a pca_model (without data) from param values. Its k
// param is informative: the model data decide the number of components.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	err := m.Init(ModelKind, vecmodel.Hooks[state]{
		Decode: decode,
		Dims:   func(s state) (int, int) { return len(s.mean), len(s.comps) },
		Mapper: mapper,
	}, values, K)
	if err != nil {
		return nil, err
	}
	m.params = m.Params()
	return m, nil
}

// Mean returns a copy of the learned mean (nil without model data).
func (m *Model) Mean() []float64 {
	s, _ := m.State()
	return append([]float64(nil), s.mean...)
}

// Components returns a copy of the components, one slice per component.
func (m *Model) Components() [][]float64 {
	s, _ := m.State()
	out := make([][]float64, len(s.comps))
	for c, comp := range s.comps {
		out[c] = append([]float64(nil), comp...)
	}
	return out
}

// ExplainedVariance returns a copy of the components' variances
// (S^2/(n-1), as scikit-learn's explained_variance_).
func (m *Model) ExplainedVariance() []float64 {
	s, _ := m.State()
	return append([]float64(nil), s.variance...)
}

func decode(data []arrow.Record) (state, error) {
	if len(data) != 1 {
		return state{}, fmt.Errorf("want 1 model data record, got %d", len(data))
	}
	k := 0
	for data[0].Schema().HasField(pcName(k)) {
		k++
	}
	names := []string{"mean", "explained_variance"}
	for c := 0; c < k; c++ {
		names = append(names, pcName(c))
	}
	cols, err := vecutil.FeatureColumns(data, names...)
	if err != nil {
		return state{}, err
	}
	if k == 0 {
		return state{}, errors.New("model data has no component column pc_0")
	}
	return state{mean: cols[0], variance: cols[1][:k], comps: cols[2:]}, nil
}

func mapper(s state) func(dst, src []float64) {
	return func(dst, src []float64) {
		for c, comp := range s.comps {
			var acc float64
			for j, v := range src {
				acc += (v - s.mean[j]) * comp[j]
			}
			dst[c] = acc
		}
	}
}
