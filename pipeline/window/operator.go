package window

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/state"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

// Output column names besides the keys and aggregations.
const (
	StartColumn = "window_start"
	EndColumn   = "window_end"
)

// maxPending is the number of result rows buffered before a batch is
// emitted (results are otherwise emitted per input batch and watermark).
const maxPending = 64 * 1024

// spec is a windowed aggregation as built by Of(...).Aggregate.
type spec struct {
	timeCol  string
	assigner Assigner
	lateness int64 // ms
	aggs     []Aggregation
}

func (s *spec) validate() error {
	if s.timeCol == "" {
		return fmt.Errorf("window: empty time column")
	}
	if err := s.assigner.validate(); err != nil {
		return err
	}
	if s.lateness < 0 {
		return fmt.Errorf("window: allowed lateness %dms: want 0 or more", s.lateness)
	}
	return nil
}

// group is the rows of one key that fall in one window (tumbling, sliding).
type group struct {
	start int64
	rows  []int
}

// The state of one key is its open windows (a few: one or two tumbling,
// size/slide sliding, a handful of sessions), each with its accumulator,
// as a slice: far cheaper than a map per key.

func find(ws []*acc, start int64) *acc {
	for _, w := range ws {
		if w.start == start {
			return w
		}
	}
	return nil
}

// operator is the keyed window operator: per key, value state holding its
// windows and their accumulators, an event-time timer at each window's end - 1 (fire)
// and at end - 1 + lateness (cleanup).
type operator struct {
	sp   *spec
	l    *layout
	kc   *stream.KeyedContext
	mem  memory.Allocator
	wins *state.ValueState[[]*acc]
	out  stream.Collector

	restoredWM int64
	ps         *panes // tumbling and sliding windows; nil for sessions

	// Input binding, per schema.
	schema *arrow.Schema
	tsIdx  int
	colIdx []int // per aggregation: input column (-1 for none)
	cols   []int // distinct input columns to convert
	view   batchView
	ts     []int64
	tsOK   []bool // nil when no null timestamps

	// Per batch scratch.
	late   []int
	groups []group
	starts []int64
	one    [1]int

	// Output.
	keyB   []array.Builder
	startB *array.TimestampBuilder
	endB   *array.TimestampBuilder
	aggB   []array.Builder
	outSch *arrow.Schema
	npend  int
}

func newOperator(sp *spec) stream.KeyedOperator {
	return &operator{sp: sp, restoredWM: stream.MinWatermark}
}

// Open implements stream.KeyedOpener.
func (o *operator) Open(_ context.Context, kc *stream.KeyedContext) error {
	if err := o.sp.validate(); err != nil {
		return err
	}
	l, err := newLayout(o.sp.aggs)
	if err != nil {
		return err
	}
	o.l, o.kc, o.mem = l, kc, kc.Allocator
	o.wins, err = state.NewValueState(kc.State(), "windows", state.Codec[[]*acc](windowsCodec{accCodec{l}}))
	if err != nil || o.sp.assigner.kind == kindSession {
		return err
	}
	o.ps = newPanes(o, kc.State().MaxKeyGroups())
	if err := state.RegisterTable(kc.State(), "panes", o.ps); err != nil {
		return err
	}
	// Checkpoints taken before panes existed keep tumbling and sliding
	// windows per key: move them into panes (their per-key timers then
	// find nothing to do).
	return kc.ForEachStateKey("windows", func() error {
		ws, _ := o.wins.Get()
		key := string(kc.CurrentKey())
		for _, w := range ws {
			if err := o.ps.insert(key, w); err != nil {
				return err
			}
		}
		o.wins.Clear()
		return nil
	})
}

// Snapshot implements stream.Snapshotter: the watermark the operator
// decided lateness with, so that a restored job keeps rows late that were.
func (o *operator) Snapshot(context.Context, int64) ([]byte, error) {
	return binary.AppendVarint(nil, o.watermark()), nil
}

// Restore implements stream.Restorer: the smallest restored watermark.
func (o *operator) Restore(_ context.Context, _ int64, states [][]byte) error {
	for i, b := range states {
		v, n := binary.Varint(b)
		if n <= 0 {
			return fmt.Errorf("window: restore: bad watermark snapshot of %d bytes", len(b))
		}
		if i == 0 || v < o.restoredWM {
			o.restoredWM = v
		}
	}
	return nil
}

func (o *operator) watermark() int64 { return max(o.kc.Watermark(), o.restoredWM) }

// dead reports whether a window ending at end was cleaned up by watermark
// wm: end - 1 + lateness <= wm.
func (o *operator) dead(end, wm int64) bool { return addSat(end-1, o.sp.lateness) <= wm }

// ProcessBatch implements stream.KeyedOperator.
func (o *operator) ProcessBatch(_ context.Context, kc *stream.KeyedContext, rec arrow.Record, out stream.Collector) error {
	o.out = out
	if err := o.bind(rec); err != nil {
		return err
	}
	o.late = o.late[:0]
	if o.ps != nil {
		if err := o.ps.process(kc, rec); err != nil {
			return err
		}
		if err := o.emitLate(rec, out); err != nil {
			return err
		}
		return o.flush()
	}
	wm := o.watermark()
	add := func(rows []int) error { return o.addTimed(rows, wm) }
	if o.sp.assigner.kind == kindSession {
		add = func(rows []int) error { return o.addSession(rows, wm) }
	}
	if err := kc.ForEachKey(rec, add); err != nil {
		return err
	}
	if len(o.late) > 0 {
		slices.Sort(o.late)
		late, err := table.Take(o.mem, rec, o.late)
		if err != nil {
			return fmt.Errorf("window: late rows: %w", err)
		}
		if err := out.EmitTo(LateTag, late); err != nil {
			return err
		}
	}
	return o.flush()
}

// addTimed adds the rows of the current key to their tumbling or sliding
// windows.
func (o *operator) addTimed(rows []int, wm int64) error {
	a := o.sp.assigner
	o.groups = o.groups[:0]
	for _, r := range rows {
		if o.tsOK != nil && !o.tsOK[r] {
			o.late = append(o.late, r)
			continue
		}
		ts := o.ts[r]
		live := false
		for start := a.lastStart(ts); start > ts-a.size; start -= a.slide {
			if o.dead(start+a.size, wm) {
				break // earlier windows end earlier
			}
			live = true
			o.addToGroup(start, r)
		}
		if !live {
			o.late = append(o.late, r)
		}
	}
	if len(o.groups) == 0 {
		return nil
	}
	ws, _ := o.wins.Get()
	n := len(ws)
	for i := range o.groups {
		g := &o.groups[i]
		w := find(ws, g.start)
		if w == nil {
			w = o.l.newAcc(g.start, g.start+a.size)
			ws = append(ws, w)
			if w.end-1 > wm {
				o.kc.RegisterEventTimer(w.end - 1)
			}
			if o.sp.lateness > 0 {
				o.kc.RegisterEventTimer(addSat(w.end-1, o.sp.lateness))
			}
		}
		if err := o.addRows(w, g.rows); err != nil {
			return err
		}
		if w.end-1 <= wm {
			// Late but within the allowed lateness: emit an update now.
			w.fired = true
			if err := o.emit(w); err != nil {
				return err
			}
		}
	}
	if len(ws) != n {
		o.wins.Set(ws)
	}
	return nil
}

func (o *operator) addToGroup(start int64, r int) {
	for i := range o.groups {
		if o.groups[i].start == start {
			o.groups[i].rows = append(o.groups[i].rows, r)
			return
		}
	}
	if len(o.groups) < cap(o.groups) {
		o.groups = o.groups[:len(o.groups)+1]
		g := &o.groups[len(o.groups)-1]
		g.start, g.rows = start, append(g.rows[:0], r)
		return
	}
	o.groups = append(o.groups, group{start: start, rows: []int{r}})
}

// addSession adds the rows of the current key, one at a time in arrival
// order, to session windows, merging the windows each row bridges.
func (o *operator) addSession(rows []int, wm int64) error {
	gap := o.sp.assigner.gap
	ws, _ := o.wins.Get()
	touched := false
	for _, r := range rows {
		if o.tsOK != nil && !o.tsOK[r] {
			o.late = append(o.late, r)
			continue
		}
		ts := o.ts[r]
		s, e := ts, addSat(ts, gap)
		var w *acc
		merged := 0
		if len(ws) > 0 {
			ms, me := s, e
			keep := ws[:0]
			var over []*acc
			for _, x := range ws {
				if x.start <= e && x.end >= s {
					over = append(over, x)
					ms, me = min(ms, x.start), max(me, x.end)
				} else {
					keep = append(keep, x)
				}
			}
			if merged = len(over); merged > 0 {
				w = o.l.newAcc(ms, me)
				for _, x := range over {
					o.l.merge(w, x)
				}
				clear(ws[len(keep):])
				ws = append(keep, w)
			}
		}
		if merged == 0 {
			if o.dead(e, wm) {
				o.late = append(o.late, r)
				continue
			}
			w = o.l.newAcc(s, e)
			ws = append(ws, w)
		}
		touched = true
		w.dirty = true
		o.one[0] = r
		if err := o.addRows(w, o.one[:]); err != nil {
			return err
		}
	}
	if !touched {
		return nil
	}
	o.wins.Set(ws)
	// Fire or schedule the windows this batch touched.
	slices.SortFunc(ws, func(a, b *acc) int { return cmp.Compare(a.start, b.start) })
	for _, w := range ws {
		if !w.dirty {
			continue
		}
		w.dirty = false
		if w.end-1 <= wm {
			w.fired = true
			if err := o.emit(w); err != nil {
				return err
			}
		} else {
			o.kc.RegisterEventTimer(w.end - 1)
		}
		if o.sp.lateness > 0 {
			o.kc.RegisterEventTimer(addSat(w.end-1, o.sp.lateness))
		}
	}
	return nil
}

func (o *operator) addRows(w *acc, rows []int) error {
	for i, im := range o.l.impls {
		if err := im.add(w, o.l.slots[i], &o.view, o.colIdx[i], rows); err != nil {
			return err
		}
	}
	return nil
}

// OnTimer implements stream.TimerHandler: fire the current key's windows
// ending at or before the timer, and drop those past their lateness.
// Timers of windows that merged away find nothing to do.
func (o *operator) OnTimer(_ context.Context, _ *stream.KeyedContext, t stream.Timer, out stream.Collector) error {
	o.out = out
	ws, ok := o.wins.Get()
	if !ok {
		return nil
	}
	slices.SortFunc(ws, func(a, b *acc) int { return cmp.Compare(a.start, b.start) })
	keep := ws[:0]
	for _, w := range ws {
		if !w.fired && w.end-1 <= t.Time {
			w.fired = true
			if err := o.emit(w); err != nil {
				return err
			}
		}
		if !o.dead(w.end, t.Time) {
			keep = append(keep, w)
		}
	}
	clear(ws[len(keep):])
	switch {
	case len(keep) == 0:
		o.wins.Clear()
	case len(keep) != len(ws):
		o.wins.Set(keep)
	}
	return nil
}

// OnWatermark implements stream.WatermarkHandler: the due windows have
// fired (timers run first); emit their results, then the watermark.
func (o *operator) OnWatermark(_ context.Context, wm int64, out stream.Collector) error {
	o.out = out
	if o.ps != nil {
		if err := o.ps.fire(wm); err != nil {
			return err
		}
	}
	if err := o.flush(); err != nil {
		return err
	}
	return out.EmitWatermark(wm)
}

// Finish implements stream.Finisher.
func (o *operator) Finish(_ context.Context, out stream.Collector) error {
	o.out = out
	return o.flush()
}

// Close implements stream.Closer.
func (o *operator) Close() error {
	for _, b := range o.keyB {
		b.Release()
	}
	for _, b := range o.aggB {
		b.Release()
	}
	if o.startB != nil {
		o.startB.Release()
		o.endB.Release()
	}
	o.keyB, o.aggB, o.startB, o.endB = nil, nil, nil, nil
	return nil
}

// emit appends the result row of the current key's window w.
func (o *operator) emit(w *acc) error {
	if err := o.builders(); err != nil {
		return err
	}
	if err := o.kc.AppendKey(o.keyB); err != nil {
		return err
	}
	return o.emitAcc(w)
}

// emitKey appends the result row of window w of key (encoded).
func (o *operator) emitKey(key string, w *acc) error {
	if err := o.builders(); err != nil {
		return err
	}
	if err := state.DecodeKey([]byte(key), o.keyB); err != nil {
		return err
	}
	return o.emitAcc(w)
}

// builders makes the output builders once the key fields are known.
func (o *operator) builders() error {
	if o.startB == nil {
		fields := o.kc.KeyFields()
		if fields == nil {
			return fmt.Errorf("window: key columns unknown")
		}
		out := append([]arrow.Field(nil), fields...)
		ts := arrow.FixedWidthTypes.Timestamp_ms
		out = append(out, arrow.Field{Name: StartColumn, Type: ts}, arrow.Field{Name: EndColumn, Type: ts})
		for i, im := range o.l.impls {
			out = append(out, arrow.Field{Name: o.sp.aggs[i].Name(), Type: im.outType(), Nullable: true})
		}
		o.outSch = arrow.NewSchema(out, nil)
		for _, f := range fields {
			o.keyB = append(o.keyB, array.NewBuilder(o.mem, f.Type))
		}
		o.startB = array.NewTimestampBuilder(o.mem, ts.(*arrow.TimestampType))
		o.endB = array.NewTimestampBuilder(o.mem, ts.(*arrow.TimestampType))
		o.aggB = o.l.builders(o.mem)
	}
	return nil
}

// emitAcc appends w's window and results after its key columns.
func (o *operator) emitAcc(w *acc) error {
	o.startB.Append(arrow.Timestamp(w.start))
	o.endB.Append(arrow.Timestamp(w.end))
	for i, im := range o.l.impls {
		if err := im.result(w, o.l.slots[i], o.aggB[i]); err != nil {
			return err
		}
	}
	o.npend++
	if o.npend >= maxPending {
		return o.flush()
	}
	return nil
}

// flush emits the buffered result rows as one batch.
func (o *operator) flush() error {
	if o.npend == 0 {
		return nil
	}
	cols := make([]arrow.Array, 0, len(o.keyB)+2+len(o.aggB))
	for _, b := range o.keyB {
		cols = append(cols, b.NewArray())
	}
	cols = append(cols, o.startB.NewArray(), o.endB.NewArray())
	for _, b := range o.aggB {
		cols = append(cols, b.NewArray())
	}
	rec := array.NewRecord(o.outSch, cols, int64(o.npend))
	for _, c := range cols {
		c.Release()
	}
	o.npend = 0
	return o.out.Emit(rec)
}

// bind resolves the time and aggregated columns of rec and converts them.
func (o *operator) bind(rec arrow.Record) error {
	s := rec.Schema()
	if o.schema == nil || (o.schema != s && !o.schema.Equal(s)) {
		i, err := table.FieldIndex(s, o.sp.timeCol)
		if err != nil {
			return fmt.Errorf("window: time column: %w", err)
		}
		switch s.Field(i).Type.(type) {
		case *arrow.Int64Type, *arrow.TimestampType:
		default:
			return fmt.Errorf("window: time column %q has type %s: want timestamp or int64 milliseconds", o.sp.timeCol, s.Field(i).Type)
		}
		o.tsIdx = i
		o.colIdx = o.colIdx[:0]
		o.cols = o.cols[:0]
		for _, im := range o.l.impls {
			c := im.column()
			if c == "" {
				o.colIdx = append(o.colIdx, -1)
				continue
			}
			j, err := table.FieldIndex(s, c)
			if err != nil {
				return fmt.Errorf("window: aggregation column: %w", err)
			}
			if !numeric(s.Field(j).Type) {
				return fmt.Errorf("window: column %q has type %s: want a number", c, s.Field(j).Type)
			}
			o.colIdx = append(o.colIdx, j)
			if !slices.Contains(o.cols, j) {
				o.cols = append(o.cols, j)
			}
		}
		o.schema = s
		o.view.vals = make([][]float64, s.NumFields())
		o.view.valid = make([][]bool, s.NumFields())
	}
	o.view.rec = rec
	n := int(rec.NumRows())
	var err error
	o.ts, o.tsOK, err = millis(rec.Column(o.tsIdx), o.ts, o.tsOK, n)
	if err != nil {
		return err
	}
	for _, c := range o.cols {
		o.view.vals[c], o.view.valid[c] = floats(rec.Column(c), o.view.vals[c], o.view.valid[c], n)
	}
	return nil
}

func numeric(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.FLOAT64, arrow.FLOAT32, arrow.INT64, arrow.INT32, arrow.INT16, arrow.INT8,
		arrow.UINT64, arrow.UINT32, arrow.UINT16, arrow.UINT8:
		return true
	}
	return false
}

// validity returns the validity of arr into buf, nil when arr has no nulls.
func validity(arr arrow.Array, buf []bool, n int) []bool {
	if arr.NullN() == 0 {
		return nil
	}
	buf = slices.Grow(buf[:0], n)[:n]
	for i := range n {
		buf[i] = arr.IsValid(i)
	}
	return buf
}

// millis converts a timestamp (any unit) or int64 column to milliseconds.
func millis(arr arrow.Array, dst []int64, ok []bool, n int) ([]int64, []bool, error) {
	dst = slices.Grow(dst[:0], n)[:n]
	switch a := arr.(type) {
	case *array.Int64:
		copy(dst, a.Int64Values())
	case *array.Timestamp:
		var div, mul int64 = 1, 1
		switch a.DataType().(*arrow.TimestampType).Unit {
		case arrow.Second:
			mul = 1000
		case arrow.Microsecond:
			div = 1000
		case arrow.Nanosecond:
			div = 1_000_000
		}
		for i, v := range a.TimestampValues() {
			t := int64(v)
			if div > 1 {
				q := t / div
				if t%div != 0 && t < 0 {
					q--
				}
				t = q
			}
			dst[i] = t * mul
		}
	default:
		return nil, nil, fmt.Errorf("window: time column type %s: want timestamp or int64", arr.DataType())
	}
	return dst, validity(arr, ok, n), nil
}

func convert[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64](dst []float64, src []T) {
	for i, v := range src {
		dst[i] = float64(v)
	}
}

// floats converts a numeric column to float64.
func floats(arr arrow.Array, dst []float64, ok []bool, n int) ([]float64, []bool) {
	dst = slices.Grow(dst[:0], n)[:n]
	switch a := arr.(type) {
	case *array.Float64:
		copy(dst, a.Float64Values())
	case *array.Float32:
		convert(dst, a.Float32Values())
	case *array.Int64:
		convert(dst, a.Int64Values())
	case *array.Int32:
		convert(dst, a.Int32Values())
	case *array.Int16:
		convert(dst, a.Int16Values())
	case *array.Int8:
		convert(dst, a.Int8Values())
	case *array.Uint64:
		convert(dst, a.Uint64Values())
	case *array.Uint32:
		convert(dst, a.Uint32Values())
	case *array.Uint16:
		convert(dst, a.Uint16Values())
	case *array.Uint8:
		convert(dst, a.Uint8Values())
	}
	return dst, validity(arr, ok, n)
}
