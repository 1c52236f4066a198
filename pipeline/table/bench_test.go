package table

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/compute"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

const benchRows = 1_000_000

// wideRecord is benchRows x 20 float64 columns.
func wideRecord(b *testing.B, mem memory.Allocator) arrow.Record {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	cols := make([]Column, 20)
	for j := range cols {
		v := make([]float64, benchRows)
		for i := range v {
			v[i] = rng.Float64()
		}
		cols[j] = Col("f"+strconv.Itoa(j), v)
	}
	rec, err := Build(mem, cols...)
	if err != nil {
		b.Fatal(err)
	}
	return rec
}

func halfMask() []bool {
	rng := rand.New(rand.NewPCG(3, 4))
	m := make([]bool, benchRows)
	for i := range m {
		m[i] = rng.IntN(2) == 0
	}
	return m
}

func BenchmarkFilter(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := wideRecord(b, mem)
	defer rec.Release()
	mask := halfMask()
	b.ResetTimer()
	for b.Loop() {
		out, err := Filter(mem, rec, mask)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}

// BenchmarkArrowComputeFilter is the same filter with arrow/go/v17's
// compute.FilterRecordBatch, for comparison.
func BenchmarkArrowComputeFilter(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := wideRecord(b, mem)
	defer rec.Release()
	bb := array.NewBooleanBuilder(mem)
	bb.AppendValues(halfMask(), nil)
	mask := bb.NewArray()
	bb.Release()
	defer mask.Release()
	ctx := compute.WithAllocator(context.Background(), mem)
	b.ResetTimer()
	for b.Loop() {
		out, err := compute.FilterRecordBatch(ctx, rec, mask, compute.DefaultFilterOptions())
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}

func BenchmarkTake(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := wideRecord(b, mem)
	defer rec.Release()
	rng := rand.New(rand.NewPCG(5, 6))
	idx := rng.Perm(benchRows)
	b.ResetTimer()
	for b.Loop() {
		out, err := Take(mem, rec, idx)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}

// BenchmarkArrowComputeTake is the same take with arrow/go/v17's compute.
func BenchmarkArrowComputeTake(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := wideRecord(b, mem)
	defer rec.Release()
	rng := rand.New(rand.NewPCG(5, 6))
	perm := rng.Perm(benchRows)
	ib := array.NewInt64Builder(mem)
	for _, p := range perm {
		ib.Append(int64(p))
	}
	idx := ib.NewArray()
	ib.Release()
	defer idx.Release()
	ctx := compute.WithAllocator(context.Background(), mem)
	b.ResetTimer()
	for b.Loop() {
		out, err := compute.Take(ctx, *compute.DefaultTakeOptions(), compute.NewDatumWithoutOwning(rec), compute.NewDatumWithoutOwning(idx))
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}

func keyedRecord(b *testing.B, mem memory.Allocator) arrow.Record {
	b.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	keys := make([]string, benchRows)
	ids := make([]int64, benchRows)
	x := make([]float64, benchRows)
	for i := range keys {
		k := rng.IntN(10_000)
		keys[i] = "user-" + strconv.Itoa(k)
		ids[i] = int64(k % 97)
		x[i] = rng.NormFloat64()
	}
	rec, err := Build(mem, Col("user", keys), Col("shard", ids), Col("x", x))
	if err != nil {
		b.Fatal(err)
	}
	return rec
}

func BenchmarkPartitionByHash(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := keyedRecord(b, mem)
	defer rec.Release()
	b.ResetTimer()
	for b.Loop() {
		parts, err := PartitionByHash(mem, rec, []int{0}, 8)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range parts {
			p.Release()
		}
	}
}

func BenchmarkAggregate(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := keyedRecord(b, mem)
	defer rec.Release()
	b.ResetTimer()
	for b.Loop() {
		out, err := Aggregate(mem, rec, []int{0},
			Aggregation{Op: Count, Col: -1},
			Aggregation{Op: Sum, Col: 2},
			Aggregation{Op: Mean, Col: 2},
			Aggregation{Op: Min, Col: 2},
			Aggregation{Op: Max, Col: 2},
			Aggregation{Op: Variance, Col: 2})
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}
