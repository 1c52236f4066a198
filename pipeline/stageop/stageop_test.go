package stageop_test

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/internal/toystage"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/stageop"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

func newMem(t *testing.T) (*memory.CheckedAllocator, context.Context) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	return mem, pipeline.WithAllocator(context.Background(), mem)
}

func must[S any](s S, err error) S {
	if err != nil {
		panic(err)
	}
	return s
}

// xTable returns a table with column x split in batches of the given sizes,
// x[i] = i*i/7 - 3, with a null at row 4 when withNull (NaN in the
// returned values).
func xTable(t *testing.T, mem memory.Allocator, withNull bool, sizes ...int) (*table.Table, []float64) {
	t.Helper()
	var recs []arrow.Record
	var all []float64
	row := 0
	for _, n := range sizes {
		vals := make([]float64, n)
		valid := make([]bool, n)
		for i := range vals {
			vals[i] = float64(row*row)/7 - 3
			valid[i] = !(withNull && row == 4)
			if valid[i] {
				all = append(all, vals[i])
			} else {
				all = append(all, math.NaN())
			}
			row++
		}
		rec, err := table.Build(mem, table.NullableCol("x", vals, valid))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	tbl, err := table.New(recs[0].Schema(), recs...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		r.Release()
	}
	return tbl, all
}

func mean(xs []float64) float64 {
	var s float64
	var n int
	for _, x := range xs {
		if !math.IsNaN(x) {
			s += x
			n++
		}
	}
	return s / float64(n)
}

// column returns the values of column name over the whole table, NaN for
// nulls.
func column(t *testing.T, tbl *table.Table, name string) []float64 {
	t.Helper()
	i, err := table.FieldIndex(tbl.Schema(), name)
	if err != nil {
		t.Fatal(err)
	}
	var out []float64
	for b := 0; b < tbl.NumBatches(); b++ {
		arr := tbl.Batch(b).Column(i).(*array.Float64)
		for k := 0; k < arr.Len(); k++ {
			if arr.IsNull(k) {
				out = append(out, math.NaN())
			} else {
				out = append(out, arr.Value(k))
			}
		}
	}
	return out
}

type notAStage struct{}

func (notAStage) Kind() string       { return "not_a_stage" }
func (notAStage) Params() *param.Set { return param.NewSet("not_a_stage") }

// panicky panics in Transform.
type panicky struct{ notAStage }

func (panicky) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) { return in, nil }
func (panicky) Transform(context.Context, arrow.Record) (arrow.Record, error) {
	var s []int
	_ = s[3]
	return nil, nil
}

// rowsOf renders the rows of recs as "x,c" strings (columns x and col),
// sorted, so outputs can be compared as multisets.
func rowsOf(t *testing.T, recs []arrow.Record, col string) []string {
	t.Helper()
	var out []string
	for _, r := range recs {
		tbl, err := table.New(r.Schema(), r)
		if err != nil {
			t.Fatal(err)
		}
		xs, cs := column(t, tbl, "x"), column(t, tbl, col)
		tbl.Release()
		for i := range xs {
			out = append(out, fmt.Sprintf("%.17g,%.17g", xs[i], cs[i]))
		}
	}
	sort.Strings(out)
	return out
}

func TestTransformStream(t *testing.T) {
	mem, ctx := newMem(t)
	defer mem.AssertSize(t, 0)
	jobMem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer jobMem.AssertSize(t, 0)
	tbl, x := xTable(t, mem, true, 3, 5, 4, 2, 6)
	defer tbl.Release()

	p := must(pipeline.NewPipeline(
		must(toystage.NewAddConstant(map[string]any{"input_col": "x", "output_col": "y", "value": 10})),
		must(toystage.NewMeanCenter(map[string]any{"input_col": "y", "output_col": "c"})),
	))
	r := tbl.Reader()
	m, err := p.Fit(ctx, r)
	r.Release()
	if err != nil {
		t.Fatal(err)
	}
	want, err := pipeline.TransformTable(ctx, m, tbl)
	if err != nil {
		t.Fatal(err)
	}
	defer want.Release()
	// c = x + 10 - mean(x + 10) = x - mean(x): checked by hand too.
	mx := mean(x)
	for i, c := range column(t, want, "c") {
		if math.IsNaN(x[i]) != math.IsNaN(c) || !math.IsNaN(c) && math.Abs(c-(x[i]-mx)) > 1e-12 {
			t.Fatalf("row %d: c = %v, want %v", i, c, x[i]-mx)
		}
	}

	batches := make([]arrow.Record, tbl.NumBatches())
	for i := range batches {
		batches[i] = tbl.Batch(i)
	}
	job := stream.NewJob("transform", stream.WithAllocator(jobMem))
	src := stream.FromSource(job, "in", stream.FromRecords(batches...), 2)
	got := stageop.TransformStream(src, m, "model").Collect()
	if err := job.Run(context.Background()); err != nil {
		got.Release()
		t.Fatal(err)
	}
	if jobMem.CurrentAlloc() == 0 {
		t.Error("the operator did not allocate from the job's allocator")
	}
	wantRecs := make([]arrow.Record, want.NumBatches())
	for i := range wantRecs {
		wantRecs[i] = want.Batch(i)
	}
	g, w := rowsOf(t, got.Records(), "c"), rowsOf(t, wantRecs, "c")
	got.Release()
	if strings.Join(g, "\n") != strings.Join(w, "\n") {
		t.Fatalf("stream output differs from table output:\n%v\n%v", g, w)
	}
	if len(g) != len(x) {
		t.Fatalf("stream gave %d rows, want %d", len(g), len(x))
	}
	if !strings.Contains(job.String(), `process "model" parallelism 2`) {
		t.Errorf("job graph:\n%s", job)
	}
}

func TestTransformStreamErrors(t *testing.T) {
	mem, _ := newMem(t)
	defer mem.AssertSize(t, 0)
	tbl, _ := xTable(t, mem, false, 4, 4)
	defer tbl.Release()
	for _, tc := range []struct {
		name string
		t    pipeline.Transformer
		want string
	}{
		{"missing column", must(toystage.NewAddConstant(map[string]any{"input_col": "nope", "output_col": "y"})),
			`operator "add": stage "add_constant": column "nope"`},
		{"panic", panicky{}, `operator "add": stage "not_a_stage" panicked`},
		{"wrong schema", liar{}, `batch schema differs from its OutputSchema`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			job := stream.NewJob("bad", stream.WithAllocator(mem))
			src := stream.FromSource(job, "in", stream.FromRecords(tbl.Batch(0), tbl.Batch(1)), 2)
			out := src.Process("add", stageop.Operator(tc.t), 0).Collect()
			defer out.Release()
			err := job.Run(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v; want it to contain %q", err, tc.want)
			}
		})
	}
}

// liar returns its input with a schema that is not its OutputSchema.
type liar struct{ notAStage }

func (liar) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return pipeline.AppendField(in, arrow.Field{Name: "extra", Type: arrow.PrimitiveTypes.Int64})
}
func (liar) Transform(_ context.Context, rec arrow.Record) (arrow.Record, error) {
	rec.Retain()
	return rec, nil
}

// A transformer as an engine operator at parallelism 2.
func ExampleTransformStream() {
	mem := memory.NewGoAllocator()
	a, _ := table.Build(mem, table.Col("x", []float64{1, 2}))
	b, _ := table.Build(mem, table.Col("x", []float64{3}))
	defer a.Release()
	defer b.Release()
	add, _ := toystage.NewAddConstant(map[string]any{"input_col": "x", "output_col": "y", "value": 0.5})

	job := stream.NewJob("example", stream.WithAllocator(mem))
	src := stream.FromSource(job, "in", stream.FromRecords(a, b), 2)
	out := stageop.TransformStream(src, add, "add").Collect()
	defer out.Release()
	if err := job.Run(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	var ys []float64
	for _, r := range out.Records() {
		v, _ := table.Float64s(r.Column(1))
		ys = append(ys, v...)
	}
	sort.Float64s(ys)
	fmt.Println(ys)
	// Output: [1.5 2.5 3.5]
}
