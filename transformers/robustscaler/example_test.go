package robustscaler_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/robustscaler"
)

func Example() {
	mem := memory.NewGoAllocator()
	rec, err := table.Build(mem, table.DenseCol("features", 2, [][]float64{{1, 10}, {2, 20}, {3, 30}, {4, 40}, {100, 50}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	tbl, err := table.New(rec.Schema(), rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tbl.Release()
	est, err := robustscaler.New(map[string]any{"input_col": "features", "output_col": "scaled"})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := pipeline.WithAllocator(context.Background(), mem)
	r := tbl.Reader()
	defer r.Release()
	m, err := est.Fit(ctx, r)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := m.Transform(ctx, rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	for _, row := range table.Rows(out) {
		fmt.Println(row["scaled"])
	}
	// Output:
	// [-1 -1]
	// [-0.5 -0.5]
	// [0 0]
	// [0.5 0.5]
	// [48.5 1]
}
