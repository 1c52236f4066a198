package normalizer

import (
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
	if err != nil || P.Get(s.Params()) != 2 {
		t.Fatal(err)
	}
	for _, bad := range []map[string]any{{"p": 0.5}, {"p": math.Inf(1)}, {"p": "two"}} {
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), `"p"`) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func TestSmall(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, c := range []struct {
		p    float64
		want [][]float64
	}{
		{1, [][]float64{{0.75, -0.25}, {0, 0}}},
		{2, [][]float64{{0.6, -0.8}, {0, 0}}},
		{3, [][]float64{{3 / math.Cbrt(27+64), -4 / math.Cbrt(27+64)}, {0, 0}}},
	} {
		rows := [][]float64{{3, -1}, {0, 0}}
		if c.p != 1 {
			rows[0][1] = -4
		}
		tbl := vectest.Features(t, mem, "f", rows, 0)
		s, _ := New(map[string]any{"input_col": "f", "output_col": "o", "p": c.p})
		out := vectest.Transform(t, mem, s, tbl)
		vectest.AssertRows(t, vectest.DenseRows(t, out, "o"), c.want, 1e-15)
		out.Release()
		tbl.Release()
	}
	// Sparse input and nulls.
	rec, err := table.Build(mem, table.NullableSparseCol("f", []table.SparseVector{{Size: 3, Indices: []int32{1}, Values: []float64{-2}}, {}}, []bool{true, false}))
	if err != nil {
		t.Fatal(err)
	}
	tbl, _ := table.New(rec.Schema(), rec)
	rec.Release()
	defer tbl.Release()
	s, _ := New(map[string]any{"input_col": "f", "output_col": "o"})
	if _, err := s.OutputSchema(tbl.Schema()); err == nil {
		t.Error("sparse OutputSchema accepted")
	}
	out, err := s.Transform(pipeline.WithAllocator(t.Context(), mem), tbl.Batch(0))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	rows := table.Rows(out)
	if rows[1]["o"] != nil || len(rows[0]["o"].([]float64)) != 3 || rows[0]["o"].([]float64)[1] != -1 {
		t.Errorf("got %v", rows)
	}
}

func TestSklearnWine(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	_, rows := vectest.Dataset(t, "wine", "label")
	tbl := vectest.Features(t, mem, "features", rows, 60)
	defer tbl.Release()
	for _, c := range []struct {
		norm string
		p    float64
	}{{"l1", 1}, {"l2", 2}} {
		_, want := vectest.ReadCSV(t, "testdata/expected_wine_"+c.norm+".csv.gz")
		s, _ := New(map[string]any{"input_col": "features", "output_col": "n", "p": c.p})
		out := vectest.Transform(t, mem, s, tbl)
		vectest.AssertRows(t, vectest.DenseRows(t, out, "n"), want, 1e-9)
		out.Release()
		for _, l := range vectest.RoundTrip(t, s) {
			vectest.AssertSameOutput(t, mem, s, l.(pipeline.Transformer), tbl, "n")
		}
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
	s, _ := New(map[string]any{"input_col": "f", "output_col": "o"})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		vectest.Transform(b, mem, s, tbl).Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
