package stream

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/state"
	"github.com/eddyml/eddy/pipeline/table"
)

// scaleV returns rec with column v multiplied by 2 (a new record).
func scaleV(mem memory.Allocator) func(arrow.Record) (arrow.Record, error) {
	return func(rec arrow.Record) (arrow.Record, error) {
		i, err := table.FieldIndex(rec.Schema(), "v")
		if err != nil {
			return nil, err
		}
		vs := rec.Column(i).(*array.Float64).Float64Values()
		b := array.NewFloat64Builder(mem)
		defer b.Release()
		for _, v := range vs {
			b.Append(2 * v)
		}
		col := b.NewArray()
		defer col.Release()
		cols := slices.Clone(rec.Columns())
		cols[i] = col
		return array.NewRecord(rec.Schema(), cols, rec.NumRows()), nil
	}
}

func vAbove(x float64) func(arrow.Record) ([]bool, error) {
	return func(rec arrow.Record) ([]bool, error) {
		i, err := table.FieldIndex(rec.Schema(), "v")
		if err != nil {
			return nil, err
		}
		vs := rec.Column(i).(*array.Float64).Float64Values()
		mask := make([]bool, len(vs))
		for k, v := range vs {
			mask[k] = v > x
		}
		return mask, nil
	}
}

// keyTracker is a keyed operator factory that forwards batches and records
// which subtask saw which key.
type keyTracker struct {
	mu   sync.Mutex
	seen map[string]map[int]bool
}

func (kt *keyTracker) factory() Operator { return &keyTrackerOp{kt: kt} }

type keyTrackerOp struct {
	kt  *keyTracker
	sub int
}

func (o *keyTrackerOp) Open(_ context.Context, oc *OperatorContext) error {
	o.sub = oc.Subtask
	return nil
}

func (o *keyTrackerOp) ProcessBatch(_ context.Context, rec arrow.Record, out Collector) error {
	i, err := table.FieldIndex(rec.Schema(), "key")
	if err != nil {
		return err
	}
	keys := rec.Column(i).(*array.String)
	o.kt.mu.Lock()
	for r := range keys.Len() {
		k := keys.Value(r)
		if o.kt.seen[k] == nil {
			o.kt.seen[k] = map[int]bool{}
		}
		o.kt.seen[k][o.sub] = true
	}
	o.kt.mu.Unlock()
	rec.Retain()
	return out.Emit(rec)
}

func TestPipelineMatchesDirectComputation(t *testing.T) {
	for p := 1; p <= 4; p++ {
		t.Run(fmt.Sprintf("p=%d", p), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			in := makeBatches(t, mem, 13, 50, uint64(p))
			defer release(in)

			// Direct computation: filter v > 0.3, then double v.
			var want []arrow.Record
			for _, r := range in {
				mask, _ := vAbove(0.3)(r)
				f, err := table.Filter(mem, r, mask)
				if err != nil {
					t.Fatal(err)
				}
				m, err := scaleV(mem)(f)
				f.Release()
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, m)
			}
			defer release(want)

			kt := &keyTracker{seen: map[string]map[int]bool{}}
			job := NewJob("direct", WithAllocator(mem))
			out := FromSource(job, "mem", FromRecords(in...), p).
				Filter("filter", vAbove(0.3)).
				Map("double", scaleV(mem)).
				Rebalance().
				Map("identity", func(r arrow.Record) (arrow.Record, error) { return r, nil }).
				KeyBy("key").Process("track", keyed(kt.factory), p).
				Collect()
			defer out.Release()
			if err := job.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got, w := rowsOf(out.Records()), rowsOf(want); !slices.Equal(got, w) {
				t.Fatalf("got %d rows, want %d; rows differ", len(got), len(w))
			}
			for k, subs := range kt.seen {
				if len(subs) != 1 {
					t.Errorf("key %s reached subtasks %v, want exactly one", k, subs)
				}
			}
			if p > 1 && len(kt.seen) > 0 {
				used := map[int]bool{}
				for _, subs := range kt.seen {
					for s := range subs {
						used[s] = true
					}
				}
				if len(used) < 2 {
					t.Errorf("23 keys all hashed to subtasks %v of %d", used, p)
				}
			}
		})
	}
}

func TestKeyedCountMatchesDirect(t *testing.T) {
	for p := 1; p <= 4; p++ {
		t.Run(fmt.Sprintf("p=%d", p), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			in := makeBatches(t, mem, 10, 97, 42+uint64(p))
			defer release(in)
			want := map[string]int64{}
			for _, r := range in {
				keys := r.Column(1).(*array.String)
				for i := range keys.Len() {
					want[keys.Value(i)]++
				}
			}

			job := NewJob("count", WithAllocator(mem))
			out := FromSource(job, "mem", FromRecords(in...), p).KeyBy("key").Count("count").Collect()
			defer out.Release()
			if err := job.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := map[string]int64{}
			for _, r := range out.Records() {
				keys := r.Column(0).(*array.String)
				counts := int64Col(t, r, "count")
				for i := range keys.Len() {
					if _, dup := got[keys.Value(i)]; dup {
						t.Errorf("key %s counted by two subtasks", keys.Value(i))
					}
					got[keys.Value(i)] += counts[i]
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("counts\n got %v\nwant %v", got, want)
			}
		})
	}
}

// subtaskSink records the ids each sink subtask received.
type subtaskSink struct {
	mu   sync.Mutex
	ids  map[int][]int64
	bats map[int]int
}

func newSubtaskSink() *subtaskSink {
	return &subtaskSink{ids: map[int][]int64{}, bats: map[int]int{}}
}

func (s *subtaskSink) sink(t *testing.T) Sink {
	return SinkFunc(func(_ context.Context, sub int, rec arrow.Record) error {
		ids := int64Col(t, rec, "id")
		s.mu.Lock()
		defer s.mu.Unlock()
		s.ids[sub] = append(s.ids[sub], ids...)
		s.bats[sub]++
		return nil
	})
}

func TestPartitioners(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	in := makeBatches(t, mem, 9, 10, 7)
	defer release(in)
	idsOf := func(recs ...arrow.Record) []int64 {
		var ids []int64
		for _, r := range recs {
			ids = append(ids, int64Col(t, r, "id")...)
		}
		slices.Sort(ids)
		return ids
	}
	all := idsOf(in...)

	t.Run("broadcast", func(t *testing.T) {
		s := newSubtaskSink()
		job := NewJob("b", WithAllocator(mem))
		FromSource(job, "mem", FromRecords(in...), 2).Broadcast().ToParallel("sink", s.sink(t), 3)
		if err := job.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		for sub := range 3 {
			got := slices.Clone(s.ids[sub])
			slices.Sort(got)
			if !slices.Equal(got, all) {
				t.Errorf("subtask %d got %d rows, want all %d", sub, len(got), len(all))
			}
		}
	})
	t.Run("rebalance", func(t *testing.T) {
		s := newSubtaskSink()
		job := NewJob("r", WithAllocator(mem))
		FromSource(job, "mem", FromRecords(in...), 1).Rebalance().ToParallel("sink", s.sink(t), 3)
		if err := job.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		var got []int64
		for sub := range 3 {
			if s.bats[sub] != 3 {
				t.Errorf("subtask %d got %d batches, want 3 (round robin of 9)", sub, s.bats[sub])
			}
			got = append(got, s.ids[sub]...)
		}
		slices.Sort(got)
		if !slices.Equal(got, all) {
			t.Errorf("rebalance lost or duplicated rows")
		}
	})
	t.Run("forward", func(t *testing.T) {
		s := newSubtaskSink()
		job := NewJob("f", WithAllocator(mem))
		FromSource(job, "mem", FromRecords(in...), 3).To("sink", s.sink(t))
		if err := job.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		for sub := range 3 {
			// FromRecords gives batch i to subtask i mod 3; forward keeps it there.
			var mine []arrow.Record
			for i := sub; i < len(in); i += 3 {
				mine = append(mine, in[i])
			}
			got := slices.Clone(s.ids[sub])
			slices.Sort(got)
			if want := idsOf(mine...); !slices.Equal(got, want) {
				t.Errorf("subtask %d got ids %v, want %v", sub, got, want)
			}
		}
	})
	t.Run("hash", func(t *testing.T) {
		s := newSubtaskSink()
		job := NewJob("h", WithAllocator(mem))
		FromSource(job, "mem", FromRecords(in...), 2).KeyBy("key").
			Process("pass", keyed(func() Operator {
				return OperatorFunc(func(_ context.Context, r arrow.Record, out Collector) error { r.Retain(); return out.Emit(r) })
			}), 4).To("sink", s.sink(t))
		if err := job.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		// Every row reaches the subtask its key hashes to.
		keyOf := map[int64]string{}
		for _, r := range in {
			ids, keys := int64Col(t, r, "id"), r.Column(1).(*array.String)
			for i, id := range ids {
				keyOf[id] = keys.Value(i)
			}
		}
		var got []int64
		for sub, ids := range s.ids {
			for _, id := range ids {
				// The documented key hash: tag 4 (string), length, bytes.
				h, err := state.HashKey(append([]byte{4, byte(len(keyOf[id]))}, keyOf[id]...))
				if err != nil {
					t.Fatal(err)
				}
				if want := subtaskOf(h, DefaultMaxKeyGroups, 4); want != sub {
					t.Fatalf("id %d (key %s) at subtask %d, want %d", id, keyOf[id], sub, want)
				}
			}
			got = append(got, ids...)
		}
		slices.Sort(got)
		if !slices.Equal(got, all) {
			t.Errorf("hash partitioning lost or duplicated rows")
		}
	})
}

func TestUnionAndProject(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	a := makeBatches(t, mem, 4, 20, 1)
	defer release(a)
	b := makeBatches(t, mem, 3, 15, 2)
	defer release(b)

	job := NewJob("union", WithAllocator(mem))
	sa := FromSource(job, "a", FromRecords(a...), 2)
	sb := FromSource(job, "b", FromRecords(b...), 1)
	out := Union(sa, sb.Rebalance()).Project("key", "id").Collect()
	defer out.Release()
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range append(slices.Clone(a), b...) {
		keys, ids := r.Column(1), r.Column(0)
		for i := range int(r.NumRows()) {
			want = append(want, fmt.Sprintf("key=%s|id=%s|", keys.ValueStr(i), ids.ValueStr(i)))
		}
	}
	slices.Sort(want)
	if got := rowsOf(out.Records()); !slices.Equal(got, want) {
		t.Errorf("union+project: got %d rows, want %d\n%v", len(got), len(want), got[:min(3, len(got))])
	}
	if s := job.String(); !strings.Contains(s, `1 source "b" parallelism 1`) ||
		!strings.Contains(s, `project "project(key,id)" parallelism 2 <- 0 forward, 1 rebalance`) {
		t.Errorf("String():\n%s", s)
	}
	m := job.Metrics()
	if m[0].RecordsOut != 80 || m[1].RecordsOut != 45 || m[2].RecordsIn != 125 || m[3].RecordsIn != 125 {
		t.Errorf("metrics %+v", m)
	}
}

var errBoom = errors.New("boom")

// failingSource never ends on its own: it builds batches from mem until ctx
// is cancelled, counting them.
func endlessSource(mem memory.Allocator, made *atomic.Int64) Source {
	return SourceFunc(func(ctx context.Context, sub, _ int) (table.Reader, error) {
		return &endlessReader{ctx: ctx, mem: mem, made: made, sub: sub}, nil
	})
}

type endlessReader struct {
	ctx  context.Context
	mem  memory.Allocator
	made *atomic.Int64
	sub  int
	cur  arrow.Record
	n    int64
	err  error
}

func (r *endlessReader) Schema() *arrow.Schema { return nil }
func (r *endlessReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if err := r.ctx.Err(); err != nil {
		r.err = err
		return false
	}
	ids := make([]int64, 8)
	for i := range ids {
		ids[i] = r.n*8 + int64(i)
	}
	r.n++
	rec, err := table.Build(r.mem, table.Col("id", ids), table.Col("key", []string{"a", "b", "c", "d", "e", "f", "g", "h"}))
	if err != nil {
		r.err = err
		return false
	}
	r.cur = rec
	r.made.Add(1)
	return true
}
func (r *endlessReader) Record() arrow.Record { return r.cur }
func (r *endlessReader) Err() error           { return r.err }
func (r *endlessReader) Release() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}

func TestFailureStopsJobAndLeaksNothing(t *testing.T) {
	base := runtime.NumGoroutine()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var made atomic.Int64
	job := NewJob("fail", WithAllocator(mem))
	FromSource(job, "gen", endlessSource(mem, &made), 2).
		Map("copy", scaleIDs(mem)).
		KeyBy("key").
		Process("parse", keyed(func() Operator {
			n := 0
			return OperatorFunc(func(_ context.Context, r arrow.Record, out Collector) error {
				n++
				if n == 5 {
					return fmt.Errorf("bad row: %w", errBoom)
				}
				r.Retain()
				return out.Emit(r)
			})
		}), 2).
		Broadcast().
		ToParallel("sink", SinkFunc(func(context.Context, int, arrow.Record) error { return nil }), 2)
	err := job.Run(context.Background())
	if !errors.Is(err, errBoom) {
		t.Fatalf("err = %v, want errBoom", err)
	}
	if !strings.Contains(err.Error(), `operator "parse" subtask `) || !strings.Contains(err.Error(), "/2: bad row: boom") {
		t.Errorf("error does not name operator and subtask: %v", err)
	}
	checkGoroutines(t, base)
}

// scaleIDs copies a record (a map that allocates).
func scaleIDs(mem memory.Allocator) func(arrow.Record) (arrow.Record, error) {
	return func(rec arrow.Record) (arrow.Record, error) {
		idx := make([]int, rec.NumRows())
		for i := range idx {
			idx[i] = i
		}
		return table.Take(mem, rec, idx)
	}
}

func TestPanicIsRecovered(t *testing.T) {
	base := runtime.NumGoroutine()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	in := makeBatches(t, mem, 6, 10, 3)
	defer release(in)
	for _, where := range []string{"map", "sink"} {
		t.Run(where, func(t *testing.T) {
			job := NewJob("panic", WithAllocator(mem))
			s := FromSource(job, "mem", FromRecords(in...), 2).Map("explode", func(r arrow.Record) (arrow.Record, error) {
				if where == "map" && int64Col(t, r, "id")[0] >= 30 {
					var m map[string]int
					m["x"] = 1 // nil map write
				}
				return r, nil
			})
			s.To("out", SinkFunc(func(_ context.Context, _ int, r arrow.Record) error {
				if where == "sink" {
					panic("sink exploded")
				}
				return nil
			}))
			err := job.Run(context.Background())
			want := `operator "explode" subtask`
			if where == "sink" {
				want = `sink "out" subtask`
			}
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "panic:") {
				t.Fatalf("err = %v, want a recovered panic naming %s", err, want)
			}
		})
	}
	checkGoroutines(t, base)
}

func TestCancel(t *testing.T) {
	base := runtime.NumGoroutine()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var made atomic.Int64
	var written atomic.Int64
	job := NewJob("cancel", WithAllocator(mem))
	FromSource(job, "gen", endlessSource(mem, &made), 3).
		Map("copy", scaleIDs(mem)).
		Rebalance().
		ToParallel("sink", SinkFunc(func(context.Context, int, arrow.Record) error {
			if written.Add(1) == 50 {
				cancel()
			}
			return nil
		}), 2)
	err := job.Run(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if written.Load() < 50 {
		t.Errorf("only %d batches written", written.Load())
	}
	checkGoroutines(t, base)
}

func TestRunTwiceAndValidation(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	job := NewJob("twice")
	FromSource(job, "mem", FromRecords(), 1).Collect()
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := job.Run(context.Background()); !errors.Is(err, ErrAlreadyRun) {
		t.Errorf("second run: %v", err)
	}
	for _, tc := range []struct {
		name  string
		build func(*Job)
		want  string
	}{
		{"no source", func(*Job) {}, "no source"},
		{"bad parallelism", func(j *Job) { FromSource(j, "s", FromRecords(), 0).Collect() }, `source "s": parallelism 0`},
		{"duplicate", func(j *Job) {
			s := FromSource(j, "s", FromRecords(), 1)
			s.Map("m", nil).Map("m", nil)
		}, `operator "m": duplicate name`},
		{"no keys", func(j *Job) { FromSource(j, "s", FromRecords(), 1).KeyBy().Count("c") }, "key by: no key columns"},
	} {
		j := NewJob(tc.name)
		tc.build(j)
		if err := j.Run(context.Background()); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	if err := NewJob("cap", WithChannelCapacity(0)).Run(context.Background()); err == nil || !strings.Contains(err.Error(), "channel capacity 0") {
		t.Errorf("capacity: %v", err)
	}
}

func TestKeyColumnErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	in := makeBatches(t, mem, 2, 5, 1)
	defer release(in)
	job := NewJob("badkey", WithAllocator(mem))
	FromSource(job, "mem", FromRecords(in...), 1).KeyBy("nope").Count("c").Collect()
	err := job.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), `source "mem" subtask 1/1: key by:`) || !strings.Contains(err.Error(), "nope") {
		t.Errorf("err = %v", err)
	}
}
