package variancethresholdselector

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
	if err != nil || VarianceThreshold.Get(s.Params()) != 0 {
		t.Fatal(err)
	}
	for _, bad := range []map[string]any{{"variance_threshold": -1.0}, {"variance_threshold": math.Inf(1)}, {"variance_threshold": "x"}} {
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), Kind) || !strings.Contains(err.Error(), `"variance_threshold"`) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if _, err := NewModel(map[string]any{"variance_threshold": -2}); err == nil {
		t.Error("model accepted a negative threshold")
	}
}

func TestFitTransformSmall(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	nan := math.NaN()
	// Variances: 2/3 (0 1 2), 0 (constant), 4 (NaN ignored: 0 4) and
	// 2/9 (1 2 2).
	rows := [][]float64{{0, 5, 0, 1}, {1, 5, nan, 2}, {2, 5, 4, 2}}
	tbl := vectest.Features(t, mem, "f", rows, 2)
	defer tbl.Release()
	est, _ := New(map[string]any{"input_col": "f", "output_col": "o"})
	m := vectest.Fit(t, mem, est, tbl).(*Model)
	vectest.AssertRows(t, [][]float64{m.Variances()}, [][]float64{{2.0 / 3, 0, 4, 2.0 / 9}}, 1e-15)
	if got := m.Selected(); !slices.Equal(got, []int{0, 2, 3}) {
		t.Errorf("selected %v", got)
	}
	out := vectest.Transform(t, mem, m, tbl)
	vectest.AssertRows(t, vectest.DenseRows(t, out, "o"), [][]float64{{0, 0, 1}, {1, nan, 2}, {2, 4, 2}}, 0)
	out.Release()
	// Raising the model's threshold drops more features.
	if err := m.SetVarianceThreshold(0.5); err != nil {
		t.Fatal(err)
	}
	out = vectest.Transform(t, mem, m, tbl)
	vectest.AssertRows(t, vectest.DenseRows(t, out, "o"), [][]float64{{0, 0}, {1, nan}, {2, 4}}, 0)
	out.Release()

	ctx := pipeline.WithAllocator(context.Background(), mem)
	_ = est.SetVarianceThreshold(10)
	r := tbl.Reader()
	defer r.Release()
	if _, err := est.Fit(ctx, r); err == nil || !strings.Contains(err.Error(), "no feature") {
		t.Errorf("nothing kept: %v", err)
	}
	empty, _ := NewModel(map[string]any{"input_col": "f"})
	if _, err := empty.Transform(ctx, tbl.Batch(0)); !errors.Is(err, pipeline.ErrNoModelData) {
		t.Errorf("no data: %v", err)
	}
}

func TestSparseAndNulls(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := table.Build(mem, table.NullableSparseCol("f", []table.SparseVector{
		{Size: 2, Indices: []int32{0}, Values: []float64{2}}, {}, {Size: 2},
	}, []bool{true, false, true}))
	if err != nil {
		t.Fatal(err)
	}
	tbl, _ := table.New(rec.Schema(), rec)
	rec.Release()
	defer tbl.Release()
	est, _ := New(map[string]any{"input_col": "f", "output_col": "o"})
	m := vectest.Fit(t, mem, est, tbl).(*Model)
	vectest.AssertRows(t, [][]float64{m.Variances()}, [][]float64{{1, 0}}, 0)
	out := vectest.Transform(t, mem, m, tbl)
	defer out.Release()
	got := vectest.DenseRows(t, out, "o")
	if got[1] != nil || got[0][0] != 2 || got[2][0] != 0 || len(got[0]) != 1 {
		t.Errorf("got %v", got)
	}
}

// TestSklearnWine compares with scikit-learn's VarianceThreshold(0.5) on
// wine (testdata/gen_expected.py), then saves and loads.
func TestSklearnWine(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	_, rows := vectest.Dataset(t, "wine", "label")
	_, wantVar := vectest.ReadCSV(t, "testdata/expected_wine_variances.csv.gz")
	_, want := vectest.ReadCSV(t, "testdata/expected_wine_0.5.csv.gz")
	tbl := vectest.Features(t, mem, "features", rows, 50)
	defer tbl.Release()
	est, _ := New(map[string]any{"input_col": "features", "output_col": "selected", "variance_threshold": 0.5, "model_version_col": "v"})
	m := vectest.Fit(t, mem, est, tbl).(*Model)
	vectest.AssertRows(t, [][]float64{m.Variances()}, wantVar, 1e-9)
	out := vectest.Transform(t, mem, m, tbl)
	defer out.Release()
	vectest.AssertRows(t, vectest.DenseRows(t, out, "selected"), want, 0)
	for _, l := range vectest.RoundTrip(t, m) {
		vectest.AssertSameOutput(t, mem, m, l.(pipeline.Transformer), tbl, "selected")
	}
}

func BenchmarkTransform(b *testing.B) {
	const n, dim = 1 << 20, 8
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = make([]float64, dim)
		for j := range rows[i] {
			rows[i][j] = float64((i*j)%97 + j)
		}
	}
	mem := memory.NewGoAllocator()
	tbl := vectest.Features(b, mem, "f", rows, 1<<16)
	defer tbl.Release()
	small := vectest.Features(b, mem, "f", rows[:4096], 0)
	defer small.Release()
	est, _ := New(map[string]any{"input_col": "f", "output_col": "o"})
	m := vectest.Fit(b, mem, est, small)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := vectest.Transform(b, mem, m, tbl)
		out.Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
