package interaction_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/interaction"
)

func Example() {
	mem := memory.NewGoAllocator()
	rec, err := table.Build(mem,
		table.Col("id", []float64{1}),
		table.DenseCol("a", 2, [][]float64{{1, 2}}),
		table.DenseCol("b", 2, [][]float64{{3, 4}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	it, err := interaction.New(map[string]any{"input_cols": []string{"id", "a", "b"}, "output_col": "x"})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := it.Transform(pipeline.WithAllocator(context.Background(), mem), rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	fmt.Println(table.Rows(out)[0]["x"])
	// Output:
	// [3 4 6 8]
}
