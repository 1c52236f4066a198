package eval_test

import (
	"fmt"

	"github.com/eddyml/eddy/eval"
)

func ExampleROCAUC() {
	auc, _ := eval.ROCAUC([]float64{1, 1, 0, 0}, []float64{0.8, 0.5, 0.5, 0.2}, nil)
	fmt.Println(auc)
	// Output: 0.875
}

func ExampleRegressionAccumulator() {
	var acc eval.RegressionAccumulator
	_ = acc.Add([]float64{1, 2}, []float64{1.5, 2}, nil)
	_ = acc.Add([]float64{3, 4}, []float64{3, 3.5}, nil)
	m := acc.Metrics()
	fmt.Printf("rmse %.4f mae %.3f r2 %.2f\n", m.RMSE, m.MAE, m.R2)
	// Output: rmse 0.3536 mae 0.250 r2 0.90
}
