package logreg

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/esttest"
	"github.com/eddyml/eddy/pipeline"
)

func TestWarmStart(t *testing.T) {
	for _, name := range []string{"breast_cancer", "iris"} {
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			ctx := pipeline.WithAllocator(context.Background(), mem)
			d := dataset(t, name)
			x := esttest.Standardize(d.X)
			tbl, err := esttest.Table(mem, x, d.Target, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Release()
			est, err := New(map[string]any{"warm_start": true, "tol": 1e-6, "max_iter": 1000})
			if err != nil {
				t.Fatal(err)
			}
			fitOnce := func(e *LogisticRegression) (*Model, FitResult) {
				r := tbl.Reader()
				defer r.Release()
				m, res, err := e.FitReport(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				return m, res
			}
			m1, cold := fitOnce(est)
			_, warm := fitOnce(est)
			t.Logf("iterations: cold %d, warm %d", cold.Iter, warm.Iter)
			if warm.Iter*4 > cold.Iter {
				t.Errorf("warm start from the converged model took %d iterations, cold %d", warm.Iter, cold.Iter)
			}
			// From given model data, in another estimator.
			other, _ := New(map[string]any{"warm_start": true, "tol": 1e-6, "max_iter": 1000})
			if err := other.SetInitialModel(m1); err != nil {
				t.Fatal(err)
			}
			m3, given := fitOnce(other)
			if given.Iter*4 > cold.Iter {
				t.Errorf("start from given model data took %d iterations, cold %d", given.Iter, cold.Iter)
			}
			for v, c := range m3.Coefficients() {
				for j := range c {
					if diff := c[j] - m1.Coefficients()[v][j]; diff > 1e-3 || diff < -1e-3 {
						t.Fatalf("warm-started coefficient %d/%d moved by %g", v, j, diff)
					}
				}
			}
			// Without warm_start the initial model is ignored.
			if err := WarmStart.Set(other.Params(), false); err != nil {
				t.Fatal(err)
			}
			if _, again := fitOnce(other); again.Iter != cold.Iter {
				t.Errorf("warm_start false: %d iterations, want the cold %d", again.Iter, cold.Iter)
			}
			// SGD from the optimum with a small constant rate: one
			// epoch stays near it; a cold epoch does not get as close.
			// (The optimal schedule restarts at t = 1 on every Fit, as
			// scikit-learn's, and its first steps leave any optimum.)
			opt := objective(m1, x, d.Target, nil, 1, 0)
			sgdWarm, _ := New(map[string]any{"solver": "sgd", "warm_start": true, "max_iter": 1, "learning_rate": "constant", "eta0": 0.01})
			if err := sgdWarm.SetInitialModel(m1); err != nil {
				t.Fatal(err)
			}
			sgdCold, _ := New(map[string]any{"solver": "sgd", "max_iter": 1, "learning_rate": "constant", "eta0": 0.01})
			mw, _ := fitOnce(sgdWarm)
			mc, _ := fitOnce(sgdCold)
			fw, fc := objective(mw, x, d.Target, nil, 1, 0), objective(mc, x, d.Target, nil, 1, 0)
			t.Logf("one sgd epoch: warm %.4f, cold %.4f, optimum %.4f", fw, fc, opt)
			if fw-opt >= fc-opt {
				t.Errorf("warm sgd epoch %.4f not closer to the optimum %.4f than a cold one %.4f", fw, opt, fc)
			}
		})
	}
}

func TestWarmStartMismatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	a, err := esttest.Table(mem, [][]float64{{0, 1}, {1, 0}, {2, 1}, {3, 0}}, []float64{0, 0, 1, 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	b, err := esttest.Table(mem, [][]float64{{0}, {1}, {2}, {3}}, []float64{0, 0, 1, 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	est, _ := New(map[string]any{"warm_start": true})
	r := a.Reader()
	if _, err := est.Fit(ctx, r); err != nil {
		t.Fatal(err)
	}
	r.Release()
	r = b.Reader()
	defer r.Release()
	_, err = est.Fit(ctx, r)
	if err == nil || !strings.Contains(err.Error(), "warm start") {
		t.Errorf("warm start on other labels and features: %v", err)
	}
}
