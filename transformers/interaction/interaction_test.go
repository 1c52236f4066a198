package interaction

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
	if err != nil || len(s.InputCols()) != 0 || s.OutputCol() != "output" {
		t.Fatal(err)
	}
	for _, bad := range []map[string]any{{"input_cols": []string{"a", "a"}}, {"input_cols": "a"}, {"output_col": ""}} {
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), Kind) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, _ := table.Build(mem, table.Col("a", []float64{1}), table.Col("s", []string{"x"}))
	defer rec.Release()
	if _, err := s.OutputSchema(rec.Schema()); err == nil || !strings.Contains(err.Error(), `"input_cols"`) {
		t.Errorf("empty input_cols: %v", err)
	}
	_ = s.SetInputCols("a", "s")
	if _, err := s.OutputSchema(rec.Schema()); err == nil || !strings.Contains(err.Error(), `"s"`) {
		t.Errorf("string column: %v", err)
	}
}

func TestSmall(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := table.Build(mem,
		table.NullableCol("id", []int32{1, 2, 3, 4}, []bool{true, true, true, false}),
		table.DenseCol("v", 2, [][]float64{{1, 2}, {3, 4}, nil, {1, 1}}),
		table.SparseCol("s", []table.SparseVector{
			{Size: 2, Indices: []int32{1}, Values: []float64{4}}, {Size: 2, Indices: []int32{0, 1}, Values: []float64{2, math.NaN()}}, {Size: 2}, {Size: 2},
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	ctx := pipeline.WithAllocator(t.Context(), mem)
	nan := math.NaN()
	for _, c := range []struct {
		cols []string
		want [][]float64
	}{
		// Flink ML's example: (1, [1,2], [3,4]) -> [3, 4, 6, 8].
		{[]string{"id", "v"}, [][]float64{{1, 2}, {6, 8}, nil, nil}},
		{[]string{"v", "id"}, [][]float64{{1, 2}, {6, 8}, nil, nil}},
		{[]string{"id", "v", "s"}, [][]float64{{0, 4, 0, 8}, {12, nan, 16, nan}, nil, nil}},
		{[]string{"v", "s"}, [][]float64{{0, 4, 0, 8}, {6, nan, 8, nan}, nil, {0, 0, 0, 0}}},
	} {
		s, _ := New(map[string]any{"input_cols": c.cols, "output_col": "x"})
		out, err := s.Transform(ctx, rec)
		if err != nil {
			t.Fatalf("%v: %v", c.cols, err)
		}
		tbl, _ := table.New(out.Schema(), out)
		out.Release()
		got := vectest.DenseRows(t, tbl, "x")
		tbl.Release()
		for i := range c.want {
			if (got[i] == nil) != (c.want[i] == nil) {
				t.Errorf("%v row %d: got %v, want %v", c.cols, i, got[i], c.want[i])
				continue
			}
			if c.want[i] != nil {
				vectest.AssertRows(t, got[i:i+1], c.want[i:i+1], 0)
			}
		}
	}
	s, _ := New(map[string]any{"input_cols": []string{"id", "v"}, "output_col": "x"})
	schema, err := s.OutputSchema(rec.Schema())
	if err != nil || schema.Field(schema.NumFields()-1).Type.String() != table.DenseVectorType(2).String() {
		t.Errorf("OutputSchema %v %v", schema, err)
	}
	_ = s.SetInputCols("id", "s")
	if _, err := s.OutputSchema(rec.Schema()); err == nil || !strings.Contains(err.Error(), "sparse") {
		t.Errorf("sparse OutputSchema: %v", err)
	}
}

// TestNumpyWine compares with row-wise numpy.kron on wine
// (testdata/gen_expected.py).
func TestNumpyWine(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	names, rows := vectest.Dataset(t, "wine", "label")
	_, want := vectest.ReadCSV(t, "testdata/expected_wine.csv.gz")
	col := func(name string) int {
		for j, n := range names {
			if n == name {
				return j
			}
		}
		t.Fatalf("no column %q", name)
		return -1
	}
	pick := func(cols ...string) [][]float64 {
		out := make([][]float64, len(rows))
		for i, r := range rows {
			for _, c := range cols {
				out[i] = append(out[i], r[col(c)])
			}
		}
		return out
	}
	alcohol := make([]float64, len(rows))
	for i, r := range pick("alcohol") {
		alcohol[i] = r[0]
	}
	rec, err := table.Build(mem, table.Col("alcohol", alcohol),
		table.DenseCol("b", 2, pick("malic_acid", "ash")),
		table.DenseCol("c", 3, pick("magnesium", "hue", "proline")))
	if err != nil {
		t.Fatal(err)
	}
	tbl, _ := table.New(rec.Schema(), rec)
	rec.Release()
	defer tbl.Release()
	s, _ := New(map[string]any{"input_cols": []string{"alcohol", "b", "c"}, "output_col": "x"})
	out := vectest.Transform(t, mem, s, tbl)
	defer out.Release()
	vectest.AssertRows(t, vectest.DenseRows(t, out, "x"), want, 0)
}

func BenchmarkTransform(b *testing.B) {
	const n = 1 << 20
	mem := memory.NewGoAllocator()
	vals := make([]float64, n)
	vecs := make([][]float64, n)
	for i := range vals {
		vals[i] = float64(i % 97)
		vecs[i] = []float64{1, float64(i % 7), 3}
	}
	rec, err := table.Build(mem, table.Col("a", vals), table.DenseCol("v", 3, vecs), table.DenseCol("w", 3, vecs))
	if err != nil {
		b.Fatal(err)
	}
	tbl, _ := table.New(rec.Schema(), rec)
	rec.Release()
	defer tbl.Release()
	s, _ := New(map[string]any{"input_cols": []string{"a", "v", "w"}, "output_col": "o"})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := vectest.Transform(b, mem, s, tbl)
		out.Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
