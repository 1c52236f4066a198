package drift

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/checkpoint"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

// pacedSource replays in-memory batches in subtask 0, pausing before each
// one, and can seek (table.Seeker), so the engine can restore it.
type pacedSource struct {
	recs   []arrow.Record
	pause  time.Duration
	pauses []time.Duration // before batch i, instead of pause
}

func (s *pacedSource) Open(ctx context.Context, sub, _ int) (table.Reader, error) {
	r := &pacedReader{src: s, ctx: ctx}
	if sub != 0 {
		r.i = len(s.recs)
	}
	return r, nil
}

type pacedReader struct {
	src    *pacedSource
	ctx    context.Context
	i      int
	offset int64
	cur    arrow.Record
	err    error
}

func (r *pacedReader) Schema() *arrow.Schema { return r.src.recs[0].Schema() }
func (r *pacedReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.i >= len(r.src.recs) {
		return false
	}
	d := r.src.pause
	if r.i < len(r.src.pauses) {
		d = r.src.pauses[r.i]
	}
	select {
	case <-time.After(d):
	case <-r.ctx.Done():
		r.err = r.ctx.Err()
		return false
	}
	r.cur = r.src.recs[r.i]
	r.cur.Retain()
	r.i++
	r.offset += r.cur.NumRows()
	return true
}
func (r *pacedReader) Record() arrow.Record { return r.cur }
func (r *pacedReader) Err() error           { return r.err }
func (r *pacedReader) Release() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}
func (r *pacedReader) Offset() int64 { return r.offset }
func (r *pacedReader) SeekRow(off int64) error {
	r.i, r.offset = 0, 0
	for r.i < len(r.src.recs) && r.offset+r.src.recs[r.i].NumRows() <= off {
		r.offset += r.src.recs[r.i].NumRows()
		r.i++
	}
	if r.offset != off && r.i < len(r.src.recs) {
		return fmt.Errorf("seek to row %d inside a batch", off)
	}
	return nil
}

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
	s := stream.FromSource(job, "errors", &pacedSource{recs: recs, pause: time.Millisecond}, 1).
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
