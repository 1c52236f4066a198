package stream

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/checkpoint"
	"github.com/eddyml/eddy/pipeline/state"
	"github.com/eddyml/eddy/pipeline/table"
)

// keyedBatches builds n batches of rows rows with an int64 key among keys
// and a float64 value.
func keyedBatches(b *testing.B, mem memory.Allocator, n, rows, keys int) []arrow.Record {
	recs := make([]arrow.Record, n)
	for i := range recs {
		ks, vs := make([]int64, rows), make([]float64, rows)
		for j := range rows {
			ks[j] = int64((i*rows + j*7919) % keys)
			vs[j] = float64(j)
		}
		rec, err := table.Build(mem, table.Col("key", ks), table.Col("v", vs))
		if err != nil {
			b.Fatal(err)
		}
		recs[i] = rec
	}
	return recs
}

type benchSumOp struct{ sum *state.ValueState[float64] }

func (o *benchSumOp) Open(_ context.Context, kc *KeyedContext) (err error) {
	o.sum, err = state.NewValueState(kc.State(), "sum", state.Float64)
	return err
}

func (o *benchSumOp) ProcessBatch(_ context.Context, kc *KeyedContext, rec arrow.Record, _ Collector) error {
	vs := rec.Column(1).(*array.Float64).Float64Values()
	return kc.ForEachKey(rec, func(rows []int) error {
		s, _ := o.sum.Get()
		for _, r := range rows {
			s += vs[r]
		}
		o.sum.Set(s)
		return nil
	})
}

// BenchmarkKeyedSum: source -> key-by -> keyed sum (10k keys) -> discard,
// parallelism 2, without checkpoints and with checkpoints every 100ms into a
// local directory. Compare rows/s of the two for the overhead.
func BenchmarkKeyedSum(b *testing.B) {
	mem := memory.NewGoAllocator()
	recs := keyedBatches(b, mem, 400, 8192, 10_000)
	defer release(recs)
	for _, interval := range []time.Duration{0, 100 * time.Millisecond} {
		b.Run(fmt.Sprint("checkpoints=", interval), func(b *testing.B) {
			var ckpts, bytes int64
			for b.Loop() {
				store, err := checkpoint.NewDir(b.TempDir(), 2)
				if err != nil {
					b.Fatal(err)
				}
				job := NewJob("sum", WithAllocator(mem), WithCheckpointInterval(interval), WithCheckpointStorage(store))
				FromSource(job, "gen", FromRecords(recs...), 2).KeyBy("key").
					Process("sum", func() KeyedOperator { return &benchSumOp{} }, 2).
					To("discard", SinkFunc(func(context.Context, int, arrow.Record) error { return nil }))
				if err := job.Run(context.Background()); err != nil {
					b.Fatal(err)
				}
				st := job.CheckpointStats()
				ckpts += st.Completed
				bytes += st.TotalSize
			}
			rows := float64(len(recs) * 8192)
			b.ReportMetric(rows*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(ckpts)/float64(b.N), "ckpts/op")
			if ckpts > 0 {
				b.ReportMetric(float64(bytes)/float64(ckpts), "B/ckpt")
			}
		})
	}
}

type bigStateOp struct {
	vec       *state.ValueState[[]float64]
	processed *atomic.Int64
}

func (o *bigStateOp) Open(_ context.Context, kc *KeyedContext) (err error) {
	o.vec, err = state.NewValueState(kc.State(), "vec", state.Float64s)
	return err
}

func (o *bigStateOp) ProcessBatch(_ context.Context, kc *KeyedContext, rec arrow.Record, _ Collector) error {
	err := kc.ForEachKey(rec, func(rows []int) error {
		v := make([]float64, 64)
		v[0] = float64(rows[0])
		o.vec.Set(v)
		return nil
	})
	o.processed.Add(rec.NumRows())
	return err
}

// BenchmarkRecovery measures restoring about 100 MB of keyed state (300k
// keys x 64 float64) from a checkpoint directory at parallelism 2: one
// op is a whole Run of a job that restores and has no input left.
func BenchmarkRecovery(b *testing.B) {
	mem := memory.NewGoAllocator()
	const keys = 300_000
	recs := keyedBatches(b, mem, 50, keys/50, keys)
	defer release(recs)
	store, err := checkpoint.NewDir(b.TempDir(), 1)
	if err != nil {
		b.Fatal(err)
	}
	var processed atomic.Int64
	src := &holdSource{recs: recs, release: make(chan struct{})}
	var released atomic.Bool
	job := NewJob("big", WithAllocator(mem), WithCheckpointInterval(50*time.Millisecond), WithCheckpointStorage(store),
		WithCheckpointListener(func(Checkpoint) {
			if processed.Load() == keys && released.CompareAndSwap(false, true) {
				close(src.release)
			}
		}))
	build := func(j *Job, s Source) {
		FromSource(j, "gen", s, 2).KeyBy("key").
			Process("vec", func() KeyedOperator { return &bigStateOp{processed: &processed} }, 2).
			To("discard", SinkFunc(func(context.Context, int, arrow.Record) error { return nil }))
	}
	build(job, src)
	if err := job.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	m, err := store.Latest(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		j := NewJob("big", WithAllocator(mem), WithRestoreFrom(store))
		build(j, FromRecords(recs...))
		if err := j.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(m.Size)/1e6, "MB-state")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/restore")
}
