package featurehasher_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/featurehasher"
)

// A string column adds 1 at hash("s=x"), a numeric one its value at
// hash("n").
func Example() {
	rec, _ := table.Build(memory.DefaultAllocator,
		table.Col("s", []string{"x", "y"}), table.Col("n", []float64{3, 2.5}))
	defer rec.Release()
	s, err := featurehasher.New(map[string]any{"input_cols": []string{"s", "n"}, "output_col": "f", "num_features": 16})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := s.Transform(context.Background(), rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	for i := 0; i < int(out.NumRows()); i++ {
		fmt.Println(table.Value(out.Column(2), i))
	}
	// Output:
	// {16 [4 12] [3 1]}
	// {16 [4 11] [2.5 1]}
}
