package logreg_test

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/pipeline/table"
)

func Example() {
	mem := memory.NewGoAllocator()
	rec, _ := table.Build(mem,
		table.DenseCol("features", 1, [][]float64{{-2}, {-1}, {-0.5}, {0.5}, {1}, {2}}),
		table.Col("label", []int64{0, 0, 1, 0, 1, 1}))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	// reg_param 0.1 is scikit-learn C=10, whose coef_ is [[1.22574707]].
	est, _ := logreg.New(map[string]any{"reg_param": 0.1})
	r := tbl.Reader()
	defer r.Release()
	model, err := est.Fit(context.Background(), r)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := model.(*logreg.Model)
	fmt.Printf("w %.4f b %.4f labels %v\n", m.Coefficients()[0][0], math.Abs(m.Intercepts()[0]), m.Labels())
	out, _ := m.Transform(context.Background(), rec)
	defer out.Release()
	fmt.Println(table.Value(out.Column(2), 0), table.Value(out.Column(2), 5))
	// Output:
	// w 1.2257 b 0.0000 labels [0 1]
	// 0 1
}
