package naivebayes_test

import (
	"fmt"

	"github.com/eddyml/eddy/online/naivebayes"
)

// Classes appear as their labels arrive; each row is predicted before it is
// learned.
func ExampleNewGaussian() {
	nb, err := naivebayes.NewGaussian(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	rows := [][]float64{{0, 0}, {5, 5}, {0.2, 0.1}, {5.1, 4.8}, {0.1, 0.3}}
	labels := []float64{1, 2, 1, 2, 1}
	var pred []float64
	for i, x := range rows {
		p, _ := nb.UpdateDense(x, labels[i])
		pred = append(pred, p)
	}
	// With one row of class 2 its variances are ~0, so (5.1, 4.8) is
	// still scored as class 1; by the last row class 1 wins on its own.
	fmt.Println("predicted before learning", pred)
	fmt.Println("classes", nb.Classes())
	// Output:
	// predicted before learning [NaN 1 1 1 1]
	// classes [1 2]
}
