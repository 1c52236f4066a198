package vecmodel_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/kbinsdiscretizer"
	"github.com/eddyml/eddy/transformers/maxabsscaler"
	"github.com/eddyml/eddy/transformers/minmaxscaler"
	"github.com/eddyml/eddy/transformers/pca"
	"github.com/eddyml/eddy/transformers/robustscaler"
	"github.com/eddyml/eddy/transformers/variancethresholdselector"
)

// TestRowFuncMatchesTransform fits every model built on vecmodel.Base
// and checks its row path against Transform on rows it was not fit on.
func TestRowFuncMatchesTransform(t *testing.T) {
	cols := map[string]any{"input_col": "x", "output_col": "out"}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range cols {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name string
		new  func() (pipeline.Estimator, error)
	}{
		{"pca", func() (pipeline.Estimator, error) { return pca.New(with(map[string]any{"k": 3})) }},
		{"max_abs_scaler", func() (pipeline.Estimator, error) { return maxabsscaler.New(cols) }},
		{"min_max_scaler", func() (pipeline.Estimator, error) { return minmaxscaler.New(cols) }},
		{"robust_scaler", func() (pipeline.Estimator, error) { return robustscaler.New(cols) }},
		{"kbins_discretizer", func() (pipeline.Estimator, error) { return kbinsdiscretizer.New(with(map[string]any{"n_bins": 4})) }},
		{"kbins_uniform", func() (pipeline.Estimator, error) {
			return kbinsdiscretizer.New(with(map[string]any{"strategy": kbinsdiscretizer.Uniform}))
		}},
		{"variance_threshold", func() (pipeline.Estimator, error) {
			return variancethresholdselector.New(with(map[string]any{"variance_threshold": 0.5}))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			ctx := pipeline.WithAllocator(context.Background(), mem)
			rng := rand.New(rand.NewPCG(5, 6))
			const dim = 5
			rows := func(n int) [][]float64 {
				x := make([][]float64, n)
				for i := range x {
					x[i] = make([]float64, dim)
					for j := range x[i] {
						x[i][j] = rng.NormFloat64() * float64(j+1) * 0.4
					}
				}
				return x
			}
			fitRec, err := table.Build(mem, table.DenseCol("x", dim, rows(200)))
			if err != nil {
				t.Fatal(err)
			}
			tbl, err := table.New(fitRec.Schema(), fitRec)
			fitRec.Release()
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Release()
			est, err := tc.new()
			if err != nil {
				t.Fatal(err)
			}
			r := tbl.Reader()
			m, err := est.Fit(ctx, r)
			r.Release()
			if err != nil {
				t.Fatal(err)
			}
			rec, err := table.Build(mem, table.DenseCol("x", dim, rows(300)))
			if err != nil {
				t.Fatal(err)
			}
			defer rec.Release()
			if err := pipeline.CheckRowFunc(ctx, m, rec); err != nil {
				t.Fatal(err)
			}
		})
	}
}
