package randomforest_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/randomforest"
	"github.com/eddyml/eddy/pipeline/table"
)

func Example() {
	mem := memory.NewGoAllocator()
	var x [][]float64
	var y []float64
	for i := range 100 {
		v := float64(i)
		x = append(x, []float64{v, float64(i % 3)})
		y = append(y, 2*v)
	}
	rec, _ := table.Build(mem, table.DenseCol("features", 2, x), table.Col("label", y))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	est, _ := randomforest.NewRegressor(map[string]any{"n_estimators": 50, "seed": 1})
	r := tbl.Reader()
	defer r.Release()
	m, err := est.FitForest(context.Background(), r)
	if err != nil {
		fmt.Println(err)
		return
	}
	probe, _ := table.Build(mem, table.DenseCol("features", 2, [][]float64{{10, 1}, {90, 0}}))
	defer probe.Release()
	out, _ := m.Transform(context.Background(), probe)
	defer out.Release()
	pred, _ := table.Float64s(out.Column(1))
	fmt.Printf("%d trees, x0 importance > 0.9: %v, predictions near 20 and 180: %v\n", m.NumTrees(),
		m.FeatureImportances()[0] > 0.9, pred[0] > 15 && pred[0] < 25 && pred[1] > 175 && pred[1] < 185)
	// Output:
	// 50 trees, x0 importance > 0.9: true, predictions near 20 and 180: true
}
