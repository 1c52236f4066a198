package ftrl_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/online/ftrl"
	"github.com/eddyml/eddy/pipeline/table"
)

// The engine owns the loop: each batch is scored, then learned
// (test-then-train); Snapshot/Restore carry the state across a restart and
// Model hands a logistic_regression_model to serving.
func Example() {
	mem := memory.NewGoAllocator()
	f, err := ftrl.New(map[string]any{"alpha": 0.5, "l1": 0.0})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Feature 0 says "click", feature 1 says "no click".
	rec, _ := table.Build(mem,
		table.SparseCol("features", []table.SparseVector{
			{Size: 2, Indices: []int32{0}, Values: []float64{1}},
			{Size: 2, Indices: []int32{1}, Values: []float64{1}},
		}),
		table.Col("label", []int64{1, 0}))
	defer rec.Release()
	ctx := context.Background()
	var p []float64
	for range 50 {
		if p, err = f.UpdatePredict(ctx, rec, p); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Printf("rows %d, last predictions %.2f %.2f\n", f.Rows(), p[0], p[1])

	snap, _ := f.Snapshot()
	g, _ := ftrl.New(map[string]any{"alpha": 0.5, "l1": 0.0})
	if err := g.Restore(snap); err != nil {
		fmt.Println(err)
		return
	}
	m, _ := g.Model(1)
	fmt.Println(m.Kind(), "version", m.ModelVersion())
	// Output:
	// rows 100, last predictions 0.88 0.12
	// logistic_regression_model version 1
}
