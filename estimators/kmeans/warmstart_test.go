package kmeans

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/blobs"
	"github.com/eddyml/eddy/pipeline"
)

func TestWarmStart(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	x, _ := blobs.Rows(42, 5000)
	tbl := featureTable(t, mem, rowsOf(x, blobs.Dim))
	defer tbl.Release()
	est, err := New(map[string]any{"k": blobs.K, "warm_start": true, "tol": 0.0, "init": "random", "seed": int64(3)})
	if err != nil {
		t.Fatal(err)
	}
	m1, cold := fitReport(t, ctx, est, tbl)
	_, warm := fitReport(t, ctx, est, tbl)
	t.Logf("iterations: cold %d, warm %d", cold.Iter, warm.Iter)
	if cold.Iter < 3 || warm.Iter != 1 {
		t.Errorf("iterations: cold %d, warm from the converged centers %d (want 1)", cold.Iter, warm.Iter)
	}
	// Given centers, in another estimator: one run from them, whatever
	// n_init says.
	other, _ := New(map[string]any{"k": blobs.K, "warm_start": true, "n_init": 5})
	if err := other.SetInitialModel(m1); err != nil {
		t.Fatal(err)
	}
	m3, given := fitReport(t, ctx, other, tbl)
	if given.Iter != 1 || given.Inertia != cold.Inertia {
		t.Errorf("from given centers: %d iterations, inertia %v (cold %v)", given.Iter, given.Inertia, cold.Inertia)
	}
	for c, row := range m3.Centers() {
		for j, v := range row {
			if v != m1.Centers()[c][j] {
				t.Fatalf("center %d moved", c)
			}
		}
	}
	// Wrong shapes are errors.
	if err := other.SetInitialCenters([][]float64{{1, 2}, {3}}); err == nil {
		t.Error("ragged centers accepted")
	}
	if err := other.SetInitialCenters([][]float64{{1, 2}, {3, 4}}); err != nil {
		t.Fatal(err)
	}
	r := tbl.Reader()
	defer r.Release()
	if _, _, err := other.FitReport(ctx, r); err == nil || !strings.Contains(err.Error(), "warm start") {
		t.Errorf("centers of another shape: %v", err)
	}
}

// TestFitRows checks that clustering a subset of rows in place gives what
// FitReport gives on a table of copies of those rows.
func TestFitRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	x, _ := blobs.Rows(9, 6000)
	d := blobs.Dim
	var rows []int
	var sub [][]float64
	for i := 0; i < 6000; i += 3 {
		rows = append(rows, i)
		sub = append(sub, x[i*d:(i+1)*d])
	}
	tbl := featureTable(t, mem, sub)
	defer tbl.Release()
	for _, init := range []string{InitKMeansPlusPlus, InitRandom} {
		est, _ := New(map[string]any{"k": 4, "n_init": 3, "init": init, "seed": int64(11)})
		m, rep := fitReport(t, ctx, est, tbl)
		centers, labels, dist, rep2, err := est.FitRows(ctx, x, d, rows)
		if err != nil {
			t.Fatal(err)
		}
		if rep2 != rep {
			t.Errorf("%s: report %+v, FitReport %+v", init, rep2, rep)
		}
		if got := rowsOf(centers, d); !equalRows(got, m.Centers()) {
			t.Errorf("%s: centers differ from FitReport's", init)
		}
		var inertia float64
		for i, c := range labels {
			if want := sqDist(sub[i], centers[int(c)*d:(int(c)+1)*d]); dist[i] != want {
				t.Fatalf("%s: row %d distance %v, want %v", init, i, dist[i], want)
			}
			inertia += dist[i]
		}
		if math.Abs(inertia-rep.Inertia) > 1e-9*rep.Inertia {
			t.Errorf("%s: distances sum to %v, inertia %v", init, inertia, rep.Inertia)
		}
	}
	est, _ := New(map[string]any{"k": 2})
	if _, _, _, _, err := est.FitRows(ctx, x, d, []int{0, 6000}); err == nil {
		t.Error("row out of range accepted")
	}
	if _, _, _, _, err := est.FitRows(ctx, x, d, []int{5}); err == nil {
		t.Error("k above the row count accepted")
	}
}

func equalRows(a, b [][]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !slices.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
