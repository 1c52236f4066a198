package naivebayes_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/naivebayes"
	"github.com/eddyml/eddy/pipeline/table"
)

func Example() {
	mem := memory.NewGoAllocator()
	// Word counts of two short documents per class.
	rec, _ := table.Build(mem,
		table.DenseCol("features", 3, [][]float64{{3, 0, 1}, {2, 1, 0}, {0, 2, 3}, {1, 0, 4}}),
		table.Col("label", []int64{0, 0, 1, 1}))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	est, _ := naivebayes.NewMultinomial(nil)
	r := tbl.Reader()
	defer r.Release()
	model, err := est.Fit(context.Background(), r)
	if err != nil {
		fmt.Println(err)
		return
	}
	test, _ := table.Build(mem, table.DenseCol("features", 3, [][]float64{{4, 1, 0}, {0, 1, 5}}))
	defer test.Release()
	out, _ := model.Transform(context.Background(), test)
	defer out.Release()
	// scikit-learn MultinomialNB().predict_proba: 0.99503718, 0.99686739.
	prob, _, _ := table.DenseVectors(out.Column(3))
	fmt.Println(out.Column(1))
	fmt.Printf("%.4f %.4f\n", prob[0], prob[3])
	// Output:
	// [0 1]
	// 0.9950 0.9969
}
