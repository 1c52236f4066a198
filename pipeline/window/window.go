package window

import (
	"time"

	"github.com/eddyml/eddy/pipeline/stream"
)

// LateTag is the side output of a windowed aggregation that receives late
// rows: rows whose every window was already past its allowed lateness when
// they arrived, and rows with a null timestamp. Read it with
// out.SideOutput(window.LateTag); they are never dropped silently (see
// stream.OperatorMetrics.SideRecordsOut).
const LateTag = "late"

// Windowed is a keyed stream cut into event-time windows, waiting for its
// aggregations. Build it with Of.
type Windowed struct {
	k    *stream.KeyedStream
	sp   spec
	name string
	par  int
}

// Of cuts keyed into windows of a over the event time in column timeCol
// (a timestamp column of any unit, or int64 milliseconds). The stream's
// watermarks (stream.Stream.AssignWatermarks) decide when a window is
// complete.
func Of(keyed *stream.KeyedStream, timeCol string, a Assigner) *Windowed {
	return &Windowed{k: keyed, sp: spec{timeCol: timeCol, assigner: a}}
}

// AllowedLateness keeps each window's state for d after it fired: a late
// row within d updates the window, which emits its result again (default
// 0: a window is emitted once and dropped when it fires).
func (w *Windowed) AllowedLateness(d time.Duration) *Windowed {
	w.sp.lateness = d.Milliseconds()
	return w
}

// Name sets the operator's name (default "window(<assigner>)", made unique
// in the job).
func (w *Windowed) Name(name string) *Windowed {
	w.name = name
	return w
}

// Parallelism sets the operator's parallelism (default: the stream's).
func (w *Windowed) Parallelism(n int) *Windowed {
	w.par = n
	return w
}

// Aggregate adds the window operator and returns its output: one row per
// (key, window) when the window fires, with the key columns, StartColumn,
// EndColumn (timestamp[ms]) and one column per aggregation, in order; and
// one more row each time a late row within the allowed lateness updates a
// fired window. Late rows go to the side output LateTag. A bounded input's
// end fires every pending window. An invalid window (size, lateness,
// aggregation names, columns) fails the job when it runs, naming the
// operator.
func (w *Windowed) Aggregate(aggs ...Aggregation) *stream.Stream {
	sp := w.sp
	sp.aggs = append([]Aggregation(nil), aggs...)
	name := w.name
	if name == "" {
		name = w.k.Job().UniqueName("window(" + sp.assigner.String() + ")")
	}
	return w.k.Process(name, func() stream.KeyedOperator { return newOperator(&sp) }, w.par)
}
