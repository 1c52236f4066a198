package stream

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/table"
)

func recElem(t *testing.T, mem memory.Allocator, id int64) element {
	rec, err := table.Build(mem, table.Col("id", []int64{id}))
	if err != nil {
		t.Fatal(err)
	}
	return element{kind: elemRecord, rec: rec}
}

// describe renders a gate event for comparisons.
func describe(t *testing.T, e element) string {
	switch e.kind {
	case elemRecord:
		defer e.rec.Release()
		return fmt.Sprintf("r%d", int64Col(t, e.rec, "id")[0])
	case elemWatermark:
		if e.val == MaxWatermark {
			return "w+inf"
		}
		return fmt.Sprintf("w%d", e.val)
	case elemBarrier:
		return fmt.Sprintf("b%d", e.val)
	}
	return "end"
}

func TestGateWatermarkIsMinOfInputs(t *testing.T) {
	ch := []chan element{make(chan element, 8), make(chan element, 8)}
	g := newInputGate(context.Background(), ch)
	next := func() string {
		e, err := g.next()
		if err != nil {
			t.Fatal(err)
		}
		return describe(t, e)
	}
	ch[0] <- element{kind: elemWatermark, val: 10}
	ch[0] <- element{kind: elemWatermark, val: 8} // not monotonic: ignored
	ch[1] <- element{kind: elemWatermark, val: 5}
	if got := next(); got != "w5" {
		t.Fatalf("got %s, want w5 (min of 10 and 5)", got)
	}
	ch[1] <- element{kind: elemWatermark, val: 20}
	if got := next(); got != "w10" {
		t.Fatalf("got %s, want w10", got)
	}
	close(ch[0]) // ended input counts as +inf
	if got := next(); got != "w20" {
		t.Fatalf("got %s, want w20", got)
	}
	ch[1] <- element{kind: elemWatermark, val: MaxWatermark}
	close(ch[1])
	if got := next(); got != "w+inf" {
		t.Fatalf("got %s, want w+inf", got)
	}
	if got := next(); got != "end" {
		t.Fatalf("got %s, want end", got)
	}
}

func TestGateAlignsBarriers(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ch := []chan element{make(chan element, 8), make(chan element, 8), make(chan element, 8)}
	g := newInputGate(context.Background(), ch)
	events := make(chan string)
	go func() {
		defer close(events)
		for {
			e, err := g.next()
			if err != nil {
				events <- err.Error()
				return
			}
			events <- describe(t, e)
			if e.kind == elemEnd {
				return
			}
		}
	}()
	expect := func(want string) {
		t.Helper()
		if got := <-events; got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	}
	// Channel 0 delivers barrier 1 early, with records after it available
	// at once: they must wait until barrier 1 has arrived on 1 and 2.
	ch[0] <- recElem(t, mem, 1)
	ch[0] <- element{kind: elemBarrier, val: 1}
	ch[0] <- recElem(t, mem, 2)
	ch[0] <- recElem(t, mem, 3)
	expect("r1")
	ch[1] <- recElem(t, mem, 10)
	expect("r10") // not r2: channel 0 is blocked
	ch[1] <- element{kind: elemBarrier, val: 1}
	ch[1] <- recElem(t, mem, 11)
	ch[2] <- recElem(t, mem, 20)
	expect("r20")
	close(ch[2]) // an ended channel counts as aligned
	expect("b1")
	var rest []string
	rest = append(rest, <-events, <-events, <-events)
	slices.Sort(rest)
	if !slices.Equal(rest, []string{"r11", "r2", "r3"}) {
		t.Fatalf("after barrier: %v", rest)
	}
	// A different barrier during alignment is a protocol error.
	ch[0] <- element{kind: elemBarrier, val: 2}
	ch[1] <- element{kind: elemBarrier, val: 3}
	if got := <-events; got != "barrier 3 on input 1 while aligning barrier 2" && got != "barrier 2 on input 0 while aligning barrier 3" {
		t.Fatalf("got %q", got)
	}
}

func TestWatermarkFromColumn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// Three batches with event times up to 100, 250 (out of order inside),
	// and 240 (late batch: the watermark must not go back).
	var in []arrow.Record
	for _, ts := range [][]time.Time{
		{time.UnixMilli(50), time.UnixMilli(100)},
		{time.UnixMilli(250), time.UnixMilli(120)},
		{time.UnixMilli(240)},
	} {
		rec, err := table.Build(mem, table.TimestampCol("ts", arrow.Microsecond, "UTC", ts, nil))
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, rec)
	}
	defer release(in)

	var mu sync.Mutex
	var seen []string
	probe := func() Operator {
		return &wmProbe{log: func(s string) { mu.Lock(); seen = append(seen, s); mu.Unlock() }}
	}
	job := NewJob("wm", WithAllocator(mem))
	FromSource(job, "mem", FromRecords(in...), 1).
		AssignWatermarks("ts", 10*time.Millisecond).
		Process("probe", probe, 1).
		Collect()
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"rows 2", "wm 90", "rows 2", "wm 240", "rows 1", "wm +inf", "finish"}
	if !slices.Equal(seen, want) {
		t.Errorf("got %v\nwant %v", seen, want)
	}
}

type wmProbe struct{ log func(string) }

func (p *wmProbe) ProcessBatch(_ context.Context, rec arrow.Record, _ Collector) error {
	p.log(fmt.Sprintf("rows %d", rec.NumRows()))
	return nil
}

func (p *wmProbe) OnWatermark(_ context.Context, wm int64, out Collector) error {
	if wm == MaxWatermark {
		p.log("wm +inf")
	} else {
		p.log(fmt.Sprintf("wm %d", wm))
	}
	return out.EmitWatermark(wm)
}

func (p *wmProbe) Finish(context.Context, Collector) error { p.log("finish"); return nil }

// gatedSource serves its share of recs but, before batch k*every, waits
// until checkpoint k has completed, so checkpoints happen mid-stream.
type gatedSource struct {
	recs  []arrow.Record
	every int
	done  *atomic.Int64 // completed checkpoints
}

func (s *gatedSource) Open(ctx context.Context, sub, par int) (table.Reader, error) {
	r, _ := FromRecords(s.recs...).Open(ctx, sub, par)
	return &gatedReader{sliceReader: r.(*sliceReader), ctx: ctx, s: s}, nil
}

type gatedReader struct {
	*sliceReader
	ctx context.Context
	s   *gatedSource
	n   int
	err error
}

func (r *gatedReader) Next() bool {
	// Wait only before a real batch (not before the final call that ends).
	if r.n > 0 && r.n%r.s.every == 0 && r.pos+1 < len(r.recs) {
		for r.s.done.Load() < int64(r.n/r.s.every) {
			if r.ctx.Err() != nil {
				r.err = r.ctx.Err()
				return false
			}
			time.Sleep(200 * time.Microsecond)
		}
	}
	r.n++
	return r.sliceReader.Next()
}

func (r *gatedReader) Err() error { return r.err }

// barrierSink counts, per sink subtask, the rows seen before each barrier.
type barrierSink struct {
	mu       sync.Mutex
	rows     map[int]int64
	barriers map[int][]int64
	rowsAt   map[int64]int64 // barrier id -> rows before it (all subtasks)
}

func (s *barrierSink) Open(_ context.Context, sub, _ int) (SinkWriter, error) {
	return &barrierWriter{s: s, sub: sub}, nil
}

type barrierWriter struct {
	s   *barrierSink
	sub int
}

func (w *barrierWriter) Write(_ context.Context, rec arrow.Record) error {
	w.s.mu.Lock()
	w.s.rows[w.sub] += rec.NumRows()
	w.s.mu.Unlock()
	return nil
}

func (w *barrierWriter) OnBarrier(_ context.Context, id int64) error {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	w.s.barriers[w.sub] = append(w.s.barriers[w.sub], id)
	w.s.rowsAt[id] += w.s.rows[w.sub]
	return nil
}

func (w *barrierWriter) Close(context.Context) error { return nil }

func TestCheckpointBarriersAligned(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	a := makeBatches(t, mem, 40, 7, 1)
	defer release(a)
	b := makeBatches(t, mem, 30, 5, 2)
	defer release(b)

	var done atomic.Int64
	var mu sync.Mutex
	var cps []Checkpoint
	sink := &barrierSink{rows: map[int]int64{}, barriers: map[int][]int64{}, rowsAt: map[int64]int64{}}
	job := NewJob("ckpt", WithAllocator(mem), WithCheckpointInterval(time.Millisecond),
		WithCheckpointListener(func(cp Checkpoint) {
			mu.Lock()
			cps = append(cps, cp)
			mu.Unlock()
			done.Store(cp.ID)
		}))
	sa := FromSource(job, "a", &gatedSource{recs: a, every: 5, done: &done}, 2)
	sb := FromSource(job, "b", &gatedSource{recs: b, every: 3, done: &done}, 3)
	Union(sa, sb).Rebalance().
		Map("id", func(r arrow.Record) (arrow.Record, error) { return r, nil }).
		KeyBy("key").Process("pass", keyed(func() Operator {
		return OperatorFunc(func(_ context.Context, r arrow.Record, out Collector) error { r.Retain(); return out.Emit(r) })
	}), 2).
		ToParallel("sink", sink, 2)
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(cps) < 3 {
		t.Fatalf("%d checkpoints completed, want at least 3", len(cps))
	}
	for i, cp := range cps {
		if cp.ID != int64(i+1) {
			t.Fatalf("checkpoint %d has id %d", i, cp.ID)
		}
		// Alignment: rows the sinks saw before barrier n are exactly the
		// rows the sources had emitted when they sent barrier n.
		var emitted int64
		for _, offs := range cp.SourceOffsets {
			for _, o := range offs {
				emitted += o
			}
		}
		if got := sink.rowsAt[cp.ID]; got != emitted {
			t.Errorf("checkpoint %d: sinks saw %d rows before the barrier, sources emitted %d", cp.ID, got, emitted)
		}
	}
	for sub := range 2 {
		got := sink.barriers[sub]
		// Each sink subtask sees every barrier once, in order (the last one
		// may still have been in flight when a source ended).
		if len(got) < len(cps) {
			t.Errorf("sink %d saw barriers %v, want at least %d", sub, got, len(cps))
		}
		for i, id := range got {
			if id != int64(i+1) {
				t.Errorf("sink %d saw barriers %v, want 1, 2, 3...", sub, got)
				break
			}
		}
	}
	if total := sink.rows[0] + sink.rows[1]; total != 40*7+30*5 {
		t.Errorf("sinks saw %d rows, want %d", total, 40*7+30*5)
	}
}

func TestBackpressureBoundsInFlight(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const capacity = 2
	var made atomic.Int64
	var written int64
	var maxInFlight int64
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	job := NewJob("bp", WithAllocator(mem), WithChannelCapacity(capacity))
	FromSource(job, "gen", endlessSource(mem, &made), 1).
		Map("copy", scaleIDs(mem)).
		To("slow", SinkFunc(func(context.Context, int, arrow.Record) error {
			written++
			maxInFlight = max(maxInFlight, made.Load()-written)
			if written == 300 {
				cancel()
			}
			time.Sleep(50 * time.Microsecond) // a slow sink: let the source run ahead
			return nil
		}))
	if err := job.Run(ctx); err != context.Canceled {
		t.Fatalf("run: %v", err)
	}
	// Batches alive between the reader and the sink: one in the reader,
	// one on the reader->source hand-off, one in the source loop, capacity
	// on each of the two edges, one in the map, one in the sink.
	bound := int64(5 + 2*capacity)
	if maxInFlight > bound {
		t.Errorf("%d batches in flight, want at most %d", maxInFlight, bound)
	}
	if maxInFlight < 2 {
		t.Errorf("%d batches in flight: the source never ran ahead, test proves nothing", maxInFlight)
	}
}
