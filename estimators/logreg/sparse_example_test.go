package logreg_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/pipeline/table"
)

// Sparse features (as a feature_hasher makes them) are fitted and scored
// by their stored entries: a 2^16-dimensional model costs the non-zeros
// per row (the same data as a dense column gives the same model, at a
// cost of the dimension per row).
func Example_sparse() {
	mem := memory.NewGoAllocator()
	const dim = 1 << 16
	var rows []table.SparseVector
	var labels []int64
	for i := range 40 {
		// Feature 7 or 60000 marks the class; feature 12345 is noise.
		v := table.SparseVector{Size: dim, Indices: []int32{7, 12_345}, Values: []float64{1, float64(i%3) - 1}}
		if i%2 == 1 {
			v.Indices, v.Values = []int32{12_345, 60_000}, []float64{float64(i%3) - 1, 1}
		}
		rows = append(rows, v)
		labels = append(labels, int64(i%2))
	}
	rec, err := table.Build(mem, table.SparseCol("features", rows), table.Col("label", labels))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	est, _ := logreg.New(map[string]any{"reg_param": 1.0})
	r := tbl.Reader()
	defer r.Release()
	model, err := est.Fit(context.Background(), r)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := model.(*logreg.Model)
	w := m.Coefficients()[0]
	fmt.Printf("%d coefficients: w[7] %.3f, w[60000] %.3f, w[12345] %.3f\n", len(w), w[7], w[60_000], w[12_345])
	head := rec.NewSlice(0, 2)
	defer head.Release()
	out, _ := m.Transform(context.Background(), head)
	defer out.Release()
	fmt.Println(table.Value(out.Column(2), 0), table.Value(out.Column(2), 1))
	// Output:
	// 65536 coefficients: w[7] -2.128, w[60000] 2.128, w[12345] -0.030
	// 0 1
}
