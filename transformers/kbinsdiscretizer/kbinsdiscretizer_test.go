package kbinsdiscretizer

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/vectest"
)

func TestParams(t *testing.T) {
	s, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if NBins.Get(s.Params()) != 5 || Strategy.Get(s.Params()) != Quantile {
		t.Errorf("defaults: %v", s.Params().Values())
	}
	for _, bad := range []map[string]any{{"n_bins": 1}, {"n_bins": 2.5}, {"strategy": "kmeans"}, {"input_col": ""}} {
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), Kind) {
			t.Errorf("%v: error %v does not name the stage", bad, err)
		}
	}
	if _, err := NewModel(map[string]any{"strategy": "x"}); err == nil || !strings.Contains(err.Error(), `"strategy"`) {
		t.Errorf("model: %v", err)
	}
}

func TestEdges(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		name     string
		vals     []float64
		n        int
		strategy string
		want     []float64
	}{
		{"uniform", []float64{0, 1, 10}, 5, Uniform, []float64{0, 2, 4, 6, 8, 10}},
		{"quantile", []float64{0, 1, 2, 3, 4}, 4, Quantile, []float64{0, 1, 2, 3, 4}},
		{"quantile interpolated", []float64{0, 10}, 4, Quantile, []float64{0, 2.5, 5, 7.5, 10}},
		// Quantiles 0 0 0 1 -> the second and third edges are removed.
		{"removed", []float64{0, 0, 0, 0, 0, 0, 1}, 3, Quantile, []float64{0, 1}},
		{"constant", []float64{3, 3}, 5, Quantile, []float64{-inf, inf}},
		{"empty", nil, 5, Uniform, []float64{-inf, inf}},
	} {
		if got := Edges(c.vals, c.n, c.strategy); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	e := []float64{0, 1, 2, 3}
	for _, c := range []struct{ x, want float64 }{{-5, 0}, {0, 0}, {0.5, 0}, {1, 1}, {2.9, 2}, {3, 2}, {99, 2}} {
		if got := Bin(e, c.x); got != c.want {
			t.Errorf("Bin(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	if !math.IsNaN(Bin(e, math.NaN())) || Bin([]float64{-inf, inf}, 7) != 0 {
		t.Error("Bin of NaN or with one bin")
	}
}

func TestFitTransformSmall(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	nan := math.NaN()
	// Feature 0: 0..4 quantile edges 0 2 4 with 2 bins; feature 1 constant;
	// feature 2 with a NaN ignored by fit.
	rows := [][]float64{{0, 7, 1}, {1, 7, nan}, {2, 7, 3}, {3, 7, 5}, {4, 7, 7}}
	tbl := vectest.Features(t, mem, "f", rows, 2)
	defer tbl.Release()
	est, _ := New(map[string]any{"input_col": "f", "output_col": "b", "n_bins": 2})
	m := vectest.Fit(t, mem, est, tbl).(*Model)
	if got := m.NBins(); !slices.Equal(got, []int{2, 1, 2}) {
		t.Errorf("NBins %v", got)
	}
	if got := m.Edges(); !slices.Equal(got[2], []float64{1, 4, 7}) {
		t.Errorf("edges %v", got)
	}
	out := vectest.Transform(t, mem, m, tbl)
	defer out.Release()
	vectest.AssertRows(t, vectest.DenseRows(t, out, "b"), [][]float64{{0, 0, 0}, {0, 0, nan}, {1, 0, 0}, {1, 0, 1}, {1, 0, 1}}, 0)

	ctx := pipeline.WithAllocator(context.Background(), mem)
	empty, _ := NewModel(map[string]any{"input_col": "f"})
	if _, err := empty.Transform(ctx, tbl.Batch(0)); !errors.Is(err, pipeline.ErrNoModelData) {
		t.Errorf("no data: %v", err)
	}
	if _, err := ModelDataRecord(mem, [][]float64{{1}}); err == nil {
		t.Error("one edge accepted")
	}
	gap, _ := table.Build(mem, table.Col("feature", []int64{0, 0, 2, 2}), table.Col("edge", []float64{0, 1, 0, 1}))
	defer gap.Release()
	if err := empty.SetModelData(gap); err == nil || !strings.Contains(err.Error(), "feature 2") {
		t.Errorf("feature gap accepted: %v", err)
	}
	two, _ := ModelDataRecord(mem, [][]float64{{0, 1}, {0, 1}})
	defer two.Release()
	if err := empty.SetModelData(two); err != nil {
		t.Fatal(err)
	}
	if _, err := empty.Transform(ctx, tbl.Batch(0)); err == nil || !strings.Contains(err.Error(), "dimension 3") {
		t.Errorf("dimension mismatch: %v", err)
	}
}

// TestSklearn compares edges and ordinal outputs with scikit-learn's
// KBinsDiscretizer (testdata/gen_expected.py), then saves and loads.
func TestSklearn(t *testing.T) {
	for _, c := range []struct {
		name, ds, drop, strategy string
		n                        int
	}{
		{"wine_quantile", "wine", "label", Quantile, 5},
		{"wine_uniform", "wine", "label", Uniform, 5},
		{"diabetes_quantile", "diabetes", "target", Quantile, 7},
	} {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			_, rows := vectest.Dataset(t, c.ds, c.drop)
			_, wantEdges := vectest.ReadCSV(t, "testdata/expected_"+c.name+"_edges.csv.gz")
			_, want := vectest.ReadCSV(t, "testdata/expected_"+c.name+".csv.gz")
			tbl := vectest.Features(t, mem, "features", rows, 50)
			defer tbl.Release()
			est, _ := New(map[string]any{"input_col": "features", "output_col": "bins", "n_bins": c.n, "strategy": c.strategy, "model_version_col": "v"})
			m := vectest.Fit(t, mem, est, tbl).(*Model)
			var got [][]float64
			for j, e := range m.Edges() {
				for _, v := range e {
					got = append(got, []float64{float64(j), v})
				}
			}
			vectest.AssertRows(t, got, wantEdges, 1e-9)
			out := vectest.Transform(t, mem, m, tbl)
			defer out.Release()
			vectest.AssertRows(t, vectest.DenseRows(t, out, "bins"), want, 0)
			for _, l := range vectest.RoundTrip(t, m) {
				vectest.AssertSameOutput(t, mem, m, l.(pipeline.Transformer), tbl, "bins")
			}
		})
	}
}

func BenchmarkTransform(b *testing.B) {
	const n, dim = 1 << 20, 8
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = make([]float64, dim)
		for j := range rows[i] {
			rows[i][j] = float64((i*(j+3))%97 + j)
		}
	}
	mem := memory.NewGoAllocator()
	tbl := vectest.Features(b, mem, "f", rows, 1<<16)
	defer tbl.Release()
	small := vectest.Features(b, mem, "f", rows[:4096], 0)
	defer small.Release()
	est, _ := New(map[string]any{"input_col": "f", "output_col": "o", "n_bins": 10})
	m := vectest.Fit(b, mem, est, small)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := vectest.Transform(b, mem, m, tbl)
		out.Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
