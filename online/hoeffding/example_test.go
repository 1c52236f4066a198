package hoeffding_test

import (
	"fmt"

	"github.com/eddyml/eddy/online/hoeffding"
)

// The label is 1 when x0 > 0.5; the tree finds the split after a few
// grace periods.
func Example() {
	tr, err := hoeffding.New(map[string]any{"grace_period": 50})
	if err != nil {
		fmt.Println(err)
		return
	}
	var hits int
	for i := range 2000 {
		x := float64(i%100) / 100
		y := 0.0
		if x > 0.5 {
			y = 1
		}
		p, _ := tr.UpdateDense([]float64{x, float64(i % 7)}, y)
		if i >= 1000 && p == y {
			hits++
		}
	}
	fmt.Printf("accuracy on the second half %.2f, %d leaves\n", float64(hits)/1000, tr.NumLeaves())
	// Output:
	// accuracy on the second half 0.99, 4 leaves
}
