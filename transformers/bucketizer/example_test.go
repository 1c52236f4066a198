package bucketizer_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/bucketizer"
)

func Example() {
	mem := memory.NewGoAllocator()
	rec, err := table.Build(mem, table.Col("age", []float64{3, 18, 40, 65, 120}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	b, err := bucketizer.New(map[string]any{
		"input_cols":     []string{"age"},
		"output_cols":    []string{"band"},
		"splits_array":   []string{"0, 18, 65, 100"},
		"handle_invalid": "keep",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := b.Transform(pipeline.WithAllocator(context.Background(), mem), rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	for _, row := range table.Rows(out) {
		fmt.Println(row["age"], row["band"])
	}
	// Output:
	// 3 0
	// 18 1
	// 40 1
	// 65 2
	// 120 3
}
