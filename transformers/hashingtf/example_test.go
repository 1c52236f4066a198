package hashingtf_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/hashingtf"
	"github.com/eddyml/eddy/transformers/tokenizer"
)

// Tokens are counted in their hash buckets.
func Example() {
	ctx := context.Background()
	rec, _ := table.Build(memory.DefaultAllocator, table.Col("text", []string{"a b a c a"}))
	defer rec.Release()
	tok, _ := tokenizer.New(map[string]any{"input_col": "text", "output_col": "tokens"})
	toks, err := tok.Transform(ctx, rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer toks.Release()
	tf, err := hashingtf.New(map[string]any{"input_col": "tokens", "output_col": "tf", "num_features": 16})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := tf.Transform(ctx, toks)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	fmt.Println(table.Value(out.Column(2), 0), tf.IndexOf("a"))
	// Output:
	// {16 [3 5 8] [3 1 1]} 3
}
