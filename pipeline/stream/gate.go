package stream

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
)

// elemKind says what an element on an edge carries. End of input is the
// channel being closed.
type elemKind uint8

const (
	elemRecord elemKind = iota
	elemWatermark
	elemBarrier
	elemEnd  // only returned by inputGate.next, never sent
	elemWake // inputGate.wake fired (processing-time timers)
	elemNote // a checkpoint completed (val), from inputGate.notes
	elemIdle // the sender is idle (WithSourceIdleTimeout)
)

// element is what flows on an edge, in order. Sending an element with a
// record hands one reference of the record to the receiver. A record
// returned by inputGate.next has the index of its input channel in val.
type element struct {
	kind elemKind
	rec  arrow.Record
	val  int64 // watermark (ms) or checkpoint id
}

// inputGate merges the input channels of one subtask. It implements aligned
// checkpoint barriers and min-of-inputs watermarks:
//
//   - a channel that delivered barrier n is blocked (left out of the select)
//     until barrier n arrived on every channel that is still open; then the
//     gate returns the barrier once and unblocks all channels;
//   - each channel's watermark is the largest it delivered (MaxWatermark once
//     closed); the gate returns a watermark element whenever the minimum over
//     channels advances;
//   - a channel that delivered elemIdle is left out of that minimum until it
//     delivers a record or a watermark again; when every open channel is
//     idle the watermark is the largest over them, and the gate returns
//     elemIdle once (the subtask is idle in turn).
//
// It is used by one goroutine only.
type inputGate struct {
	ctx     context.Context
	chans   []chan element
	closed  []bool
	blocked []bool
	idle    []bool
	idleOut bool // elemIdle was returned and no channel became active since
	wms     []int64
	open    int
	nBlock  int
	pending int64 // checkpoint id being aligned, 0 when none
	outWM   int64
	ready   []element // events produced by one receive beyond the first

	// Optional extra wake-ups, watched while waiting for input (nil
	// channels are never ready).
	wake  <-chan time.Time
	notes <-chan int64

	// reflect.Select state, rebuilt when the set of active channels changes.
	cases []reflect.SelectCase
	idx   []int // case i+1 -> channel index
	dirty bool
}

func newInputGate(ctx context.Context, chans []chan element) *inputGate {
	g := &inputGate{
		ctx: ctx, chans: chans,
		closed: make([]bool, len(chans)), blocked: make([]bool, len(chans)), idle: make([]bool, len(chans)),
		wms: make([]int64, len(chans)), open: len(chans),
		outWM: MinWatermark, dirty: true,
	}
	for i := range g.wms {
		g.wms[i] = MinWatermark
	}
	return g
}

// next returns the next record, advanced watermark, aligned barrier, or
// elemEnd once every channel is closed.
func (g *inputGate) next() (element, error) {
	for {
		if len(g.ready) > 0 {
			e := g.ready[0]
			g.ready = g.ready[1:]
			return e, nil
		}
		if g.open == 0 {
			return element{kind: elemEnd}, nil
		}
		i, e, ok, err := g.recv()
		if err != nil {
			return element{}, err
		}
		if i < 0 {
			return e, nil // wake-up or note
		}
		if !ok {
			g.closed[i] = true
			g.open--
			g.dirty = true
			g.wms[i] = MaxWatermark
			g.checkAligned()
			g.checkWatermark()
			continue
		}
		switch e.kind {
		case elemRecord:
			g.active(i)
			e.val = int64(i)
			return e, nil
		case elemWatermark:
			g.active(i)
			if e.val > g.wms[i] {
				g.wms[i] = e.val
				g.checkWatermark()
			}
		case elemIdle:
			if !g.idle[i] {
				g.idle[i] = true
				g.checkWatermark()
				if !g.idleOut && g.allIdle() {
					g.idleOut = true
					g.ready = append(g.ready, element{kind: elemIdle})
				}
			}
		case elemBarrier:
			if g.pending == 0 {
				g.pending = e.val
			} else if e.val != g.pending {
				return element{}, fmt.Errorf("barrier %d on input %d while aligning barrier %d", e.val, i, g.pending)
			}
			g.blocked[i] = true
			g.nBlock++
			g.dirty = true
			g.checkAligned()
		}
	}
}

// checkAligned completes the pending barrier when every open channel is
// blocked on it (closed channels count as aligned).
func (g *inputGate) checkAligned() {
	if g.pending == 0 || g.nBlock < g.open {
		return
	}
	g.ready = append(g.ready, element{kind: elemBarrier, val: g.pending})
	g.pending = 0
	for i := range g.blocked {
		g.blocked[i] = false
	}
	g.nBlock = 0
	g.dirty = true
}

// active marks channel i active again after it was idle.
func (g *inputGate) active(i int) {
	if g.idle[i] {
		g.idle[i] = false
		g.idleOut = false
	}
}

// allIdle reports whether every open channel is idle.
func (g *inputGate) allIdle() bool {
	any := false
	for i, idle := range g.idle {
		if !g.closed[i] {
			if !idle {
				return false
			}
			any = true
		}
	}
	return any
}

func (g *inputGate) checkWatermark() {
	m := MaxWatermark
	if g.allIdle() {
		m = MinWatermark
		for i, w := range g.wms {
			if !g.closed[i] {
				m = max(m, w)
			}
		}
	} else {
		for i, w := range g.wms {
			if !g.idle[i] {
				m = min(m, w)
			}
		}
	}
	if m > g.outWM {
		g.outWM = m
		g.ready = append(g.ready, element{kind: elemWatermark, val: m})
	}
}

// recv receives from one active (open, unblocked) channel, or returns
// index -1 with an elemWake or elemNote element. With a single active
// channel it uses a plain select; otherwise reflect.Select over the active
// set.
func (g *inputGate) recv() (int, element, bool, error) {
	if g.dirty {
		g.rebuild()
	}
	if len(g.idx) == 1 {
		i := g.idx[0]
		select {
		case e, ok := <-g.chans[i]:
			return i, e, ok, nil
		case <-g.wake:
			return -1, element{kind: elemWake}, true, nil
		case id := <-g.notes:
			return -1, element{kind: elemNote, val: id}, true, nil
		case <-g.ctx.Done():
			return 0, element{}, false, g.ctx.Err()
		}
	}
	chosen, v, ok := reflect.Select(g.cases)
	switch chosen {
	case 0:
		return 0, element{}, false, g.ctx.Err()
	case 1:
		return -1, element{kind: elemWake}, true, nil
	case 2:
		return -1, element{kind: elemNote, val: v.Int()}, true, nil
	}
	i := g.idx[chosen-3]
	if !ok {
		return i, element{}, false, nil
	}
	return i, v.Interface().(element), true, nil
}

func (g *inputGate) rebuild() {
	g.dirty = false
	g.cases = append(g.cases[:0], reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(g.ctx.Done())})
	// Cases 1 and 2: a zero Chan is ignored by reflect.Select.
	var wake, notes reflect.Value
	if g.wake != nil {
		wake = reflect.ValueOf(g.wake)
	}
	if g.notes != nil {
		notes = reflect.ValueOf(g.notes)
	}
	g.cases = append(g.cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: wake},
		reflect.SelectCase{Dir: reflect.SelectRecv, Chan: notes})
	g.idx = g.idx[:0]
	for i, ch := range g.chans {
		if g.closed[i] || g.blocked[i] {
			continue
		}
		g.cases = append(g.cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)})
		g.idx = append(g.idx, i)
	}
}
