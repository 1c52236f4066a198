package drift

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/online/internal/streamtest"
	"github.com/eddyml/eddy/pipeline/checkpoint"
	"github.com/eddyml/eddy/pipeline/stream"
)

// The detector is operator state in checkpoints: a job that fails after a
// checkpoint and restarts from it publishes, exactly once, the events of a
// failure-free run.
func TestOperatorRestartFromCheckpoint(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// Three changes of the error rate, so events come before and after
	// the failure.
	var xs []float64
	for i, q := range []float64{0.1, 0.6, 0.1, 0.7} {
		xs = append(xs, bernoulli(uint64(40+i), 1500, 1500, q, q)...)
	}
	recs := errBatches(t, mem, xs, 100)
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	ref := newDetector(t, KindADWIN)
	var want []event
	for i, x := range xs {
		if ref.Update(x) {
			want = append(want, event{KindADWIN, int64(i), int64(i) * 1e6, ref.Statistic()})
		}
	}
	newOp, err := NewOperator(OperatorConfig{Column: "error", TimeColumn: "ts"})
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
	job := stream.NewJob("drift", stream.WithAllocator(mem),
		stream.WithCheckpointInterval(5*time.Millisecond), stream.WithCheckpointStorage(store),
		stream.WithCheckpointListener(func(stream.Checkpoint) { checkpoints.Add(1) }),
		stream.WithRestartStrategy(stream.RestartStrategy{MaxAttempts: 3, Delay: time.Millisecond}))
	s := stream.FromSource(job, "errors", &streamtest.PacedSource{Recs: recs, Pause: time.Millisecond}, 1).
		Map("faulty", func(r arrow.Record) (arrow.Record, error) {
			if n := calls.Add(1); n > 30 && checkpoints.Load() >= 2 && !failed.Swap(true) {
				return nil, errors.New("injected fault")
			}
			return r, nil
		}).
		Process("detect", newOp, 1)
	s.SideOutput(Tag).To("events", stream.NewFileSink(filepath.Join(dir, "events")))
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := job.CheckpointStats(); !failed.Load() || st.Restarts != 1 || st.LastRestore == 0 {
		t.Fatalf("fault %v, stats %+v: the test did not restore from a checkpoint", failed.Load(), st)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "events", "part-*.arrows"))
	var got []event
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ipc.NewReader(f, ipc.WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			got = append(got, events(t, []arrow.Record{r.Record()})...)
		}
		r.Release()
		f.Close()
	}
	seen := map[int64]event{}
	for _, e := range got {
		if _, dup := seen[e.row]; dup {
			t.Errorf("event at row %d published twice", e.row)
		}
		seen[e.row] = e
	}
	if len(seen) != len(want) || len(want) < 3 {
		t.Fatalf("%d events published, want %d", len(seen), len(want))
	}
	for _, w := range want {
		if seen[w.row] != w {
			t.Errorf("event %+v, want %+v", seen[w.row], w)
		}
	}
}
