package window_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
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
	"github.com/eddyml/eddy/pipeline/window"
)

// genRow is one generated event.
type genRow struct {
	id, ts, v int64
	key       string
}

// outOfOrder is the watermark lag of the generated streams: every row is
// at most this much behind the newest one, except the deliberately late
// rows.
const outOfOrder = 40

// generate builds a seeded stream of batches (1..maxBatch rows): event
// time advances 10ms a row with up to outOfOrder ms of jitter back, and a
// fraction late of rows is far behind (late, possibly beyond lateness).
func generate(seed uint64, rows, keys, maxBatch int, late float64) [][]genRow {
	rng := rand.New(rand.NewPCG(seed, 7))
	var out [][]genRow
	for i := 0; i < rows; {
		n := min(1+rng.IntN(maxBatch), rows-i)
		b := make([]genRow, n)
		for j := range b {
			id := int64(i + j)
			ts := 1_000_000 + id*10 - rng.Int64N(outOfOrder+1)
			if rng.Float64() < late {
				ts -= 100 + rng.Int64N(1500)
			}
			b[j] = genRow{id: id, ts: ts, v: rng.Int64N(100) - 20, key: fmt.Sprintf("k%d", rng.IntN(keys))}
		}
		out = append(out, b)
		i += n
	}
	return out
}

func toRecords(t testing.TB, mem memory.Allocator, batches [][]genRow) []arrow.Record {
	t.Helper()
	recs := make([]arrow.Record, len(batches))
	for i, b := range batches {
		ids, ts, vs, keys := make([]int64, len(b)), make([]int64, len(b)), make([]int64, len(b)), make([]string, len(b))
		for j, r := range b {
			ids[j], ts[j], vs[j], keys[j] = r.id, r.ts, r.v, r.key
		}
		rec, err := table.Build(mem, table.Col("id", ids), table.Col("key", keys), table.Col("ts", ts), table.Col("v", vs))
		if err != nil {
			t.Fatal(err)
		}
		recs[i] = rec
	}
	return recs
}

func release(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

// refWin is a window of the reference computation.
type refWin struct {
	start, end         int64
	fired, dirty       bool
	count, sum, lo, hi int64
}

func (w *refWin) add(r genRow) {
	if w.count == 0 || r.v < w.lo {
		w.lo = r.v
	}
	if w.count == 0 || r.v > w.hi {
		w.hi = r.v
	}
	w.count++
	w.sum += r.v
}

func (w *refWin) merge(o *refWin) {
	if o.count == 0 {
		return
	}
	if w.count == 0 || o.lo < w.lo {
		w.lo = o.lo
	}
	if w.count == 0 || o.hi > w.hi {
		w.hi = o.hi
	}
	w.count += o.count
	w.sum += o.sum
}

// reference is the simple model of a windowed count/sum/min/max: rows in
// arrival order, one key at a time per batch, the watermark max(ts) -
// outOfOrder after each batch, windows fired when the watermark reaches
// end-1 and dropped at end-1+lateness, late rows (every window dropped)
// set aside, late updates within lateness emitted once per batch.
type reference struct {
	kind                   string
	size, slide, gap, late int64
	wins                   map[string][]*refWin
	out                    []string
	lateIDs                []int64
}

func (r *reference) emit(key string, w *refWin) {
	r.out = append(r.out, fmt.Sprintf("%s|%d|%d|n=%d|sum=%d|min=%d|max=%d", key, w.start, w.end, w.count, w.sum, w.lo, w.hi))
}

func (r *reference) dead(end, wm int64) bool {
	return wm != math.MinInt64 && end-1+r.late <= wm
}

func (r *reference) run(batches [][]genRow) {
	r.wins = map[string][]*refWin{}
	wm, maxTS := int64(math.MinInt64), int64(math.MinInt64)
	for _, b := range batches {
		var order []string
		byKey := map[string][]genRow{}
		for _, row := range b {
			if _, ok := byKey[row.key]; !ok {
				order = append(order, row.key)
			}
			byKey[row.key] = append(byKey[row.key], row)
			maxTS = max(maxTS, row.ts)
		}
		for _, k := range order {
			if r.kind == "session" {
				r.addSession(k, byKey[k], wm)
			} else {
				r.addTimed(k, byKey[k], wm)
			}
		}
		if maxTS-outOfOrder > wm {
			wm = maxTS - outOfOrder
			r.advance(wm)
		}
	}
	r.advance(math.MaxInt64)
}

func (r *reference) find(key string, start int64) *refWin {
	for _, w := range r.wins[key] {
		if w.start == start {
			return w
		}
	}
	return nil
}

func (r *reference) addTimed(key string, rows []genRow, wm int64) {
	var touched []*refWin
	for _, row := range rows {
		live := false
		for start := row.ts - ((row.ts%r.slide)+r.slide)%r.slide; start > row.ts-r.size; start -= r.slide {
			if r.dead(start+r.size, wm) {
				break
			}
			live = true
			w := r.find(key, start)
			if w == nil {
				w = &refWin{start: start, end: start + r.size}
				r.wins[key] = append(r.wins[key], w)
			}
			w.add(row)
			if !slices.Contains(touched, w) {
				touched = append(touched, w)
			}
		}
		if !live {
			r.lateIDs = append(r.lateIDs, row.id)
		}
	}
	for _, w := range touched {
		if w.end-1 <= wm {
			w.fired = true
			r.emit(key, w)
		}
	}
}

func (r *reference) addSession(key string, rows []genRow, wm int64) {
	for _, row := range rows {
		s, e := row.ts, row.ts+r.gap
		var over, rest []*refWin
		for _, w := range r.wins[key] {
			if w.start <= e && w.end >= s {
				over = append(over, w)
			} else {
				rest = append(rest, w)
			}
		}
		if len(over) == 0 && r.dead(e, wm) {
			r.lateIDs = append(r.lateIDs, row.id)
			continue
		}
		m := &refWin{start: s, end: e, dirty: true}
		for _, w := range over {
			m.start, m.end = min(m.start, w.start), max(m.end, w.end)
			m.merge(w)
		}
		m.add(row)
		r.wins[key] = append(rest, m)
	}
	for _, w := range r.wins[key] {
		if w.dirty {
			w.dirty = false
			if w.end-1 <= wm {
				w.fired = true
				r.emit(key, w)
			}
		}
	}
}

func (r *reference) advance(wm int64) {
	for key, ws := range r.wins {
		var keep []*refWin
		for _, w := range ws {
			if !w.fired && w.end-1 <= wm {
				w.fired = true
				r.emit(key, w)
			}
			if !r.dead(w.end, wm) {
				keep = append(keep, w)
			}
		}
		r.wins[key] = keep
	}
}

// render turns window results into the reference's row strings.
func render(t testing.TB, recs []arrow.Record) []string {
	t.Helper()
	var out []string
	for _, rec := range recs {
		col := func(name string) arrow.Array {
			i, err := table.FieldIndex(rec.Schema(), name)
			if err != nil {
				t.Fatal(err)
			}
			return rec.Column(i)
		}
		keys := col("key").(*array.String)
		start, end := col(window.StartColumn).(*array.Timestamp), col(window.EndColumn).(*array.Timestamp)
		n := col("count").(*array.Int64)
		sum, lo, hi := col("sum_v").(*array.Float64), col("min_v").(*array.Float64), col("max_v").(*array.Float64)
		for i := range int(rec.NumRows()) {
			out = append(out, fmt.Sprintf("%s|%d|%d|n=%d|sum=%d|min=%d|max=%d", keys.Value(i), start.Value(i), end.Value(i),
				n.Value(i), int64(sum.Value(i)), int64(lo.Value(i)), int64(hi.Value(i))))
		}
	}
	slices.Sort(out)
	return out
}

func lateIDs(t testing.TB, recs []arrow.Record) []int64 {
	var out []int64
	for _, rec := range recs {
		i, err := table.FieldIndex(rec.Schema(), "id")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec.Column(i).(*array.Int64).Int64Values()...)
	}
	slices.Sort(out)
	return out
}

// windowCase is one assigner and lateness with its reference parameters.
type windowCase struct {
	name string
	a    window.Assigner
	ref  reference
}

func cases(lateness int64) []windowCase {
	return []windowCase{
		{"tumbling", window.Tumbling(100 * time.Millisecond), reference{kind: "tumbling", size: 100, slide: 100, late: lateness}},
		{"sliding", window.Sliding(150*time.Millisecond, 50*time.Millisecond), reference{kind: "sliding", size: 150, slide: 50, late: lateness}},
		{"session", window.Session(45 * time.Millisecond), reference{kind: "session", gap: 45, late: lateness}},
	}
}

func aggs() []window.Aggregation {
	return []window.Aggregation{window.Count(), window.Sum("v"), window.Min("v"), window.Max("v")}
}

// windowJob: source (parallelism 1) -> watermarks -> keyBy(key) -> window
// (parallelism par); results and late rows go to the given sinks.
func windowJob(job *stream.Job, src stream.Source, wc windowCase, par int, pre func(*stream.Stream) *stream.Stream) *stream.Stream {
	s := stream.FromSource(job, "gen", src, 1).AssignWatermarks("ts", outOfOrder*time.Millisecond)
	if pre != nil {
		s = pre(s)
	}
	return window.Of(s.KeyBy("key"), "ts", wc.a).
		AllowedLateness(time.Duration(wc.ref.late) * time.Millisecond).
		Name("window").Parallelism(par).
		Aggregate(aggs()...)
}

func diff(t *testing.T, what string, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	t.Errorf("%s: %d rows, want %d", what, len(got), len(want))
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("first difference at row %d: got %q, want %q", i, g, w)
			return
		}
	}
}

// TestWindowsMatchReference is the property test: over random seeds,
// window kinds, allowed lateness and parallelism 1..4, the job's results
// and late rows equal the reference computation's.
func TestWindowsMatchReference(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sawLate, sawUpdate := false, false
	for seed := range uint64(8) {
		lateness := []int64{0, 120}[seed%2]
		for _, wc := range cases(lateness) {
			par := 1 + int(seed)%4
			t.Run(fmt.Sprintf("seed=%d/%s/par=%d/lateness=%d", seed, wc.name, par, lateness), func(t *testing.T) {
				batches := generate(seed, 1500, 7, 25, 0.03)
				ref := wc.ref
				ref.run(batches)
				want := slices.Sorted(slices.Values(ref.out))
				slices.Sort(ref.lateIDs)
				recs := toRecords(t, mem, batches)
				defer release(recs)

				job := stream.NewJob("windows", stream.WithAllocator(mem))
				out := windowJob(job, stream.FromRecords(recs...), wc, par, nil)
				res := out.Collect()
				late := out.SideOutput(window.LateTag).Collect()
				defer res.Release()
				defer late.Release()
				if err := job.Run(context.Background()); err != nil {
					t.Fatal(err)
				}
				diff(t, "window results", render(t, res.Records()), want)
				if got := lateIDs(t, late.Records()); !slices.Equal(got, ref.lateIDs) {
					t.Errorf("late rows %v, want %v", got, ref.lateIDs)
				}
				var side int64
				for _, m := range job.Metrics() {
					if m.Name == "window" {
						side = m.SideRecordsOut
					}
				}
				if side != int64(len(ref.lateIDs)) {
					t.Errorf("metrics: %d side rows, want %d late rows", side, len(ref.lateIDs))
				}
				sawLate = sawLate || len(ref.lateIDs) > 0
				sawUpdate = sawUpdate || countUpdates(want) > 0
			})
		}
	}
	if !sawLate || !sawUpdate {
		t.Errorf("the generated streams exercised late rows %v, late updates %v: want both", sawLate, sawUpdate)
	}
}

// countUpdates counts windows emitted more than once.
func countUpdates(rows []string) int {
	seen := map[string]int{}
	n := 0
	for _, r := range rows {
		k := r[:len(r)-len(r[indexN(r):])]
		seen[k]++
		if seen[k] == 2 {
			n++
		}
	}
	return n
}

// indexN returns the index of "|n=" in r.
func indexN(r string) int {
	for i := 0; i+3 <= len(r); i++ {
		if r[i:i+3] == "|n=" {
			return i
		}
	}
	return len(r)
}

// pacedSource replays recs with a pause before each batch, so checkpoints
// happen while the job runs; it can be opened again after a failure.
type pacedSource struct {
	recs  []arrow.Record
	pause time.Duration
	// hold, when set, keeps the last batch back until it is true, so a
	// test can act on a checkpoint while input remains.
	hold *atomic.Bool
}

func (s *pacedSource) Open(ctx context.Context, sub, par int) (table.Reader, error) {
	r, err := stream.FromRecords(s.recs...).Open(ctx, sub, par)
	if err != nil {
		return nil, err
	}
	return &pacedReader{Reader: r, ctx: ctx, pause: s.pause, hold: s.hold, last: int64(len(s.recs)) - 1}, nil
}

type pacedReader struct {
	table.Reader
	ctx   context.Context
	pause time.Duration
	hold  *atomic.Bool
	n     int64 // batches delivered
	last  int64
	err   error
}

func (r *pacedReader) Next() bool {
	for {
		select {
		case <-time.After(r.pause):
		case <-r.ctx.Done():
			r.err = r.ctx.Err()
			return false
		}
		if r.hold == nil || r.n < r.last || r.hold.Load() {
			break
		}
	}
	r.n++
	return r.Reader.Next()
}

func (r *pacedReader) Err() error { return r.err }

func (r *pacedReader) Offset() int64 { return r.Reader.(table.Seeker).Offset() }

func (r *pacedReader) SeekRow(off int64) error { return r.Reader.(table.Seeker).SeekRow(off) }

var errInjected = errors.New("injected failure")

// failAt is a map that fails once, at its nth call counted across restarts,
// or from the moment stop is set.
func failAt(n int64, calls *atomic.Int64, stop *atomic.Bool) func(*stream.Stream) *stream.Stream {
	return func(s *stream.Stream) *stream.Stream {
		return s.Map("faulty", func(r arrow.Record) (arrow.Record, error) {
			if c := calls.Add(1); c == n || (stop != nil && stop.Load()) {
				return nil, fmt.Errorf("map call %d: %w", c, errInjected)
			}
			return r, nil
		})
	}
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

// TestStreamWithFailureEqualsBatch: the same rows arriving slowly in small
// batches, with checkpoints and an injected failure restored in place,
// give exactly the bounded run's (the reference's) results and late rows
// (exactly-once file sinks).
func TestStreamWithFailureEqualsBatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	restored := 0
	for seed := range uint64(3) {
		for _, wc := range cases(120) {
			t.Run(fmt.Sprintf("seed=%d/%s", seed, wc.name), func(t *testing.T) {
				batches := generate(seed+100, 600, 5, 6, 0.03)
				ref := wc.ref
				ref.run(batches)
				want := slices.Sorted(slices.Values(ref.out))
				slices.Sort(ref.lateIDs)
				recs := toRecords(t, mem, batches)
				defer release(recs)

				dir := t.TempDir()
				store, err := checkpoint.NewDir(filepath.Join(dir, "ckpt"), 2)
				if err != nil {
					t.Fatal(err)
				}
				var calls atomic.Int64
				job := stream.NewJob("windows", stream.WithAllocator(mem),
					stream.WithCheckpointInterval(2*time.Millisecond), stream.WithCheckpointStorage(store),
					stream.WithRestartStrategy(stream.RestartStrategy{MaxAttempts: 3}))
				fail := int64(len(batches)/2 + int(seed)*7)
				out := windowJob(job, &pacedSource{recs: recs, pause: 200 * time.Microsecond}, wc, 2, failAt(fail, &calls, nil))
				out.ToParallel("out", stream.NewFileSink(filepath.Join(dir, "out")), 1)
				out.SideOutput(window.LateTag).ToParallel("late", stream.NewFileSink(filepath.Join(dir, "late")), 1)
				if err := job.Run(context.Background()); err != nil {
					t.Fatal(err)
				}
				st := job.CheckpointStats()
				if st.Restarts != 1 {
					t.Fatalf("%d restarts, want 1", st.Restarts)
				}
				if st.LastRestore > 0 {
					restored++
				}
				got := readParts(t, mem, filepath.Join(dir, "out"))
				defer release(got)
				diff(t, "window results after a restore", render(t, got), want)
				lr := readParts(t, mem, filepath.Join(dir, "late"))
				defer release(lr)
				if got := lateIDs(t, lr); !slices.Equal(got, ref.lateIDs) {
					t.Errorf("late rows %v, want %v", got, ref.lateIDs)
				}
			})
		}
	}
	if restored == 0 {
		t.Error("no run restored from a checkpoint: the test does not exercise recovery")
	}
}

// TestWindowsSurviveRescale: a job stopped for good after a few
// checkpoints is resumed from its checkpoint directory with the window
// operator at another parallelism; both runs' committed output is the
// reference's.
func TestWindowsSurviveRescale(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for i, wc := range cases(120) {
		from, to := 2, []int{1, 3, 4}[i]
		t.Run(fmt.Sprintf("%s/%d->%d", wc.name, from, to), func(t *testing.T) {
			batches := generate(uint64(200+i), 600, 5, 6, 0.03)
			ref := wc.ref
			ref.run(batches)
			want := slices.Sorted(slices.Values(ref.out))
			slices.Sort(ref.lateIDs)
			recs := toRecords(t, mem, batches)
			defer release(recs)
			dir := t.TempDir()
			store, err := checkpoint.NewDir(filepath.Join(dir, "ckpt"), 2)
			if err != nil {
				t.Fatal(err)
			}
			build := func(par int, src stream.Source, pre func(*stream.Stream) *stream.Stream, opts ...stream.Option) *stream.Job {
				job := stream.NewJob("windows", append([]stream.Option{stream.WithAllocator(mem), stream.WithCheckpointStorage(store)}, opts...)...)
				out := windowJob(job, src, wc, par, pre)
				out.ToParallel("out", stream.NewFileSink(filepath.Join(dir, "out")), 1)
				out.SideOutput(window.LateTag).ToParallel("late", stream.NewFileSink(filepath.Join(dir, "late")), 1)
				return job
			}
			var calls atomic.Int64
			var stop atomic.Bool
			job1 := build(from, &pacedSource{recs: recs, pause: 200 * time.Microsecond, hold: &stop}, failAt(-1, &calls, &stop),
				stream.WithCheckpointInterval(2*time.Millisecond),
				stream.WithCheckpointListener(func(cp stream.Checkpoint) {
					if cp.ID >= 4 && !cp.Final {
						stop.Store(true)
					}
				}))
			if err := job1.Run(context.Background()); !errors.Is(err, errInjected) {
				t.Fatalf("run 1: %v, want the injected failure", err)
			}
			var calls2 atomic.Int64
			job2 := build(to, stream.FromRecords(recs...), failAt(-1, &calls2, nil), stream.WithRestoreFrom(store))
			if err := job2.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if job2.CheckpointStats().LastRestore < 4 {
				t.Fatalf("run 2 restored checkpoint %d, want at least 4", job2.CheckpointStats().LastRestore)
			}
			got := readParts(t, mem, filepath.Join(dir, "out"))
			defer release(got)
			diff(t, "window results across a rescale", render(t, got), want)
			lr := readParts(t, mem, filepath.Join(dir, "late"))
			defer release(lr)
			if got := lateIDs(t, lr); !slices.Equal(got, ref.lateIDs) {
				t.Errorf("late rows %v, want %v", got, ref.lateIDs)
			}
		})
	}
}
