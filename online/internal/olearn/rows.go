package olearn

import (
	"fmt"
	"math"
)

// CheckSparseRow checks one sparse row handed to learner kind, whose
// vectors have size dim: as many indices as values, every index in
// [0, dim) and every value finite. The error names the learner.
func CheckSparseRow(kind string, indices []int32, values []float64, dim int) error {
	if len(indices) != len(values) {
		return fmt.Errorf("learner %q: %d indices for %d values", kind, len(indices), len(values))
	}
	for k, i := range indices {
		if i < 0 || int(i) >= dim {
			return fmt.Errorf("learner %q: index %d outside [0, %d)", kind, i, dim)
		}
		if v := values[k]; math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("learner %q: feature %d is %v", kind, i, v)
		}
	}
	return nil
}

// CheckFinite checks that every value of a dense row handed to learner
// kind is finite. The error names the learner.
func CheckFinite(kind string, x []float64) error {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("learner %q: feature %d is %v", kind, i, v)
		}
	}
	return nil
}
