package countvectorizer_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/countvectorizer"
	"github.com/eddyml/eddy/transformers/tokenizer"
)

// The vocabulary is ordered by corpus frequency.
func Example() {
	ctx := context.Background()
	rec, _ := table.Build(memory.DefaultAllocator, table.Col("text", []string{"red fish blue fish", "one fish"}))
	defer rec.Release()
	tok, _ := tokenizer.New(map[string]any{"input_col": "text", "output_col": "tokens"})
	toks, err := tok.Transform(ctx, rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer toks.Release()
	tbl, _ := table.New(toks.Schema(), toks)
	defer tbl.Release()
	cv, _ := countvectorizer.New(map[string]any{"input_col": "tokens", "output_col": "counts"})
	r := tbl.Reader()
	m, err := cv.Fit(ctx, r)
	r.Release()
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := m.Transform(ctx, toks)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	fmt.Println(m.(*countvectorizer.Model).Vocabulary())
	for i := 0; i < int(out.NumRows()); i++ {
		fmt.Println(table.Value(out.Column(2), i))
	}
	// Output:
	// [fish blue one red]
	// {4 [0 1 3] [2 1 1]}
	// {4 [0 2] [1 1]}
}
