package stream_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/checkpoint"
	"github.com/eddyml/eddy/pipeline/state"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

// runningSum keeps a sum per key in keyed state and emits it at the end.
type runningSum struct {
	kc  *stream.KeyedContext
	sum *state.ValueState[int64]
}

func (s *runningSum) Open(_ context.Context, kc *stream.KeyedContext) (err error) {
	s.kc = kc
	s.sum, err = state.NewValueState(kc.State(), "sum", state.Int64)
	return err
}

func (s *runningSum) ProcessBatch(_ context.Context, kc *stream.KeyedContext, rec arrow.Record, _ stream.Collector) error {
	amounts := rec.Column(1).(*array.Int64).Int64Values()
	return kc.ForEachKey(rec, func(rows []int) error {
		v, _ := s.sum.Get()
		for _, r := range rows {
			v += amounts[r]
		}
		s.sum.Set(v)
		return nil
	})
}

func (s *runningSum) Finish(_ context.Context, out stream.Collector) error {
	users := array.NewStringBuilder(s.kc.Allocator)
	defer users.Release()
	var sums []int64
	err := s.kc.ForEachStateKey("sum", func() error {
		v, _ := s.sum.Get()
		sums = append(sums, v)
		return s.kc.AppendKey([]array.Builder{users})
	})
	if err != nil || len(sums) == 0 {
		return err
	}
	col := users.NewArray()
	defer col.Release()
	rec, err := table.Build(s.kc.Allocator, table.Col("sum", sums))
	if err != nil {
		return err
	}
	defer rec.Release()
	schema := arrow.NewSchema([]arrow.Field{s.kc.KeyFields()[0], rec.Schema().Field(0)}, nil)
	return out.Emit(array.NewRecord(schema, []arrow.Array{col, rec.Column(0)}, rec.NumRows()))
}

// A keyed stateful job with checkpoints in a directory, recovery in place
// and exactly-once file output.
func Example_keyedState() {
	mem := memory.NewGoAllocator()
	rec, err := table.Build(mem,
		table.Col("user", []string{"ann", "bob", "ann", "cid", "ann", "bob"}),
		table.Col("amount", []int64{5, 1, 2, 7, 1, 3}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	dir, _ := os.MkdirTemp("", "eddy-example")
	defer os.RemoveAll(dir)

	store, _ := checkpoint.NewDir(filepath.Join(dir, "ckpt"), 3)
	job := stream.NewJob("sums", stream.WithAllocator(mem),
		stream.WithCheckpointInterval(100*time.Millisecond),
		stream.WithCheckpointStorage(store), stream.WithRestoreFrom(store),
		stream.WithRestartStrategy(stream.RestartStrategy{MaxAttempts: 3, Delay: 10 * time.Millisecond}))
	stream.FromSource(job, "payments", stream.FromRecords(rec), 1).
		KeyBy("user").
		Process("sum", func() stream.KeyedOperator { return &runningSum{} }, 2).
		To("out", stream.NewFileSink(filepath.Join(dir, "out")))
	if err := job.Run(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	// Read back the committed Arrow IPC files.
	files, _ := filepath.Glob(filepath.Join(dir, "out", "part-*.arrows"))
	sums := map[string]int64{}
	for _, name := range files {
		f, _ := os.Open(name)
		r, err := ipc.NewReader(f)
		if err != nil {
			fmt.Println(err)
			return
		}
		for r.Next() {
			users, totals := r.Record().Column(0).(*array.String), r.Record().Column(1).(*array.Int64)
			for i := range users.Len() {
				sums[users.Value(i)] = totals.Value(i)
			}
		}
		r.Release()
		f.Close()
	}
	fmt.Println(sums)
	fmt.Print(job)
	// Output:
	// map[ann:8 bob:4 cid:7]
	// job "sums"
	//   0 source "payments" parallelism 1
	//   1 keyed-process "sum" parallelism 2 <- 0 hash(user)
	//   2 sink "out" parallelism 2 <- 1 forward
}
