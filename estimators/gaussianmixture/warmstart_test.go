package gaussianmixture

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/table"
)

// overlapping draws n rows of three overlapping, correlated 3-D
// Gaussians: EM needs tens of iterations on them, so a warm start has
// something to save.
func overlapping(n int) [][]float64 {
	rng := rand.New(rand.NewPCG(7, 11))
	centers := [][]float64{{0, 0, 0}, {2.5, 1, 0}, {0.5, 3, 1}}
	x := make([][]float64, n)
	for i := range x {
		c := centers[i%3]
		a, b, e := rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		x[i] = []float64{c[0] + a, c[1] + 0.6*a + 0.8*b, c[2] + 0.5*e}
	}
	return x
}

// fitWith fits est to tbl.
func fitWith(t *testing.T, ctx context.Context, est *GaussianMixture, tbl *table.Table) (*Model, Report) {
	t.Helper()
	r := tbl.Reader()
	defer r.Release()
	m, rep, err := est.FitReport(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	return m, rep
}

// maxDiff is the largest absolute difference between the weights, means
// and covariances of a and b.
func maxDiff(a, b *Model) float64 {
	var d float64
	for i, w := range a.Weights() {
		d = max(d, math.Abs(w-b.Weights()[i]))
	}
	for _, p := range [][2][][]float64{{a.Means(), b.Means()}, {a.Covariances(), b.Covariances()}} {
		for c, row := range p[0] {
			for j, v := range row {
				d = max(d, math.Abs(v-p[1][c][j]))
			}
		}
	}
	return d
}

var covTypes = []string{Full, Tied, Diag, Spherical}

func TestWarmStartFromConverged(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	tbl := featureTable(t, mem, overlapping(3000))
	defer tbl.Release()
	for _, typ := range covTypes {
		t.Run(typ, func(t *testing.T) {
			est, err := New(map[string]any{"k": 3, "covariance_type": typ, "tol": 1e-8, "max_iter": 1000, "warm_start": true})
			if err != nil {
				t.Fatal(err)
			}
			m1, cold := fitWith(t, ctx, est, tbl)
			m2, warm := fitWith(t, ctx, est, tbl)
			t.Logf("iterations: cold %d, warm %d", cold.Iter, warm.Iter)
			// The first E step has no previous bound to compare with, so
			// two iterations are the fewest that can stop by tol.
			if !cold.Converged || !warm.Converged || warm.Iter > 2 || cold.Iter < 5 {
				t.Errorf("cold %+v, warm %+v: want both converged, warm in at most 2 iterations", cold, warm)
			}
			// EM never lowers the bound.
			if warm.LowerBound < cold.LowerBound-1e-12 {
				t.Errorf("lower bound went down: cold %v, warm %v", cold.LowerBound, warm.LowerBound)
			}
			// The bound is flat at the optimum: a change below tol 1e-8
			// allows parameter steps of about its square root.
			if d := maxDiff(m1, m2); d > 1e-3 {
				t.Errorf("parameters moved by %g", d)
			}
		})
	}
}

// TestWarmStartFromHalf continues a model fitted on every other row on
// all of them. It reaches the cold fit's optimum; it does not reliably
// take fewer iterations: EM's tail converges linearly at a rate set by
// the components' overlap, and the half-data optimum is off the full one
// in the slow directions too, so at a tight tol the count is about the
// cold fit's (logged, not asserted; see doc.go).
func TestWarmStartFromHalf(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	x := overlapping(3000)
	var halfRows [][]float64
	for i := 0; i < len(x); i += 2 {
		halfRows = append(halfRows, x[i])
	}
	full := featureTable(t, mem, x)
	defer full.Release()
	half := featureTable(t, mem, halfRows)
	defer half.Release()
	for _, typ := range covTypes {
		t.Run(typ, func(t *testing.T) {
			params := map[string]any{"k": 3, "covariance_type": typ, "tol": 1e-8, "max_iter": 1000}
			_, cold := fitReport(t, ctx, params, full)
			params["warm_start"] = true
			est, err := New(params)
			if err != nil {
				t.Fatal(err)
			}
			_, first := fitWith(t, ctx, est, half)
			_, warm := fitWith(t, ctx, est, full)
			t.Logf("iterations: cold %d; half %d, then warm on all rows %d", cold.Iter, first.Iter, warm.Iter)
			if !warm.Converged || warm.Best != 0 {
				t.Errorf("warm %+v", warm)
			}
			if rel := math.Abs(warm.LowerBound-cold.LowerBound) / math.Abs(cold.LowerBound); rel > 1e-6 {
				t.Errorf("lower bound: warm %v, cold %v (relative difference %g)", warm.LowerBound, cold.LowerBound, rel)
			}
		})
	}
}

// TestSetInitialModelData checks that a saved and loaded model's data
// starts Fit as the model itself does, and that n_init and init are then
// unused.
func TestSetInitialModelData(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	x := overlapping(3000)
	start := featureTable(t, mem, x[:900])
	defer start.Release()
	tbl := featureTable(t, mem, x)
	defer tbl.Release()
	for _, typ := range covTypes {
		t.Run(typ, func(t *testing.T) {
			m0, _ := fitReport(t, ctx, map[string]any{"k": 3, "covariance_type": typ, "max_iter": 3}, start)
			path := filepath.Join(t.TempDir(), "m")
			if err := modelio.Save(m0, path, nil); err != nil {
				t.Fatal(err)
			}
			loaded, err := modelio.Load(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			params := map[string]any{"k": 3, "covariance_type": typ, "warm_start": true, "n_init": 4, "init": InitRandom, "seed": int64(5)}
			byModel, _ := New(params)
			byData, _ := New(params)
			if err := byModel.SetInitialModel(m0); err != nil {
				t.Fatal(err)
			}
			if err := byData.SetInitialModelData(loaded.(pipeline.Model).ModelData()...); err != nil {
				t.Fatal(err)
			}
			m1, rep1 := fitWith(t, ctx, byModel, tbl)
			m2, rep2 := fitWith(t, ctx, byData, tbl)
			if rep1 != rep2 || rep1.Best != 0 || !equalRecords(m1.ModelData()[0], m2.ModelData()[0]) {
				t.Errorf("from the model %+v, from loaded data %+v", rep1, rep2)
			}
			// One run from m0 with the defaults gives the same: n_init,
			// init and seed are unused.
			plain, _ := New(map[string]any{"k": 3, "covariance_type": typ, "warm_start": true})
			if err := plain.SetInitialModel(m0); err != nil {
				t.Fatal(err)
			}
			if _, rep3 := fitWith(t, ctx, plain, tbl); rep3 != rep1 {
				t.Errorf("with n_init 4 %+v, with defaults %+v", rep1, rep3)
			}
		})
	}
	est, _ := New(nil)
	if err := est.SetInitialModelData(tbl.Batch(0)); err == nil || !strings.Contains(err.Error(), "initial model data") {
		t.Errorf("features as model data: %v", err)
	}
}

func TestWarmStartMismatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	x := overlapping(600)
	tbl := featureTable(t, mem, x)
	defer tbl.Release()
	x2 := make([][]float64, len(x))
	for i, row := range x {
		x2[i] = row[:2]
	}
	tbl2 := featureTable(t, mem, x2)
	defer tbl2.Release()
	models := map[string]*Model{}
	for _, typ := range covTypes {
		models[typ], _ = fitReport(t, ctx, map[string]any{"k": 3, "covariance_type": typ}, tbl)
	}
	for i, c := range []struct {
		model  string // covariance type of the initial model (k 3, 3 features)
		byData bool   // SetInitialModelData, else SetInitialModel
		params map[string]any
		data   *table.Table
		want   string
	}{
		{Full, false, map[string]any{"k": 2}, tbl, `the initial model has 3 components, param "k" is 2`},
		{Diag, false, map[string]any{"k": 4, "covariance_type": Diag}, tbl, `the initial model has 3 components, param "k" is 4`},
		{Full, false, map[string]any{"k": 3}, tbl2, "the initial model has 3 features, the data 2"},
		{Spherical, false, map[string]any{"k": 3, "covariance_type": Spherical}, tbl2, "the initial model has 3 features, the data 2"},
		{Diag, false, map[string]any{"k": 3, "covariance_type": Full}, tbl, `the initial model has covariance type "diag", param "covariance_type" is "full"`},
		{Full, false, map[string]any{"k": 3, "covariance_type": Tied}, tbl, `the initial model has covariance type "full", param "covariance_type" is "tied"`},
		{Tied, false, map[string]any{"k": 3, "covariance_type": Full}, tbl, `the initial model has covariance type "tied", param "covariance_type" is "full"`},
		{Spherical, false, map[string]any{"k": 3, "covariance_type": Diag}, tbl, `the initial model has covariance type "spherical", param "covariance_type" is "diag"`},
		// Model data tells types apart by covariance size, and tied by
		// one shared matrix.
		{Full, true, map[string]any{"k": 2}, tbl, `the initial model has 3 components, param "k" is 2`},
		{Full, true, map[string]any{"k": 3}, tbl2, "the initial model has 3 features, the data 2"},
		{Diag, true, map[string]any{"k": 3, "covariance_type": Full}, tbl, `the initial model has covariance type "diag", param "covariance_type" is "full"`},
		{Tied, true, map[string]any{"k": 3, "covariance_type": Diag}, tbl, `the initial model has covariance type "full or tied", param "covariance_type" is "diag"`},
		{Full, true, map[string]any{"k": 3, "covariance_type": Spherical}, tbl, `the initial model has covariance type "full", param "covariance_type" is "spherical"`},
		{Full, true, map[string]any{"k": 3, "covariance_type": Tied}, tbl, `the initial model's components have different covariances, param "covariance_type" is "tied"`},
	} {
		c.params["warm_start"] = true
		est, err := New(c.params)
		if err != nil {
			t.Fatal(err)
		}
		set := func() error { return est.SetInitialModel(models[c.model]) }
		if c.byData {
			set = func() error { return est.SetInitialModelData(models[c.model].ModelData()...) }
		}
		if err := set(); err != nil {
			t.Fatal(err)
		}
		r := c.data.Reader()
		_, _, err = est.FitReport(ctx, r)
		r.Release()
		if err == nil || !strings.Contains(err.Error(), "warm start: "+c.want) || !strings.Contains(err.Error(), Kind) {
			t.Errorf("%d: error %v, want %q", i, err, c.want)
		}
		// warm_start false ignores the initial model.
		if err := est.SetWarmStart(false); err != nil {
			t.Fatal(err)
		}
		fitWith(t, ctx, est, c.data)
	}
	// The previous Fit's mixture is checked the same way.
	est, _ := New(map[string]any{"k": 3, "warm_start": true})
	fitWith(t, ctx, est, tbl)
	if err := est.SetCovarianceType(Spherical); err != nil {
		t.Fatal(err)
	}
	r := tbl.Reader()
	_, _, err := est.FitReport(ctx, r)
	r.Release()
	if err == nil || !strings.Contains(err.Error(), `warm start: the initial model has covariance type "full", param "covariance_type" is "spherical"`) {
		t.Errorf("covariance type changed after a fit: %v", err)
	}
	// A failed fit keeps the mixture; nil forgets it.
	if err := est.SetCovarianceType(Full); err != nil {
		t.Fatal(err)
	}
	if _, rep := fitWith(t, ctx, est, tbl); rep.Iter > 2 {
		t.Errorf("warm refit after the error took %d iterations", rep.Iter)
	}
	if err := est.SetInitialModel(nil); err != nil {
		t.Fatal(err)
	}
	if err := est.SetCovarianceType(Spherical); err != nil {
		t.Fatal(err)
	}
	fitWith(t, ctx, est, tbl)
}

// TestWarmStartEquivalentTypes checks that covariance types describing
// the same mixtures are interchangeable: tied and full with one
// component, full, diag and spherical in one dimension; and that model
// data, which cannot tell a tied mixture from a full one whose
// components share a matrix, starts either.
func TestWarmStartEquivalentTypes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	x := overlapping(600)
	tbl := featureTable(t, mem, x)
	defer tbl.Release()
	x1 := make([][]float64, len(x))
	for i, row := range x {
		x1[i] = row[:1]
	}
	tbl1 := featureTable(t, mem, x1)
	defer tbl1.Release()
	for i, c := range []struct {
		k        int
		from, to string
		data     *table.Table
		byData   bool
		ok       bool
	}{
		{1, Tied, Full, tbl, false, true},
		{1, Full, Tied, tbl, false, true},
		{2, Diag, Spherical, tbl1, false, true},
		{2, Spherical, Full, tbl1, false, true},
		{2, Full, Diag, tbl1, false, true},
		{2, Tied, Full, tbl1, false, false},
		{2, Full, Tied, tbl1, false, false},
		{2, Tied, Full, tbl, false, false},
		{1, Full, Tied, tbl, true, true},
		{2, Diag, Spherical, tbl1, true, true},
		{2, Tied, Full, tbl1, true, true},
		{2, Tied, Full, tbl, true, true},
		{2, Tied, Tied, tbl, true, true},
		{2, Full, Tied, tbl1, true, false},
	} {
		m, _ := fitReport(t, ctx, map[string]any{"k": c.k, "covariance_type": c.from}, c.data)
		est, _ := New(map[string]any{"k": c.k, "covariance_type": c.to, "warm_start": true})
		set := est.SetInitialModel(m)
		if c.byData {
			set = est.SetInitialModelData(m.ModelData()...)
		}
		if set != nil {
			t.Fatal(set)
		}
		r := c.data.Reader()
		_, rep, err := est.FitReport(ctx, r)
		r.Release()
		if (err == nil) != c.ok {
			t.Errorf("%d: %s to %s with k %d (model data %v): error %v", i, c.from, c.to, c.k, c.byData, err)
		}
		// From a converged model of the same family: two iterations.
		if err == nil && sameModel(c.from, c.to, c.k, len(m.Means()[0])) && rep.Iter > 2 {
			t.Errorf("%d: %s to %s took %d iterations", i, c.from, c.to, rep.Iter)
		}
	}
}

// TestWarmStartOff checks that without warm_start neither a previous Fit
// nor SetInitialModel changes the result, and that a warm_start Fit
// without a starting mixture is a cold one.
func TestWarmStartOff(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	x := overlapping(1500)
	tbl := featureTable(t, mem, x)
	defer tbl.Release()
	start := featureTable(t, mem, x[:300])
	defer start.Release()
	params := map[string]any{"k": 3, "n_init": 2, "seed": int64(4)}
	m0, want := fitReport(t, ctx, params, tbl)
	other, _ := fitReport(t, ctx, map[string]any{"k": 3}, start)
	off, _ := New(params)
	if err := off.SetInitialModel(other); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		m, rep := fitWith(t, ctx, off, tbl)
		if rep != want || !equalRecords(m.ModelData()[0], m0.ModelData()[0]) {
			t.Errorf("fit %d without warm_start: %+v, want %+v", i, rep, want)
		}
	}
	params["warm_start"] = true
	on, _ := New(params)
	if m, rep := fitWith(t, ctx, on, tbl); rep != want || !equalRecords(m.ModelData()[0], m0.ModelData()[0]) {
		t.Errorf("first warm_start fit: %+v, want the cold %+v", rep, want)
	}
}
