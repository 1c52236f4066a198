package normalizer_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/normalizer"
)

func Example() {
	rec, err := table.Build(memory.NewGoAllocator(), table.DenseCol("v", 2, [][]float64{{3, 4}, {0, -2}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	n, err := normalizer.New(map[string]any{"input_col": "v", "output_col": "unit"})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := n.Transform(context.Background(), rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	for _, row := range table.Rows(out) {
		fmt.Println(row["unit"])
	}
	// Output:
	// [0.6 0.8]
	// [0 -1]
}
