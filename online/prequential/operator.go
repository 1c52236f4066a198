package prequential

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/eddyml/eddy/online/internal/olearn"
	"github.com/eddyml/eddy/online/internal/rowtime"
	"github.com/eddyml/eddy/pipeline/stream"
)

// Tag is the side output metrics rows go to.
const Tag = "metrics"

// OperatorConfig configures the prequential stream operator.
type OperatorConfig struct {
	Config
	// Every is the number of rows between metrics rows (default Window).
	// A last row is emitted at the end of input.
	Every int64
	// TimeColumn, when set, is a timestamp (or int64 milliseconds) column:
	// a metrics row carries the time of the last row it covers. Else it
	// carries processing time from Now.
	TimeColumn string
	// Now is the processing-time clock (default time.Now).
	Now func() time.Time
	// Registerer, when set, receives one gauge vector per metric,
	// eddy_online_<metric>{learner, scope="cumulative"|"window"}, updated
	// with every metrics row. Vectors already registered by another
	// operator are shared (one label set per Learner). Requires
	// parallelism 1.
	Registerer prometheus.Registerer
	// Learner is the gauges' learner label.
	Learner string
}

// MetricsSchema returns the schema of the metrics rows of a task: rows
// int64, time timestamp[us], then cumulative_<name> and window_<name>
// float64 columns for each of Names(task), cumulative ones first.
func MetricsSchema(t Task) *arrow.Schema {
	fields := []arrow.Field{
		{Name: "rows", Type: arrow.PrimitiveTypes.Int64},
		{Name: "time", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	}
	for _, scope := range []string{"cumulative", "window"} {
		for _, n := range Names(t) {
			fields = append(fields, arrow.Field{Name: scope + "_" + n, Type: arrow.PrimitiveTypes.Float64})
		}
	}
	return arrow.NewSchema(fields, nil)
}

// NewOperator returns the factory of a stream operator that evaluates the
// rows passing through it (label plus the test-then-train prediction and
// probability, as the learner operator outputs them), forwards every batch
// unchanged, and emits a MetricsSchema row on side output Tag every Every
// rows and at the end of input. The evaluator is checkpointed, so a
// restored job emits the same metrics rows. Each subtask evaluates its own
// share of the rows: use parallelism 1 for metrics over the whole stream.
func NewOperator(cfg OperatorConfig) (func() stream.Operator, error) {
	if _, err := New(cfg.Config); err != nil {
		return nil, err
	}
	cfg.Config.setDefaults()
	if cfg.Every == 0 {
		cfg.Every = int64(cfg.Window)
	}
	if cfg.Every < 1 {
		return nil, fmt.Errorf("prequential: every %d rows, want >= 1", cfg.Every)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	var gauges []*prometheus.GaugeVec
	if cfg.Registerer != nil {
		for _, name := range Names(cfg.Task) {
			g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
				Name: "eddy_online_" + name,
				Help: "Prequential (test-then-train) " + name + " of an online learner, over every row (scope cumulative) or the newest rows (scope window).",
			}, []string{"learner", "scope"})
			if err := cfg.Registerer.Register(g); err != nil {
				var are prometheus.AlreadyRegisteredError
				if !errors.As(err, &are) {
					return nil, fmt.Errorf("prequential: register gauge: %w", err)
				}
				existing, ok := are.ExistingCollector.(*prometheus.GaugeVec)
				if !ok {
					return nil, fmt.Errorf("prequential: register gauge: %q is registered with another type", "eddy_online_"+name)
				}
				g = existing
			}
			gauges = append(gauges, g)
		}
	}
	return func() stream.Operator { return &operator{cfg: cfg, gauges: gauges} }, nil
}

type operator struct {
	cfg    OperatorConfig
	gauges []*prometheus.GaugeVec
	oc     *stream.OperatorContext
	ev     *Evaluator
	last   int64 // rows at the last metrics row
	lastTS int64 // time of the last row seen (µs), with TimeColumn
}

func (o *operator) Open(_ context.Context, oc *stream.OperatorContext) error {
	if o.gauges != nil && oc.Parallelism > 1 {
		return fmt.Errorf("prequential: gauges need parallelism 1, have %d", oc.Parallelism)
	}
	o.oc = oc
	ev, err := New(o.cfg.Config)
	o.ev = ev
	return err
}

func (o *operator) ProcessBatch(_ context.Context, rec arrow.Record, out stream.Collector) error {
	var tc rowtime.Column
	var err error
	if o.cfg.TimeColumn != "" {
		if tc, err = rowtime.Bind(rec, o.cfg.TimeColumn); err != nil {
			return fmt.Errorf("prequential: %w", err)
		}
	}
	var rows []arrow.Record
	defer func() {
		for _, r := range rows {
			r.Release()
		}
	}()
	n := rec.NumRows()
	for lo := int64(0); lo < n; {
		hi := min(n, lo+o.cfg.Every-(o.ev.Rows()-o.last))
		part := rec.NewSlice(lo, hi)
		err := o.ev.Update(part)
		part.Release()
		if err != nil {
			return err
		}
		if o.cfg.TimeColumn != "" {
			if o.lastTS, err = tc.Micros(int(hi-1), o.ev.Rows()-1); err != nil {
				return fmt.Errorf("prequential: %w", err)
			}
		}
		if o.ev.Rows()-o.last == o.cfg.Every {
			rows = append(rows, o.metricsRow())
		}
		lo = hi
	}
	rec.Retain()
	if err := out.Emit(rec); err != nil {
		return err
	}
	for len(rows) > 0 {
		r := rows[0]
		rows = rows[1:]
		if err := out.EmitTo(Tag, r); err != nil {
			return err
		}
	}
	return nil
}

// metricsRow builds the metrics row of now and updates the gauges.
func (o *operator) metricsRow() arrow.Record {
	o.last = o.ev.Rows()
	m := o.ev.Metrics()
	ts := o.lastTS
	if o.cfg.TimeColumn == "" {
		ts = rowtime.Now(o.cfg.Now())
	}
	b := array.NewRecordBuilder(o.oc.Allocator, MetricsSchema(o.cfg.Task))
	defer b.Release()
	b.Field(0).(*array.Int64Builder).Append(m.Rows)
	b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(ts))
	names := Names(o.cfg.Task)
	for i, name := range names {
		c, w := m.Cumulative.Get(name), m.Window.Get(name)
		b.Field(2 + i).(*array.Float64Builder).Append(c)
		b.Field(2 + len(names) + i).(*array.Float64Builder).Append(w)
		if o.gauges != nil {
			o.gauges[i].WithLabelValues(o.cfg.Learner, "cumulative").Set(c)
			o.gauges[i].WithLabelValues(o.cfg.Learner, "window").Set(w)
		}
	}
	return b.NewRecord()
}

func (o *operator) Finish(_ context.Context, out stream.Collector) error {
	if o.ev.Rows() == o.last {
		return nil
	}
	return out.EmitTo(Tag, o.metricsRow())
}

const opMagic = "EDDYPQOP"

func (o *operator) Snapshot(context.Context, int64) ([]byte, error) {
	b, err := o.ev.Snapshot()
	if err != nil {
		return nil, err
	}
	e := olearn.NewEnc(opMagic, 1, 24+len(b))
	e.I64(o.last)
	e.I64(o.lastTS)
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
		return fmt.Errorf("prequential: restore: %d subtask states for one evaluator (lowering the parallelism is not supported)", len(states))
	}
	last, lastTS, b, err := decodeOpState(states[0])
	if err != nil {
		return err
	}
	ev, _ := New(o.cfg.Config)
	if err := ev.Restore(b); err != nil {
		return err
	}
	if ev.Config() != o.ev.Config() {
		return fmt.Errorf("prequential: restore: snapshot configuration %+v differs from the operator's %+v", ev.Config(), o.ev.Config())
	}
	if last > ev.Rows() {
		return errors.New("prequential: restore: malformed operator state")
	}
	o.ev, o.last, o.lastTS = ev, last, lastTS
	return nil
}

func decodeOpState(b []byte) (last, lastTS int64, ev []byte, err error) {
	d, v, err := olearn.NewDec(b, opMagic)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("prequential: restore: %w", err)
	}
	if v != 1 {
		return 0, 0, nil, fmt.Errorf("prequential: restore: format version %d, want 1", v)
	}
	last, lastTS = d.I64(), d.I64()
	n := d.U64()
	if d.Failed() || n != uint64(d.Remaining()) || last < 0 {
		return 0, 0, nil, errors.New("prequential: restore: malformed operator state")
	}
	return last, lastTS, b[len(b)-int(n):], nil
}
