package prequential

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/online/internal/streamtest"
	"github.com/eddyml/eddy/pipeline/checkpoint"
	"github.com/eddyml/eddy/pipeline/stream"
)

// The evaluator is operator state in checkpoints: a job that fails after
// a checkpoint and restarts from it publishes (exactly once, through the
// file sink) the same metrics rows, bit for bit, as the reference.
func TestOperatorRestartFromCheckpoint(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := genBinary(31, 6000, 0)
	recs := withTime(t, mem, d.batches(t, mem, Binary, []int{100}))
	defer release(recs)
	const every = 250
	cfg := OperatorConfig{Config: Config{Task: Binary, Window: 300}, Every: every, TimeColumn: "ts"}
	newOp, err := NewOperator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	store, err := checkpoint.NewDir(filepath.Join(dir, "ckpt"), 2)
	if err != nil {
		t.Fatal(err)
	}
	var checkpoints, calls atomic.Int64
	var failed atomic.Bool
	job := stream.NewJob("prequential", stream.WithAllocator(mem),
		stream.WithCheckpointInterval(5*time.Millisecond), stream.WithCheckpointStorage(store),
		stream.WithCheckpointListener(func(stream.Checkpoint) { checkpoints.Add(1) }),
		stream.WithRestartStrategy(stream.RestartStrategy{MaxAttempts: 3, Delay: time.Millisecond}))
	s := stream.FromSource(job, "preds", &streamtest.PacedSource{Recs: recs, Pause: time.Millisecond}, 1).
		Map("faulty", func(r arrow.Record) (arrow.Record, error) {
			if n := calls.Add(1); n > 20 && checkpoints.Load() >= 2 && !failed.Swap(true) {
				return nil, errors.New("injected fault")
			}
			return r, nil
		}).
		Process("eval", newOp, 1)
	s.SideOutput(Tag).To("metrics", stream.NewFileSink(filepath.Join(dir, "metrics")))
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := job.CheckpointStats(); !failed.Load() || st.Restarts != 1 || st.LastRestore == 0 {
		t.Fatalf("fault %v, stats %+v: the test did not restore from a checkpoint", failed.Load(), st)
	}
	got := streamtest.ReadParts(t, mem, filepath.Join(dir, "metrics"))
	defer release(got)
	// Reference: the operator driven directly over every batch.
	ref := newOp()
	ctx := context.Background()
	ref.(stream.Opener).Open(ctx, &stream.OperatorContext{Parallelism: 1, Allocator: mem})
	c := &collector{}
	defer c.release()
	for _, r := range recs {
		if err := ref.ProcessBatch(ctx, r, c); err != nil {
			t.Fatal(err)
		}
	}
	ref.(stream.Finisher).Finish(ctx, c)
	key := func(recs []arrow.Record) map[int64]string {
		out := map[int64]string{}
		for _, r := range recs {
			for i := range int(r.NumRows()) {
				n := r.Column(0).(*array.Int64).Value(i)
				if _, dup := out[n]; dup {
					t.Errorf("metrics row at %d published twice", n)
				}
				row := fmt.Sprint(r.Column(1).(*array.Timestamp).Value(i))
				for j := 2; j < int(r.NumCols()); j++ {
					row += fmt.Sprintf(" %x", r.Column(j).(*array.Float64).Value(i))
				}
				out[n] = row
			}
		}
		return out
	}
	g, w := key(got), key(c.side)
	if len(w) != 6000/every || len(g) != len(w) {
		t.Fatalf("%d metrics rows published, want %d", len(g), len(w))
	}
	for n, row := range w {
		if g[n] != row {
			t.Errorf("metrics row at %d: %s, want %s", n, g[n], row)
		}
	}
}
