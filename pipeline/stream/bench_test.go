package stream

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

const benchRows = 64 * 1024

// floatBatches builds n batches of 20 float64 columns.
func floatBatches(mem memory.Allocator, n int) []arrow.Record {
	fields := make([]arrow.Field, 20)
	for i := range fields {
		fields[i] = arrow.Field{Name: fmt.Sprintf("f%d", i), Type: arrow.PrimitiveTypes.Float64}
	}
	schema := arrow.NewSchema(fields, nil)
	recs := make([]arrow.Record, n)
	vals := make([]float64, benchRows)
	for i := range vals {
		vals[i] = float64(i)
	}
	for b := range n {
		cols := make([]arrow.Array, 20)
		for c := range cols {
			bld := array.NewFloat64Builder(mem)
			bld.AppendValues(vals, nil)
			cols[c] = bld.NewArray()
			bld.Release()
		}
		recs[b] = array.NewRecord(schema, cols, benchRows)
		for _, c := range cols {
			c.Release()
		}
	}
	return recs
}

// BenchmarkSourceMapSink: in-memory source -> map (column f0 += 1 into a
// new batch sharing the other 19 columns) -> discarding sink, parallelism 1.
func BenchmarkSourceMapSink(b *testing.B) {
	mem := memory.NewGoAllocator()
	recs := floatBatches(mem, 8)
	defer release(recs)
	src := make([]arrow.Record, b.N)
	for i := range src {
		src[i] = recs[i%len(recs)]
	}
	b.ResetTimer()
	job := NewJob("bench", WithAllocator(mem))
	FromSource(job, "mem", FromRecords(src...), 1).
		Map("inc", func(r arrow.Record) (arrow.Record, error) {
			in := r.Column(0).(*array.Float64).Float64Values()
			bld := array.NewFloat64Builder(mem)
			defer bld.Release()
			bld.Resize(len(in))
			for _, v := range in {
				bld.UnsafeAppend(v + 1)
			}
			col := bld.NewArray()
			defer col.Release()
			cols := append([]arrow.Array{col}, r.Columns()[1:]...)
			return array.NewRecord(r.Schema(), cols, r.NumRows()), nil
		}).
		To("discard", SinkFunc(func(context.Context, int, arrow.Record) error { return nil }))
	if err := job.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N*benchRows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkSourceKeyByCount: in-memory source (parallelism 2) -> hash
// partition on an int64 key with 100k distinct values -> keyed count
// (parallelism 2).
func BenchmarkSourceKeyByCount(b *testing.B) {
	mem := memory.NewGoAllocator()
	rng := rand.New(rand.NewPCG(1, 2))
	var recs []arrow.Record
	for range 8 {
		keys := make([]int64, benchRows)
		vs := make([]float64, benchRows)
		for i := range keys {
			keys[i] = rng.Int64N(100_000)
			vs[i] = rng.Float64()
		}
		kb, vb := array.NewInt64Builder(mem), array.NewFloat64Builder(mem)
		kb.AppendValues(keys, nil)
		vb.AppendValues(vs, nil)
		ka, va := kb.NewArray(), vb.NewArray()
		schema := arrow.NewSchema([]arrow.Field{{Name: "key", Type: arrow.PrimitiveTypes.Int64}, {Name: "v", Type: arrow.PrimitiveTypes.Float64}}, nil)
		recs = append(recs, array.NewRecord(schema, []arrow.Array{ka, va}, benchRows))
		ka.Release()
		va.Release()
		kb.Release()
		vb.Release()
	}
	defer release(recs)
	src := make([]arrow.Record, b.N)
	for i := range src {
		src[i] = recs[i%len(recs)]
	}
	b.ResetTimer()
	job := NewJob("bench", WithAllocator(mem))
	FromSource(job, "mem", FromRecords(src...), 2).KeyBy("key").Count("count").
		To("discard", SinkFunc(func(context.Context, int, arrow.Record) error { return nil }))
	if err := job.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N*benchRows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkInputGate measures the per-batch cost of the input gate (channel
// hand-off included) with 1 input channel (plain select) and 4 (reflect.Select).
func BenchmarkInputGate(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := floatBatches(mem, 1)[0]
	defer rec.Release()
	for _, n := range []int{1, 4} {
		b.Run(fmt.Sprintf("inputs=%d", n), func(b *testing.B) {
			chans := make([]chan element, n)
			for i := range chans {
				chans[i] = make(chan element, DefaultChannelCapacity)
			}
			ctx := context.Background()
			go func() {
				for i := range b.N {
					chans[i%n] <- element{kind: elemRecord, rec: rec}
				}
				for _, ch := range chans {
					close(ch)
				}
			}()
			g := newInputGate(ctx, chans)
			b.ResetTimer()
			for {
				e, err := g.next()
				if err != nil {
					b.Fatal(err)
				}
				if e.kind == elemEnd {
					break
				}
			}
		})
	}
}
