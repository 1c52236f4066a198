package isotonicregression_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/isotonicregression"
	"github.com/eddyml/eddy/pipeline/table"
)

func Example() {
	mem := memory.NewGoAllocator()
	rec, _ := table.Build(mem,
		table.Col("features", []float64{1, 2, 3, 4, 5}),
		table.Col("label", []float64{1, 3, 2, 4, 3.5}))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	est, _ := isotonicregression.New(map[string]any{"out_of_bounds": "clip"})
	r := tbl.Reader()
	defer r.Release()
	m, rep, err := est.FitReport(context.Background(), r)
	if err != nil {
		fmt.Println(err)
		return
	}
	x, y := m.Boundaries()
	fmt.Println("increasing:", rep.Increasing, "boundaries:", x, y)
	query, _ := table.Build(mem, table.Col("features", []float64{0, 2.5, 3.5, 9}))
	defer query.Release()
	out, _ := m.Transform(context.Background(), query)
	defer out.Release()
	fmt.Println(out.Column(1))
	// Output:
	// increasing: true boundaries: [1 2 3 4 5] [1 2.5 2.5 3.75 3.75]
	// [1 2.5 3.125 3.75]
}
