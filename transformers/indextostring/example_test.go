package indextostring_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/indextostring"
)

func Example() {
	rec, _ := table.Build(memory.DefaultAllocator, table.Col("idx", []float64{1, 0, 2}))
	defer rec.Release()
	s, err := indextostring.New(map[string]any{
		"input_col": "idx", "output_col": "city", "labels": []string{"paris", "oslo", "lima"}})
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
	for _, row := range table.Rows(out) {
		fmt.Println(row["idx"], row["city"])
	}
	// Output:
	// 1 oslo
	// 0 paris
	// 2 lima
}
