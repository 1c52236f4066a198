package stream

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// timerOp registers, for every row, an event-time timer at the end of the
// row's 100 ms bucket; OnTimer appends the bucket to the key's list state,
// checking timers come in time order and only once the watermark reached
// them. Finish emits (key, "t1,t2,...").
type timerOp struct {
	kc    *KeyedContext
	fired *state.ListState[int64]
	last  int64
}

func bucketEnd(ts int64) int64 { return (ts/100)*100 + 99 }

func (o *timerOp) Open(_ context.Context, kc *KeyedContext) error {
	o.kc, o.last = kc, MinWatermark
	var err error
	o.fired, err = state.NewListState(kc.State(), "fired", state.Int64)
	return err
}

func (o *timerOp) ProcessBatch(_ context.Context, kc *KeyedContext, rec arrow.Record, _ Collector) error {
	i, err := table.FieldIndex(rec.Schema(), "ts")
	if err != nil {
		return err
	}
	ts := rec.Column(i).(*array.Int64).Int64Values()
	return kc.ForEachKey(rec, func(rows []int) error {
		for _, r := range rows {
			kc.RegisterEventTimer(bucketEnd(ts[r]))
		}
		return nil
	})
}

func (o *timerOp) OnTimer(_ context.Context, kc *KeyedContext, t Timer, _ Collector) error {
	if t.Domain != EventTime {
		return fmt.Errorf("timer domain %v", t.Domain)
	}
	if t.Time < o.last {
		return fmt.Errorf("timer %d fired after timer %d", t.Time, o.last)
	}
	if kc.Watermark() < t.Time {
		return fmt.Errorf("timer %d fired at watermark %d", t.Time, kc.Watermark())
	}
	o.last = t.Time
	o.fired.Add(t.Time)
	return nil
}

func (o *timerOp) Finish(_ context.Context, out Collector) error {
	kb := array.NewStringBuilder(o.kc.Allocator)
	defer kb.Release()
	var lists []string
	err := o.kc.ForEachStateKey("fired", func() error {
		var parts []string
		for _, t := range o.fired.Get() {
			parts = append(parts, strconv.FormatInt(t, 10))
		}
		lists = append(lists, strings.Join(parts, ","))
		return o.kc.AppendKey([]array.Builder{kb})
	})
	if err != nil || len(lists) == 0 {
		return err
	}
	rec, err := table.Build(o.kc.Allocator, table.Col("key", strs(kb)), table.Col("fired", lists))
	if err != nil {
		return err
	}
	return out.Emit(rec)
}

func timerJob(mem memory.Allocator, src Source, par int, stop *atomic.Bool, opts ...Option) (*Job, *Collected) {
	job := NewJob("timers", append([]Option{WithAllocator(mem)}, opts...)...)
	out := FromSource(job, "gen", src, 2).
		Map("stop", func(r arrow.Record) (arrow.Record, error) {
			if stop != nil && stop.Load() {
				return nil, errInjected
			}
			return r, nil
		}).
		AssignWatermarks("ts", 60*time.Millisecond).
		KeyBy("key").
		Process("timers", func() KeyedOperator { return &timerOp{} }, par).
		Collect()
	return job, out
}

func expectedTimers(t *testing.T, recs []arrow.Record) map[string]string {
	buckets := map[string][]int64{}
	for _, r := range recs {
		keys := r.Column(1).(*array.String)
		for i, ts := range int64Col(t, r, "ts") {
			buckets[keys.Value(i)] = append(buckets[keys.Value(i)], bucketEnd(ts))
		}
	}
	out := map[string]string{}
	for k, b := range buckets {
		slices.Sort(b)
		var parts []string
		for _, v := range slices.Compact(b) {
			parts = append(parts, strconv.FormatInt(v, 10))
		}
		out[k] = strings.Join(parts, ",")
	}
	return out
}

func firedOf(t *testing.T, c *Collected) map[string]string {
	out := map[string]string{}
	for _, r := range c.Records() {
		keys, lists := r.Column(0).(*array.String), r.Column(1).(*array.String)
		for i := range keys.Len() {
			if _, dup := out[keys.Value(i)]; dup {
				t.Fatalf("key %s output twice", keys.Value(i))
			}
			out[keys.Value(i)] = lists.Value(i)
		}
	}
	return out
}

func TestEventTimersFireInOrderAndSurviveRestore(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := sumBatches(t, mem, 60, 20, 11, 3)
	defer release(recs)
	want := expectedTimers(t, recs)

	t.Run("no failure", func(t *testing.T) {
		job, out := timerJob(mem, FromRecords(recs...), 3, nil)
		defer out.Release()
		if err := job.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := firedOf(t, out); !mapsEqual(got, want) {
			t.Errorf("fired timers\n got %v\nwant %v", got, want)
		}
	})
	t.Run("restore 2->3", func(t *testing.T) {
		store := checkpoint.NewMemory(2)
		var stop atomic.Bool
		var done atomic.Int64
		job1, out1 := timerJob(mem, &gatedSource{recs: recs, every: 3, done: &done}, 2, &stop,
			WithCheckpointInterval(2*time.Millisecond), WithCheckpointStorage(store),
			WithCheckpointListener(func(cp Checkpoint) {
				done.Store(cp.ID)
				if cp.ID == 4 {
					stop.Store(true)
				}
			}))
		defer out1.Release()
		if err := job1.Run(context.Background()); !errors.Is(err, errInjected) {
			t.Fatalf("run 1: %v, want the injected failure", err)
		}
		m, err := store.Latest(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if m.Nodes["timers"].Files[0] == "" && m.Nodes["timers"].Files[1] == "" {
			t.Fatal("checkpoint holds no timer state")
		}
		job2, out2 := timerJob(mem, FromRecords(recs...), 3, nil, WithRestoreFrom(store))
		defer out2.Release()
		if err := job2.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if job2.CheckpointStats().LastRestore < 4 {
			t.Fatalf("restored checkpoint %d", job2.CheckpointStats().LastRestore)
		}
		if got := firedOf(t, out2); !mapsEqual(got, want) {
			t.Errorf("fired timers after restore\n got %v\nwant %v", got, want)
		}
	})
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// holdSource emits its batches, then waits until release is closed.
type holdSource struct {
	recs    []arrow.Record
	release chan struct{}
}

func (s *holdSource) Open(ctx context.Context, sub, par int) (table.Reader, error) {
	r, _ := FromRecords(s.recs...).Open(ctx, sub, par)
	return &holdReader{sliceReader: r.(*sliceReader), ctx: ctx, s: s}, nil
}

type holdReader struct {
	*sliceReader
	ctx context.Context
	s   *holdSource
}

func (r *holdReader) Next() bool {
	if r.sliceReader.Next() {
		return true
	}
	select {
	case <-r.s.release:
	case <-r.ctx.Done():
	}
	return false
}

func TestProcessingTimersUseInjectedClock(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	base := runtimeGoroutines()
	recs := sumBatches(t, mem, 4, 10, 5, 9)
	defer release(recs)
	t0 := time.UnixMilli(1_700_000_000_000)
	var now atomic.Int64
	now.Store(t0.UnixMilli())
	clock := func() time.Time { return time.UnixMilli(now.Load()) }

	var mu sync.Mutex
	fired := map[string][]Timer{}
	var registered atomic.Int64
	src := &holdSource{recs: recs, release: make(chan struct{})}
	nKeys := len(expectedTimers(t, recs))
	job := NewJob("proc", WithAllocator(mem), WithClock(clock))
	FromSource(job, "gen", src, 1).KeyBy("key").Process("proc", func() KeyedOperator {
		return &procOp{registered: &registered, onTimer: func(key string, tm Timer) {
			mu.Lock()
			defer mu.Unlock()
			fired[key] = append(fired[key], tm)
			if len(fired) == nKeys {
				close(src.release)
			}
		}}
	}, 2).To("sink", SinkFunc(func(context.Context, int, arrow.Record) error { return nil }))
	done := make(chan error, 1)
	go func() { done <- job.Run(context.Background()) }()
	for registered.Load() < 40 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	mu.Lock()
	early := len(fired)
	mu.Unlock()
	if early != 0 {
		t.Errorf("%d keys fired before the clock reached their timers", early)
	}
	now.Add(1000)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("processing-time timers did not fire")
	}
	for k, ts := range fired {
		if len(ts) != 1 || ts[0] != (Timer{Time: t0.UnixMilli() + 1000, Domain: ProcessingTime}) {
			t.Errorf("key %s fired %v, want one processing-time timer at %d", k, ts, t0.UnixMilli()+1000)
		}
	}
	checkGoroutines(t, base)
}

type procOp struct {
	registered *atomic.Int64
	onTimer    func(string, Timer)
}

func (o *procOp) ProcessBatch(_ context.Context, kc *KeyedContext, rec arrow.Record, _ Collector) error {
	return kc.ForEachKey(rec, func(rows []int) error {
		for range rows {
			kc.RegisterProcessingTimer(kc.Now().UnixMilli() + 1000) // deduplicated per key
			o.registered.Add(1)
		}
		return nil
	})
}

func (o *procOp) OnTimer(_ context.Context, kc *KeyedContext, tm Timer, _ Collector) error {
	o.onTimer(string(kc.CurrentKey()), tm)
	return nil
}

// TestTickerRunsWithoutInput: a non-keyed Ticker operator is ticked while
// its source holds back (no element arrives), on its own goroutine, and
// what it emits on a tick reaches the sink before the end of input.
func TestTickerRunsWithoutInput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	base := runtimeGoroutines()
	recs := makeBatches(t, mem, 2, 10, 1)
	defer release(recs)
	src := &holdSource{recs: recs, release: make(chan struct{})}
	var sunk atomic.Int64
	job := NewJob("tick", WithAllocator(mem))
	FromSource(job, "gen", src, 1).Process("ticker", func() Operator {
		return &tickOp{release: src.release}
	}, 1).To("sink", SinkFunc(func(_ context.Context, _ int, rec arrow.Record) error {
		sunk.Add(rec.NumRows())
		return nil
	}))
	done := make(chan error, 1)
	go func() { done <- job.Run(context.Background()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the operator was not ticked while its source held back")
	}
	// 20 input rows passed through, plus one row per tick (3).
	if got := sunk.Load(); got != 23 {
		t.Errorf("sink got %d rows, want 23", got)
	}
	checkGoroutines(t, base)
}

// tickOp passes batches through and, on each of its first three ticks
// after the input, emits a one-row batch; then it lets the source end.
type tickOp struct {
	seen    int
	ticks   int
	release chan struct{}
	mem     memory.Allocator
}

func (o *tickOp) Open(_ context.Context, oc *OperatorContext) error {
	o.mem = oc.Allocator
	return nil
}

func (o *tickOp) ProcessBatch(_ context.Context, rec arrow.Record, out Collector) error {
	o.seen++
	rec.Retain()
	return out.Emit(rec)
}

func (o *tickOp) TickInterval() time.Duration { return 5 * time.Millisecond }

func (o *tickOp) OnTick(_ context.Context, out Collector) error {
	if o.seen < 2 || o.ticks == 3 {
		return nil
	}
	o.ticks++
	rec, err := table.Build(o.mem, table.Col("tick", []int64{int64(o.ticks)}))
	if err != nil {
		return err
	}
	if err := out.Emit(rec); err != nil {
		return err
	}
	if o.ticks == 3 {
		close(o.release)
	}
	return nil
}
