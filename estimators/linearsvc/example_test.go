package linearsvc_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/linearsvc"
	"github.com/eddyml/eddy/pipeline/table"
)

func Example() {
	mem := memory.NewGoAllocator()
	rec, _ := table.Build(mem,
		table.DenseCol("features", 1, [][]float64{{-2}, {-1}, {1}, {2}}),
		table.Col("label", []int64{0, 0, 1, 1}))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	est, _ := linearsvc.New(map[string]any{"tol": 1e-10})
	r := tbl.Reader()
	defer r.Release()
	model, err := est.Fit(context.Background(), r)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := model.(*linearsvc.Model)
	// scikit-learn LinearSVC(tol=1e-10).fit gives coef_ [[0.8]], intercept_ [0].
	fmt.Printf("w %.4f b %.4f\n", m.Coefficients()[0][0], m.Intercepts()[0]+0)
	out, _ := m.Transform(context.Background(), rec)
	defer out.Release()
	fmt.Println(out.Column(2))
	// Output:
	// w 0.8000 b 0.0000
	// [0 0 1 1]
}

// A warm start from a converged model: L-BFGS finds the gradient already
// below tol and stops at once.
func ExampleLinearSVC_SetInitialModel() {
	mem := memory.NewGoAllocator()
	ctx := context.Background()
	rec, _ := table.Build(mem,
		table.DenseCol("features", 1, [][]float64{{-2}, {-1}, {1}, {2}}),
		table.Col("label", []int64{0, 0, 1, 1}))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	fit := func(est *linearsvc.LinearSVC) *linearsvc.Model {
		r := tbl.Reader()
		defer r.Release()
		m, res, err := est.FitReport(ctx, r)
		if err != nil {
			fmt.Println(err)
			return nil
		}
		fmt.Printf("w %.4f after %d iterations\n", m.Coefficients()[0][0], res[0].Iter)
		return m
	}
	cold, _ := linearsvc.New(map[string]any{"tol": 1e-10})
	m := fit(cold)
	warm, _ := linearsvc.New(map[string]any{"tol": 1e-10, "warm_start": true})
	if err := warm.SetInitialModel(m); err != nil {
		fmt.Println(err)
		return
	}
	fit(warm)
	// Output:
	// w 0.8000 after 3 iterations
	// w 0.8000 after 0 iterations
}
