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

// Warm start adds a second batch's counts to the first's, as
// scikit-learn's partial_fit: the model equals a fit on both batches.
func ExampleNaiveBayes_SetWarmStart() {
	mem := memory.NewGoAllocator()
	ctx := context.Background()
	est, _ := naivebayes.NewMultinomial(map[string]any{"warm_start": true})
	fit := func(x [][]float64, y []int64) *naivebayes.Model {
		rec, _ := table.Build(mem, table.DenseCol("features", 3, x), table.Col("label", y))
		defer rec.Release()
		tbl, _ := table.New(rec.Schema(), rec)
		defer tbl.Release()
		r := tbl.Reader()
		defer r.Release()
		m, err := est.Fit(ctx, r)
		if err != nil {
			fmt.Println(err)
			return nil
		}
		return m.(*naivebayes.Model)
	}
	m1 := fit([][]float64{{3, 0, 1}, {0, 2, 3}}, []int64{0, 1})
	m2 := fit([][]float64{{2, 1, 0}, {1, 0, 4}, {1, 1, 5}}, []int64{0, 1, 1})
	fmt.Println(m1.ClassCounts(), m2.ClassCounts())
	fmt.Printf("%.4f\n", m2.LogPriors())
	// A label the first batch did not have is an error.
	fit([][]float64{{1, 1, 1}}, []int64{2})
	// Output:
	// [1 1] [2 3]
	// [-0.9163 -0.5108]
	// stage "multinomial_nb": fit: warm start: the data has labels [2] that the initial model has not (it has [0 1])
}
