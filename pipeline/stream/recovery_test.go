package stream

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/checkpoint"
	"github.com/eddyml/eddy/pipeline/state"
	"github.com/eddyml/eddy/pipeline/table"
)

// sumBatches builds n batches of rows rows: id (int64, unique), key
// (string, one of keys), v (int64 in [0, 100)), ts (int64 ms, increasing
// with jitter).
func sumBatches(t testing.TB, mem memory.Allocator, n, rows, keys int, seed uint64) []arrow.Record {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	recs := make([]arrow.Record, n)
	for b := range n {
		ids, ks, vs, ts := make([]int64, rows), make([]string, rows), make([]int64, rows), make([]int64, rows)
		for i := range rows {
			id := int64(b*rows + i)
			ids[i], ks[i], vs[i] = id, fmt.Sprintf("k%03d", rng.IntN(keys)), rng.Int64N(100)
			ts[i] = id*10 + rng.Int64N(50)
		}
		rec, err := table.Build(mem, table.Col("id", ids), table.Col("key", ks), table.Col("v", vs), table.Col("ts", ts))
		if err != nil {
			t.Fatal(err)
		}
		recs[b] = rec
	}
	return recs
}

type sumCount struct{ sum, n int64 }

// referenceSums is the failure-free answer computed directly.
func referenceSums(t testing.TB, recs []arrow.Record) map[string]sumCount {
	out := map[string]sumCount{}
	for _, r := range recs {
		keys := r.Column(1).(*array.String)
		vs := int64Col(t, r, "v")
		for i, v := range vs {
			sc := out[keys.Value(i)]
			sc.sum += v
			sc.n++
			out[keys.Value(i)] = sc
		}
	}
	return out
}

// pacedSource is FromRecords with a pause before each batch, so that
// checkpoints happen while the job runs.
type pacedSource struct {
	recs  []arrow.Record
	pause time.Duration
	// hold, when set, keeps each subtask's last batch back until it is
	// true, so that a test can wait for a checkpoint while input remains.
	hold *atomic.Bool
}

func (s *pacedSource) Open(ctx context.Context, sub, par int) (table.Reader, error) {
	r, _ := FromRecords(s.recs...).Open(ctx, sub, par)
	return &pacedReader{sliceReader: r.(*sliceReader), ctx: ctx, pause: s.pause, hold: s.hold}, nil
}

type pacedReader struct {
	*sliceReader
	ctx   context.Context
	pause time.Duration
	hold  *atomic.Bool
	err   error
}

func (r *pacedReader) Next() bool {
	for first := true; first || r.hold != nil && r.pos+1 >= len(r.recs)-1 && !r.hold.Load(); first = false {
		if r.pause > 0 || !first {
			select {
			case <-time.After(max(r.pause, 100*time.Microsecond)):
			case <-r.ctx.Done():
				r.err = r.ctx.Err()
				return false
			}
		}
	}
	return r.sliceReader.Next()
}

func (r *pacedReader) Err() error { return r.err }

// faults decides where injected failures happen: the nth call (counted
// across restarts) of each named point fails when n is in its set.
type faults struct {
	mu    sync.Mutex
	at    map[string]map[int64]bool
	calls map[string]int64
	hit   atomic.Int64
}

var errInjected = errors.New("injected fault")

func newFaults(rng *rand.Rand, points map[string]int64, perPoint int) *faults {
	f := &faults{at: map[string]map[int64]bool{}, calls: map[string]int64{}}
	for p, span := range points {
		f.at[p] = map[int64]bool{}
		for range perPoint {
			f.at[p][1+rng.Int64N(span)] = true
		}
	}
	return f
}

func (f *faults) check(point string) error {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[point]++
	if f.at[point][f.calls[point]] {
		f.hit.Add(1)
		return fmt.Errorf("%s call %d: %w", point, f.calls[point], errInjected)
	}
	return nil
}

// faultyStorage fails chosen Begin/WriteFile/Commit calls.
type faultyStorage struct {
	checkpoint.Storage
	f *faults
}

func (s faultyStorage) WriteFile(ctx context.Context, id int64, name string, data []byte) error {
	if err := s.f.check("write"); err != nil {
		return err
	}
	return s.Storage.WriteFile(ctx, id, name, data)
}

func (s faultyStorage) Commit(ctx context.Context, m *checkpoint.Manifest) error {
	if err := s.f.check("commit"); err != nil {
		return err
	}
	return s.Storage.Commit(ctx, m)
}

// sumOp sums v and counts rows per key in keyed state and emits (key, sum,
// n) at the end of input. Faults: "barrier" fails between the barrier and
// the snapshot.
type sumOp struct {
	f   *faults
	kc  *KeyedContext
	sum *state.ValueState[int64]
	n   *state.ValueState[int64]
}

func (o *sumOp) Open(_ context.Context, kc *KeyedContext) error {
	o.kc = kc
	var err error
	if o.sum, err = state.NewValueState(kc.State(), "sum", state.Int64); err != nil {
		return err
	}
	o.n, err = state.NewValueState(kc.State(), "n", state.Int64)
	return err
}

func (o *sumOp) ProcessBatch(_ context.Context, kc *KeyedContext, rec arrow.Record, _ Collector) error {
	i, err := table.FieldIndex(rec.Schema(), "v")
	if err != nil {
		return err
	}
	vs := rec.Column(i).(*array.Int64).Int64Values()
	return kc.ForEachKey(rec, func(rows []int) error {
		s, _ := o.sum.Get()
		n, _ := o.n.Get()
		for _, r := range rows {
			s += vs[r]
		}
		o.sum.Set(s)
		o.n.Set(n + int64(len(rows)))
		return nil
	})
}

func (o *sumOp) OnBarrier(context.Context, int64) error { return o.f.check("barrier") }

func (o *sumOp) Finish(_ context.Context, out Collector) error {
	mem := o.kc.Allocator
	kb := array.NewStringBuilder(mem)
	defer kb.Release()
	var sums, ns []int64
	err := o.kc.ForEachStateKey("sum", func() error {
		s, _ := o.sum.Get()
		n, _ := o.n.Get()
		sums, ns = append(sums, s), append(ns, n)
		return o.kc.AppendKey([]array.Builder{kb})
	})
	if err != nil || kb.Len() == 0 {
		return err
	}
	rec, err := table.Build(mem, table.Col("key", strs(kb)), table.Col("sum", sums), table.Col("n", ns))
	if err != nil {
		return err
	}
	return out.Emit(rec)
}

func strs(b *array.StringBuilder) []string {
	a := b.NewStringArray()
	defer a.Release()
	out := make([]string, a.Len())
	for i := range out {
		out[i] = a.Value(i)
	}
	return out
}

// readParts reads every committed part file of dir.
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
			rec := r.Record()
			rec.Retain()
			out = append(out, rec)
		}
		if err := r.Err(); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		r.Release()
		f.Close()
	}
	return out
}

// sumsOf reads (key, sum, n) rows, failing on a key seen twice.
func sumsOf(t testing.TB, recs []arrow.Record) map[string]sumCount {
	t.Helper()
	out := map[string]sumCount{}
	for _, r := range recs {
		keys := r.Column(0).(*array.String)
		sums, ns := int64Col(t, r, "sum"), int64Col(t, r, "n")
		for i := range sums {
			k := keys.Value(i)
			if _, dup := out[k]; dup {
				t.Fatalf("key %s output twice", k)
			}
			out[k] = sumCount{sums[i], ns[i]}
		}
	}
	return out
}

func diffSums(got, want map[string]sumCount) string {
	var b strings.Builder
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			fmt.Fprintf(&b, "%s: got %+v (present %v), want %+v; ", k, g, ok, w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			fmt.Fprintf(&b, "%s: unexpected; ", k)
		}
	}
	return b.String()
}

// sumJob builds source -> faulty map -> keyed sum -> file sink, plus the
// map's rows into a second file sink.
func sumJob(mem memory.Allocator, src Source, f *faults, out, rows string, sumPar int, opts ...Option) *Job {
	job := NewJob("sum", append([]Option{WithAllocator(mem)}, opts...)...)
	mapped := FromSource(job, "gen", src, 2).
		Map("faulty", func(r arrow.Record) (arrow.Record, error) {
			if err := f.check("map"); err != nil {
				return nil, err
			}
			return r, nil
		})
	mapped.To("rows", NewFileSink(rows))
	mapped.KeyBy("key").
		Process("sum", func() KeyedOperator { return &sumOp{f: f} }, sumPar).
		To("out", NewFileSink(out))
	return job
}

func TestExactlyOnceUnderFaults(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	base := runtimeGoroutines()
	const nBatches, rows = 100, 20
	restored := 0
	for seed := range uint64(10) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			recs := sumBatches(t, mem, nBatches, rows, 37, seed)
			defer release(recs)
			want := referenceSums(t, recs)
			rng := rand.New(rand.NewPCG(seed, 99))
			f := newFaults(rng, map[string]int64{"map": 2 * nBatches, "barrier": 60, "write": 150, "commit": 20}, 2)
			dir := t.TempDir()
			store, err := checkpoint.NewDir(filepath.Join(dir, "ckpt"), 2)
			if err != nil {
				t.Fatal(err)
			}
			job := sumJob(mem, &pacedSource{recs: recs, pause: 300 * time.Microsecond}, f, filepath.Join(dir, "out"), filepath.Join(dir, "rows"), 3,
				WithCheckpointInterval(2*time.Millisecond),
				WithCheckpointStorage(faultyStorage{store, f}),
				WithRestartStrategy(RestartStrategy{MaxAttempts: 20}))
			if err := job.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			st := job.CheckpointStats()
			// Faults that strike two subtasks of one attempt cost one restart.
			if faults := f.hit.Load(); st.Restarts > faults || faults > 0 && st.Restarts == 0 {
				t.Errorf("%d restarts for %d injected faults", st.Restarts, faults)
			}
			if st.LastRestore > 0 {
				restored++
			}
			t.Logf("faults %d, restarts %d, last restore %d, checkpoints %d", f.hit.Load(), st.Restarts, st.LastRestore, st.Completed)
			got := readParts(t, mem, filepath.Join(dir, "out"))
			defer release(got)
			if d := diffSums(sumsOf(t, got), want); d != "" {
				t.Errorf("keyed sums differ from the failure-free run (restarts %d): %s", st.Restarts, d)
			}
			// Exactly-once output: every input row exactly once.
			passed := readParts(t, mem, filepath.Join(dir, "rows"))
			defer release(passed)
			var ids []int64
			for _, r := range passed {
				ids = append(ids, int64Col(t, r, "id")...)
			}
			slices.Sort(ids)
			if len(ids) != nBatches*rows {
				t.Errorf("rows sink holds %d rows, want %d (restarts %d)", len(ids), nBatches*rows, st.Restarts)
			}
			for i, id := range ids {
				if id != int64(i) {
					t.Errorf("rows sink: row %d has id %d: a duplicate or a missing row", i, id)
					break
				}
			}
			left, _ := filepath.Glob(filepath.Join(dir, "*", "*.pending"))
			if len(left) > 0 {
				t.Errorf("pending files left after the job ended: %v", left)
			}
		})
	}
	if restored == 0 {
		t.Error("no seed restored from a checkpoint: the test does not exercise recovery")
	}
	checkGoroutines(t, base)
}

func runtimeGoroutines() int {
	time.Sleep(time.Millisecond)
	return runtime.NumGoroutine()
}

// TestRestoreWithOtherParallelism stops a job after checkpoints completed,
// then restores it with the keyed operator at other parallelisms.
func TestRestoreWithOtherParallelism(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := sumBatches(t, mem, 60, 20, 53, 42)
	defer release(recs)
	want := referenceSums(t, recs)
	for _, par := range []int{1, 3, 4} {
		t.Run(fmt.Sprint("2->", par), func(t *testing.T) {
			dir := t.TempDir()
			store, err := checkpoint.NewDir(filepath.Join(dir, "ckpt"), 2)
			if err != nil {
				t.Fatal(err)
			}
			// Run 1: fails for good once two checkpoints completed.
			var job1 *Job
			stop := &faults{at: map[string]map[int64]bool{}, calls: map[string]int64{}}
			var done atomic.Int64
			job1 = sumJob(mem, &gatedSource{recs: recs, every: 4, done: &done}, nil, filepath.Join(dir, "out"), filepath.Join(dir, "rows"), 2,
				WithCheckpointInterval(2*time.Millisecond), WithCheckpointStorage(store),
				WithCheckpointListener(func(cp Checkpoint) {
					done.Store(cp.ID)
					if cp.ID == 3 {
						stop.mu.Lock()
						stop.at["map"] = map[int64]bool{stop.calls["map"] + 1: true}
						stop.mu.Unlock()
					}
				}))
			job1.nodes[1].newOp = func() Operator {
				return mapOp(func(r arrow.Record) (arrow.Record, error) {
					if err := stop.check("map"); err != nil {
						return nil, err
					}
					return r, nil
				})
			}
			if err := job1.Run(context.Background()); !errors.Is(err, errInjected) {
				t.Fatalf("run 1: %v, want the injected failure", err)
			}
			// Run 2: restore with the keyed operator at parallelism par.
			job2 := sumJob(mem, FromRecords(recs...), nil, filepath.Join(dir, "out"), filepath.Join(dir, "rows"), par,
				WithCheckpointStorage(store), WithRestoreFrom(store))
			if err := job2.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if job2.CheckpointStats().LastRestore < 3 {
				t.Fatalf("run 2 restored checkpoint %d, want at least 3", job2.CheckpointStats().LastRestore)
			}
			got := readParts(t, mem, filepath.Join(dir, "out"))
			defer release(got)
			if d := diffSums(sumsOf(t, got), want); d != "" {
				t.Errorf("sums differ: %s", d)
			}
		})
	}
}

// TestHelperProcess is the child of TestKillAndResume: it runs the sum job
// slowly with checkpoints into $EDDY_STREAM_HELPER_DIR until killed.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv("EDDY_STREAM_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process of TestKillAndResume")
	}
	mem := memory.NewGoAllocator()
	recs := sumBatches(t, mem, 60, 20, 37, 5)
	store, err := checkpoint.NewDir(filepath.Join(dir, "ckpt"), 2)
	if err != nil {
		t.Fatal(err)
	}
	job := sumJob(mem, &pacedSource{recs: recs, pause: 50 * time.Millisecond}, nil, filepath.Join(dir, "out"), filepath.Join(dir, "rows"), 2,
		WithCheckpointInterval(20*time.Millisecond), WithCheckpointStorage(store), WithRestoreFrom(store))
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Fatal("helper finished before it was killed")
}

func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "EDDY_STREAM_HELPER_DIR="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	store, err := checkpoint.NewDir(filepath.Join(dir, "ckpt"), 2)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		m, err := store.Latest(context.Background())
		if err == nil && m.ID >= 4 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("child completed no checkpoint in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	werr := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die of SIGKILL: %v", werr)
	}
	killedAt, err := store.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	recs := sumBatches(t, mem, 60, 20, 37, 5)
	defer release(recs)
	want := referenceSums(t, recs)
	job := sumJob(mem, FromRecords(recs...), nil, filepath.Join(dir, "out"), filepath.Join(dir, "rows"), 2,
		WithCheckpointStorage(store), WithRestoreFrom(store))
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := job.CheckpointStats().LastRestore; got != killedAt.ID {
		t.Errorf("resumed from checkpoint %d, want %d", got, killedAt.ID)
	}
	got := readParts(t, mem, filepath.Join(dir, "out"))
	defer release(got)
	if d := diffSums(sumsOf(t, got), want); d != "" {
		t.Errorf("sums after kill -9 and resume differ: %s", d)
	}
	passed := readParts(t, mem, filepath.Join(dir, "rows"))
	defer release(passed)
	var ids []int64
	for _, r := range passed {
		ids = append(ids, int64Col(t, r, "id")...)
	}
	slices.Sort(ids)
	if len(ids) != 60*20 || ids[0] != 0 || ids[len(ids)-1] != 60*20-1 || slices.Compact(ids) == nil || len(slices.Compact(slices.Clone(ids))) != len(ids) {
		t.Errorf("rows sink holds %d rows (want %d, each once)", len(ids), 60*20)
	}
}
