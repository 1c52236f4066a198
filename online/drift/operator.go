package drift

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/eddyml/eddy/online/internal/olearn"
	"github.com/eddyml/eddy/online/internal/rowtime"
	"github.com/eddyml/eddy/pipeline/stream"
)

// Tag is the side output drift events go to.
const Tag = "drift"

// EventSchema is the schema of drift events: the detector's kind, the
// 0-based index of the row that triggered the drift in the operator
// subtask's input (counted from the start of input, across restores), the
// row's time and the detector's Statistic.
var EventSchema = arrow.NewSchema([]arrow.Field{
	{Name: "detector", Type: arrow.BinaryTypes.String},
	{Name: "row", Type: arrow.PrimitiveTypes.Int64},
	{Name: "time", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	{Name: "statistic", Type: arrow.PrimitiveTypes.Float64},
}, nil)

// OperatorConfig configures the drift operator.
type OperatorConfig struct {
	// Column is the float64 (or any integer or boolean) column the
	// detector reads: an error indicator or a loss. Required. Nulls, NaN
	// and infinities are errors.
	Column string
	// New makes each subtask's detector (default: ADWIN with defaults).
	New func() (Detector, error)
	// TimeColumn, when set, is a timestamp (or int64 milliseconds) column
	// giving each event's time; else events carry processing time from
	// Now.
	TimeColumn string
	// Now is the processing-time clock (default time.Now).
	Now func() time.Time
}

func (c *OperatorConfig) setDefaults() {
	if c.New == nil {
		c.New = func() (Detector, error) { return NewADWIN(ADWINConfig{}) }
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// NewOperator returns the factory of a stream operator that passes every
// batch through unchanged and feeds Column, row by row, to a Detector,
// emitting one EventSchema row per detected drift on side output Tag
// (after the batch that caused it). The detector's state and the row count
// are checkpointed (the operator is a stream.Snapshotter and
// stream.Restorer). With parallelism above one each subtask runs its own
// detector on its share of the rows; use parallelism 1 for one detector
// over the whole stream.
func NewOperator(cfg OperatorConfig) (func() stream.Operator, error) {
	cfg.setDefaults()
	if cfg.Column == "" {
		return nil, errors.New("drift: operator needs a column")
	}
	if _, err := cfg.New(); err != nil {
		return nil, fmt.Errorf("drift: operator detector: %w", err)
	}
	return func() stream.Operator { return &operator{cfg: cfg} }, nil
}

type operator struct {
	cfg  OperatorConfig
	oc   *stream.OperatorContext
	det  Detector
	rows int64
	buf  []float64
}

func (o *operator) Open(_ context.Context, oc *stream.OperatorContext) error {
	o.oc = oc
	d, err := o.cfg.New()
	if err != nil {
		return fmt.Errorf("drift: operator detector: %w", err)
	}
	o.det = d
	return nil
}

func (o *operator) ProcessBatch(_ context.Context, rec arrow.Record, out stream.Collector) error {
	xs, err := olearn.Labels(rec, o.cfg.Column, o.rows, o.buf)
	if err != nil {
		return fmt.Errorf("drift: %w", err)
	}
	o.buf = xs
	var tc rowtime.Column
	if o.cfg.TimeColumn != "" {
		if tc, err = rowtime.Bind(rec, o.cfg.TimeColumn); err != nil {
			return fmt.Errorf("drift: %w", err)
		}
	}
	var ev *array.RecordBuilder
	defer func() {
		if ev != nil {
			ev.Release()
		}
	}()
	for i, x := range xs {
		if !o.det.Update(x) {
			continue
		}
		ts := rowtime.Now(o.cfg.Now())
		if o.cfg.TimeColumn != "" {
			if ts, err = tc.Micros(i, o.rows); err != nil {
				return fmt.Errorf("drift: %w", err)
			}
		}
		if ev == nil {
			ev = array.NewRecordBuilder(o.oc.Allocator, EventSchema)
		}
		ev.Field(0).(*array.StringBuilder).Append(o.det.Name())
		ev.Field(1).(*array.Int64Builder).Append(o.rows + int64(i))
		ev.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(ts))
		ev.Field(3).(*array.Float64Builder).Append(o.det.Statistic())
	}
	o.rows += int64(len(xs))
	rec.Retain()
	if err := out.Emit(rec); err != nil {
		return err
	}
	if ev != nil {
		return out.EmitTo(Tag, ev.NewRecord())
	}
	return nil
}

const opMagic = "EDDYDOP1"

func (o *operator) Snapshot(context.Context, int64) ([]byte, error) {
	b, err := o.det.Snapshot()
	if err != nil {
		return nil, fmt.Errorf("drift: snapshot: %w", err)
	}
	e := olearn.NewEnc(opMagic, 1, 8+len(b))
	e.I64(o.rows)
	e.U64(uint64(len(b)))
	e.B = append(e.B, b...)
	return e.B, nil
}

func (o *operator) Restore(_ context.Context, _ int64, states [][]byte) error {
	switch len(states) {
	case 0:
		return nil
	case 1:
	default:
		return fmt.Errorf("drift: restore: %d subtask states for one detector (lowering the parallelism of a drift operator is not supported)", len(states))
	}
	rows, b, err := decodeOpState(states[0])
	if err != nil {
		return err
	}
	if err := o.det.Restore(b); err != nil {
		return fmt.Errorf("drift: restore: %w", err)
	}
	o.rows = rows
	return nil
}

func decodeOpState(b []byte) (rows int64, det []byte, err error) {
	d, v, err := olearn.NewDec(b, opMagic)
	if err != nil {
		return 0, nil, fmt.Errorf("drift: restore: %w", err)
	}
	if v != 1 {
		return 0, nil, fmt.Errorf("drift: restore: format version %d, want 1", v)
	}
	rows = d.I64()
	n := d.U64()
	if d.Failed() || n != uint64(d.Remaining()) || rows < 0 {
		return 0, nil, errors.New("drift: restore: malformed operator state")
	}
	return rows, b[len(b)-int(n):], nil
}
