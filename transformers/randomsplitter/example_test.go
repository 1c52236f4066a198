package randomsplitter_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/randomsplitter"
)

// An 80/20 split of 1000 rows; every row lands in exactly one part.
func ExampleSplit() {
	ids := make([]int64, 1000)
	for i := range ids {
		ids[i] = int64(i)
	}
	rec, _ := table.Build(memory.DefaultAllocator, table.Col("id", ids))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	r := tbl.Reader()
	defer r.Release()
	parts, err := randomsplitter.Split(context.Background(), r, []float64{0.8, 0.2}, 7)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range parts {
		fmt.Println(p.NumRows())
		p.Release()
	}
	// Output:
	// 798
	// 202
}
