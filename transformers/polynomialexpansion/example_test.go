package polynomialexpansion_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/polynomialexpansion"
)

func Example() {
	mem := memory.NewGoAllocator()
	rec, err := table.Build(mem, table.DenseCol("x", 2, [][]float64{{2, 3}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	p, err := polynomialexpansion.New(map[string]any{"input_col": "x", "output_col": "poly", "degree": 2})
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
	fmt.Println(table.Rows(out)[0]["poly"]) // x0, x1, x0², x0·x1, x1²
	// Output:
	// [2 3 4 6 9]
}
