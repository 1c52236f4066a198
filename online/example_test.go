package online_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/online"
	_ "github.com/eddyml/eddy/online/all"
	"github.com/eddyml/eddy/pipeline/table"
)

// Build a learner by kind name, learn a batch test-then-train and read the
// prediction columns.
func ExampleNew() {
	mem := memory.NewGoAllocator()
	l, err := online.New("ftrl", map[string]any{"alpha": 0.5, "l1": 0.0})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec, err := table.Build(mem,
		table.DenseCol("features", 2, [][]float64{{1, 0}, {0, 1}, {1, 0}, {0, 1}}),
		table.Col("label", []float64{1, 0, 1, 0}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	raw, err := l.(online.Scorer).UpdatePredict(context.Background(), rec, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	spec, _ := online.Lookup("ftrl")
	pred, prob := spec.ScoreOutputs()(l, raw, int(rec.NumRows()), nil, nil)
	fmt.Println(spec.ModelKind, l.Rows())
	fmt.Println(pred)
	fmt.Printf("%.3f\n", prob)
	// Output:
	// logistic_regression_model 4
	// [0 1 1 0]
	// [0.500 0.531 0.533 0.493]
}
