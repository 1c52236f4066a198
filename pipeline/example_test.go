package pipeline_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/internal/toystage"
	"github.com/eddyml/eddy/pipeline/table"
)

// A pipeline of a transformer and an estimator is fit on a table; the
// fitted PipelineModel then transforms a batch.
func ExamplePipeline() {
	ctx := context.Background()
	rec, err := table.Build(memory.DefaultAllocator, table.Col("x", []float64{1, 2, 6}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	train, err := table.New(rec.Schema(), rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer train.Release()

	add, err := toystage.NewAddConstant(map[string]any{"input_col": "x", "output_col": "y", "value": 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	center, err := toystage.NewMeanCenter(map[string]any{"input_col": "y", "output_col": "centered"})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := pipeline.NewPipeline(add, center)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := train.Reader()
	model, err := p.Fit(ctx, r)
	r.Release()
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := model.Transform(ctx, rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	fmt.Println(out.Schema().Field(2).Name)
	for _, row := range table.Rows(out) {
		fmt.Println(row["x"], row["y"], row["centered"])
	}
	// Output:
	// centered
	// 1 11 -2
	// 2 12 -1
	// 6 16 3
}
