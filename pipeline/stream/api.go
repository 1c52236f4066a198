package stream

import (
	"context"
	"log/slog"
	"math"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/table"
)

// Watermark values are event time in milliseconds since the Unix epoch.
const (
	// MinWatermark is the watermark before any input has been seen.
	MinWatermark int64 = math.MinInt64
	// MaxWatermark is sent when an input ends: no more rows will arrive, so
	// every pending event-time computation may complete.
	MaxWatermark int64 = math.MaxInt64
)

// Source produces the batches of a stream. The engine opens it once per
// subtask; the source decides how its input is split (for instance by file,
// by row range, or by reading everything in subtask 0 and nothing in the
// others). A bounded reader ends when Next returns false; an unbounded one
// never does until ctx is cancelled.
//
// The reader must unblock Next when ctx is cancelled. Optional abilities of
// the returned reader, discovered by type assertion: table.Seeker (its
// Offset is recorded at every checkpoint barrier) and WatermarkReader.
type Source interface {
	Open(ctx context.Context, subtask, parallelism int) (table.Reader, error)
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context, subtask, parallelism int) (table.Reader, error)

// Open calls f.
func (f SourceFunc) Open(ctx context.Context, subtask, parallelism int) (table.Reader, error) {
	return f(ctx, subtask, parallelism)
}

// WatermarkReader is the optional ability of a source reader that knows
// event time: after each Next, Watermark returns the reader's current
// watermark (ms). The engine forwards it downstream whenever it advances.
type WatermarkReader interface {
	Watermark() int64
}

// OperatorContext describes the subtask an operator instance runs in. The
// engine fills it before Open; later increments add state handles here.
type OperatorContext struct {
	// Name is the operator's name in the job graph.
	Name string
	// Subtask is this instance's index in [0, Parallelism).
	Subtask int
	// Parallelism is the number of instances of the operator.
	Parallelism int
	// Allocator is the job's allocator; use it for every batch you build.
	Allocator memory.Allocator
	// Logger is the job's logger with operator and subtask attributes.
	Logger *slog.Logger
}

// Collector sends batches and watermarks downstream. Emit takes ownership of
// rec (the caller must not Release it afterwards, even on error) and blocks
// while downstream is busy: that is the engine's backpressure. An error
// means the job is stopping; return it.
type Collector interface {
	Emit(rec arrow.Record) error
	// EmitTo sends rec to the side output tag (read with
	// Stream.SideOutput(tag)), taking ownership as Emit does. Its rows are
	// counted in OperatorMetrics.SideRecordsOut even when nothing consumes
	// the tag (then rec is released).
	EmitTo(tag string, rec arrow.Record) error
	// EmitWatermark forwards an event-time watermark (ms). Watermarks that
	// do not advance the subtask's output watermark are dropped.
	EmitWatermark(wm int64) error
}

// Operator processes batches. The engine creates one instance per subtask
// (through the factory given to Process) and calls it from one goroutine.
// rec is borrowed: it is valid during the call only; Retain it to keep it.
//
// Optional abilities, discovered by type assertion: Opener, Finisher,
// WatermarkHandler, BarrierHandler, Ticker, Snapshotter, Restorer, Closer.
type Operator interface {
	ProcessBatch(ctx context.Context, rec arrow.Record, out Collector) error
}

// OperatorFunc adapts a function to Operator.
type OperatorFunc func(ctx context.Context, rec arrow.Record, out Collector) error

// ProcessBatch calls f.
func (f OperatorFunc) ProcessBatch(ctx context.Context, rec arrow.Record, out Collector) error {
	return f(ctx, rec, out)
}

// Opener is called once before the first batch.
type Opener interface {
	Open(ctx context.Context, oc *OperatorContext) error
}

// Finisher is called once when every input has ended, before the end of
// input goes downstream: flush buffered results into out. It is not called
// when the job fails or is cancelled.
type Finisher interface {
	Finish(ctx context.Context, out Collector) error
}

// WatermarkHandler receives the subtask's input watermark (the minimum over
// its input channels) each time it advances. An operator with this ability
// owns its output watermark: it must call out.EmitWatermark to forward
// (possibly a smaller or a newly computed value). Operators without it have
// their input watermark forwarded by the engine.
type WatermarkHandler interface {
	OnWatermark(ctx context.Context, wm int64, out Collector) error
}

// BarrierHandler is called when checkpoint barrier id has arrived on every
// input channel (aligned), before the barrier is forwarded and before the
// engine takes the subtask's snapshot (Snapshotter, keyed state).
type BarrierHandler interface {
	OnBarrier(ctx context.Context, id int64) error
}

// Ticker is the optional ability of a non-keyed operator to act on
// processing time while no input arrives (keyed operators register
// processing-time timers instead, and are not ticked): the engine calls
// OnTick from the operator's goroutine, between elements, about every
// TickInterval of wall time, with the operator's Collector. Output emitted
// there is ordinary output (before the next barrier, in that
// checkpoint's epoch). A TickInterval of zero or less turns ticks off.
type Ticker interface {
	TickInterval() time.Duration
	OnTick(ctx context.Context, out Collector) error
}

// Closer is called once when the subtask ends, successfully or not, to
// free resources.
type Closer interface {
	Close() error
}

// Sink consumes a stream. The engine opens it once per subtask; Write is then
// called from that subtask's goroutine only.
type Sink interface {
	Open(ctx context.Context, subtask, parallelism int) (SinkWriter, error)
}

// SinkWriter writes the batches of one sink subtask. rec is borrowed: it is
// valid during the call only; Retain it to keep it. Close is called once at
// the end of input to flush and finish. When the job fails or is cancelled,
// Abort is called instead if the writer is an Aborter, else Close with the
// cancelled ctx (check ctx.Err() before publishing anything). A SinkWriter
// may also be a BarrierHandler, a TwoPhaseCommitter (exactly-once output),
// a Snapshotter and a Restorer.
type SinkWriter interface {
	Write(ctx context.Context, rec arrow.Record) error
	Close(ctx context.Context) error
}

// Aborter is the optional ability of a SinkWriter to discard its output when
// the job fails.
type Aborter interface {
	Abort() error
}

// SinkFunc adapts a function to Sink. With parallelism above one, f is
// called concurrently from several subtasks.
type SinkFunc func(ctx context.Context, subtask int, rec arrow.Record) error

// Open returns a writer calling f.
func (f SinkFunc) Open(_ context.Context, subtask, _ int) (SinkWriter, error) {
	return funcWriter{f: f, subtask: subtask}, nil
}

type funcWriter struct {
	f       SinkFunc
	subtask int
}

func (w funcWriter) Write(ctx context.Context, rec arrow.Record) error {
	return w.f(ctx, w.subtask, rec)
}
func (funcWriter) Close(context.Context) error { return nil }

// Checkpoint describes a completed checkpoint: every subtask has seen
// barrier ID aligned on all its inputs.
type Checkpoint struct {
	ID int64
	// SourceOffsets maps a source name to the table.Seeker offset of each of
	// its subtasks at the barrier (-1 for readers that cannot seek).
	SourceOffsets map[string][]int64
	// Duration runs from the barrier injection to the manifest written.
	Duration time.Duration
	// Size is the number of bytes of state written.
	Size int64
	// Final is set on the checkpoint a bounded job takes after its sources
	// ended and its operators finished (see Job.Run).
	Final bool
}
