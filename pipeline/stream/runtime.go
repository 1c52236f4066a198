package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"golang.org/x/sync/errgroup"

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
}

// output is the Collector of one subtask. It is used by one goroutine.
type output struct {
	ctx   context.Context
	mem   memory.Allocator
	edges []*outEdge
	m     *counters
	wm    int64
}

func (o *output) send(ch chan element, e element) error {
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
	if rows == 0 || len(o.edges) == 0 {
		rec.Release()
		return nil
	}
	o.m.batOut.Add(1)
	o.m.recOut.Add(rows)
	// One reference per edge.
	for range len(o.edges) - 1 {
		rec.Retain()
	}
	for k, e := range o.edges {
		if err := o.emitEdge(e, rec); err != nil {
			for range len(o.edges) - k - 1 {
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
	offset int64 // sources only
}

// run is the state of one execution of a job.
type run struct {
	job     *Job
	ctx     context.Context
	outputs [][]*output        // node, subtask
	inputs  [][][]chan element // node, subtask, input channels
	trigger [][]chan int64     // source node, subtask: barrier requests
	acks    chan ack
	srcDone atomic.Int32
	total   int // subtasks
}

// Run executes the job and blocks until it ends: nil when every bounded
// source has ended and every operator and sink has finished; the first
// error of any subtask (wrapped with the operator's name and subtask) after
// stopping every other subtask; or ctx.Err() when ctx is cancelled. Every
// batch in flight is released before Run returns. Run may be called once.
func (j *Job) Run(ctx context.Context) error {
	if !j.ran.CompareAndSwap(false, true) {
		return ErrAlreadyRun
	}
	if err := j.validate(); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	r := j.plan(gctx)
	for _, n := range j.nodes {
		for sub := range n.par {
			g.Go(func() error { return r.runSubtask(n, sub) })
		}
	}
	var coord sync.WaitGroup
	cctx, stopCoord := context.WithCancel(gctx)
	if j.cfg.interval > 0 {
		coord.Add(1)
		go func() {
			defer coord.Done()
			r.coordinate(cctx)
		}()
	}
	err := g.Wait()
	stopCoord()
	coord.Wait()
	r.drain()
	if ctx.Err() != nil {
		return ctx.Err()
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
	}
	for _, n := range j.nodes {
		for _, e := range n.ins {
			for i := range e.from.par {
				oe := &outEdge{part: e.part, chans: make([]chan element, n.par), sub: i, rr: i % n.par}
				if e.part == partHash {
					oe.hash = newHashPartitioner(e.keys, n.par, j.cfg.maxKeyGrps)
				}
				for k := range n.par {
					ch := make(chan element, j.cfg.capacity)
					oe.chans[k] = ch
					r.inputs[n.id][k] = append(r.inputs[n.id][k], ch)
				}
				out := r.outputs[e.from.id][i]
				out.edges = append(out.edges, oe)
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
	var rd table.Reader
	if err := safe(log, func() (err error) { rd, err = n.src.Open(ctx, sub, n.par); return err }); err != nil {
		return fmt.Errorf("open: %w", err)
	}
	seeker, _ := rd.(table.Seeker)
	wmr, _ := rd.(WatermarkReader)
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
			for rd.Next() {
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
	for {
		select {
		case it, ok := <-items:
			if !ok {
				wg.Wait()
				if readErr != nil {
					return fmt.Errorf("read: %w", readErr)
				}
				r.srcDone.Add(1)
				return out.finish()
			}
			offset = it.offset
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
	var op Operator
	if err := safe(log, func() error { op = n.newOp(); return nil }); err != nil {
		return err
	}
	if op == nil {
		return errors.New("operator factory returned nil")
	}
	if c, ok := op.(Closer); ok {
		defer func() {
			if cerr := safe(log, c.Close); cerr != nil {
				err = errors.Join(err, fmt.Errorf("close: %w", cerr))
			}
		}()
	}
	if o, ok := op.(Opener); ok {
		oc := &OperatorContext{Name: n.name, Subtask: sub, Parallelism: n.par, Allocator: r.job.cfg.mem, Logger: log}
		if err := safe(log, func() error { return o.Open(ctx, oc) }); err != nil {
			return fmt.Errorf("open: %w", err)
		}
	}
	wh, _ := op.(WatermarkHandler)
	bh, _ := op.(BarrierHandler)
	in := newInputGate(ctx, r.inputs[n.id][sub])
	for {
		e, err := in.next()
		if err != nil {
			return err
		}
		switch e.kind {
		case elemRecord:
			n.m.batIn.Add(1)
			n.m.recIn.Add(e.rec.NumRows())
			err = safe(log, func() error { return op.ProcessBatch(ctx, e.rec, out) })
			e.rec.Release()
		case elemWatermark:
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
			if err = out.control(e); err == nil {
				err = r.ack(ack{id: e.val, node: n.id, sub: sub})
			}
		case elemEnd:
			if f, ok := op.(Finisher); ok {
				if err := safe(log, func() error { return f.Finish(ctx, out) }); err != nil {
					return fmt.Errorf("finish: %w", err)
				}
			}
			return out.finish()
		}
		if err != nil {
			return err
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
	bh, _ := w.(BarrierHandler)
	in := newInputGate(ctx, r.inputs[n.id][sub])
	for {
		e, err := in.next()
		if err != nil {
			return err
		}
		switch e.kind {
		case elemRecord:
			n.m.batIn.Add(1)
			n.m.recIn.Add(e.rec.NumRows())
			err = safe(log, func() error { return w.Write(ctx, e.rec) })
			e.rec.Release()
		case elemBarrier:
			if bh != nil {
				if err = safe(log, func() error { return bh.OnBarrier(ctx, e.val) }); err != nil {
					return fmt.Errorf("checkpoint %d: %w", e.val, err)
				}
			}
			err = r.ack(ack{id: e.val, node: n.id, sub: sub})
		case elemEnd:
			closed = true
			if err := safe(log, func() error { return w.Close(ctx) }); err != nil {
				return fmt.Errorf("close: %w", err)
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// coordinate injects checkpoint barriers every interval, one checkpoint in
// flight at a time, and reports each checkpoint once every subtask
// acknowledged it. It stops triggering once a source subtask has ended:
// a finished source cannot emit barriers (checkpoints after partial end of
// input are left for a later increment).
func (r *run) coordinate(ctx context.Context) {
	t := time.NewTicker(r.job.cfg.interval)
	defer t.Stop()
	var id int64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if r.srcDone.Load() > 0 {
			return
		}
		id++
		for _, subs := range r.trigger {
			for _, ch := range subs {
				select {
				case ch <- id:
				default: // cannot happen with one checkpoint in flight
				}
			}
		}
		cp := Checkpoint{ID: id, SourceOffsets: map[string][]int64{}}
		for _, n := range r.job.nodes {
			if n.kind == kindSource {
				cp.SourceOffsets[n.name] = make([]int64, n.par)
			}
		}
		for got := 0; got < r.total; {
			select {
			case <-ctx.Done():
				return
			case a := <-r.acks:
				if a.id != id {
					continue
				}
				got++
				if n := r.job.nodes[a.node]; n.kind == kindSource {
					cp.SourceOffsets[n.name][a.sub] = a.offset
				}
			}
		}
		r.job.cfg.logger.Debug("checkpoint complete", "job", r.job.name, "checkpoint", id)
		if r.job.cfg.onCkpt != nil {
			r.job.cfg.onCkpt(cp)
		}
	}
}
