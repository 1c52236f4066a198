package gaussianmixture_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/gaussianmixture"
	"github.com/eddyml/eddy/pipeline/table"
)

func Example() {
	mem := memory.NewGoAllocator()
	rec, _ := table.Build(mem, table.DenseCol("features", 1, [][]float64{{0}, {1}, {2}, {10}, {11}, {12}}))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	est, _ := gaussianmixture.New(map[string]any{"k": 2, "covariance_type": "spherical", "n_init": 3})
	r := tbl.Reader()
	defer r.Release()
	m, rep, err := est.FitReport(context.Background(), r)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("lower bound %.4f, means %.4g, variances %.4g, weights %.4g\n", rep.LowerBound, m.Means(), m.Covariances(), m.Weights())
	out, _ := m.Transform(context.Background(), rec)
	defer out.Release()
	fmt.Println(out.Column(1))
	// Output:
	// lower bound -1.9094, means [[11] [1]], variances [[0.6667] [0.6667]], weights [0.5 0.5]
	// [1 1 1 0 0 0]
}

// A model fitted on the first rows starts EM on all of them: one run,
// whatever n_init says.
func ExampleGaussianMixture_SetInitialModel() {
	mem := memory.NewGoAllocator()
	ctx := context.Background()
	fit := func(est *gaussianmixture.GaussianMixture, x [][]float64) (*gaussianmixture.Model, gaussianmixture.Report, error) {
		rec, err := table.Build(mem, table.DenseCol("features", 1, x))
		if err != nil {
			return nil, gaussianmixture.Report{}, err
		}
		defer rec.Release()
		tbl, err := table.New(rec.Schema(), rec)
		if err != nil {
			return nil, gaussianmixture.Report{}, err
		}
		defer tbl.Release()
		r := tbl.Reader()
		defer r.Release()
		return est.FitReport(ctx, r)
	}
	x := [][]float64{{0}, {10}, {1}, {11}, {2}, {12}, {0.5}, {10.5}, {1.5}, {11.5}}
	est, _ := gaussianmixture.New(map[string]any{"k": 2, "covariance_type": "spherical"})
	first, _, err := fit(est, x[:6])
	if err != nil {
		fmt.Println(err)
		return
	}
	warm, _ := gaussianmixture.New(map[string]any{"k": 2, "covariance_type": "spherical", "warm_start": true, "n_init": 10})
	if err := warm.SetInitialModel(first); err != nil {
		fmt.Println(err)
		return
	}
	m, rep, err := fit(warm, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d iterations (converged %v), lower bound %.4f, means %.4g\n", rep.Iter, rep.Converged, rep.LowerBound, m.Means())
	// Output:
	// 3 iterations (converged true), lower bound -1.7655, means [[1] [11]]
}
