package decisiontree_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/decisiontree"
	"github.com/eddyml/eddy/pipeline/table"
)

func Example() {
	mem := memory.NewGoAllocator()
	rec, _ := table.Build(mem,
		table.DenseCol("features", 2, [][]float64{{1, 5}, {2, 3}, {3, 4}, {4, 3}, {5, 5}, {6, 4}}),
		table.Col("label", []int64{0, 0, 0, 1, 1, 1}))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	est, _ := decisiontree.NewClassifier(map[string]any{"max_depth": 2})
	r := tbl.Reader()
	defer r.Release()
	m, err := est.FitTree(context.Background(), r)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("depth", m.Depth(), "importances", m.FeatureImportances())
	out, _ := m.Transform(context.Background(), rec)
	defer out.Release()
	fmt.Println(table.Value(out.Column(2), 0), table.Value(out.Column(2), 5))
	// Output:
	// depth 1 importances [1 0]
	// 0 1
}
