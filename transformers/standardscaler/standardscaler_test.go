package standardscaler

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
	if !WithMean.Get(s.Params()) || !WithStd.Get(s.Params()) || s.InputCol() != "input" || s.OutputCol() != "output" {
		t.Errorf("defaults: %v", s.Params().Values())
	}
	for _, bad := range []map[string]any{{"with_mean": "yes"}, {"with_std": 1.5}, {"input_col": ""}, {"nope": 1}} {
		_, err := New(bad)
		if err == nil || !strings.Contains(err.Error(), Kind) {
			t.Errorf("%v: error %v does not name the stage", bad, err)
		}
	}
	if _, err := NewModel(map[string]any{"with_mean": 3}); err == nil || !strings.Contains(err.Error(), `"with_mean"`) {
		t.Errorf("model: %v", err)
	}
}

func TestFitTransformSmall(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rows := [][]float64{{1, 10, 5}, {3, 10, 7}, {5, 10, 9}}
	tbl := vectest.Features(t, mem, "features", rows, 2)
	defer tbl.Release()
	// mean (3, 10, 7); population std (sqrt(8/3), 0 -> 1, sqrt(8/3)).
	sd := math.Sqrt(8.0 / 3)
	cases := []struct {
		mean, std bool
		want      [][]float64
	}{
		{true, true, [][]float64{{-2 / sd, 0, -2 / sd}, {0, 0, 0}, {2 / sd, 0, 2 / sd}}},
		{false, true, [][]float64{{1 / sd, 10, 5 / sd}, {3 / sd, 10, 7 / sd}, {5 / sd, 10, 9 / sd}}},
		{true, false, [][]float64{{-2, 0, -2}, {0, 0, 0}, {2, 0, 2}}},
		{false, false, rows},
	}
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			est, err := New(map[string]any{"input_col": "features", "output_col": "scaled", "with_mean": c.mean, "with_std": c.std})
			if err != nil {
				t.Fatal(err)
			}
			m := vectest.Fit(t, mem, est, tbl).(*Model)
			if got := m.Mean(); got[0] != 3 || got[1] != 10 {
				t.Errorf("mean %v", got)
			}
			out := vectest.Transform(t, mem, m, tbl)
			defer out.Release()
			vectest.AssertRows(t, vectest.DenseRows(t, out, "scaled"), c.want, 1e-12)
		})
	}
}

func TestSparseAndNulls(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := table.Build(mem, table.NullableSparseCol("f", []table.SparseVector{
		{Size: 2, Indices: []int32{0}, Values: []float64{2}},
		{},
		{Size: 2, Indices: []int32{1}, Values: []float64{4}},
	}, []bool{true, false, true}))
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := table.New(rec.Schema(), rec)
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	est, _ := New(map[string]any{"input_col": "f", "output_col": "o"})
	m := vectest.Fit(t, mem, est, tbl)
	out := vectest.Transform(t, mem, m, tbl)
	defer out.Release()
	got := vectest.DenseRows(t, out, "o")
	want := [][]float64{{1, -1}, nil, {-1, 1}}
	if got[1] != nil {
		t.Fatalf("null row gave %v", got[1])
	}
	vectest.AssertRows(t, [][]float64{got[0], got[2]}, [][]float64{want[0], want[2]}, 1e-12)
}

func TestErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := vectest.Features(t, mem, "f", [][]float64{{1, 2}}, 0)
	defer tbl.Release()
	m, _ := NewModel(map[string]any{"input_col": "f"})
	ctx := pipeline.WithAllocator(context.Background(), mem)
	if _, err := m.Transform(ctx, tbl.Batch(0)); !errors.Is(err, pipeline.ErrNoModelData) {
		t.Errorf("no data: %v", err)
	}
	rec, _ := ModelDataRecord(mem, []float64{0, 0, 0}, []float64{1, 1, 1})
	defer rec.Release()
	if err := m.SetModelData(rec); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Transform(ctx, tbl.Batch(0)); err == nil || !strings.Contains(err.Error(), "dimension 2") {
		t.Errorf("dimension mismatch: %v", err)
	}
	est, _ := New(map[string]any{"input_col": "missing"})
	r := tbl.Reader()
	defer r.Release()
	if _, err := est.Fit(ctx, r); err == nil || !strings.Contains(err.Error(), `"missing"`) {
		t.Errorf("missing column: %v", err)
	}
}

// TestSklearnWine compares with scikit-learn's StandardScaler on wine
// (testdata/gen_expected.py), then saves, loads and swaps model data.
func TestSklearnWine(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	_, rows := vectest.Dataset(t, "wine", "label")
	_, want := vectest.ReadCSV(t, "testdata/expected_wine.csv.gz")
	tbl := vectest.Features(t, mem, "features", rows, 50)
	defer tbl.Release()
	est, _ := New(map[string]any{"input_col": "features", "output_col": "scaled", "model_version_col": "v"})
	m := vectest.Fit(t, mem, est, tbl).(*Model)
	out := vectest.Transform(t, mem, m, tbl)
	defer out.Release()
	vectest.AssertRows(t, vectest.DenseRows(t, out, "scaled"), want, 1e-9)
	for _, l := range vectest.RoundTrip(t, m) {
		vectest.AssertSameOutput(t, mem, m, l.(pipeline.Transformer), tbl, "scaled")
	}
	// Model data swap: a copy of the data with version 7.
	data := m.ModelData()
	v7 := pipeline.WithModelVersion(data[0], 7)
	data[0].Release()
	defer v7.Release()
	if err := m.SetModelData(v7); err != nil {
		t.Fatal(err)
	}
	if m.ModelVersion() != 7 {
		t.Errorf("version %d", m.ModelVersion())
	}
	vectest.AssertSameOutput(t, mem, m, m, tbl, "scaled")
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
	est, _ := New(map[string]any{"input_col": "f", "output_col": "o"})
	m := vectest.Fit(b, mem, est, tbl)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := vectest.Transform(b, mem, m, tbl)
		out.Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
