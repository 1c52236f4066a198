package stream

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/checkpoint"
	"github.com/eddyml/eddy/pipeline/table"
)

func TestGateIdleChannels(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ch := []chan element{make(chan element, 8), make(chan element, 8)}
	g := newInputGate(context.Background(), ch)
	next := func() string {
		t.Helper()
		e, err := g.next()
		if err != nil {
			t.Fatal(err)
		}
		if e.kind == elemIdle {
			return "idle"
		}
		return describe(t, e)
	}
	steps := []struct {
		in   int
		e    element
		want string // "" when the step returns nothing
	}{
		{0, element{kind: elemWatermark, val: 10}, ""}, // input 1 holds the watermark back
		{1, element{kind: elemIdle}, "w10"},            // input 1 idle: left out
		{0, element{kind: elemWatermark, val: 20}, "w20"},
		{1, recElem(t, mem, 7), "r7"},                  // input 1 active again
		{1, element{kind: elemWatermark, val: 15}, ""}, // min 15 < 20: no regression
		{0, element{kind: elemWatermark, val: 30}, ""}, // min(30, 15)
		{1, element{kind: elemWatermark, val: 25}, "w25"},
		{0, element{kind: elemIdle}, ""},     // input 0 idle: min over input 1 is 25 already
		{1, element{kind: elemIdle}, "w30"},  // all idle: the largest, then idle
		{1, element{kind: elemIdle}, ""},     // already idle
		{0, recElem(t, mem, 8), "r8"},        // active again
		{0, element{kind: elemIdle}, "idle"}, // all idle again: reported again
		{1, element{kind: elemWatermark, val: 40}, "w40"},
	}
	for i, s := range steps {
		ch[s.in] <- s.e
		if s.want == "" {
			continue
		}
		if got := next(); got != s.want {
			t.Fatalf("step %d: got %s, want %s", i, got, s.want)
		}
		if s.want == "w30" {
			if got := next(); got != "idle" {
				t.Fatalf("step %d: got %s, want idle after the last input went idle", i, got)
			}
		}
	}
	close(ch[0])
	close(ch[1])
	if got := next(); got != "w+inf" {
		t.Fatalf("got %s, want w+inf", got)
	}
}

// quietReader delivers recs, then blocks until ctx is cancelled (an
// unbounded source with nothing more to say).
type quietReader struct {
	ctx  context.Context
	recs []arrow.Record
	cur  arrow.Record
	err  error
}

func (r *quietReader) Schema() *arrow.Schema { return nil }
func (r *quietReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if len(r.recs) > 0 {
		r.cur, r.recs = r.recs[0], r.recs[1:]
		return true
	}
	<-r.ctx.Done()
	r.err = r.ctx.Err()
	return false
}
func (r *quietReader) Record() arrow.Record { return r.cur }
func (r *quietReader) Err() error           { return r.err }
func (r *quietReader) Release() {
	if r.cur != nil {
		r.cur.Release()
	}
	for _, rec := range r.recs {
		rec.Release()
	}
}

// lastWM forwards everything and records the last watermark it saw.
type lastWM struct{ last *atomic.Int64 }

func (p lastWM) ProcessBatch(_ context.Context, rec arrow.Record, out Collector) error {
	rec.Retain()
	return out.Emit(rec)
}

func (p lastWM) OnWatermark(_ context.Context, wm int64, out Collector) error {
	p.last.Store(wm)
	return out.EmitWatermark(wm)
}

func TestIdleSourceReleasesWatermark(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, idle := range []bool{false, true} {
		t.Run(fmt.Sprint("idle=", idle), func(t *testing.T) {
			rec, err := table.Build(mem, table.Col("key", []string{"a", "b"}), table.Col("ts", []int64{100, 250}))
			if err != nil {
				t.Fatal(err)
			}
			defer rec.Release()
			var clock atomic.Int64 // ns on the job's clock
			now := func() time.Time { return time.Unix(0, clock.Load()) }
			opts := []Option{WithAllocator(mem), WithClock(now)}
			if idle {
				opts = append(opts, WithSourceIdleTimeout(time.Second))
			}
			job := NewJob("idle", opts...)
			src := SourceFunc(func(ctx context.Context, sub, _ int) (table.Reader, error) {
				if sub == 0 {
					rec.Retain()
					return &quietReader{ctx: ctx, recs: []arrow.Record{rec}}, nil
				}
				return &quietReader{ctx: ctx}, nil // subtask 1 never produces
			})
			var last atomic.Int64
			last.Store(MinWatermark)
			FromSource(job, "src", src, 2).AssignWatermarks("ts", 0).
				Process("probe", func() Operator { return lastWM{&last} }, 1).
				To("discard", SinkFunc(func(context.Context, int, arrow.Record) error { return nil }))
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- job.Run(ctx) }()
			// The clock has not moved: subtask 1 holds the watermark.
			time.Sleep(50 * time.Millisecond)
			if w := last.Load(); w != MinWatermark {
				t.Fatalf("watermark %d before any timeout, want none", w)
			}
			clock.Add(int64(2 * time.Second))
			deadline := time.Now().Add(2 * time.Second)
			for last.Load() != 250 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			got := last.Load()
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("run: %v", err)
			}
			if idle && got != 250 {
				t.Errorf("watermark %d with an idle subtask, want 250 (subtask 0's)", got)
			}
			if !idle && got != MinWatermark {
				t.Errorf("watermark %d without idleness, want none: subtask 1 holds it", got)
			}
		})
	}
}

// evenOdd emits even ids on the main output and odd ones to side "odd",
// and every row to side "unread" that nothing consumes.
type evenOdd struct{ mem memory.Allocator }

func (o *evenOdd) Open(_ context.Context, oc *OperatorContext) error {
	o.mem = oc.Allocator
	return nil
}

func (o *evenOdd) ProcessBatch(_ context.Context, rec arrow.Record, out Collector) error {
	ids := ids(rec)
	even := make([]bool, len(ids))
	odd := make([]bool, len(ids))
	for i, id := range ids {
		even[i], odd[i] = id%2 == 0, id%2 != 0
	}
	e, err := table.Filter(o.mem, rec, even)
	if err != nil {
		return err
	}
	if err := out.Emit(e); err != nil {
		return err
	}
	od, err := table.Filter(o.mem, rec, odd)
	if err != nil {
		return err
	}
	if err := out.EmitTo("odd", od); err != nil {
		return err
	}
	rec.Retain()
	return out.EmitTo("unread", rec)
}

// ids returns the id column of rec.
func ids(rec arrow.Record) []int64 {
	i, _ := table.FieldIndex(rec.Schema(), "id")
	return rec.Column(i).(*array.Int64).Int64Values()
}

func TestSideOutput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := makeBatches(t, mem, 10, 17, 3)
	defer release(recs)
	job := NewJob("side", WithAllocator(mem))
	split := FromSource(job, "src", FromRecords(recs...), 2).Process("split", func() Operator { return &evenOdd{} }, 3)
	main := split.Collect()
	odd := split.SideOutput("odd").Rebalance().Process("pass", func() Operator { return lastWM{new(atomic.Int64)} }, 1).Collect()
	defer main.Release()
	defer odd.Release()
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var ev, od []int64
	for _, r := range main.Records() {
		ev = append(ev, int64Col(t, r, "id")...)
	}
	for _, r := range odd.Records() {
		od = append(od, int64Col(t, r, "id")...)
	}
	slices.Sort(ev)
	slices.Sort(od)
	if len(ev)+len(od) != 170 || len(ev) != 85 {
		t.Fatalf("%d even and %d odd rows, want 85 and 85", len(ev), len(od))
	}
	for i := range ev {
		if ev[i] != int64(2*i) || od[i] != int64(2*i+1) {
			t.Fatalf("row %d: even %d odd %d", i, ev[i], od[i])
		}
	}
	m := job.Metrics()[1]
	if m.RecordsOut != 85 || m.SideRecordsOut != 85+170 {
		t.Errorf("metrics: %d out, %d side, want 85 and 255 (unread side rows counted)", m.RecordsOut, m.SideRecordsOut)
	}
	if want := "side(odd) rebalance"; !containsLine(job.String(), want) {
		t.Errorf("graph %q does not show %q", job.String(), want)
	}
}

func containsLine(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// coSum sums data ids and counts control rows; Finish emits (subtask,
// data_sum, control_rows). Its sums are operator state (snapshotted). It
// fails once (across restarts), at the first data call numbered failAt or
// more once ready (a checkpoint completed) is set.
type coSum struct {
	oc              *OperatorContext
	data, ctl       int64
	calls           *atomic.Int64
	failAt          int64
	ready, failed   *atomic.Bool
	sawCtlBeforeEnd bool
}

func (o *coSum) Open(_ context.Context, oc *OperatorContext) error { o.oc = oc; return nil }

func (o *coSum) ProcessData(_ context.Context, rec arrow.Record, _ Collector) error {
	if c := o.calls.Add(1); o.failAt > 0 && c >= o.failAt && o.ready.Load() && o.failed.CompareAndSwap(false, true) {
		return errInjected
	}
	for _, id := range ids(rec) {
		o.data += id
	}
	return nil
}

func (o *coSum) ProcessControl(_ context.Context, rec arrow.Record, _ Collector) error {
	o.ctl += rec.NumRows()
	return nil
}

func (o *coSum) Snapshot(context.Context, int64) ([]byte, error) {
	return fmt.Appendf(nil, "%d %d", o.data, o.ctl), nil
}

func (o *coSum) Restore(_ context.Context, _ int64, states [][]byte) error {
	o.data, o.ctl = 0, 0
	for _, s := range states {
		var d, c int64
		if _, err := fmt.Sscanf(string(s), "%d %d", &d, &c); err != nil {
			return err
		}
		o.data, o.ctl = o.data+d, c
	}
	return nil
}

func (o *coSum) Finish(_ context.Context, out Collector) error {
	rec, err := table.Build(o.oc.Allocator, table.Col("subtask", []int64{int64(o.oc.Subtask)}),
		table.Col("data", []int64{o.data}), table.Col("control", []int64{o.ctl}))
	if err != nil {
		return err
	}
	return out.Emit(rec)
}

func TestConnectBroadcastsControlAndRecovers(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	data := makeBatches(t, mem, 60, 10, 5)
	defer release(data)
	control := makeBatches(t, mem, 20, 3, 6)
	defer release(control)
	var want int64
	for i := range 600 {
		want += int64(i)
	}
	for _, fail := range []int64{0, 40} {
		t.Run(fmt.Sprint("fail=", fail), func(t *testing.T) {
			dir := t.TempDir()
			store, err := checkpoint.NewDir(filepath.Join(dir, "ckpt"), 2)
			if err != nil {
				t.Fatal(err)
			}
			var calls atomic.Int64
			var ready, failed atomic.Bool
			job := NewJob("connect", WithAllocator(mem), WithCheckpointInterval(2*time.Millisecond),
				WithCheckpointStorage(store), WithRestartStrategy(RestartStrategy{MaxAttempts: 2}),
				WithCheckpointListener(func(Checkpoint) { ready.Store(true) }))
			// The data sources keep their last batches until a checkpoint
			// completed, so the failure comes after one.
			d := FromSource(job, "data", &pacedSource{recs: data, pause: 300 * time.Microsecond, hold: &ready}, 2)
			c := FromSource(job, "control", &pacedSource{recs: control, pause: 700 * time.Microsecond}, 1)
			Connect(d, c).Process("co", func() CoOperator {
				return &coSum{calls: &calls, failAt: fail, ready: &ready, failed: &failed}
			}, 3).
				ToParallel("out", NewFileSink(filepath.Join(dir, "out")), 1)
			if !containsLine(job.String(), "control broadcast") {
				t.Errorf("graph does not show the control edge:\n%s", job)
			}
			if err := job.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			st := job.CheckpointStats()
			if fail > 0 && (st.Restarts != 1 || st.LastRestore == 0) {
				t.Errorf("restarts %d from checkpoint %d, want 1 from a checkpoint", st.Restarts, st.LastRestore)
			}
			got := readParts(t, mem, filepath.Join(dir, "out"))
			defer release(got)
			var sum int64
			subs := map[int64]bool{}
			for _, r := range got {
				for i, s := range int64Col(t, r, "subtask") {
					subs[s] = true
					sum += int64Col(t, r, "data")[i]
					if n := int64Col(t, r, "control")[i]; n != 60 {
						t.Errorf("subtask %d saw %d control rows, want all 60 (broadcast, exactly once)", s, n)
					}
				}
			}
			if len(subs) != 3 || sum != want {
				t.Errorf("%d subtasks reported, data sum %d: want 3 and %d", len(subs), sum, want)
			}
		})
	}
}

// slowSink sleeps per batch, so upstream subtasks block sending.
func TestBusyAndBackpressureTime(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := makeBatches(t, mem, 30, 10, 9)
	defer release(recs)
	job := NewJob("slow", WithAllocator(mem), WithChannelCapacity(1))
	FromSource(job, "src", FromRecords(recs...), 1).
		Map("burn", func(r arrow.Record) (arrow.Record, error) {
			deadline := time.Now().Add(200 * time.Microsecond)
			for time.Now().Before(deadline) {
			}
			return r, nil
		}).
		To("slow", SinkFunc(func(context.Context, int, arrow.Record) error {
			time.Sleep(2 * time.Millisecond)
			return nil
		}))
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	m := job.Metrics()
	if m[1].BusyTime < 30*200*time.Microsecond {
		t.Errorf("map busy %v, want at least %v", m[1].BusyTime, 30*200*time.Microsecond)
	}
	if m[1].BackpressureTime < 20*time.Millisecond {
		t.Errorf("map backpressure %v, want most of the sink's 60ms", m[1].BackpressureTime)
	}
	if m[2].BusyTime < 50*time.Millisecond || m[2].BackpressureTime != 0 {
		t.Errorf("sink busy %v backpressure %v, want about 60ms and 0", m[2].BusyTime, m[2].BackpressureTime)
	}
}
