package imputer_test

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/imputer"
)

func Example() {
	mem := memory.NewGoAllocator()
	rec, err := table.Build(mem, table.Col("x", []float64{1, math.NaN(), 5}))
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
	est, err := imputer.New(map[string]any{"input_cols": []string{"x"}, "output_cols": []string{"x_filled"}, "strategy": "median"})
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
		fmt.Println(row["x_filled"])
	}
	// Output:
	// 1
	// 3
	// 5
}
