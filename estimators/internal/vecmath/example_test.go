package vecmath_test

import (
	"fmt"

	"github.com/eddyml/eddy/estimators/internal/vecmath"
)

// A k-means assignment: the dot products and the squared distances of a
// row to three centers stored row-major.
func ExampleDots() {
	x := []float64{1, 2, 3}
	centers := []float64{
		1, 0, 0,
		0, 1, 1,
		2, 2, 2,
	}
	dots := make([]float64, 3)
	vecmath.Dots(dots, x, centers)
	dists := make([]float64, 3)
	vecmath.SqDists(dists, x, centers)
	fmt.Println(dots, dists)
	// Output: [1 5 12] [13 6 2]
}
