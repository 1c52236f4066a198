package pa_test

import (
	"fmt"

	"github.com/eddyml/eddy/online/pa"
)

// A PA-I classifier learns the sign of the first feature, row by row.
func ExampleNewClassifier() {
	c, err := pa.NewClassifier(map[string]any{"fit_intercept": false})
	if err != nil {
		fmt.Println(err)
		return
	}
	rows := [][]float64{{1, 0.5}, {-1, 0.3}, {2, -0.1}, {-0.5, 1}}
	labels := []float64{1, 0, 1, 0}
	for range 3 {
		for i, x := range rows {
			if _, err := c.UpdateDense(x, labels[i]); err != nil {
				fmt.Println(err)
				return
			}
		}
	}
	m, _ := c.UpdateDense([]float64{3, 0}, 1)
	fmt.Printf("margin of (3, 0) before learning it: %.2f\n", m)
	// Output:
	// margin of (3, 0) before learning it: 4.20
}
