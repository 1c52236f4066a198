package regextokenizer_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/regextokenizer"
)

// With gaps=false the pattern matches the tokens.
func Example() {
	rec, _ := table.Build(memory.DefaultAllocator, table.Col("text", []string{"Self-emp-not-inc, Never-married"}))
	defer rec.Release()
	s, err := regextokenizer.New(map[string]any{
		"input_col": "text", "output_col": "tokens", "pattern": `\w+`, "gaps": false, "min_token_length": 3})
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
	fmt.Println(table.Value(out.Column(1), 0))
	// Output:
	// [self emp not inc never married]
}
