package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"golang.org/x/sync/errgroup"

	"github.com/eddyml/eddy/pipeline/checkpoint"
	"github.com/eddyml/eddy/pipeline/table"
)

// ErrAlreadyRun is returned by a second call to Run.
var ErrAlreadyRun = errors.New("job already run")

// outEdge is one upstream subtask's side of an edge: the channels to every
// downstream subtask and how batches are spread over them.
type outEdge struct {
	part  partitioning
	chans []chan element
	rr    int              // next rebalance target
	hash  *hashPartitioner // partHash only
	sub   int              // upstream subtask, for forward
	tag   string           // side output tag, "" for the main output
}

// output is the Collector of one subtask. It is used by one goroutine.
type output struct {
	ctx   context.Context
	mem   memory.Allocator
	edges []*outEdge // every edge: control elements go to all
	main  []*outEdge // edges of the main output
	side  map[string][]*outEdge
	m     *counters
	wm    int64
	idle  bool  // the idle status was sent and nothing was emitted since
	bp    int64 // nanoseconds blocked in send, for busy time
}

// addEdge registers an outgoing edge.
func (o *output) addEdge(e *outEdge) {
	o.edges = append(o.edges, e)
	if e.tag == "" {
		o.main = append(o.main, e)
		return
	}
	if o.side == nil {
		o.side = map[string][]*outEdge{}
	}
	o.side[e.tag] = append(o.side[e.tag], e)
}

func (o *output) send(ch chan element, e element) error {
	select {
	case ch <- e:
		return nil
	default:
	}
	// The channel is full: downstream is slower (backpressure).
	start := time.Now()
	defer func() {
		d := int64(time.Since(start))
		o.bp += d
		o.m.bp.Add(d)
	}()
	select {
	case ch <- e:
		return nil
	case <-o.ctx.Done():
		if e.rec != nil {
			e.rec.Release()
		}
		return o.ctx.Err()
	}
}

// Emit implements Collector: it takes ownership of rec.
func (o *output) Emit(rec arrow.Record) error {
	rows := rec.NumRows()
	if rows == 0 || len(o.main) == 0 {
		rec.Release()
		return nil
	}
	o.m.batOut.Add(1)
	o.m.recOut.Add(rows)
	return o.emitEdges(o.main, rec)
}

// EmitTo implements Collector: it takes ownership of rec.
func (o *output) EmitTo(tag string, rec arrow.Record) error {
	rows := rec.NumRows()
	o.m.sideOut.Add(rows)
	edges := o.side[tag]
	if rows == 0 || len(edges) == 0 {
		rec.Release()
		return nil
	}
	return o.emitEdges(edges, rec)
}

// emitEdges sends one reference of rec (owned) over each edge.
func (o *output) emitEdges(edges []*outEdge, rec arrow.Record) error {
	o.idle = false
	for range len(edges) - 1 {
		rec.Retain()
	}
	for k, e := range edges {
		if err := o.emitEdge(e, rec); err != nil {
			for range len(edges) - k - 1 {
				rec.Release()
			}
			return err
		}
	}
	return nil
}

// emitEdge sends one reference of rec over e.
func (o *output) emitEdge(e *outEdge, rec arrow.Record) error {
	switch e.part {
	case partForward:
		return o.send(e.chans[e.sub], element{kind: elemRecord, rec: rec})
	case partRebalance:
		ch := e.chans[e.rr]
		e.rr = (e.rr + 1) % len(e.chans)
		return o.send(ch, element{kind: elemRecord, rec: rec})
	case partBroadcast:
		for range len(e.chans) - 1 {
			rec.Retain()
		}
		for j, ch := range e.chans {
			if err := o.send(ch, element{kind: elemRecord, rec: rec}); err != nil {
				for range len(e.chans) - j - 1 {
					rec.Release()
				}
				return err
			}
		}
		return nil
	case partHash:
		parts, err := e.hash.split(o.mem, rec)
		rec.Release()
		if err != nil {
			return err
		}
		for j, p := range parts {
			if p == nil {
				continue
			}
			parts[j] = nil
			if err := o.send(e.chans[j], element{kind: elemRecord, rec: p}); err != nil {
				releaseAll(parts)
				return err
			}
		}
		return nil
	}
	rec.Release()
	return fmt.Errorf("unknown partitioning %v", e.part)
}

// markIdle tells every downstream subtask that this subtask is idle (see
// WithSourceIdleTimeout), once until it emits again.
func (o *output) markIdle() error {
	if o.idle {
		return nil
	}
	o.idle = true
	return o.control(element{kind: elemIdle})
}

// control sends a watermark or barrier to every downstream channel.
func (o *output) control(e element) error {
	for _, oe := range o.edges {
		for _, ch := range oe.chans {
			if err := o.send(ch, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// EmitWatermark implements Collector.
func (o *output) EmitWatermark(wm int64) error {
	if wm <= o.wm {
		return nil
	}
	o.wm = wm
	o.idle = false
	return o.control(element{kind: elemWatermark, val: wm})
}

// finish sends the final watermark and closes every output channel: end of
// input for the downstream subtasks.
func (o *output) finish() error {
	if err := o.EmitWatermark(MaxWatermark); err != nil {
		return err
	}
	for _, oe := range o.edges {
		for _, ch := range oe.chans {
			close(ch)
		}
	}
	return nil
}

// ack is a subtask's acknowledgement of a checkpoint barrier.
type ack struct {
	id     int64
	node   int
	sub    int
	offset int64  // sources only
	file   string // operators and sinks: snapshot file, "" for none
	size   int64
}

// run is the state of one execution of a job.
type run struct {
	job     *Job
	ctx     context.Context
	outputs [][]*output        // node, subtask
	inputs  [][][]chan element // node, subtask, input channels
	trigger [][]chan int64     // source node, subtask: barrier requests
	notes   [][]chan int64     // sink node, subtask: completed checkpoints
	acks    chan ack
	bg      *errgroup.Group // the run's goroutines, for asynchronous snapshot writes

	// Checkpoint ids: ckMu orders triggering against sources ending, so
	// that every source emits every triggered barrier before its end.
	ckMu     sync.Mutex
	lastTrig int64         // last triggered checkpoint
	final    int64         // id of the final checkpoint, 0 until a source ended
	ending   chan struct{} // closed when the first source ended
	total    int           // subtasks

	from    *restorePoint // checkpoint this run starts from, nil for none
	attempt int           // 0 for the first run, then restarts
	nextID  int64         // id of the first checkpoint this run triggers
}

// Run executes the job and blocks until it ends: nil when every bounded
// source has ended and every operator and sink has finished; the first
// error of any subtask (wrapped with the operator's name and subtask) after
// stopping every other subtask; or ctx.Err() when ctx is cancelled. Every
// batch in flight is released before Run returns. Run may be called once.
//
// With WithRestoreFrom, the job starts from the newest complete checkpoint
// there. With WithRestartStrategy, a failed run is torn down and restarted
// from the newest complete checkpoint, up to the strategy's attempts.
func (j *Job) Run(ctx context.Context) error {
	if !j.ran.CompareAndSwap(false, true) {
		return ErrAlreadyRun
	}
	if err := j.validate(); err != nil {
		return err
	}
	var from *restorePoint
	if j.cfg.restore != nil {
		m, err := j.cfg.restore.Latest(ctx)
		switch {
		case errors.Is(err, checkpoint.ErrNoCheckpoint):
		case err != nil:
			return fmt.Errorf("job %q: restore: %w", j.name, err)
		default:
			from = &restorePoint{store: j.cfg.restore, m: m}
		}
	}
	for attempt := 0; ; attempt++ {
		if from != nil {
			if err := j.checkRestore(from.m); err != nil {
				return fmt.Errorf("job %q: %w", j.name, err)
			}
			j.ck.lastRestore.Store(from.m.ID)
		}
		err := j.runOnce(ctx, from, attempt)
		if err == nil || ctx.Err() != nil || attempt >= j.cfg.restart.MaxAttempts {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		j.ck.restarts.Add(1)
		j.cfg.logger.Warn("job failed, restarting", "job", j.name, "attempt", attempt+1, "error", err)
		if err := sleepCtx(ctx, j.cfg.restart.Delay); err != nil {
			return err
		}
		if from, err = j.latestRestore(ctx, from); err != nil {
			return fmt.Errorf("job %q: restart: %w", j.name, err)
		}
	}
}

// runOnce executes the graph once.
func (j *Job) runOnce(ctx context.Context, from *restorePoint, attempt int) error {
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	g, gctx := errgroup.WithContext(rctx)
	r := j.plan(gctx)
	r.bg = g
	r.from, r.attempt = from, attempt
	r.nextID = j.ck.triggered.Load() + 1
	if from != nil && from.m.ID >= r.nextID {
		r.nextID = from.m.ID + 1
	}
	r.lastTrig, r.ending = r.nextID-1, make(chan struct{})
	for _, n := range j.nodes {
		for sub := range n.par {
			g.Go(func() error { return r.runSubtask(n, sub) })
		}
	}
	var coord sync.WaitGroup
	var coordErr error
	cctx, stopCoord := context.WithCancel(gctx)
	if j.cfg.interval > 0 && !r.finished() {
		coord.Add(1)
		go func() {
			defer coord.Done()
			if coordErr = r.coordinate(cctx); coordErr != nil {
				cancel(coordErr)
			}
		}()
	}
	err := g.Wait()
	stopCoord()
	coord.Wait()
	r.drain()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if coordErr != nil {
		return fmt.Errorf("job %q: %w", j.name, coordErr)
	}
	return err
}

func (j *Job) validate() error {
	errs := append([]error{j.cfgErr}, j.buildEr...)
	hasSource := false
	names := map[string]bool{}
	for _, n := range j.nodes {
		if names[n.name] {
			errs = append(errs, fmt.Errorf("%s %q: duplicate name", n.kind, n.name))
		}
		names[n.name] = true
		if n.kind == kindSource {
			hasSource = true
		}
		for _, e := range n.ins {
			if e.part == partForward && e.from.par != n.par {
				errs = append(errs, fmt.Errorf("%s %q: forward edge from %q needs equal parallelism (%d != %d)",
					n.kind, n.name, e.from.name, e.from.par, n.par))
			}
		}
	}
	if !hasSource {
		errs = append(errs, errors.New("job has no source"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("job %q: %w", j.name, err)
	}
	return nil
}

// plan creates the channels: one per (upstream subtask, downstream subtask)
// pair of every edge.
func (j *Job) plan(ctx context.Context) *run {
	r := &run{job: j, ctx: ctx,
		outputs: make([][]*output, len(j.nodes)),
		inputs:  make([][][]chan element, len(j.nodes)),
		trigger: make([][]chan int64, len(j.nodes)),
		notes:   make([][]chan int64, len(j.nodes)),
	}
	for _, n := range j.nodes {
		r.total += n.par
		r.outputs[n.id] = make([]*output, n.par)
		r.inputs[n.id] = make([][]chan element, n.par)
		for i := range n.par {
			r.outputs[n.id][i] = &output{ctx: ctx, mem: j.cfg.mem, m: &n.m, wm: MinWatermark}
		}
		if n.kind == kindSource {
			r.trigger[n.id] = make([]chan int64, n.par)
			for i := range n.par {
				r.trigger[n.id][i] = make(chan int64, 1)
			}
		}
		if n.kind == kindSink {
			r.notes[n.id] = make([]chan int64, n.par)
			for i := range n.par {
				r.notes[n.id][i] = make(chan int64, 1)
			}
		}
	}
	for _, n := range j.nodes {
		for _, e := range n.ins {
			for i := range e.from.par {
				oe := &outEdge{part: e.part, chans: make([]chan element, n.par), sub: i, rr: i % n.par, tag: e.tag}
				if e.part == partHash {
					oe.hash = newHashPartitioner(e.keys, n.par, j.cfg.maxKeyGrps)
				}
				for k := range n.par {
					ch := make(chan element, j.cfg.capacity)
					oe.chans[k] = ch
					r.inputs[n.id][k] = append(r.inputs[n.id][k], ch)
				}
				r.outputs[e.from.id][i].addEdge(oe)
			}
		}
	}
	r.acks = make(chan ack, r.total)
	return r
}

// drain releases every record left on any channel after all subtasks exited.
func (r *run) drain() {
	for _, subs := range r.inputs {
		for _, chans := range subs {
			for _, ch := range chans {
				for {
					select {
					case e, ok := <-ch:
						if !ok {
							goto next
						}
						if e.rec != nil {
							e.rec.Release()
						}
						continue
					default:
					}
					break
				}
			next:
			}
		}
	}
}

// safe calls f, turning a panic into an error.
func safe(log *slog.Logger, f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic in user code", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return f()
}

func (r *run) runSubtask(n *node, sub int) error {
	log := r.job.cfg.logger.With("job", r.job.name, "operator", n.name, "subtask", sub)
	var err error
	switch n.kind {
	case kindSource:
		err = r.runSource(n, sub, log)
	case kindOperator:
		err = r.runOperator(n, sub, log)
	case kindSink:
		err = r.runSink(n, sub, log)
	}
	if err != nil {
		return fmt.Errorf("%s %q subtask %d/%d: %w", n.kind, n.name, sub+1, n.par, err)
	}
	return nil
}

func (r *run) ack(a ack) error {
	if r.job.cfg.interval == 0 {
		return nil
	}
	select {
	case r.acks <- a:
		return nil
	case <-r.ctx.Done():
		return r.ctx.Err()
	}
}

type sourceItem struct {
	rec    arrow.Record
	offset int64
	wm     int64
}

func (r *run) runSource(n *node, sub int, log *slog.Logger) error {
	ctx := r.ctx
	out := r.outputs[n.id][sub]
	if r.finished() {
		// Resuming from a final checkpoint: the input was read to its end.
		return out.finish()
	}
	var rd table.Reader
	if err := safe(log, func() (err error) { rd, err = n.src.Open(ctx, sub, n.par); return err }); err != nil {
		return fmt.Errorf("open: %w", err)
	}
	seeker, _ := rd.(table.Seeker)
	wmr, _ := rd.(WatermarkReader)
	if r.from != nil {
		if off := r.from.m.Sources[n.name][sub]; off != 0 {
			if seeker == nil || off < 0 {
				rd.Release()
				return fmt.Errorf("restore checkpoint %d: reader cannot seek (not a table.Seeker) to row %d", r.from.m.ID, off)
			}
			if err := safe(log, func() error { return seeker.SeekRow(off) }); err != nil {
				rd.Release()
				return fmt.Errorf("restore checkpoint %d: seek to row %d: %w", r.from.m.ID, off, err)
			}
		}
	}
	offset := int64(-1)
	if seeker != nil {
		offset = seeker.Offset()
	}

	// The reader runs in its own goroutine so that barriers go out while
	// Next blocks (an idle unbounded source) and so that the offset and
	// watermark travel with the batch they belong to.
	rctx, stop := context.WithCancel(ctx)
	items := make(chan sourceItem, 1)
	var readErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(items)
		readErr = safe(log, func() error {
			for {
				t0 := time.Now()
				more := rd.Next()
				n.m.busy.Add(int64(time.Since(t0)))
				if !more {
					break
				}
				rec := rd.Record()
				rec.Retain()
				it := sourceItem{rec: rec, offset: -1, wm: MinWatermark}
				if seeker != nil {
					it.offset = seeker.Offset()
				}
				if wmr != nil {
					it.wm = wmr.Watermark()
				}
				select {
				case items <- it:
				case <-rctx.Done():
					rec.Release()
					return nil
				}
			}
			return rd.Err()
		})
	}()
	defer func() {
		stop()
		for it := range items {
			it.rec.Release()
		}
		wg.Wait()
		rd.Release()
	}()

	trigger := r.trigger[n.id][sub]
	// Idle detection (WithSourceIdleTimeout) on the job's clock.
	now := r.job.cfg.now
	lastActive := now()
	var idleTick <-chan time.Time
	if to := r.job.cfg.idle; to > 0 {
		period := max(to/4, time.Millisecond)
		if r.job.cfg.clockSet {
			period = min(period, 10*time.Millisecond)
		}
		t := time.NewTicker(period)
		defer t.Stop()
		idleTick = t.C
	}
	for {
		select {
		case <-idleTick:
			if now().Sub(lastActive) >= r.job.cfg.idle {
				if err := out.markIdle(); err != nil {
					return err
				}
			}
		case it, ok := <-items:
			if !ok {
				wg.Wait()
				if readErr != nil {
					return fmt.Errorf("read: %w", readErr)
				}
				final, err := r.endSource()
				if err != nil {
					return err
				}
				// A barrier triggered before the end goes out before it.
				select {
				case id := <-trigger:
					if err := out.control(element{kind: elemBarrier, val: id}); err != nil {
						return err
					}
					if err := r.ack(ack{id: id, node: n.id, sub: sub, offset: offset}); err != nil {
						return err
					}
				default:
				}
				if r.finalCheckpoints() {
					if err := r.ack(ack{id: final, node: n.id, sub: sub, offset: offset}); err != nil {
						return err
					}
				}
				return out.finish()
			}
			offset = it.offset
			lastActive = now()
			if err := out.Emit(it.rec); err != nil {
				return err
			}
			if err := out.EmitWatermark(it.wm); err != nil {
				return err
			}
		case id := <-trigger:
			if err := out.control(element{kind: elemBarrier, val: id}); err != nil {
				return err
			}
			if err := r.ack(ack{id: id, node: n.id, sub: sub, offset: offset}); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (r *run) runOperator(n *node, sub int, log *slog.Logger) (err error) {
	ctx := r.ctx
	out := r.outputs[n.id][sub]
	oc := &OperatorContext{Name: n.name, Subtask: sub, Parallelism: n.par, Allocator: r.job.cfg.mem, Logger: log}
	var (
		ability any // the operator, for its optional abilities
		process func(rec arrow.Record, ch int) error
		kc      *KeyedContext
	)
	switch {
	case n.newCo != nil:
		var cop CoOperator
		if err := safe(log, func() error { cop = n.newCo(); return nil }); err != nil {
			return err
		}
		if cop == nil {
			return errors.New("operator factory returned nil")
		}
		co := &coAdapter{op: cop, inputs: channelInputs(n)}
		ability = cop
		process = func(rec arrow.Record, ch int) error { return co.process(ctx, rec, ch, out) }
	case n.newKeyed != nil:
		var kop KeyedOperator
		if err := safe(log, func() error { kop = n.newKeyed(); return nil }); err != nil {
			return err
		}
		if kop == nil {
			return errors.New("operator factory returned nil")
		}
		if kc, err = newKeyedContext(oc, n.keys, r.job.cfg.maxKeyGrps, r.job.cfg.now); err != nil {
			return err
		}
		ability = kop
		process = func(rec arrow.Record, _ int) error { return kop.ProcessBatch(ctx, kc, rec, out) }
	default:
		var op Operator
		if err := safe(log, func() error { op = n.newOp(); return nil }); err != nil {
			return err
		}
		if op == nil {
			return errors.New("operator factory returned nil")
		}
		ability = op
		process = func(rec arrow.Record, _ int) error { return op.ProcessBatch(ctx, rec, out) }
	}
	if c, ok := ability.(Closer); ok {
		defer func() {
			if cerr := safe(log, c.Close); cerr != nil {
				err = errors.Join(err, fmt.Errorf("close: %w", cerr))
			}
		}()
	}
	rs, err := r.loadRestore(n, sub)
	if err != nil {
		return err
	}
	if kc != nil && rs != nil {
		if err := kc.restoreKeySchema(rs.keySchema); err != nil {
			return fmt.Errorf("restore checkpoint %d: %w", rs.id, err)
		}
		if err := kc.backend.Restore(rs.groups); err != nil {
			return fmt.Errorf("restore checkpoint %d: %w", rs.id, err)
		}
	}
	if o, ok := ability.(Opener); ok {
		if err := safe(log, func() error { return o.Open(ctx, oc) }); err != nil {
			return fmt.Errorf("open: %w", err)
		}
	}
	if o, ok := ability.(KeyedOpener); ok && kc != nil {
		if err := safe(log, func() error { return o.Open(ctx, kc) }); err != nil {
			return fmt.Errorf("open: %w", err)
		}
	}
	if rst, ok := ability.(Restorer); ok && rs != nil {
		if err := safe(log, func() error { return rst.Restore(ctx, rs.id, rs.ops) }); err != nil {
			return fmt.Errorf("restore checkpoint %d: %w", rs.id, err)
		}
	}
	wh, _ := ability.(WatermarkHandler)
	bh, _ := ability.(BarrierHandler)
	th, _ := ability.(TimerHandler)
	in := newInputGate(ctx, r.inputs[n.id][sub])

	// Keyed operators: timers.
	var wake *time.Timer
	fire := func(d TimeDomain, upTo int64) error {
		return kc.backend.FireTimers(d, upTo, func(ts int64) error {
			if th == nil {
				return fmt.Errorf("a %s timer fired but the operator has no OnTimer", d)
			}
			return safe(log, func() error { return th.OnTimer(ctx, kc, Timer{Time: ts, Domain: d}, out) })
		})
	}
	arm := func() {}
	if kc != nil {
		wake = time.NewTimer(time.Hour)
		wake.Stop()
		defer wake.Stop()
		in.wake = wake.C
		arm = func() {
			next, ok := kc.backend.NextTimer(ProcessingTime)
			if !ok {
				wake.Stop()
				return
			}
			d := time.UnixMilli(next).Sub(kc.now())
			if r.job.cfg.clockSet {
				d = min(d, 10*time.Millisecond)
			}
			wake.Reset(max(d, 0))
		}
		arm()
	}
	// Non-keyed operators: ticks.
	tk, _ := ability.(Ticker)
	if tk != nil && kc == nil && tk.TickInterval() > 0 {
		ticker := time.NewTicker(tk.TickInterval())
		defer ticker.Stop()
		in.wake = ticker.C
	} else {
		tk = nil
	}
	for {
		e, err := in.next()
		if err != nil {
			return err
		}
		// Busy time: handling this element, less time blocked in sends.
		t0, bp0 := time.Now(), out.bp
		switch e.kind {
		case elemRecord:
			n.m.batIn.Add(1)
			n.m.recIn.Add(e.rec.NumRows())
			err = safe(log, func() error { return process(e.rec, int(e.val)) })
			e.rec.Release()
			if err == nil && kc != nil {
				err = fire(ProcessingTime, kc.now().UnixMilli())
				arm()
			}
		case elemWake:
			if tk != nil {
				err = safe(log, func() error { return tk.OnTick(ctx, out) })
				break
			}
			err = fire(ProcessingTime, kc.now().UnixMilli())
			arm()
		case elemWatermark:
			if kc != nil {
				kc.wm = e.val
				if err = fire(EventTime, e.val); err != nil {
					break
				}
				arm()
			}
			if wh != nil {
				err = safe(log, func() error { return wh.OnWatermark(ctx, e.val, out) })
			} else {
				err = out.EmitWatermark(e.val)
			}
		case elemBarrier:
			if bh != nil {
				if err = safe(log, func() error { return bh.OnBarrier(ctx, e.val) }); err != nil {
					return fmt.Errorf("checkpoint %d: %w", e.val, err)
				}
			}
			if err = out.control(e); err != nil {
				return err
			}
			data, serr := r.capture(e.val, ability, kc)
			if serr != nil {
				return fmt.Errorf("checkpoint %d: %w", e.val, serr)
			}
			if data == nil {
				err = r.ack(ack{id: e.val, node: n.id, sub: sub})
			} else {
				r.writeAsync(n, sub, e.val, data)
			}
		case elemIdle:
			err = out.markIdle()
		case elemEnd:
			if f, ok := ability.(Finisher); ok && !r.finished() {
				if err := safe(log, func() error { return f.Finish(ctx, out) }); err != nil {
					return fmt.Errorf("finish: %w", err)
				}
			}
			if r.finalCheckpoints() {
				// The final checkpoint: the state after Finish.
				id := r.finalID()
				if bh != nil {
					if err := safe(log, func() error { return bh.OnBarrier(ctx, id) }); err != nil {
						return fmt.Errorf("final checkpoint %d: %w", id, err)
					}
				}
				data, err := r.capture(id, ability, kc)
				if err != nil {
					return fmt.Errorf("final checkpoint %d: %w", id, err)
				}
				if data == nil {
					if err := r.ack(ack{id: id, node: n.id, sub: sub}); err != nil {
						return err
					}
				} else {
					r.writeAsync(n, sub, id, data)
				}
			}
			return out.finish()
		}
		n.m.busy.Add(int64(time.Since(t0)) - (out.bp - bp0))
		if err != nil {
			return err
		}
	}
}

// finalSink takes a sink subtask's part of the final checkpoint at its end
// of input: pre-commit and snapshot, then, for a TwoPhaseCommitter, wait
// until the checkpoint is complete and commit it, so the last output is
// committed by the checkpoint (once) rather than by Close.
func (r *run) finalSink(n *node, sub int, log *slog.Logger, w SinkWriter) error {
	ctx := r.ctx
	id := r.finalID()
	if bh, ok := w.(BarrierHandler); ok {
		if err := safe(log, func() error { return bh.OnBarrier(ctx, id) }); err != nil {
			return fmt.Errorf("final checkpoint %d: %w", id, err)
		}
	}
	tpc, _ := w.(TwoPhaseCommitter)
	if tpc != nil {
		if err := safe(log, func() error { return tpc.PreCommit(ctx, id) }); err != nil {
			return fmt.Errorf("pre-commit final checkpoint %d: %w", id, err)
		}
	}
	file, size, err := r.snapshot(n, sub, id, w, nil)
	if err != nil {
		return fmt.Errorf("final checkpoint %d: %w", id, err)
	}
	if err := r.ack(ack{id: id, node: n.id, sub: sub, file: file, size: size}); err != nil {
		return err
	}
	if tpc == nil {
		return nil
	}
	for {
		select {
		case c := <-r.notes[n.id][sub]:
			if err := safe(log, func() error { return tpc.Commit(ctx, c) }); err != nil {
				return fmt.Errorf("commit checkpoint %d: %w", c, err)
			}
			if c >= id {
				return nil
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (r *run) runSink(n *node, sub int, log *slog.Logger) (err error) {
	ctx := r.ctx
	var w SinkWriter
	if err := safe(log, func() (err error) { w, err = n.sink.Open(ctx, sub, n.par); return err }); err != nil {
		return fmt.Errorf("open: %w", err)
	}
	closed := false
	defer func() {
		if closed {
			return
		}
		// Failure path: discard.
		var cerr error
		if a, ok := w.(Aborter); ok {
			cerr = safe(log, a.Abort)
		} else {
			cerr = safe(log, func() error { return w.Close(ctx) })
		}
		if cerr != nil && !errors.Is(cerr, context.Canceled) {
			err = errors.Join(err, fmt.Errorf("abort: %w", cerr))
		}
	}()
	rs, err := r.loadRestore(n, sub)
	if err != nil {
		return err
	}
	if rst, ok := w.(Restorer); ok && rs != nil {
		if err := safe(log, func() error { return rst.Restore(ctx, rs.id, rs.ops) }); err != nil {
			return fmt.Errorf("restore checkpoint %d: %w", rs.id, err)
		}
	}
	bh, _ := w.(BarrierHandler)
	tpc, _ := w.(TwoPhaseCommitter)
	in := newInputGate(ctx, r.inputs[n.id][sub])
	in.notes = r.notes[n.id][sub]
	for {
		e, err := in.next()
		if err != nil {
			return err
		}
		t0 := time.Now()
		switch e.kind {
		case elemRecord:
			n.m.batIn.Add(1)
			n.m.recIn.Add(e.rec.NumRows())
			err = safe(log, func() error { return w.Write(ctx, e.rec) })
			e.rec.Release()
		case elemNote:
			if tpc != nil {
				if err = safe(log, func() error { return tpc.Commit(ctx, e.val) }); err != nil {
					return fmt.Errorf("commit checkpoint %d: %w", e.val, err)
				}
			}
		case elemBarrier:
			if bh != nil {
				if err = safe(log, func() error { return bh.OnBarrier(ctx, e.val) }); err != nil {
					return fmt.Errorf("checkpoint %d: %w", e.val, err)
				}
			}
			if tpc != nil {
				if err = safe(log, func() error { return tpc.PreCommit(ctx, e.val) }); err != nil {
					return fmt.Errorf("pre-commit checkpoint %d: %w", e.val, err)
				}
			}
			file, size, serr := r.snapshot(n, sub, e.val, w, nil)
			if serr != nil {
				return fmt.Errorf("checkpoint %d: %w", e.val, serr)
			}
			err = r.ack(ack{id: e.val, node: n.id, sub: sub, file: file, size: size})
		case elemEnd:
			if r.finalCheckpoints() {
				if err := r.finalSink(n, sub, log, w); err != nil {
					return err
				}
			}
			closed = true
			if err := safe(log, func() error { return w.Close(ctx) }); err != nil {
				return fmt.Errorf("close: %w", err)
			}
			return nil
		}
		n.m.busy.Add(int64(time.Since(t0)))
		if err != nil {
			return err
		}
	}
}
