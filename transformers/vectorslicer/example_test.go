package vectorslicer_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/vectorslicer"
)

func Example() {
	mem := memory.NewGoAllocator()
	rec, err := table.Build(mem, table.DenseCol("x", 2, [][]float64{{2, 3}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	p, err := vectorslicer.New(map[string]any{"input_col": "x", "output_col": "swapped", "indices": []int{1, 0}})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := p.Transform(pipeline.WithAllocator(context.Background(), mem), rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	fmt.Println(table.Rows(out)[0]["swapped"])
	// Output:
	// [3 2]
}
