package kmeans

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/blobs"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/table"
)

func newMiniBatch(t *testing.T, params map[string]any) *MiniBatchKMeans {
	t.Helper()
	est, err := NewMiniBatch(params)
	if err != nil {
		t.Fatal(err)
	}
	return est
}

// maxCenterShift is the largest distance between a's and b's centers of
// the same index.
func maxCenterShift(a, b *Model) float64 {
	var s float64
	for c, row := range a.Centers() {
		s = max(s, math.Sqrt(sqDist(row, b.Centers()[c])))
	}
	return s
}

// TestMiniBatchWarmStart continues a converged fit on the same rows: the
// counts keep the centers where they were, from the previous Fit, a given
// model and saved model data alike.
func TestMiniBatchWarmStart(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	x, _ := blobs.Rows(42, 20000)
	tbl := featureTable(t, mem, rowsOf(x, blobs.Dim))
	defer tbl.Release()
	params := map[string]any{"k": blobs.K, "n_init": 3, "batch_size": 256, "warm_start": true, "seed": int64(5)}
	est := newMiniBatch(t, params)
	m1, cold := fitReport(t, ctx, est, tbl)
	m2, warm := fitReport(t, ctx, est, tbl)
	shift := maxCenterShift(m1, m2)
	t.Logf("steps: cold %d, warm %d; inertia cold %.6g, warm %.6g; largest center shift %.3g", cold.Iter, warm.Iter, cold.Inertia, warm.Inertia, shift)
	if rel := math.Abs(warm.Inertia-cold.Inertia) / cold.Inertia; rel > 1e-3 {
		t.Errorf("inertia: cold %v, warm %v (relative change %g)", cold.Inertia, warm.Inertia, rel)
	}
	// The rows of a cluster scatter by about 2 per feature (20 features
	// of unit variance), the centers are about 10 apart: a shift of 0.1
	// is noise around the optimum, not a move.
	if shift > 0.1 {
		t.Errorf("warm start moved a center by %v", shift)
	}
	if shift == 0 {
		t.Error("the warm fit did no update at all")
	}
	// The continued model's counts add this fit's rows to the start's.
	var n1, n2 float64
	for c := range m1.Weights() {
		n1 += m1.Weights()[c]
		n2 += m2.Weights()[c]
	}
	if n1 != 20000 || n2 != 40000 {
		t.Errorf("weights sum to %v, then %v; want 20000, then 40000", n1, n2)
	}

	// From the model and from its saved data, in other estimators: the
	// same start, so the same fit as the continued estimator (same seed).
	path := filepath.Join(t.TempDir(), "m")
	if err := modelio.Save(m1, path, nil); err != nil {
		t.Fatal(err)
	}
	loaded, err := modelio.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	byModel, byData := newMiniBatch(t, params), newMiniBatch(t, params)
	if err := byModel.SetInitialModel(m1); err != nil {
		t.Fatal(err)
	}
	if err := byData.SetInitialModelData(loaded.(pipeline.Model).ModelData()...); err != nil {
		t.Fatal(err)
	}
	m3, rep3 := fitReport(t, ctx, byModel, tbl)
	m4, rep4 := fitReport(t, ctx, byData, tbl)
	if rep3 != warm || rep4 != warm || !equalRecords(m3.ModelData()[0], m2.ModelData()[0]) || !equalRecords(m4.ModelData()[0], m2.ModelData()[0]) {
		t.Errorf("warm from the previous fit %+v, from the model %+v, from saved data %+v", warm, rep3, rep4)
	}
	// init, n_init and init_size are unused from a start.
	plain := newMiniBatch(t, map[string]any{"k": blobs.K, "batch_size": 256, "warm_start": true, "seed": int64(5), "init": InitRandom, "init_size": 40})
	if err := plain.SetInitialModel(m1); err != nil {
		t.Fatal(err)
	}
	if _, rep := fitReport(t, ctx, plain, tbl); rep != warm {
		t.Errorf("with other init params %+v, want %+v", rep, warm)
	}
}

// TestMiniBatchWarmStartCounts: the counts are what makes the start
// stick. From a coarse model (fitted on a few rows, counts of a few rows)
// new rows move the centers, from the same centers with huge counts they
// barely do.
func TestMiniBatchWarmStartCounts(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	x, _ := blobs.Rows(7, 8000)
	d := blobs.Dim
	small := featureTable(t, mem, rowsOf(x[:300*d], d))
	defer small.Release()
	tbl := featureTable(t, mem, rowsOf(x, d))
	defer tbl.Release()
	params := map[string]any{"k": blobs.K, "batch_size": 128, "warm_start": true, "seed": int64(2)}
	m0, _ := fitReport(t, ctx, newMiniBatch(t, params), small)
	light := newMiniBatch(t, params)
	if err := light.SetInitialModel(m0); err != nil {
		t.Fatal(err)
	}
	mLight, _ := fitReport(t, ctx, light, tbl)
	heavy := newMiniBatch(t, params)
	weights := make([]float64, blobs.K)
	for c := range weights {
		weights[c] = 1e9
	}
	rec, err := ModelDataRecord(mem, flat(m0.Centers()), weights, d)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if err := heavy.SetInitialModelData(rec); err != nil {
		t.Fatal(err)
	}
	mHeavy, _ := fitReport(t, ctx, heavy, tbl)
	light0, heavy0 := maxCenterShift(m0, mLight), maxCenterShift(m0, mHeavy)
	t.Logf("largest center shift: counts of the 300 rows %.3g, counts 1e9 %.3g", light0, heavy0)
	if heavy0 > 1e-3 || light0 < 10*heavy0 {
		t.Errorf("center shifts: counts of 300 rows %v, counts 1e9 %v", light0, heavy0)
	}
}

func TestMiniBatchWarmStartMismatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	x, _ := blobs.Rows(3, 600)
	tbl := featureTable(t, mem, rowsOf(x, blobs.Dim))
	defer tbl.Release()
	narrow := make([][]float64, 600)
	for i := range narrow {
		narrow[i] = x[i*blobs.Dim : i*blobs.Dim+3]
	}
	tbl3 := featureTable(t, mem, narrow)
	defer tbl3.Release()
	m4, _ := fitReport(t, ctx, newMiniBatch(t, map[string]any{"k": 4}), tbl)
	for i, c := range []struct {
		byData bool
		k      int
		data   *table.Table
		want   string
	}{
		{false, 5, tbl, `the initial model has 4 centers, param "k" is 5`},
		{true, 3, tbl, `the initial model has 4 centers, param "k" is 3`},
		{false, 4, tbl3, "the initial model has 20 features, the data 3"},
		{true, 4, tbl3, "the initial model has 20 features, the data 3"},
	} {
		est := newMiniBatch(t, map[string]any{"k": c.k, "warm_start": true})
		set := func() error { return est.SetInitialModel(m4) }
		if c.byData {
			set = func() error { return est.SetInitialModelData(m4.ModelData()...) }
		}
		if err := set(); err != nil {
			t.Fatal(err)
		}
		r := c.data.Reader()
		_, _, err := est.FitReport(ctx, r)
		r.Release()
		if err == nil || !strings.Contains(err.Error(), "warm start: "+c.want) || !strings.Contains(err.Error(), MiniBatchKind) {
			t.Errorf("%d: error %v, want %q", i, err, c.want)
		}
		// warm_start false ignores the initial model.
		if err := est.SetWarmStart(false); err != nil {
			t.Fatal(err)
		}
		fitReport(t, ctx, est, c.data)
	}
	// A failed fit keeps the start; nil forgets it.
	est := newMiniBatch(t, map[string]any{"k": 4, "warm_start": true, "seed": int64(1)})
	if err := est.SetInitialModel(m4); err != nil {
		t.Fatal(err)
	}
	r := tbl3.Reader()
	_, _, err := est.FitReport(ctx, r)
	r.Release()
	if err == nil {
		t.Fatal("3 features after 20 accepted")
	}
	_, afterErr := fitReport(t, ctx, est, tbl)
	fresh := newMiniBatch(t, map[string]any{"k": 4, "warm_start": true, "seed": int64(1)})
	if err := fresh.SetInitialModel(m4); err != nil {
		t.Fatal(err)
	}
	if _, want := fitReport(t, ctx, fresh, tbl); afterErr != want {
		t.Errorf("after a failed fit %+v, from the model %+v", afterErr, want)
	}
	if err := est.SetInitialModel(nil); err != nil {
		t.Fatal(err)
	}
	fitReport(t, ctx, est, tbl3)
	// Bad model data.
	if err := est.SetInitialModelData(tbl.Batch(0)); err == nil || !strings.Contains(err.Error(), "initial model data") {
		t.Errorf("features as model data: %v", err)
	}
	for _, bad := range []struct {
		centers, weights []float64
		want             string
	}{
		{[]float64{0, math.NaN()}, []float64{1}, "center 0 value 1 is NaN"},
		{[]float64{0, 1}, []float64{-1}, "center 0 has weight -1"},
		{[]float64{0, 1}, []float64{math.Inf(1)}, "center 0 has weight +Inf"},
	} {
		rec, err := ModelDataRecord(mem, bad.centers, bad.weights, 2)
		if err != nil {
			t.Fatal(err)
		}
		err = est.SetInitialModelData(rec)
		rec.Release()
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("error %v, want %q", err, bad.want)
		}
	}
}

// TestMiniBatchWarmStartOff: without warm_start a start changes nothing,
// and the first warm_start fit is a cold one.
func TestMiniBatchWarmStartOff(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	x, _ := blobs.Rows(11, 3000)
	tbl := featureTable(t, mem, rowsOf(x, blobs.Dim))
	defer tbl.Release()
	params := map[string]any{"k": 6, "n_init": 2, "batch_size": 200, "seed": int64(4)}
	m0, want := fitReport(t, ctx, newMiniBatch(t, params), tbl)
	other, _ := fitReport(t, ctx, newMiniBatch(t, map[string]any{"k": 6}), tbl)
	off := newMiniBatch(t, params)
	if err := off.SetInitialModel(other); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if m, rep := fitReport(t, ctx, off, tbl); rep != want || !equalRecords(m.ModelData()[0], m0.ModelData()[0]) {
			t.Errorf("fit %d without warm_start: %+v, want %+v", i, rep, want)
		}
	}
	params["warm_start"] = true
	if m, rep := fitReport(t, ctx, newMiniBatch(t, params), tbl); rep != want || !equalRecords(m.ModelData()[0], m0.ModelData()[0]) {
		t.Errorf("first warm_start fit: %+v, want the cold %+v", rep, want)
	}
}
