package vectorassembler_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/vectorassembler"
)

func Example() {
	mem := memory.NewGoAllocator()
	rec, err := table.Build(mem,
		table.Col("age", []int64{30, 41}),
		table.Col("income", []float64{1.5, 2.5}),
		table.DenseCol("emb", 2, [][]float64{{0.1, 0.2}, {0.3, 0.4}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	va, err := vectorassembler.New(map[string]any{"input_cols": []string{"age", "income", "emb"}, "output_col": "features"})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := va.Transform(context.Background(), rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	for _, row := range table.Rows(out) {
		fmt.Println(row["features"])
	}
	// Output:
	// [30 1.5 0.1 0.2]
	// [41 2.5 0.3 0.4]
}
