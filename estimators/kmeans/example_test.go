package kmeans_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/kmeans"
	"github.com/eddyml/eddy/pipeline/table"
)

func Example() {
	mem := memory.NewGoAllocator()
	rec, _ := table.Build(mem, table.DenseCol("features", 2, [][]float64{{0, 0}, {0, 2}, {10, 10}, {10, 12}, {12, 10}}))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	est, _ := kmeans.New(map[string]any{"k": 2, "n_init": 3})
	r := tbl.Reader()
	defer r.Release()
	m, rep, err := est.FitReport(context.Background(), r)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("inertia %.4f weights %v\n", rep.Inertia, m.Weights())
	out, _ := m.Transform(context.Background(), rec)
	defer out.Release()
	fmt.Println(out.Column(1))
	// Output:
	// inertia 7.3333 weights [3 2]
	// [1 1 0 0 0]
}
