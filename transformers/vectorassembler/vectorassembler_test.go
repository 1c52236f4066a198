package vectorassembler

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
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
	if s.HandleInvalid() != "error" || s.OutputCol() != "output" {
		t.Errorf("defaults %v", s.Params().Values())
	}
	for _, bad := range []map[string]any{
		{"handle_invalid": "drop"}, {"input_cols": []string{"a", "a"}}, {"input_sizes": []int{0}},
		{"input_cols": []string{"a"}, "input_sizes": []int{1, 2}},
	} {
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), Kind) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func build(t *testing.T, mem memory.Allocator) *table.Table {
	t.Helper()
	rec, err := table.Build(mem,
		table.NullableCol("i", []int64{1, 2, 3}, []bool{true, false, true}),
		table.Col("f", []float64{0.5, 1.5, math.NaN()}),
		table.DenseCol("d", 2, [][]float64{{1, 2}, {3, 4}, {5, 6}}),
		table.SparseCol("s", []table.SparseVector{{Size: 3, Indices: []int32{2}, Values: []float64{9}}, {Size: 3}, {Size: 3, Indices: []int32{0}, Values: []float64{7}}}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	tbl, err := table.New(rec.Schema(), rec)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

func TestAssemble(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := build(t, mem)
	defer tbl.Release()
	nan := math.NaN()
	all := [][]float64{
		{1, 0.5, 1, 2, 0, 0, 9},
		{nan, 1.5, 3, 4, 0, 0, 0},
		{3, nan, 5, 6, 7, 0, 0},
	}
	cases := []struct {
		policy string
		want   [][]float64
		err    string
	}{
		{"error", nil, `column "i" row 1: null value`},
		{"keep", all, ""},
		{"skip", all[:1], ""},
	}
	for _, c := range cases {
		t.Run(c.policy, func(t *testing.T) {
			s, err := New(map[string]any{"input_cols": []string{"i", "f", "d", "s"}, "input_sizes": []int{1, 1, 2, 3},
				"output_col": "v", "handle_invalid": c.policy})
			if err != nil {
				t.Fatal(err)
			}
			if c.err != "" {
				_, err := pipeline.TransformTable(pipeline.WithAllocator(context.Background(), mem), s, tbl)
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got %v, want %q", err, c.err)
				}
				return
			}
			out := vectest.Transform(t, mem, s, tbl)
			defer out.Release()
			vectest.AssertRows(t, vectest.DenseRows(t, out, "v"), c.want, 0)
		})
	}
}

func TestSchemaErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := build(t, mem)
	defer tbl.Release()
	for _, c := range []struct {
		p    map[string]any
		want string
	}{
		{map[string]any{"input_cols": []string{"s"}}, "set input_sizes"},
		{map[string]any{"input_cols": []string{"d"}, "input_sizes": []int{3}}, "dimension 2"},
		{map[string]any{"input_cols": []string{"zz"}}, `"zz" not found`},
		{map[string]any{"input_cols": []string{"d"}, "output_col": "i"}, "already exists"},
		{map[string]any{}, "input_cols"},
	} {
		s, err := New(c.p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.OutputSchema(tbl.Schema()); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.p, err, c.want)
		}
	}
	// A sparse row of the wrong size.
	s, _ := New(map[string]any{"input_cols": []string{"s"}, "input_sizes": []int{4}})
	if _, err := s.Transform(pipeline.WithAllocator(context.Background(), mem), tbl.Batch(0)); err == nil || !strings.Contains(err.Error(), "dimension 3, want 4") {
		t.Errorf("sparse size: %v", err)
	}
}

// TestWineRoundTrip assembles the 13 wine columns and checks the vectors
// equal the dataset rows exactly, then saves and loads the stage.
func TestWineRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	header, rows := vectest.Dataset(t, "wine", "label")
	cols := make([]table.Column, len(header))
	for j, h := range header {
		v := make([]float64, len(rows))
		for i := range rows {
			v[i] = rows[i][j]
		}
		cols[j] = table.Col(h, v)
	}
	rec, err := table.Build(mem, cols...)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := table.New(rec.Schema(), rec)
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	s, _ := New(map[string]any{"input_cols": header, "output_col": "features"})
	out := vectest.Transform(t, mem, s, tbl)
	defer out.Release()
	vectest.AssertRows(t, vectest.DenseRows(t, out, "features"), rows, 0)
	for _, l := range vectest.RoundTrip(t, s) {
		vectest.AssertSameOutput(t, mem, s, l.(pipeline.Transformer), tbl, "features")
	}
}

func BenchmarkTransform(b *testing.B) {
	const n = 1 << 20
	mem := memory.NewGoAllocator()
	xs := make([]float64, n)
	ys := make([]int32, n)
	for i := range xs {
		xs[i], ys[i] = float64(i), int32(i%7)
	}
	var recs []arrow.Record
	for lo := 0; lo < n; lo += 1 << 16 {
		r, _ := table.Build(mem, table.Col("x", xs[lo:lo+1<<16]), table.Col("y", ys[lo:lo+1<<16]), table.Col("z", xs[lo:lo+1<<16]))
		recs = append(recs, r)
	}
	tbl, _ := table.New(recs[0].Schema(), recs...)
	defer tbl.Release()
	s, _ := New(map[string]any{"input_cols": []string{"x", "y", "z"}, "output_col": "v"})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := vectest.Transform(b, mem, s, tbl)
		out.Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
