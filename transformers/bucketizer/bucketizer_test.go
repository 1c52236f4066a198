package bucketizer

import (
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/vectest"
)

func TestParams(t *testing.T) {
	s, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.HandleInvalid() != param.HandleError || len(SplitsArray.Get(s.Params())) != 0 {
		t.Errorf("defaults: %v", s.Params().Values())
	}
	one := []string{"a"}
	for _, c := range []struct {
		values map[string]any
		param  string
	}{
		{map[string]any{"input_cols": one, "output_cols": one, "splits_array": []string{"1"}}, "splits_array"},
		{map[string]any{"input_cols": one, "output_cols": one, "splits_array": []string{"1, 1"}}, "splits_array"},
		{map[string]any{"input_cols": one, "output_cols": one, "splits_array": []string{"2, 1"}}, "splits_array"},
		{map[string]any{"input_cols": one, "output_cols": one, "splits_array": []string{"0, nan"}}, "splits_array"},
		{map[string]any{"input_cols": one, "output_cols": one, "splits_array": []string{"0, x"}}, "splits_array"},
		{map[string]any{"input_cols": one, "output_cols": one, "splits_array": []string{"0,1", "1,2"}}, "splits_array"},
		{map[string]any{"input_cols": one, "output_cols": []string{}, "splits_array": []string{"0,1"}}, "output_cols"},
		{map[string]any{"handle_invalid": "drop"}, "handle_invalid"},
	} {
		_, err := New(c.values)
		if err == nil || !strings.Contains(err.Error(), Kind) || !strings.Contains(err.Error(), c.param) {
			t.Errorf("%v: error %v does not name the stage and %s", c.values, err, c.param)
		}
	}
	if err := s.SetSplitsArray([]float64{math.Inf(-1), 0, math.Inf(1)}); err != nil {
		t.Fatal(err)
	}
	if got := SplitsArray.Get(s.Params())[0]; got != "-Inf,0,+Inf" {
		t.Errorf("formatted splits %q", got)
	}
	if sp, err := ParseSplits(" -inf, 0 ,+Inf"); err != nil || len(sp) != 3 || !math.IsInf(sp[2], 1) {
		t.Errorf("ParseSplits: %v %v", sp, err)
	}
}

func TestBucket(t *testing.T) {
	sp := []float64{0, 1, 2, 5}
	for _, c := range []struct {
		x    float64
		want int
	}{{-0.1, -1}, {0, 0}, {0.5, 0}, {1, 1}, {1.999, 1}, {2, 2}, {4.9, 2}, {5, 2}, {5.1, -1}, {math.NaN(), -1}, {math.Inf(1), -1}} {
		if got := Bucket(sp, c.x); got != c.want {
			t.Errorf("Bucket(%v) = %d, want %d", c.x, got, c.want)
		}
	}
	if got := Bucket([]float64{math.Inf(-1), math.Inf(1)}, math.Inf(1)); got != 0 {
		t.Errorf("+inf with infinite splits: %d", got)
	}
}

func TestHandleInvalid(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := table.Build(mem,
		table.NullableCol("x", []float64{0.5, math.NaN(), 3, 1, 7}, []bool{true, true, true, false, true}),
		table.Col("n", []int64{0, 1, 2, 3, 4}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	ctx := pipeline.WithAllocator(t.Context(), mem)
	for _, c := range []struct {
		policy string
		wantX  []float64
		wantN  []float64
		err    string
	}{
		{param.HandleError, nil, nil, `column "x" row 1: value NaN`},
		{param.HandleKeep, []float64{0, 2, 1, 2, 2}, []float64{0, 1, 2, 2, 2}, ""},
		{param.HandleSkip, []float64{0, 1}, []float64{0, 2}, ""},
	} {
		s, err := New(map[string]any{"input_cols": []string{"x", "n"}, "output_cols": []string{"bx", "bn"},
			"splits_array": []string{"0, 1, 5", "0, 1, 2, 4"}, "handle_invalid": c.policy})
		if err != nil {
			t.Fatal(err)
		}
		out, err := s.Transform(ctx, rec)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.policy, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		schema, _ := s.OutputSchema(rec.Schema())
		if !schema.Equal(out.Schema()) {
			t.Errorf("%s: schema %v, want %v", c.policy, out.Schema(), schema)
		}
		tbl, _ := table.New(out.Schema(), out)
		out.Release()
		got := vectest.ScalarRows(t, tbl, "bx", "bn")
		tbl.Release()
		want := make([][]float64, len(c.wantX))
		for i := range want {
			want[i] = []float64{c.wantX[i], c.wantN[i]}
		}
		vectest.AssertRows(t, got, want, 0)
	}
}

// TestNumpyWine compares with numpy.digitize on three wine columns
// (testdata/gen_expected.py) under keep, skip and error.
func TestNumpyWine(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	names, rows := vectest.Dataset(t, "wine", "label")
	_, want := vectest.ReadCSV(t, "testdata/expected_wine_keep.csv.gz")
	tbl := vectest.Scalars(t, mem, names, rows, 50)
	defer tbl.Release()
	in := []string{"alcohol", "malic_acid", "magnesium"}
	out := []string{"b_alcohol", "b_malic_acid", "b_magnesium"}
	splits := []string{"11, 12, 13, 14", "-inf, 1, 2, 3, inf", "70, 100, 162"}
	s, _ := New(map[string]any{"input_cols": in, "output_cols": out, "splits_array": splits, "handle_invalid": "keep"})
	res := vectest.Transform(t, mem, s, tbl)
	vectest.AssertRows(t, vectest.ScalarRows(t, res, out...), want, 0)
	res.Release()

	_ = s.SetHandleInvalid(param.HandleSkip)
	var valid [][]float64
	for _, w := range want {
		if w[0] != 3 && w[1] != 4 && w[2] != 2 {
			valid = append(valid, w)
		}
	}
	if len(valid) == len(want) || len(valid) == 0 {
		t.Fatalf("expected data has %d valid rows of %d", len(valid), len(want))
	}
	res = vectest.Transform(t, mem, s, tbl)
	vectest.AssertRows(t, vectest.ScalarRows(t, res, out...), valid, 0)
	res.Release()

	_ = s.SetHandleInvalid(param.HandleError)
	if _, err := pipeline.TransformTable(pipeline.WithAllocator(t.Context(), mem), s, tbl); err == nil || !strings.Contains(err.Error(), `"alcohol"`) {
		t.Errorf("error policy: %v", err)
	}
}

func BenchmarkTransform(b *testing.B) {
	const n = 1 << 20
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = []float64{float64(i%1000) / 10}
	}
	mem := memory.NewGoAllocator()
	tbl := vectest.Scalars(b, mem, []string{"x"}, rows, 1<<16)
	defer tbl.Release()
	s, _ := New(map[string]any{"input_cols": []string{"x"}, "output_cols": []string{"o"},
		"splits_array": []string{"0, 1, 2, 5, 10, 20, 50, 100"}})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := vectest.Transform(b, mem, s, tbl)
		out.Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
