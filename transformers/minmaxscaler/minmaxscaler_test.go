package minmaxscaler

import (
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/transformers/internal/vectest"
)

func TestParams(t *testing.T) {
	s, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if Min.Get(s.Params()) != 0 || Max.Get(s.Params()) != 1 {
		t.Errorf("defaults %v", s.Params().Values())
	}
	for _, bad := range []map[string]any{{"min": 1.0, "max": 1.0}, {"min": "a"}, {"max": -1}} {
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), Kind) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if _, err := NewModel(map[string]any{"min": 2}); err == nil || !strings.Contains(err.Error(), `"max"`) {
		t.Errorf("model: %v", err)
	}
}

func TestFitTransformSmall(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := vectest.Features(t, mem, "f", [][]float64{{0, 5, -1}, {10, 5, 1}, {5, 5, 0}}, 2)
	defer tbl.Release()
	est, _ := New(map[string]any{"input_col": "f", "output_col": "o", "min": -1, "max": 1})
	m := vectest.Fit(t, mem, est, tbl).(*Model)
	if lo, hi := m.DataMin(), m.DataMax(); lo[0] != 0 || hi[0] != 10 || lo[2] != -1 || hi[2] != 1 {
		t.Errorf("min %v max %v", lo, hi)
	}
	out := vectest.Transform(t, mem, m, tbl)
	defer out.Release()
	// Constant feature: range 1, so 5 -> 5*2 + (-1 - 10) = -1.
	vectest.AssertRows(t, vectest.DenseRows(t, out, "o"), [][]float64{{-1, -1, -1}, {1, -1, 1}, {0, -1, 0}}, 1e-15)
}

func TestSklearnBreastCancer(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	_, rows := vectest.Dataset(t, "breast_cancer", "label")
	_, want := vectest.ReadCSV(t, "testdata/expected_breast_cancer.csv.gz")
	tbl := vectest.Features(t, mem, "features", rows, 100)
	defer tbl.Release()
	est, _ := New(map[string]any{"input_col": "features", "output_col": "scaled", "min": -1, "max": 2})
	m := vectest.Fit(t, mem, est, tbl)
	out := vectest.Transform(t, mem, m, tbl)
	defer out.Release()
	vectest.AssertRows(t, vectest.DenseRows(t, out, "scaled"), want, 1e-9)
	for _, l := range vectest.RoundTrip(t, m) {
		vectest.AssertSameOutput(t, mem, m, l.(pipeline.Transformer), tbl, "scaled")
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
	est, _ := New(map[string]any{"input_col": "f", "output_col": "o"})
	m := vectest.Fit(b, mem, est, tbl)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		vectest.Transform(b, mem, m, tbl).Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
