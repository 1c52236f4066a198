package kmeans_test

import (
	"fmt"

	"github.com/eddyml/eddy/online/kmeans"
)

// Two clusters learned row by row; the first k rows are buffered to seed
// the centroids.
func Example() {
	m, err := kmeans.New(map[string]any{"k": 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	var got []int
	for _, x := range [][]float64{{0, 0}, {10, 10}, {0, 2}, {10, 12}} {
		c, _ := m.UpdateDense(x)
		got = append(got, c)
	}
	fmt.Println("clusters", got)
	c := m.Centers()
	fmt.Println(len(c), "centers, weights", m.Weights())
	// Output:
	// clusters [-1 -1 0 1]
	// 2 centers, weights [2 2]
}
