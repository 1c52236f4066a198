package linreg_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/linreg"
	"github.com/eddyml/eddy/pipeline/table"
)

func Example() {
	mem := memory.NewGoAllocator()
	rec, _ := table.Build(mem,
		table.DenseCol("features", 1, [][]float64{{0}, {1}, {2}, {3}}),
		table.Col("label", []float64{1, 3, 5, 7}))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	r := tbl.Reader()
	defer r.Release()
	est, _ := linreg.New(nil)
	m, _ := est.Fit(context.Background(), r)
	lm := m.(*linreg.Model)
	fmt.Printf("y = %.1f + %.1f x\n", lm.Intercept(), lm.Coefficients()[0])
	// Output: y = 1.0 + 2.0 x
}
