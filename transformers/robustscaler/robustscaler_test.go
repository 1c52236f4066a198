package robustscaler

import (
	"context"
	"errors"
	"fmt"
	"math"
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
	if qr := QuantileRange.Get(s.Params()); !WithCentering.Get(s.Params()) || !WithScaling.Get(s.Params()) || qr[0] != 25 || qr[1] != 75 {
		t.Errorf("defaults: %v", s.Params().Values())
	}
	for _, bad := range []map[string]any{
		{"quantile_range": []float64{75, 25}}, {"quantile_range": []float64{-1, 50}}, {"quantile_range": []float64{50, 101}},
		{"quantile_range": []float64{50}}, {"with_centering": "no"}, {"with_scaling": 0.5},
	} {
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), Kind) {
			t.Errorf("%v: error %v does not name the stage", bad, err)
		}
	}
	if err := s.SetQuantileRange(10, 90); err != nil {
		t.Fatal(err)
	}
	if _, err := NewModel(map[string]any{"quantile_range": []float64{1, 2, 3}}); err == nil || !strings.Contains(err.Error(), `"quantile_range"`) {
		t.Errorf("model: %v", err)
	}
}

func TestPercentile(t *testing.T) {
	a := []float64{1, 2, 4, 8, 16}
	for _, c := range []struct{ p, want float64 }{{0, 1}, {25, 2}, {50, 4}, {62.5, 6}, {75, 8}, {90, 12.8}, {100, 16}} {
		if got := Percentile(a, c.p); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Percentile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if Median([]float64{1, 2, 4, 8}) != 3 || Median(a) != 4 || !math.IsNaN(Median(nil)) || !math.IsNaN(Percentile(nil, 50)) {
		t.Error("Median")
	}
}

func TestFitTransformSmall(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// Feature 0: 1 2 4 8 16 -> median 4, q25 2, q75 8, scale 6.
	// Feature 1: constant 5 (scale 0 -> 1). Feature 2: NaN ignored,
	// values 0 10 20 30 -> median 15, q25 7.5, q75 22.5, scale 15.
	nan := math.NaN()
	rows := [][]float64{{1, 5, 0}, {2, 5, nan}, {4, 5, 10}, {8, 5, 20}, {16, 5, 30}}
	tbl := vectest.Features(t, mem, "f", rows, 2)
	defer tbl.Release()
	cases := []struct {
		center, scale bool
		want          [][]float64
	}{
		{true, true, [][]float64{{-0.5, 0, -1}, {-2.0 / 6, 0, nan}, {0, 0, -1.0 / 3}, {4.0 / 6, 0, 1.0 / 3}, {2, 0, 1}}},
		{false, true, [][]float64{{1.0 / 6, 5, 0}, {2.0 / 6, 5, nan}, {4.0 / 6, 5, 10.0 / 15}, {8.0 / 6, 5, 20.0 / 15}, {16.0 / 6, 5, 2}}},
		{true, false, [][]float64{{-3, 0, -15}, {-2, 0, nan}, {0, 0, -5}, {4, 0, 5}, {12, 0, 15}}},
		{false, false, rows},
	}
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			est, _ := New(map[string]any{"input_col": "f", "output_col": "o", "with_centering": c.center, "with_scaling": c.scale})
			m := vectest.Fit(t, mem, est, tbl).(*Model)
			vectest.AssertRows(t, [][]float64{m.Center(), m.Scale()}, [][]float64{{4, 5, 15}, {6, 1, 15}}, 1e-15)
			out := vectest.Transform(t, mem, m, tbl)
			defer out.Release()
			vectest.AssertRows(t, vectest.DenseRows(t, out, "o"), c.want, 1e-15)
		})
	}
}

func TestSparseAndErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// Sparse rows count their implicit zeros: feature 0 is 0 0 3 -> median 0,
	// q25 0, q75 1.5.
	rec, err := table.Build(mem, table.NullableSparseCol("f", []table.SparseVector{
		{Size: 1}, {}, {Size: 1}, {Size: 1, Indices: []int32{0}, Values: []float64{3}},
	}, []bool{true, false, true, true}))
	if err != nil {
		t.Fatal(err)
	}
	tbl, _ := table.New(rec.Schema(), rec)
	rec.Release()
	defer tbl.Release()
	est, _ := New(map[string]any{"input_col": "f", "output_col": "o"})
	m := vectest.Fit(t, mem, est, tbl).(*Model)
	if c, s := m.Center(), m.Scale(); c[0] != 0 || s[0] != 1.5 {
		t.Errorf("center %v scale %v", c, s)
	}
	out := vectest.Transform(t, mem, m, tbl)
	defer out.Release()
	if got := vectest.DenseRows(t, out, "o"); got[1] != nil || got[3][0] != 2 {
		t.Errorf("got %v", got)
	}
	ctx := pipeline.WithAllocator(context.Background(), mem)
	empty, _ := NewModel(map[string]any{"input_col": "f"})
	if _, err := empty.Transform(ctx, tbl.Batch(0)); !errors.Is(err, pipeline.ErrNoModelData) {
		t.Errorf("no data: %v", err)
	}
	bad, _ := ModelDataRecord(mem, []float64{0}, []float64{0})
	defer bad.Release()
	if err := empty.SetModelData(bad); err == nil || !strings.Contains(err.Error(), "scale") {
		t.Errorf("zero scale accepted: %v", err)
	}
}

// TestSklearnWine compares with scikit-learn's RobustScaler on wine with
// NaNs (testdata/gen_expected.py), then saves and loads.
func TestSklearnWine(t *testing.T) {
	for _, c := range []struct {
		name   string
		params map[string]any
	}{
		{"default", nil},
		{"10_90_nocenter", map[string]any{"with_centering": false, "quantile_range": []float64{10, 90}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			_, rows := vectest.Dataset(t, "wine", "label")
			for i := 0; i < len(rows); i += 7 {
				rows[i][2] = math.NaN()
			}
			_, want := vectest.ReadCSV(t, "testdata/expected_wine_"+c.name+".csv.gz")
			tbl := vectest.Features(t, mem, "features", rows, 50)
			defer tbl.Release()
			p := map[string]any{"input_col": "features", "output_col": "scaled", "model_version_col": "v"}
			for k, v := range c.params {
				p[k] = v
			}
			est, err := New(p)
			if err != nil {
				t.Fatal(err)
			}
			m := vectest.Fit(t, mem, est, tbl).(*Model)
			center := m.Center()
			if c.params != nil {
				center = make([]float64, len(center))
			}
			vectest.AssertRows(t, [][]float64{center, m.Scale()}, want[:2], 1e-9)
			out := vectest.Transform(t, mem, m, tbl)
			defer out.Release()
			vectest.AssertRows(t, vectest.DenseRows(t, out, "scaled"), want[2:], 1e-9)
			for _, l := range vectest.RoundTrip(t, m) {
				vectest.AssertSameOutput(t, mem, m, l.(pipeline.Transformer), tbl, "scaled")
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
			rows[i][j] = float64(i%97 + j)
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
