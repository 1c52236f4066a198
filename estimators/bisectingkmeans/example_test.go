package bisectingkmeans_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/bisectingkmeans"
	"github.com/eddyml/eddy/pipeline/table"
)

func Example() {
	mem := memory.NewGoAllocator()
	rec, _ := table.Build(mem, table.DenseCol("features", 2, [][]float64{{0, 0}, {0, 1}, {10, 0}, {10, 1}, {50, 50}, {51, 50}}))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	est, _ := bisectingkmeans.New(map[string]any{"k": 3, "n_init": 3})
	r := tbl.Reader()
	defer r.Release()
	m, rep, err := est.FitReport(context.Background(), r)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("inertia %.4f, %d leaves\n", rep.Inertia, len(m.Centers()))
	out, _ := m.Transform(context.Background(), rec)
	defer out.Release()
	fmt.Println(out.Column(1))
	// Output:
	// inertia 1.5000, 3 leaves
	// [2 2 1 1 0 0]
}
