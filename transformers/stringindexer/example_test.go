package stringindexer_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/stringindexer"
)

// Labels are ordered by frequency, ties alphabetically; unseen values go
// to the extra bucket with handle_invalid=keep.
func Example() {
	ctx := context.Background()
	mem := memory.DefaultAllocator
	train, _ := table.Build(mem, table.Col("city", []string{"paris", "oslo", "paris", "lima", "oslo", "paris"}))
	defer train.Release()
	tbl, _ := table.New(train.Schema(), train)
	defer tbl.Release()

	s, err := stringindexer.New(map[string]any{
		"input_cols": []string{"city"}, "output_cols": []string{"city_idx"}, "handle_invalid": "keep"})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := tbl.Reader()
	m, err := s.Fit(ctx, r)
	r.Release()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.(*stringindexer.Model).Labels())

	test, _ := table.Build(mem, table.Col("city", []string{"lima", "rome", "paris"}))
	defer test.Release()
	out, err := m.Transform(ctx, test)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	for _, row := range table.Rows(out) {
		fmt.Println(row["city"], row["city_idx"])
	}
	// Output:
	// [[paris oslo lima]]
	// lima 2
	// rome 3
	// paris 0
}
