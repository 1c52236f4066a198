package softmax_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/online/softmax"
	"github.com/eddyml/eddy/pipeline/table"
)

// Three classes, one per one-hot feature, learned row by row.
func Example() {
	s, err := softmax.New(map[string]any{"labels": []float64{10, 20, 30}})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec, _ := table.Build(memory.NewGoAllocator(),
		table.DenseCol("features", 3, [][]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}),
		table.Col("label", []float64{10, 20, 30}))
	defer rec.Release()
	for range 20 {
		if err := s.Update(context.Background(), rec); err != nil {
			fmt.Println(err)
			return
		}
	}
	p, _ := s.Predict(rec, nil)
	fmt.Printf("P(20 | second row) = %.2f after %d rows\n", p[3+1], s.Rows())
	// Output:
	// P(20 | second row) = 0.95 after 60 rows
}
