package binarizer_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/binarizer"
)

func Example() {
	mem := memory.NewGoAllocator()
	rec, err := table.Build(mem,
		table.Col("age", []float64{17, 42}),
		table.DenseCol("scores", 3, [][]float64{{0.2, 0.7, 0.5}, {0.9, 0.1, 0.6}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	b, err := binarizer.New(map[string]any{
		"input_cols":  []string{"age", "scores"},
		"output_cols": []string{"adult", "high"},
		"thresholds":  []float64{17.5, 0.5},
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
		fmt.Println(row["adult"], row["high"])
	}
	// Output:
	// 0 [0 1 0]
	// 1 [1 0 1]
}
