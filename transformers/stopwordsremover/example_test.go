package stopwordsremover_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/stopwordsremover"
	"github.com/eddyml/eddy/transformers/tokenizer"
)

func Example() {
	ctx := context.Background()
	rec, _ := table.Build(memory.DefaultAllocator, table.Col("text", []string{"The cat sat on the mat"}))
	defer rec.Release()
	tok, _ := tokenizer.New(map[string]any{"input_col": "text", "output_col": "tokens"})
	toks, err := tok.Transform(ctx, rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer toks.Release()
	s, _ := stopwordsremover.New(map[string]any{"input_col": "tokens", "output_col": "words"})
	out, err := s.Transform(ctx, toks)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	fmt.Println(table.Value(out.Column(2), 0))
	// Output:
	// [cat sat mat]
}
