package vectorslicer

import (
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/vectest"
)

func TestParams(t *testing.T) {
	s, err := New(nil)
	if err != nil || len(Indices.Get(s.Params())) != 0 {
		t.Fatal(err)
	}
	for _, bad := range []map[string]any{{"indices": []int{1, 1}}, {"indices": []int{-1}}, {"indices": "0"}, {"indices": []float64{0.5}}} {
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), Kind) || !strings.Contains(err.Error(), `"indices"`) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := vectest.Features(t, mem, "f", [][]float64{{1, 2}}, 0)
	defer tbl.Release()
	if _, err := s.OutputSchema(tbl.Schema()); err == nil || !strings.Contains(err.Error(), `"indices"`) {
		t.Errorf("empty indices: %v", err)
	}
}

func TestSmall(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := table.Build(mem,
		table.DenseCol("d", 4, [][]float64{{1, 2, 3, 4}, nil, {5, 6, 7, 8}}),
		table.NullableSparseCol("s", []table.SparseVector{
			{Size: 4, Indices: []int32{0, 3}, Values: []float64{1, 4}}, {}, {Size: 5, Indices: []int32{2}, Values: []float64{7}},
		}, []bool{true, false, true}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	want := [][]float64{{4, 1, 3}, nil, {8, 5, 7}}
	for _, col := range []string{"d", "s"} {
		s, _ := New(map[string]any{"input_col": col, "output_col": "o", "indices": []int{3, 0, 2}})
		out := vectest.Transform(t, mem, s, tbl)
		got := vectest.DenseRows(t, out, "o")
		out.Release()
		if got[1] != nil {
			t.Errorf("%s: null row gave %v", col, got[1])
		}
		w := want
		if col == "s" {
			w = [][]float64{{4, 1, 0}, nil, {0, 0, 7}}
		}
		vectest.AssertRows(t, [][]float64{got[0], got[2]}, [][]float64{w[0], w[2]}, 0)
	}
	ctx := pipeline.WithAllocator(t.Context(), mem)
	s, _ := New(map[string]any{"input_col": "d", "output_col": "o", "indices": []int{4}})
	if _, err := s.Transform(ctx, rec); err == nil || !strings.Contains(err.Error(), "index 4") {
		t.Errorf("dense out of range: %v", err)
	}
	_ = s.SetInputCol("s")
	if _, err := s.Transform(ctx, rec); err == nil || !strings.Contains(err.Error(), "row 0") {
		t.Errorf("sparse out of range: %v", err)
	}
}

// TestNumpyWine compares with numpy's X[:, [12, 0, 5, 6]] on wine
// (testdata/gen_expected.py).
func TestNumpyWine(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	_, rows := vectest.Dataset(t, "wine", "label")
	_, want := vectest.ReadCSV(t, "testdata/expected_wine.csv.gz")
	tbl := vectest.Features(t, mem, "features", rows, 50)
	defer tbl.Release()
	s, _ := New(map[string]any{"input_col": "features", "output_col": "sliced", "indices": []int{12, 0, 5, 6}})
	out := vectest.Transform(t, mem, s, tbl)
	defer out.Release()
	vectest.AssertRows(t, vectest.DenseRows(t, out, "sliced"), want, 0)
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
	s, _ := New(map[string]any{"input_col": "f", "output_col": "o", "indices": []int{7, 1, 3}})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := vectest.Transform(b, mem, s, tbl)
		out.Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
