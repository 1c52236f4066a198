package gaussianmixture

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/scoring"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

// ModelDataRecord builds gaussian_mixture_model data: one row per
// component with float64 "weight", dense vector "mean" and dense vector
// "covariance" (d×d row-major for full and tied, d values for diag, 1 for
// spherical; the same size for every component). The caller owns one
// Release.
func ModelDataRecord(mem memory.Allocator, weights []float64, means, covariances [][]float64) (arrow.Record, error) {
	if _, err := check(weights, means, covariances); err != nil {
		return nil, err
	}
	return table.Build(mem, table.Col("weight", weights), table.DenseCol("mean", len(means[0]), means),
		table.DenseCol("covariance", len(covariances[0]), covariances))
}

func check(weights []float64, means, covs [][]float64) (*mixture, error) {
	k := len(weights)
	if k == 0 || len(means) != k || len(covs) != k {
		return nil, fmt.Errorf("%d weights, %d means and %d covariances, want the same number > 0", k, len(means), len(covs))
	}
	d, cd := len(means[0]), len(covs[0])
	if d == 0 || (cd != d*d && cd != d && cd != 1) {
		return nil, fmt.Errorf("covariances of size %d for means of size %d, want %d, %d or 1", cd, d, d*d, d)
	}
	g := &mixture{k: k, d: d, cdim: cd, weights: slices.Clone(weights)}
	var sum float64
	for c := range k {
		if len(means[c]) != d || len(covs[c]) != cd {
			return nil, fmt.Errorf("component %d: mean of size %d and covariance of size %d, want %d and %d", c, len(means[c]), len(covs[c]), d, cd)
		}
		if !(weights[c] > 0) || math.IsInf(weights[c], 0) {
			return nil, fmt.Errorf("component %d: weight %v, want > 0", c, weights[c])
		}
		sum += weights[c]
		for _, v := range means[c] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("component %d: mean value %v", c, v)
			}
		}
		g.means = append(g.means, means[c]...)
		g.cov = append(g.cov, covs[c]...)
	}
	if math.Abs(sum-1) > 1e-6 {
		return nil, fmt.Errorf("weights sum to %v, want 1", sum)
	}
	if err := g.prepare(); err != nil {
		return nil, err
	}
	return g, nil
}

func decode(data []arrow.Record) (*mixture, error) {
	if len(data) != 1 {
		return nil, fmt.Errorf("want 1 model data record, got %d", len(data))
	}
	rec := data[0]
	col := func(name string) (arrow.Array, error) {
		i, err := table.FieldIndex(rec.Schema(), name)
		if err != nil {
			return nil, err
		}
		return rec.Column(i), nil
	}
	wa, err := col("weight")
	if err != nil {
		return nil, err
	}
	weights, err := table.Float64s(wa)
	if err != nil {
		return nil, fmt.Errorf("column \"weight\": %w", err)
	}
	var vecs [2][][]float64
	for j, name := range []string{"mean", "covariance"} {
		a, err := col(name)
		if err != nil {
			return nil, err
		}
		v, dim, err := table.DenseVectors(a)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", name, err)
		}
		if dim > 0 {
			vecs[j] = rows(v, dim)
		}
	}
	return check(weights, vecs[0], vecs[1])
}

// Model is the gaussian_mixture_model.
type Model struct {
	param.HasFeaturesCol
	param.HasPredictionCol
	param.HasProbabilityCol
	param.HasModelVersionCol
	params *param.Set
	state  pipeline.ModelState[*mixture]
}

var (
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds a gaussian_mixture_model (without data) from param
// values.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	m.params = param.NewSet(ModelKind, &m.HasFeaturesCol, &m.HasPredictionCol, &m.HasProbabilityCol, &m.HasModelVersionCol, K, CovarianceType)
	if err := m.params.SetMap(values); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) Kind() string              { return ModelKind }
func (m *Model) Params() *param.Set        { return m.params }
func (m *Model) ModelData() []arrow.Record { return m.state.ModelData() }
func (m *Model) ModelVersion() int64       { return m.state.ModelVersion() }

// SetModelData replaces the mixture (see ModelDataRecord).
func (m *Model) SetModelData(recs ...arrow.Record) error {
	if err := m.state.Set(recs, decode); err != nil {
		return fmt.Errorf("stage %q: set model data: %w", ModelKind, err)
	}
	return nil
}

// Weights returns a copy of the component weights; nil without data.
func (m *Model) Weights() []float64 {
	if snap := m.state.Load(); snap != nil {
		return slices.Clone(snap.State.weights)
	}
	return nil
}

// Means returns a copy of the means, one slice per component.
func (m *Model) Means() [][]float64 {
	if snap := m.state.Load(); snap != nil {
		return rows(slices.Clone(snap.State.means), snap.State.d)
	}
	return nil
}

// Covariances returns a copy of the covariances as stored in the model
// data (d×d row-major, d diagonal values or 1 variance per component).
func (m *Model) Covariances() [][]float64 {
	if snap := m.state.Load(); snap != nil {
		return rows(slices.Clone(snap.State.cov), snap.State.cdim)
	}
	return nil
}

// OutputSchema appends the float64 prediction column, the probability
// column (a dense vector of k values; k is the param when no data is set)
// and the model version column when model_version_col is set.
func (m *Model) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	k := K.Get(m.params)
	if snap := m.state.Load(); snap != nil {
		k = snap.State.k
	}
	out, err := scoring.OutputSchema(in, m.FeaturesCol(), []arrow.Field{scoring.Field(m.PredictionCol(), 0), scoring.Field(m.ProbabilityCol(), k)}, m.ModelVersionCol())
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	return out, nil
}

// Transform scores every row of rec (borrowed).
func (m *Model) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	snap := m.state.Load()
	if snap == nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, pipeline.ErrNoModelData)
	}
	g := snap.State
	schema, err := m.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	x, err := scoring.Features(rec, m.FeaturesCol(), g.d)
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	mem := pipeline.Allocator(ctx)
	n := int(rec.NumRows())
	pred := scoring.NewColumn(mem, m.PredictionCol(), 0, n)
	prob := scoring.NewColumn(mem, m.ProbabilityCol(), g.k, n)
	full := g.cdim == g.d*g.d && g.d > 1
	mat := data{x: x, n: n, d: g.d}
	parallel(n, nparts(n), func(_, lo, hi int) {
		z := make([]float64, g.d)
		var block []float64
		if full {
			block = make([]float64, 2*blockRows*g.d)
		}
		for b := lo; b < hi; b += blockRows {
			e := min(b+blockRows, hi)
			if full {
				g.blockLogProb(mat, b, e, block, prob.Values)
			}
			for i := b; i < e; i++ {
				r := prob.Values[i*g.k : (i+1)*g.k]
				if !full {
					g.weightedLogProb(mat.row(i), r, z)
				}
				softmax(r)
				best := 0
				for c, v := range r {
					if v > r[best] {
						best = c
					}
				}
				pred.Values[i] = float64(best)
			}
		}
	})
	return scoring.Finish(mem, rec, schema, []*scoring.Column{pred, prob}, m.ModelVersionCol(), snap.Version)
}
