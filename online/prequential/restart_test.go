package prequential

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
	"github.com/apache/arrow/go/v17/arrow/array"
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

func readParts(t testing.TB, mem memory.Allocator, dir string) []arrow.Record {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "part-*.arrows"))
	if err != nil {
		t.Fatal(err)
	}
	var out []arrow.Record
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ipc.NewReader(f, ipc.WithAllocator(mem))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for r.Next() {
			r.Record().Retain()
			out = append(out, r.Record())
		}
		r.Release()
		f.Close()
	}
	return out
}

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
	s := stream.FromSource(job, "preds", &pacedSource{recs: recs, pause: time.Millisecond}, 1).
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
	got := readParts(t, mem, filepath.Join(dir, "metrics"))
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
