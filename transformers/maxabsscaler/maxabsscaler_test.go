package maxabsscaler

import (
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/transformers/internal/vectest"
)

func TestParams(t *testing.T) {
	s, err := New(nil)
	if err != nil || s.InputCol() != "input" {
		t.Fatal(err)
	}
	if _, err := New(map[string]any{"output_col": ""}); err == nil || !strings.Contains(err.Error(), Kind) {
		t.Errorf("bad output_col: %v", err)
	}
}

func TestSmall(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := vectest.Features(t, mem, "f", [][]float64{{-4, 0}, {2, 0}}, 1)
	defer tbl.Release()
	est, _ := New(map[string]any{"input_col": "f", "output_col": "o"})
	m := vectest.Fit(t, mem, est, tbl).(*Model)
	if got := m.MaxAbs(); got[0] != 4 || got[1] != 0 {
		t.Errorf("max_abs %v", got)
	}
	out := vectest.Transform(t, mem, m, tbl)
	defer out.Release()
	vectest.AssertRows(t, vectest.DenseRows(t, out, "o"), [][]float64{{-1, 0}, {0.5, 0}}, 0)
}

func TestSklearnWine(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	vectest.Dataset(t, "wine") // skip policy for the shared datasets
	_, rows := vectest.ReadCSV(t, "testdata/input_wine.csv.gz")
	_, want := vectest.ReadCSV(t, "testdata/expected_wine.csv.gz")
	tbl := vectest.Features(t, mem, "features", rows, 64)
	defer tbl.Release()
	est, _ := New(map[string]any{"input_col": "features", "output_col": "scaled"})
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
			rows[i][j] = float64(i%97 - j)
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
