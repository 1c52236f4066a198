package onehotencoder_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/onehotencoder"
)

// With drop_last (the default) the last category encodes as all zeros.
func Example() {
	ctx := context.Background()
	rec, _ := table.Build(memory.DefaultAllocator, table.Col("color_idx", []float64{0, 1, 2, 1}))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	e, err := onehotencoder.New(map[string]any{"input_cols": []string{"color_idx"}, "output_cols": []string{"color_vec"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := tbl.Reader()
	m, err := e.Fit(ctx, r)
	r.Release()
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := m.Transform(ctx, rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	for i := 0; i < int(out.NumRows()); i++ {
		v := table.Value(out.Column(1), i).(table.SparseVector)
		fmt.Println(v.Size, v.Indices, v.Values)
	}
	// Output:
	// 2 [0] [1]
	// 2 [1] [1]
	// 2 [] []
	// 2 [1] [1]
}
