package knn_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/knn"
	"github.com/eddyml/eddy/pipeline/table"
)

func Example() {
	mem := memory.NewGoAllocator()
	rec, _ := table.Build(mem,
		table.DenseCol("features", 2, [][]float64{{0, 0}, {0, 1}, {1, 0}, {5, 5}, {5, 6}, {6, 5}}),
		table.Col("label", []int64{0, 0, 0, 1, 1, 1}))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	est, _ := knn.New(map[string]any{"k": 3})
	r := tbl.Reader()
	defer r.Release()
	model, err := est.Fit(context.Background(), r)
	if err != nil {
		fmt.Println(err)
		return
	}
	q, _ := table.Build(mem, table.DenseCol("features", 2, [][]float64{{1, 1}, {4, 4}}))
	defer q.Release()
	out, _ := model.Transform(context.Background(), q)
	defer out.Release()
	fmt.Println(out.Column(1), out.Column(3))
	// Output:
	// [0 1] [[1 0] [0 1]]
}
