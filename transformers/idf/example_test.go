package idf_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/idf"
)

// idf = ln((m+1)/(df+1)): with m=2 documents, a feature in both gets 0.
func Example() {
	ctx := context.Background()
	rec, _ := table.Build(memory.DefaultAllocator, table.DenseCol("tf", 2, [][]float64{{1, 2}, {1, 0}}))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	e, err := idf.New(map[string]any{"input_col": "tf", "output_col": "tfidf"})
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
	fmt.Printf("%.4f\n", m.(*idf.Model).IDF())
	fmt.Printf("%.4f\n", table.Value(out.Column(1), 0))
	// Output:
	// [0.0000 0.4055]
	// [0.0000 0.8109]
}
