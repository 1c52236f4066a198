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
