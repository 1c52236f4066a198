package binarizer

import (
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
	if th := Thresholds.Get(s.Params()); len(th) != 1 || th[0] != 0 {
		t.Errorf("default thresholds %v", th)
	}
	for _, c := range []struct {
		values map[string]any
		param  string
	}{
		{map[string]any{"thresholds": []float64{}}, "thresholds"},
		{map[string]any{"thresholds": "x"}, "thresholds"},
		{map[string]any{"input_cols": []string{"a", "b"}, "output_cols": []string{"x"}}, "output_cols"},
		{map[string]any{"input_cols": []string{"a", "b", "c"}, "output_cols": []string{"x", "y", "z"}, "thresholds": []float64{1, 2}}, "thresholds"},
	} {
		_, err := New(c.values)
		if err == nil || !strings.Contains(err.Error(), Kind) || !strings.Contains(err.Error(), c.param) {
			t.Errorf("%v: error %v does not name the stage and %s", c.values, err, c.param)
		}
	}
}

func TestSmall(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := table.Build(mem,
		table.NullableCol("i", []int32{1, 2, 3, 0}, []bool{true, true, true, false}),
		table.Col("f", []float64{0.5, math.NaN(), -1, 2}),
		table.DenseCol("d", 2, [][]float64{{1, 3}, {2, 2}, nil, {0, -1}}),
		table.NullableSparseCol("s", []table.SparseVector{
			{Size: 3, Indices: []int32{0, 2}, Values: []float64{5, 1}}, {}, {Size: 3}, {Size: 3, Indices: []int32{1}, Values: []float64{9}},
		}, []bool{true, false, true, true}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	s, err := New(map[string]any{"input_cols": []string{"i", "f", "d", "s"}, "output_cols": []string{"oi", "of", "od", "os"},
		"thresholds": []float64{2, 0, 1.5, 1}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := pipeline.WithAllocator(t.Context(), mem)
	out, err := s.Transform(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	schema, err := s.OutputSchema(rec.Schema())
	if err != nil || !schema.Equal(out.Schema()) {
		t.Fatalf("OutputSchema %v (%v) differs from %v", schema, err, out.Schema())
	}
	rows := table.Rows(out)
	want := []map[string]string{
		{"oi": "0", "of": "1", "od": "[0 1]", "os": "{3 [0] [1]}"},
		{"oi": "0", "of": "0", "od": "[1 1]", "os": "<nil>"},
		{"oi": "1", "of": "0", "od": "<nil>", "os": "{3 [] []}"},
		{"oi": "<nil>", "of": "1", "od": "[0 0]", "os": "{3 [1] [1]}"},
	}
	for i, w := range want {
		for c, v := range w {
			if got := fmt.Sprint(rows[i][c]); got != v {
				t.Errorf("row %d %s: got %s, want %s", i, c, got, v)
			}
		}
	}
	// A sparse column needs a non-negative threshold.
	_ = s.SetThresholds(-1)
	if _, err := s.Transform(ctx, rec); err == nil || !strings.Contains(err.Error(), `"s"`) {
		t.Errorf("negative sparse threshold: %v", err)
	}
	bad, _ := New(map[string]any{"input_cols": []string{"nope"}, "output_cols": []string{"x"}})
	if _, err := bad.OutputSchema(rec.Schema()); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("missing column: %v", err)
	}
}

// TestSklearnWine compares with scikit-learn's Binarizer on wine
// (testdata/gen_expected.py): the feature vector with threshold 2.5 and
// each feature as a scalar column with its median as threshold.
func TestSklearnWine(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	names, rows := vectest.Dataset(t, "wine", "label")
	_, wantVec := vectest.ReadCSV(t, "testdata/expected_wine_vector.csv.gz")
	_, th := vectest.ReadCSV(t, "testdata/thresholds.csv.gz")
	_, wantCols := vectest.ReadCSV(t, "testdata/expected_wine_columns.csv.gz")

	vec := vectest.Features(t, mem, "features", rows, 50)
	defer vec.Release()
	s, _ := New(map[string]any{"input_cols": []string{"features"}, "output_cols": []string{"bin"}, "thresholds": []float64{2.5}})
	out := vectest.Transform(t, mem, s, vec)
	vectest.AssertRows(t, vectest.DenseRows(t, out, "bin"), wantVec, 0)
	out.Release()

	cols := vectest.Scalars(t, mem, names, rows, 64)
	defer cols.Release()
	outNames := make([]string, len(names))
	for j, n := range names {
		outNames[j] = n + "_bin"
	}
	s, err := New(map[string]any{"input_cols": names, "output_cols": outNames, "thresholds": th[0]})
	if err != nil {
		t.Fatal(err)
	}
	out = vectest.Transform(t, mem, s, cols)
	defer out.Release()
	vectest.AssertRows(t, vectest.ScalarRows(t, out, outNames...), wantCols, 0)
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
	s, _ := New(map[string]any{"input_cols": []string{"f"}, "output_cols": []string{"o"}, "thresholds": []float64{50}})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := vectest.Transform(b, mem, s, tbl)
		out.Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
