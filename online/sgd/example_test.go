package sgd_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/online/sgd"
	"github.com/eddyml/eddy/pipeline/table"
)

// Online linear regression with Adam learns y = 2x + 1 from a repeated
// batch; the linear_regression_model it hands out carries the weights.
func ExampleNewLinear() {
	l, err := sgd.NewLinear(map[string]any{"optimizer": sgd.Adam, "learning_rate": 0.1})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec, _ := table.Build(memory.NewGoAllocator(),
		table.DenseCol("features", 1, [][]float64{{0}, {1}, {2}, {3}}),
		table.Col("label", []float64{1, 3, 5, 7}))
	defer rec.Release()
	for range 500 {
		if err := l.Update(context.Background(), rec); err != nil {
			fmt.Println(err)
			return
		}
	}
	m, _ := l.Model(1)
	fmt.Printf("%s: w %.2f b %.2f after %d rows\n", m.Kind(), m.Coefficients()[0], m.Intercept(), l.Rows())
	// Output:
	// linear_regression_model: w 2.00 b 1.00 after 2000 rows
}
