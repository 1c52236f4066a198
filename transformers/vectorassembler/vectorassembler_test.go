package vectorassembler

import (
	"context"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
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

// TestPlanCache: the cached plan follows param changes and schema
// changes, and concurrent Transforms on batches of two schemas (which
// keep replacing each other's plan) all get their own right answer.
func TestPlanCache(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	a, err := table.Build(mem, table.Col("x", []float64{1, 2}), table.Col("y", []float64{3, 4}))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	// Same names, other order and an int column: another plan.
	b, err := table.Build(mem, table.Col("y", []int64{30, 40}), table.Col("x", []float64{10, 20}))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	s, err := New(map[string]any{"input_cols": []string{"x", "y"}, "output_col": "v"})
	if err != nil {
		t.Fatal(err)
	}
	check := func(rec arrow.Record, col string, want [][]float64) {
		t.Helper()
		out, err := s.Transform(ctx, rec)
		if err != nil {
			t.Error(err)
			return
		}
		defer out.Release()
		if got := out.Schema().Field(int(out.NumCols()) - 1).Name; got != col {
			t.Errorf("output column %q, want %q", got, col)
			return
		}
		vals, dim, err := table.DenseVectors(out.Column(int(out.NumCols()) - 1))
		if err != nil || dim != len(want[0]) || len(vals) != dim*len(want) {
			t.Errorf("output: dim %d, %d values, %v", dim, len(vals), err)
			return
		}
		for i, row := range want {
			for j, w := range row {
				if vals[i*dim+j] != w {
					t.Errorf("row %d: got %v, want %v", i, vals[i*dim:(i+1)*dim], row)
					return
				}
			}
		}
	}
	check(a, "v", [][]float64{{1, 3}, {2, 4}})
	check(a, "v", [][]float64{{1, 3}, {2, 4}}) // cached
	check(b, "v", [][]float64{{10, 30}, {20, 40}})
	if err := s.SetInputCols("y", "x"); err != nil {
		t.Fatal(err)
	}
	check(a, "v", [][]float64{{3, 1}, {4, 2}})
	if err := s.SetOutputCol("w"); err != nil {
		t.Fatal(err)
	}
	check(a, "w", [][]float64{{3, 1}, {4, 2}})
	// A schema equal field by field but another pointer hits the cache
	// and gets the same output schema.
	a2, err := table.Build(mem, table.Col("x", []float64{5, 6}), table.Col("y", []float64{7, 8}))
	if err != nil {
		t.Fatal(err)
	}
	defer a2.Release()
	o1, err := s.OutputSchema(a.Schema())
	if err != nil {
		t.Fatal(err)
	}
	o2, err := s.OutputSchema(a2.Schema())
	if err != nil || o1 != o2 {
		t.Errorf("equal schemas: %p %p %v", o1, o2, err)
	}
	if _, err := s.OutputSchema(arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64}}, nil)); err == nil {
		t.Error("missing column y: no error")
	}

	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if g%2 == 0 {
					check(a, "w", [][]float64{{3, 1}, {4, 2}})
				} else {
					check(b, "w", [][]float64{{30, 10}, {40, 20}})
				}
			}
		}()
	}
	wg.Wait()
	// The input is never written: converting the int column y once
	// overwrote the float64 column x before it.
	if x := b.Column(1).(*array.Float64).Float64Values(); x[0] != 10 || x[1] != 20 {
		t.Errorf("input column x changed to %v", x)
	}
}

// TestFloat64FastPath: all-float64 inputs are assembled block by block,
// over more rows than a block; a NaN sends the batch down the usual path,
// which names the first bad value input by input.
func TestFloat64FastPath(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	const n = 3*assembleBlock + 5
	a, b, c := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		a[i], b[i], c[i] = float64(i), float64(-i), float64(i)/4
	}
	run := func(policy string) ([]float64, error) {
		rec, err := table.Build(mem, table.Col("a", a), table.Col("b", b), table.Col("c", c))
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		s, err := New(map[string]any{"input_cols": []string{"c", "a", "b"}, "output_col": "v", "handle_invalid": policy})
		if err != nil {
			t.Fatal(err)
		}
		out, err := s.Transform(ctx, rec)
		if err != nil {
			return nil, err
		}
		defer out.Release()
		vals, _, err := table.DenseVectors(out.Column(3))
		return append([]float64(nil), vals...), err
	}
	got, err := run("error")
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if w := []float64{c[i], a[i], b[i]}; got[3*i] != w[0] || got[3*i+1] != w[1] || got[3*i+2] != w[2] {
			t.Fatalf("row %d: %v, want %v", i, got[3*i:3*i+3], w)
		}
	}
	a[150], b[70] = math.NaN(), math.NaN()
	if _, err := run("error"); err == nil || !strings.Contains(err.Error(), `column "a" row 150`) {
		t.Fatalf("NaN: %v", err)
	}
	got, err = run("keep")
	if err != nil || !math.IsNaN(got[3*150+1]) || !math.IsNaN(got[3*70+2]) || got[3*151+1] != 151 {
		t.Fatalf("keep: %v", err)
	}
}

func BenchmarkTransform1000x100(b *testing.B) {
	mem := memory.NewGoAllocator()
	cols := make([]table.Column, 100)
	names := make([]string, 100)
	for j := range cols {
		v := make([]float64, 1000)
		for i := range v {
			v[i] = float64(i*j%97) / 7
		}
		names[j] = "f" + strconv.Itoa(j)
		cols[j] = table.Col(names[j], v)
	}
	rec, err := table.Build(mem, cols...)
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Release()
	s, err := New(map[string]any{"input_cols": names, "output_col": "v"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := pipeline.WithAllocator(context.Background(), mem)
	b.ReportAllocs()
	for b.Loop() {
		out, err := s.Transform(ctx, rec)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}
