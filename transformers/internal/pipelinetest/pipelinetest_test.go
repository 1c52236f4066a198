package pipelinetest

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/connectors/csv"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/stageop"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

var (
	adultCats = []string{"workclass", "education", "marital_status", "occupation", "relationship", "race", "sex", "native_country"}
	adultNums = []string{"age", "fnlwgt", "education_num", "capital_gain", "capital_loss", "hours_per_week"}
)

// readCSV reads a dataset CSV into a table; a missing file skips the test,
// or fails it when CI=true.
func readCSV(t testing.TB, mem memory.Allocator, path string, batch int) *table.Table {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("dataset missing under CI: %v", err)
		}
		t.Skipf("no dataset: %v", err)
	}
	r, err := csv.Open(context.Background(), path, csv.Options{ReadOptions: connectors.ReadOptions{Allocator: mem, BatchSize: batch}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	tbl, err := table.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// rowKeys renders each row of recs (column col, a dense vector, and the
// numeric inputs) as the bytes of its float64 values, in row order.
func rowKeys(t *testing.T, recs []arrow.Record, col string) []string {
	t.Helper()
	var keys []string
	var buf bytes.Buffer
	for _, r := range recs {
		i, err := table.FieldIndex(r.Schema(), col)
		if err != nil {
			t.Fatal(err)
		}
		vecs := r.Column(i).(*array.FixedSizeList)
		dim := int(vecs.DataType().(*arrow.FixedSizeListType).Len())
		vals := vecs.ListValues().(*array.Float64).Float64Values()
		off := vecs.Offset()
		for k := 0; k < vecs.Len(); k++ {
			buf.Reset()
			if vecs.IsNull(k) {
				buf.WriteString("null")
			}
			for _, v := range vals[(off+k)*dim : (off+k+1)*dim] {
				binary.Write(&buf, binary.LittleEndian, math.Float64bits(v))
			}
			keys = append(keys, buf.String())
		}
	}
	return keys
}

func batchesOf(tbl *table.Table) []arrow.Record {
	out := make([]arrow.Record, tbl.NumBatches())
	for i := range out {
		out[i] = tbl.Batch(i)
	}
	return out
}

// TestAdultTableStreamBatches is issue 4's acceptance test: the fitted
// pipeline over adult_train gives identical output as a table, as a
// stream through the engine at parallelism 2 (compared as a multiset:
// subtasks interleave), and batch by batch with other batch sizes
// (compared in order).
func TestAdultTableStreamBatches(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	tbl := readCSV(t, mem, filepath.Join("..", "..", "..", "..", "shared", "datasets", "adult_train.csv.gz"), 4096)
	defer tbl.Release()

	pm, err := Fit(ctx, tbl, adultCats, adultNums)
	if err != nil {
		t.Fatal(err)
	}
	// (a) as a table.
	want, err := pipeline.TransformTable(ctx, pm, tbl)
	if err != nil {
		t.Fatal(err)
	}
	defer want.Release()
	if want.NumRows() != tbl.NumRows() || want.NumRows() != 32561 {
		t.Fatalf("table output has %d rows, input %d, want 32561", want.NumRows(), tbl.NumRows())
	}
	wantKeys := rowKeys(t, batchesOf(want), "scaled")
	checkScaled(t, want)

	// (b) as a stream at parallelism 2, with its own checked allocator.
	jobMem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer jobMem.AssertSize(t, 0)
	job := stream.NewJob("adult", stream.WithAllocator(jobMem))
	src := stream.FromSource(job, "adult", stream.FromRecords(batchesOf(tbl)...), 2)
	got := stageop.TransformStream(src, pm, "features").Collect()
	if err := job.Run(context.Background()); err != nil {
		got.Release()
		t.Fatal(err)
	}
	for _, r := range got.Records() {
		if !r.Schema().Equal(want.Schema()) {
			t.Fatalf("stream batch schema %s\nwant %s", r.Schema(), want.Schema())
		}
	}
	streamKeys := rowKeys(t, got.Records(), "scaled")
	got.Release()
	a, b := slices.Clone(wantKeys), streamKeys
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Fatalf("stream output (%d rows) differs from table output (%d rows)", len(b), len(a))
	}

	// (c) batch by batch, in batches of 777 rows cut across the table's.
	var keys []string
	for i := 0; i < tbl.NumBatches(); i++ {
		rec := tbl.Batch(i)
		for lo := int64(0); lo < rec.NumRows(); lo += 777 {
			s := rec.NewSlice(lo, min(lo+777, rec.NumRows()))
			out, err := pm.Transform(ctx, s)
			s.Release()
			if err != nil {
				t.Fatal(err)
			}
			if !out.Schema().Equal(want.Schema()) {
				out.Release()
				t.Fatalf("batch schema differs: %s", out.Schema())
			}
			keys = append(keys, rowKeys(t, []arrow.Record{out}, "scaled")...)
			out.Release()
		}
	}
	if !slices.Equal(keys, wantKeys) {
		t.Fatal("batch-by-batch output differs from table output")
	}
}

// TestColumnwiseFitTransform checks on adult_train that FitTransform of
// the column-wise pipeline gives, batch by batch and column by column,
// the table that Fit followed by TransformTable gives, and that its model
// transforms the table into it again.
func TestColumnwiseFitTransform(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	tbl := readCSV(t, mem, filepath.Join("..", "..", "..", "..", "shared", "datasets", "adult_train.csv.gz"), 4096)
	defer tbl.Release()

	pm, got, err := FitTransformColumnwise(ctx, tbl, adultCats, adultNums)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	fitted, err := FitColumnwise(ctx, tbl, adultCats, adultNums)
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]*pipeline.PipelineModel{"fit": fitted, "fit transform": pm} {
		want, err := pipeline.TransformTable(ctx, m, tbl)
		if err != nil {
			t.Fatal(err)
		}
		sameTables(t, name, got, want)
		want.Release()
	}
	if i, err := table.FieldIndex(got.Schema(), "native_country_oh"); err != nil || !table.IsSparseVector(got.Schema().Field(i).Type) {
		t.Fatalf("native_country_oh: %v, schema %s", err, got.Schema())
	}
}

// sameTables fails unless got and want have the same schema and equal
// batches.
func sameTables(t *testing.T, name string, got, want *table.Table) {
	t.Helper()
	if !got.Schema().Equal(want.Schema()) || got.NumBatches() != want.NumBatches() || got.NumRows() != want.NumRows() {
		t.Fatalf("%s: got %d rows in %d batches, schema %s; want %d in %d, %s", name,
			got.NumRows(), got.NumBatches(), got.Schema(), want.NumRows(), want.NumBatches(), want.Schema())
	}
	for b := 0; b < got.NumBatches(); b++ {
		g, w := got.Batch(b), want.Batch(b)
		for c := 0; c < int(g.NumCols()); c++ {
			if !array.Equal(g.Column(c), w.Column(c)) {
				t.Fatalf("%s: batch %d column %q differs", name, b, g.ColumnName(c))
			}
		}
	}
}

// checkScaled checks the scaled features by hand: age is feature 0, so
// scaled[0] = (age - mean) / std with the population std, and every
// non-constant feature has mean 0 and variance 1.
func checkScaled(t *testing.T, out *table.Table) {
	t.Helper()
	var ages, first []float64
	var dim int
	for i := 0; i < out.NumBatches(); i++ {
		rec := out.Batch(i)
		a, err := table.Int64s(rec.Column(0))
		if err != nil {
			t.Fatalf("age: %v", err)
		}
		for _, v := range a {
			ages = append(ages, float64(v))
		}
		j, _ := table.FieldIndex(rec.Schema(), "scaled")
		vecs := rec.Column(j).(*array.FixedSizeList)
		dim = int(vecs.DataType().(*arrow.FixedSizeListType).Len())
		vals := vecs.ListValues().(*array.Float64).Float64Values()
		for k := 0; k < vecs.Len(); k++ {
			first = append(first, vals[(vecs.Offset()+k)*dim])
		}
	}
	var mean, sq float64
	for _, a := range ages {
		mean += a
	}
	mean /= float64(len(ages))
	for _, a := range ages {
		sq += (a - mean) * (a - mean)
	}
	std := math.Sqrt(sq / float64(len(ages)))
	for i, a := range ages {
		if want := (a - mean) / std; math.Abs(first[i]-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Fatalf("row %d: scaled age %v, want %v", i, first[i], want)
		}
	}
	if wantDim := len(adultNums) + 8; dim < wantDim+50 {
		t.Fatalf("feature dimension %d looks too small for 6 numeric and 8 one-hot columns", dim)
	}
}

// BenchmarkMixedFitTransform fits Columnwise's pipeline on the peers'
// mixed table (6 numeric, 4 string columns of 5, 30, 200 and 1000
// categories; path in EDDY_BENCH_CSV, written by scripts/bench_pipeline.sh)
// and transforms it with FitTransform, as scikit-learn's
// ColumnTransformer(StandardScaler, OneHotEncoder).fit_transform: every
// stage fits once and transforms all rows once. Reading the CSV is not
// timed.
func BenchmarkMixedFitTransform(b *testing.B) {
	benchMixed(b, func(ctx context.Context, tbl *table.Table, cats, nums []string) (*table.Table, error) {
		_, out, err := FitTransformColumnwise(ctx, tbl, cats, nums)
		return out, err
	})
}

// BenchmarkMixedFitThenTransform is the same pipeline fit with Fit and
// then applied to the table with TransformTable: the stages before the
// last estimator transform the data twice.
func BenchmarkMixedFitThenTransform(b *testing.B) { benchMixed(b, fitThenTransform(FitColumnwise)) }

// BenchmarkMixedFitTransformDense is the same with Fit's layout: every
// feature assembled into one dense 1241-wide vector and standardised.
func BenchmarkMixedFitTransformDense(b *testing.B) { benchMixed(b, fitThenTransform(Fit)) }

func fitThenTransform(fit func(context.Context, *table.Table, []string, []string) (*pipeline.PipelineModel, error)) func(context.Context, *table.Table, []string, []string) (*table.Table, error) {
	return func(ctx context.Context, tbl *table.Table, cats, nums []string) (*table.Table, error) {
		pm, err := fit(ctx, tbl, cats, nums)
		if err != nil {
			return nil, err
		}
		return pipeline.TransformTable(ctx, pm, tbl)
	}
}

func benchMixed(b *testing.B, fitTransform func(context.Context, *table.Table, []string, []string) (*table.Table, error)) {
	path := os.Getenv("EDDY_BENCH_CSV")
	if path == "" {
		b.Skip("EDDY_BENCH_CSV not set (see scripts/bench_pipeline.sh)")
	}
	mem := memory.NewGoAllocator()
	ctx := pipeline.WithAllocator(context.Background(), mem)
	tbl := readCSV(b, mem, path, 16384)
	defer tbl.Release()
	cats := []string{"cat_0", "cat_1", "cat_2", "cat_3"}
	nums := []string{"num_0", "num_1", "num_2", "num_3", "num_4", "num_5"}
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		out, err := fitTransform(ctx, tbl, cats, nums)
		if err != nil {
			b.Fatal(err)
		}
		if out.NumRows() != tbl.NumRows() {
			b.Fatalf("output has %d rows, input %d", out.NumRows(), tbl.NumRows())
		}
		out.Release()
	}
	// CPU time per op (all threads, GC included): steadier than ns/op
	// when the machine is loaded.
	b.ReportMetric(float64(cpuTime()-cpu0)/1e6/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(tbl.NumRows())*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
