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

// The sgd solver (scikit-learn's SGDClassifier(loss="log_loss")), and a
// warm start from the fitted model.
func Example_sgd() {
	mem := memory.NewGoAllocator()
	rec, _ := table.Build(mem,
		table.DenseCol("features", 1, [][]float64{{-2}, {-1}, {-0.5}, {0.5}, {1}, {2}}),
		table.Col("label", []int64{0, 0, 1, 0, 1, 1}))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	est, _ := logreg.New(map[string]any{"solver": "sgd", "reg_param": 0.1, "max_iter": 1000, "tol": 1e-6, "seed": 1})
	r := tbl.Reader()
	model, res, err := est.FitReport(context.Background(), r)
	r.Release()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("w %.1f, stopped after the loss settled: %v\n", model.Coefficients()[0][0], res.Converged)
	// Refine with a small constant rate from the fitted coefficients.
	_ = est.SetWarmStart(true)
	_ = logreg.LearningRate.Set(est.Params(), logreg.LearningRateConstant)
	_ = logreg.Eta0.Set(est.Params(), 0.001)
	if err := est.SetInitialModel(model); err != nil {
		fmt.Println(err)
		return
	}
	r = tbl.Reader()
	refined, _, err := est.FitReport(context.Background(), r)
	r.Release()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("w %.1f\n", refined.Coefficients()[0][0])
	// Output:
	// w 1.2, stopped after the loss settled: true
	// w 1.2
}
