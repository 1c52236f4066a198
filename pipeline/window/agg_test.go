package window_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/state"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/pipeline/window"
)

// spread is a user aggregation: max - min of column x, accumulated as
// []float64{min, max}.
type spread struct{}

func (spread) Create() []float64 { return []float64{math.Inf(1), math.Inf(-1)} }

func (spread) Add(acc []float64, rec arrow.Record, rows []int) ([]float64, error) {
	i, err := table.FieldIndex(rec.Schema(), "x")
	if err != nil {
		return nil, err
	}
	xs := rec.Column(i).(*array.Float64)
	for _, r := range rows {
		if xs.IsValid(r) {
			acc[0], acc[1] = min(acc[0], xs.Value(r)), max(acc[1], xs.Value(r))
		}
	}
	return acc, nil
}

func (spread) Merge(a, b []float64) []float64 { return []float64{min(a[0], b[0]), max(a[1], b[1])} }

func (spread) Result(acc []float64, b array.Builder) error {
	b.(*array.Float64Builder).Append(acc[1] - acc[0])
	return nil
}

// runAggs runs one keyed windowed aggregation over rows (key "k", ts, x)
// in batches of batch rows and returns the result rows as maps.
func runAggs(t *testing.T, mem memory.Allocator, a window.Assigner, ts []int64, x []float64, valid []bool, batch int, aggs ...window.Aggregation) ([]map[string]any, error) {
	t.Helper()
	var recs []arrow.Record
	for lo := 0; lo < len(ts); lo += batch {
		hi := min(lo+batch, len(ts))
		keys := make([]string, hi-lo)
		for i := range keys {
			keys[i] = "k"
		}
		var v []bool
		if valid != nil {
			v = valid[lo:hi]
		}
		rec, err := table.Build(mem, table.Col("key", keys), table.Col("ts", ts[lo:hi]), table.NullableCol("x", x[lo:hi], v))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	defer release(recs)
	job := stream.NewJob("aggs", stream.WithAllocator(mem))
	keyed := stream.FromSource(job, "src", stream.FromRecords(recs...), 1).AssignWatermarks("ts", 0).KeyBy("key")
	res := window.Of(keyed, "ts", a).Aggregate(aggs...).Collect()
	defer res.Release()
	if err := job.Run(context.Background()); err != nil {
		return nil, err
	}
	var out []map[string]any
	for _, r := range res.Records() {
		out = append(out, table.Rows(r)...)
	}
	return out, nil
}

func near(t *testing.T, name string, got any, want float64) {
	t.Helper()
	g, ok := got.(float64)
	if !ok || math.Abs(g-want) > 1e-9*max(1, math.Abs(want)) {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

func TestBuiltinAndUserAggregations(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	aggs := []window.Aggregation{window.Count(), window.Sum("x"), window.Mean("x"), window.Min("x"), window.Max("x"),
		window.Variance("x"), window.As("spread", window.Custom[[]float64]("spread", arrow.PrimitiveTypes.Float64, state.Float64s, spread{}))}
	t.Run("tumbling", func(t *testing.T) {
		ts := []int64{0, 10, 20, 30, 40, 150}
		x := []float64{1, 2, 4, 8, 99, 5}
		valid := []bool{true, true, true, true, false, true}
		rows, err := runAggs(t, mem, window.Tumbling(100*time.Millisecond), ts, x, valid, 2, aggs...)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("%d windows, want 2: %v", len(rows), rows)
		}
		w := rows[0]
		if w["count"] != int64(5) {
			t.Errorf("count %v, want 5 (nulls are rows)", w["count"])
		}
		near(t, "sum", w["sum_x"], 15)
		near(t, "mean", w["mean_x"], 3.75)
		near(t, "min", w["min_x"], 1)
		near(t, "max", w["max_x"], 8)
		near(t, "variance", w["variance_x"], (2.75*2.75+1.75*1.75+0.25*0.25+4.25*4.25)/3)
		near(t, "spread", w["spread"], 7)
		if rows[1]["variance_x"] != nil {
			t.Errorf("variance of one value %v, want null", rows[1]["variance_x"])
		}
	})
	t.Run("sessions merge", func(t *testing.T) {
		// One batch (no watermark in between): [0,60) and [100,160) are
		// bridged by the row at 50 into one session
		// [0,160), merged by Chan et al.'s update.
		rows, err := runAggs(t, mem, window.Session(60*time.Millisecond), []int64{0, 100, 50, 400}, []float64{1, 9, 5, 3}, nil, 4, aggs...)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("%d windows, want 2: %v", len(rows), rows)
		}
		w := rows[0]
		if w["count"] != int64(3) {
			t.Errorf("count %v, want 3", w["count"])
		}
		near(t, "mean", w["mean_x"], 5)
		near(t, "variance", w["variance_x"], 16)
		near(t, "spread", w["spread"], 8)
	})
}

func TestWindowErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ts, x := []int64{1, 2}, []float64{1, 2}
	for _, c := range []struct {
		a    window.Assigner
		aggs []window.Aggregation
		want string
	}{
		{window.Tumbling(0), []window.Aggregation{window.Count()}, "size 0s"},
		{window.Sliding(time.Second, time.Microsecond), []window.Aggregation{window.Count()}, "slide 1µs"},
		{window.Session(-time.Second), []window.Aggregation{window.Count()}, "gap -1s"},
		{window.Tumbling(time.Second), nil, "no aggregation"},
		{window.Tumbling(time.Second), []window.Aggregation{window.Sum("x"), window.Sum("x")}, `two aggregations named "sum_x"`},
		{window.Tumbling(time.Second), []window.Aggregation{window.Mean("nope")}, `"nope"`},
		{window.Tumbling(time.Second), []window.Aggregation{window.Max("key")}, `column "key" has type utf8`},
	} {
		_, err := runAggs(t, mem, c.a, ts, x, nil, 2, c.aggs...)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "window(") {
			t.Errorf("%v %d aggs: error %v, want one naming the operator and %q", c.a, len(c.aggs), err, c.want)
		}
	}
}
