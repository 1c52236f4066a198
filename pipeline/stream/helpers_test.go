package stream

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/table"
)

// makeBatches builds n batches of rows rows: id (int64, unique), key (string,
// one of 23), v (float64 in [0,1)), ts (int64 ms, increasing).
func makeBatches(t testing.TB, mem memory.Allocator, n, rows int, seed uint64) []arrow.Record {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	recs := make([]arrow.Record, n)
	for b := range n {
		ids := make([]int64, rows)
		keys := make([]string, rows)
		vs := make([]float64, rows)
		ts := make([]int64, rows)
		for i := range rows {
			id := int64(b*rows + i)
			ids[i] = id
			keys[i] = fmt.Sprintf("k%02d", rng.IntN(23))
			vs[i] = rng.Float64()
			ts[i] = id * 10
		}
		rec, err := table.Build(mem, table.Col("id", ids), table.Col("key", keys), table.Col("v", vs), table.Col("ts", ts))
		if err != nil {
			t.Fatal(err)
		}
		recs[b] = rec
	}
	return recs
}

func release(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

// rowsOf renders every row of recs as "col=value|..." and sorts them: a
// multiset that ignores batch boundaries and order.
func rowsOf(recs []arrow.Record) []string {
	var out []string
	for _, r := range recs {
		for i := range int(r.NumRows()) {
			var b strings.Builder
			for c := range int(r.NumCols()) {
				fmt.Fprintf(&b, "%s=%s|", r.ColumnName(c), r.Column(c).ValueStr(i))
			}
			out = append(out, b.String())
		}
	}
	slices.Sort(out)
	return out
}

// int64Col returns column name of rec as int64 values.
func int64Col(t testing.TB, rec arrow.Record, name string) []int64 {
	t.Helper()
	i, err := table.FieldIndex(rec.Schema(), name)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Column(i).(*array.Int64).Int64Values()
}

// checkGoroutines waits until the number of goroutines is back to base.
func checkGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines: %d, want at most %d\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// keyed adapts a plain operator factory to KeyedStream.Process (the
// operator ignores its KeyedContext; Opener is forwarded).
func keyed(f func() Operator) func() KeyedOperator {
	return func() KeyedOperator { return keyedAdapter{f()} }
}

type keyedAdapter struct{ op Operator }

func (a keyedAdapter) ProcessBatch(ctx context.Context, _ *KeyedContext, rec arrow.Record, out Collector) error {
	return a.op.ProcessBatch(ctx, rec, out)
}

func (a keyedAdapter) Open(ctx context.Context, oc *OperatorContext) error {
	if o, ok := a.op.(Opener); ok {
		return o.Open(ctx, oc)
	}
	return nil
}
