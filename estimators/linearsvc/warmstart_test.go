package linearsvc

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/esttest"
	"github.com/eddyml/eddy/estimators/internal/optim"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/table"
)

func fitWith(t *testing.T, ctx context.Context, est *LinearSVC, tbl *table.Table) (*Model, []optim.Result) {
	t.Helper()
	r := tbl.Reader()
	defer r.Release()
	m, res, err := est.FitReport(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	return m, res
}

// maxDiff is the largest absolute difference between the weights and
// intercepts of a and b.
func maxDiff(a, b *Model) float64 {
	var d float64
	for v, c := range a.Coefficients() {
		for j, w := range c {
			d = max(d, math.Abs(w-b.Coefficients()[v][j]))
		}
		d = max(d, math.Abs(a.Intercepts()[v]-b.Intercepts()[v]))
	}
	return d
}

func maxIter(res []optim.Result) int {
	n := 0
	for _, r := range res {
		n = max(n, r.Iter)
	}
	return n
}

// TestWarmStart: from a converged model L-BFGS stops at once (the
// gradient is already below tol), from the previous Fit, a given model
// and saved model data alike; a model fitted on half the rows reaches
// the cold optimum on all of them.
func TestWarmStart(t *testing.T) {
	for _, c := range []struct {
		name, data string
		params     map[string]any
	}{
		{"binary", "breast_cancer", map[string]any{}},
		{"one-vs-rest", "iris", map[string]any{}},
		{"intercept_scaling", "wine", map[string]any{"intercept_scaling": 10.0}},  // β = b/10
		{"no_intercept", "breast_cancer", map[string]any{"fit_intercept": false}}, // β fixed at 0
	} {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			ctx := pipeline.WithAllocator(context.Background(), mem)
			d := dataset(t, c.data)
			x := esttest.Standardize(d.X)
			tbl, err := esttest.Table(mem, x, d.Target, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Release()
			var hx [][]float64
			var hy []float64
			for i := 0; i < len(x); i += 2 {
				hx, hy = append(hx, x[i]), append(hy, d.Target[i])
			}
			half, err := esttest.Table(mem, hx, hy, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer half.Release()
			params := map[string]any{"tol": 1e-6, "max_iter": 10000, "warm_start": true}
			for k, v := range c.params {
				params[k] = v
			}
			est, err := New(params)
			if err != nil {
				t.Fatal(err)
			}
			m1, cold := fitWith(t, ctx, est, tbl)
			m2, warm := fitWith(t, ctx, est, tbl)
			t.Logf("iterations: cold %d, warm %d", maxIter(cold), maxIter(warm))
			if maxIter(warm) > 2 || maxIter(cold) < 10 {
				t.Errorf("iterations: cold %d, warm from the converged model %d (want at most 2)", maxIter(cold), maxIter(warm))
			}
			if diff := maxDiff(m1, m2); diff > 1e-6 {
				t.Errorf("warm start moved the weights by %g", diff)
			}
			// Saved and loaded model data in another estimator.
			path := filepath.Join(t.TempDir(), "m")
			if err := modelio.Save(m1, path, nil); err != nil {
				t.Fatal(err)
			}
			loaded, err := modelio.Load(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			other, _ := New(params)
			if err := other.SetInitialModelData(loaded.(pipeline.Model).ModelData()...); err != nil {
				t.Fatal(err)
			}
			m3, given := fitWith(t, ctx, other, tbl)
			if maxIter(given) > 2 || maxDiff(m1, m3) > 1e-6 {
				t.Errorf("from saved model data: %d iterations, weights moved by %g", maxIter(given), maxDiff(m1, m3))
			}
			// From the half-data model to the cold optimum of all rows
			// (in about as many iterations as a cold fit: logged only).
			fromHalf, _ := New(params)
			fitWith(t, ctx, fromHalf, half)
			m4, res := fitWith(t, ctx, fromHalf, tbl)
			t.Logf("from the half-data model: %d iterations", maxIter(res))
			if diff := maxDiff(m1, m4); diff > 1e-4 {
				t.Errorf("from the half-data model: weights off the cold ones by %g", diff)
			}
		})
	}
}

func TestWarmStartMismatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	two := smallTable(t, mem, [][]float64{{0, 1}, {1, 0}, {2, 1}, {3, 0}}, []float64{0, 0, 1, 1})
	defer two.Release()
	three := smallTable(t, mem, [][]float64{{0, 1}, {1, 0}, {2, 1}, {3, 0}}, []float64{0, 0, 1, 2})
	defer three.Release()
	other := smallTable(t, mem, [][]float64{{0, 1}, {1, 0}, {2, 1}, {3, 0}}, []float64{0, 0, 1, 5})
	defer other.Release()
	oneFeature := smallTable(t, mem, [][]float64{{0}, {1}, {2}, {3}}, []float64{0, 0, 1, 1})
	defer oneFeature.Release()
	base, _ := New(nil)
	m2, _ := fitWith(t, ctx, base, two)
	m3, _ := fitWith(t, ctx, base, three)
	for i, c := range []struct {
		init *Model
		data *table.Table
		want string
	}{
		{m2, three, "warm start: the initial model has labels [0 1], the data [0 1 2]"},
		{m3, two, "warm start: the initial model has labels [0 1 2], the data [0 1]"},
		{m3, other, "warm start: the initial model has labels [0 1 2], the data [0 1 5]"},
		{m2, oneFeature, "warm start: the initial model has 2 features, the data 1"},
	} {
		est, _ := New(map[string]any{"warm_start": true})
		if err := est.SetInitialModel(c.init); err != nil {
			t.Fatal(err)
		}
		r := c.data.Reader()
		_, _, err := est.FitReport(ctx, r)
		r.Release()
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), Kind) {
			t.Errorf("%d: error %v, want %q", i, err, c.want)
		}
		// warm_start false ignores the initial model.
		if err := est.SetWarmStart(false); err != nil {
			t.Fatal(err)
		}
		fitWith(t, ctx, est, c.data)
	}
	// A failed fit keeps the start; nil forgets it.
	est, _ := New(map[string]any{"warm_start": true, "tol": 1e-8})
	m, _ := fitWith(t, ctx, est, two)
	r := oneFeature.Reader()
	_, _, err := est.FitReport(ctx, r)
	r.Release()
	if err == nil {
		t.Fatal("one feature after two accepted")
	}
	m2b, res := fitWith(t, ctx, est, two)
	if maxIter(res) > 2 || maxDiff(m, m2b) > 1e-8 {
		t.Errorf("after a failed fit: %d iterations, weights moved by %g", maxIter(res), maxDiff(m, m2b))
	}
	if err := est.SetInitialModel(nil); err != nil {
		t.Fatal(err)
	}
	fitWith(t, ctx, est, oneFeature)
	if err := est.SetInitialModelData(two.Batch(0)); err == nil || !strings.Contains(err.Error(), "initial model data") {
		t.Errorf("features as model data: %v", err)
	}
}

// TestWarmStartOff checks that without warm_start neither a previous Fit
// nor SetInitialModel changes the result.
func TestWarmStartOff(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	d := dataset(t, "iris")
	tbl, err := esttest.Table(mem, esttest.Standardize(d.X), d.Target, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	m0, want := fitWith(t, ctx, mustNew(t, nil), tbl)
	off := mustNew(t, nil)
	if err := off.SetInitialModel(m0); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		m, res := fitWith(t, ctx, off, tbl)
		if maxIter(res) != maxIter(want) || !equalRecords(m.ModelData()[0], m0.ModelData()[0]) {
			t.Errorf("fit %d without warm_start: %d iterations, want %d", i, maxIter(res), maxIter(want))
		}
	}
	// The first warm_start fit has nothing to start from.
	if m, _ := fitWith(t, ctx, mustNew(t, map[string]any{"warm_start": true}), tbl); !equalRecords(m.ModelData()[0], m0.ModelData()[0]) {
		t.Error("first warm_start fit differs from a cold one")
	}
}

func mustNew(t *testing.T, params map[string]any) *LinearSVC {
	t.Helper()
	est, err := New(params)
	if err != nil {
		t.Fatal(err)
	}
	return est
}
