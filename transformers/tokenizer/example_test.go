package tokenizer_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/tokenizer"
)

func Example() {
	rec, _ := table.Build(memory.DefaultAllocator, table.Col("text", []string{"Hi there  World", "ONE"}))
	defer rec.Release()
	s, err := tokenizer.New(map[string]any{"input_col": "text", "output_col": "tokens"})
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
		fmt.Println(table.Value(out.Column(1), i))
	}
	// Output:
	// [hi there world]
	// [one]
}
