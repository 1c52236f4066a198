package scaler_test

import (
	"fmt"

	"github.com/eddyml/eddy/online/scaler"
)

func Example() {
	s, err := scaler.New(map[string]any{"input_col": "x", "output_col": "z"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, x := range [][]float64{{1, 10}, {3, 10}, {5, 40}} {
		if err := s.UpdateDense(x); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Printf("mean %.1f std %.3f\n", s.Mean(), s.Std())
	m, _ := s.Model(1)
	fmt.Println(m.Kind(), m.ModelVersion())
	// Output:
	// mean [3.0 20.0] std [1.633 14.142]
	// standard_scaler_model 1
}
