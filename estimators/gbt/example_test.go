package gbt_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/gbt"
	"github.com/eddyml/eddy/pipeline/table"
)

func Example() {
	mem := memory.NewGoAllocator()
	var x [][]float64
	var y []float64
	for i := range 200 {
		v := float64(i) / 200
		x = append(x, []float64{v, float64(i % 7)})
		if v > 0.6 {
			y = append(y, 1)
		} else {
			y = append(y, 0)
		}
	}
	rec, _ := table.Build(mem, table.DenseCol("features", 2, x), table.Col("label", y))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	est, _ := gbt.NewClassifier(map[string]any{"max_iter": 20, "max_leaf_nodes": 4})
	r := tbl.Reader()
	defer r.Release()
	m, rep, err := est.FitReport(context.Background(), r)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The first loss is the log loss of the base rate 79/200: 0.671.
	fmt.Printf("%d trees, importance of x0 %.2f, loss %.3f -> %.3f\n", m.NumTrees(), m.FeatureImportances()[0],
		rep.TrainLoss[0], rep.TrainLoss[len(rep.TrainLoss)-1])
	out, _ := m.Transform(context.Background(), rec)
	defer out.Release()
	fmt.Println(table.Value(out.Column(2), 0), table.Value(out.Column(2), 199))
	// Output:
	// 20 trees, importance of x0 1.00, loss 0.671 -> 0.065
	// 0 1
}
