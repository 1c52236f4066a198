package randomsplitter

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

// idTable returns a table of n rows (column "id" = 0..n-1, "x" = id/2)
// cut into batches of batch rows.
func idTable(t testing.TB, mem memory.Allocator, n, batch int) *table.Table {
	var recs []arrow.Record
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		ids := make([]int64, end-start)
		xs := make([]float64, end-start)
		for i := range ids {
			ids[i] = int64(start + i)
			xs[i] = float64(start+i) / 2
		}
		rec, err := table.Build(mem, table.Col("id", ids), table.Col("x", xs))
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
	return tbl
}

func ids(t testing.TB, tbl *table.Table) []int64 {
	var out []int64
	for b := 0; b < tbl.NumBatches(); b++ {
		v, err := table.Int64s(tbl.Batch(b).Column(0))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v...)
	}
	return out
}

func split(t testing.TB, ctx context.Context, tbl *table.Table, weights []float64, seed int64) [][]int64 {
	r := tbl.Reader()
	defer r.Release()
	parts, err := Split(ctx, r, weights, seed)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]int64, len(parts))
	for k, p := range parts {
		out[k] = ids(t, p)
		p.Release()
	}
	return out
}

func TestParams(t *testing.T) {
	s, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Weights(), []float64{1, 1}) || s.Seed() != 0 {
		t.Errorf("defaults %v %d", s.Weights(), s.Seed())
	}
	for _, bad := range [][]float64{nil, {0, 0}, {1, -1}, {math.NaN(), 1}, {math.Inf(1)}} {
		_, err := New(map[string]any{"weights": bad})
		var pe *param.Error
		if !errors.As(err, &pe) || pe.Kind != Kind || pe.Param != "weights" {
			t.Errorf("weights %v: %v", bad, err)
		}
		if _, err := NewSplitter(bad, 1); !errors.As(err, &pe) {
			t.Errorf("NewSplitter(%v): %v", bad, err)
		}
	}
}

func TestSplit(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	const n = 100000
	tbl := idTable(t, mem, n, 4096)
	defer tbl.Release()
	weights := []float64{6, 3, 1}
	parts := split(t, ctx, tbl, weights, 42)

	// Every row in exactly one split, in input order inside each.
	var all []int64
	for k, p := range parts {
		if !slices.IsSorted(p) {
			t.Errorf("split %d is not in input order", k)
		}
		all = append(all, p...)
	}
	slices.Sort(all)
	for i, id := range all {
		if id != int64(i) {
			t.Fatalf("row %d missing or duplicated (got id %d)", i, id)
		}
	}
	if len(all) != n {
		t.Fatalf("%d rows in the splits, want %d", len(all), n)
	}
	// Sizes near the weights: sd of a binomial count is < 160 here.
	for k, p := range parts {
		want := float64(n) * weights[k] / 10
		if math.Abs(float64(len(p))-want) > 1000 {
			t.Errorf("split %d has %d rows, want about %.0f", k, len(p), want)
		}
	}
	// The same seed gives the same splits whatever the batch size; another
	// seed gives others.
	other := idTable(t, mem, n, 777)
	defer other.Release()
	if again := split(t, ctx, other, weights, 42); !equal(again, parts) {
		t.Error("same seed, other batch size: different splits")
	}
	if diff := split(t, ctx, tbl, weights, 43); equal(diff, parts) {
		t.Error("seeds 42 and 43 give the same splits")
	}
	// A zero weight gives an empty split.
	z := split(t, ctx, tbl, []float64{1, 0, 1}, 7)
	if len(z[1]) != 0 || len(z[0])+len(z[2]) != n {
		t.Errorf("zero weight: sizes %d %d %d", len(z[0]), len(z[1]), len(z[2]))
	}
	// The stage splits like the function, keeping the other columns.
	s, _ := New(map[string]any{"weights": []float64{6, 3, 1}, "seed": 42})
	r := tbl.Reader()
	tables, err := s.Split(ctx, r)
	r.Release()
	if err != nil {
		t.Fatal(err)
	}
	for k, p := range tables {
		if !slices.Equal(ids(t, p), parts[k]) || !p.Schema().Equal(tbl.Schema()) {
			t.Errorf("stage split %d differs", k)
		}
		if p.NumRows() > 0 {
			x := table.Value(p.Batch(0).Column(1), 0).(float64)
			if x != float64(parts[k][0])/2 {
				t.Errorf("split %d: column x not carried along", k)
			}
		}
		p.Release()
	}
}

func equal(a, b [][]int64) bool {
	return slices.EqualFunc(a, b, func(x, y []int64) bool { return slices.Equal(x, y) })
}

func BenchmarkSplit(b *testing.B) {
	mem := memory.NewGoAllocator()
	ctx := pipeline.WithAllocator(context.Background(), mem)
	const n = 1 << 20
	tbl := idTable(b, mem, n, 65536)
	defer tbl.Release()
	b.ResetTimer()
	for range b.N {
		r := tbl.Reader()
		parts, err := Split(ctx, r, []float64{0.8, 0.2}, 1)
		r.Release()
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range parts {
			p.Release()
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
