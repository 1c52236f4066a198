package delayed

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/online/internal/olearn"
	"github.com/eddyml/eddy/online/internal/rowtime"
	"github.com/eddyml/eddy/pipeline/state"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

// Row kinds of the unified input (Config.KindCol).
const (
	KindPrediction = "prediction"
	KindLabel      = "label"
)

// Side output tags.
const (
	// ExpiredTag receives the predictions whose label did not arrive
	// within MaxDelay (and, in processing time, those still waiting at the
	// end of input): key, time and value columns.
	ExpiredTag = "expired"
	// OrphanTag receives the labels no prediction joined within MaxDelay
	// (and, in processing time, those still waiting at the end of input):
	// key, label_time and label.
	OrphanTag = "orphan_labels"
)

// LabelTimeCol is the output column of the label's time.
const LabelTimeCol = "label_time"

// Config configures the join.
type Config struct {
	// KeyCol identifies a prediction and its label (default "id"); any
	// type the engine can key by.
	KeyCol string
	// KindCol is the unified input's string column telling predictions
	// from labels (default "kind"), see TagPredictions and TagLabels.
	KindCol string
	// TimeCol is each row's event time (default "time"): a timestamp of
	// any unit or int64 milliseconds in the tagged inputs, timestamp[us]
	// in the unified input and in the outputs (the prediction's time).
	TimeCol string
	// LabelCol is the label (default "label"), float64 in the output.
	LabelCol string
	// ValueCols are the prediction rows' float64 columns carried to the
	// output (default prediction, probability).
	ValueCols []string
	// MaxDelay is how long a prediction waits for its label, and a label
	// for its prediction. Required.
	MaxDelay time.Duration
	// Domain is the clock of MaxDelay: stream.EventTime (default; the
	// rows' TimeCol and the watermarks) or stream.ProcessingTime (the
	// job's clock, from each row's arrival).
	Domain stream.TimeDomain
}

func (c *Config) setDefaults() {
	if c.KeyCol == "" {
		c.KeyCol = "id"
	}
	if c.KindCol == "" {
		c.KindCol = "kind"
	}
	if c.TimeCol == "" {
		c.TimeCol = "time"
	}
	if c.LabelCol == "" {
		c.LabelCol = "label"
	}
	if c.ValueCols == nil {
		c.ValueCols = []string{"prediction", "probability"}
	}
}

// Validate checks the configuration (after defaults).
func (c Config) Validate() error {
	if c.MaxDelay < time.Millisecond {
		return fmt.Errorf("delayed: max delay %v, want >= 1ms", c.MaxDelay)
	}
	if c.Domain != stream.EventTime && c.Domain != stream.ProcessingTime {
		return fmt.Errorf("delayed: unknown time domain %v", c.Domain)
	}
	seen := map[string]bool{}
	for _, n := range append([]string{c.KeyCol, c.KindCol, c.TimeCol, c.LabelCol, LabelTimeCol}, c.ValueCols...) {
		if seen[n] {
			return fmt.Errorf("delayed: column %q named twice", n)
		}
		seen[n] = true
	}
	return nil
}

var tsType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// UnifiedSchema returns the schema of the join's input for a key field:
// key, kind (string), time (timestamp[us]), label (float64, null on
// predictions), then the value columns (float64, null on labels).
func (c Config) UnifiedSchema(key arrow.Field) *arrow.Schema {
	c.setDefaults()
	key.Name, key.Nullable = c.KeyCol, true
	fields := []arrow.Field{key,
		{Name: c.KindCol, Type: arrow.BinaryTypes.String},
		{Name: c.TimeCol, Type: tsType, Nullable: true},
		{Name: c.LabelCol, Type: arrow.PrimitiveTypes.Float64, Nullable: true}}
	for _, v := range c.ValueCols {
		fields = append(fields, arrow.Field{Name: v, Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	}
	return arrow.NewSchema(fields, nil)
}

// TagPredictions returns a Map function turning a prediction stream (key,
// time and value columns; others are dropped) into the unified schema.
func TagPredictions(cfg Config, mem memory.Allocator) func(arrow.Record) (arrow.Record, error) {
	cfg.setDefaults()
	return func(rec arrow.Record) (arrow.Record, error) { return tag(cfg, mem, rec, KindPrediction) }
}

// TagLabels returns a Map function turning a label stream (key, time and
// label columns; others are dropped) into the unified schema.
func TagLabels(cfg Config, mem memory.Allocator) func(arrow.Record) (arrow.Record, error) {
	cfg.setDefaults()
	return func(rec arrow.Record) (arrow.Record, error) { return tag(cfg, mem, rec, KindLabel) }
}

func tag(cfg Config, mem memory.Allocator, rec arrow.Record, kind string) (arrow.Record, error) {
	n := int(rec.NumRows())
	ki, err := table.FieldIndex(rec.Schema(), cfg.KeyCol)
	if err != nil {
		return nil, fmt.Errorf("delayed: %s stream: %w", kind, err)
	}
	schema := cfg.UnifiedSchema(rec.Schema().Field(ki))
	cols := make([]arrow.Array, schema.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	cols[0] = rec.Column(ki)
	cols[0].Retain()
	kb := array.NewStringBuilder(mem)
	defer kb.Release()
	for range n {
		kb.Append(kind)
	}
	cols[1] = kb.NewArray()
	tc, err := rowtime.Bind(rec, cfg.TimeCol)
	if err != nil {
		return nil, fmt.Errorf("delayed: %s stream: %w", kind, err)
	}
	tb := array.NewTimestampBuilder(mem, tsType)
	defer tb.Release()
	for i := range n {
		us, err := tc.Micros(i, 0)
		if err != nil {
			return nil, fmt.Errorf("delayed: %s stream: %w", kind, err)
		}
		tb.Append(arrow.Timestamp(us))
	}
	cols[2] = tb.NewArray()
	fb := array.NewFloat64Builder(mem)
	defer fb.Release()
	nulls := func() arrow.Array {
		fb.AppendNulls(n)
		return fb.NewArray()
	}
	if kind == KindLabel {
		y, err := olearn.Labels(rec, cfg.LabelCol, 0, nil)
		if err != nil {
			return nil, fmt.Errorf("delayed: label stream: %w", err)
		}
		fb.AppendValues(y, nil)
		cols[3] = fb.NewArray()
		for j := range cfg.ValueCols {
			cols[4+j] = nulls()
		}
	} else {
		cols[3] = nulls()
		for j, name := range cfg.ValueCols {
			vi, err := table.FieldIndex(rec.Schema(), name)
			if err != nil {
				return nil, fmt.Errorf("delayed: prediction stream: %w", err)
			}
			if rec.Column(vi).DataType().ID() != arrow.FLOAT64 {
				return nil, fmt.Errorf("delayed: prediction stream: column %q: type %s, want float64", name, rec.Column(vi).DataType())
			}
			cols[4+j] = rec.Column(vi)
			cols[4+j].Retain()
		}
	}
	return array.NewRecord(schema, cols, int64(n)), nil
}

// Join tags the prediction and label streams (TagPredictions, TagLabels),
// unions them, keys them by KeyCol and joins them with NewOperator, with
// parallelism subtasks (0 inherits). For event time, assign watermarks on
// both inputs first (Stream.AssignWatermarks on their time column). The
// returned stream holds the joined rows; its SideOutput(ExpiredTag) and
// SideOutput(OrphanTag) the rest.
func Join(preds, labels *stream.Stream, cfg Config, mem memory.Allocator, parallelism int) (*stream.Stream, error) {
	newOp, err := NewOperator(cfg)
	if err != nil {
		return nil, err
	}
	cfg.setDefaults()
	j := preds.Job()
	p := preds.Map(j.UniqueName("tag-predictions"), TagPredictions(cfg, mem))
	l := labels.Map(j.UniqueName("tag-labels"), TagLabels(cfg, mem))
	return stream.Union(p, l).KeyBy(cfg.KeyCol).Process(j.UniqueName("delayed-join"), newOp, parallelism), nil
}

// NewOperator returns the factory of the keyed join operator; key its
// input by Config.KeyCol (stream.KeyBy). Its input has the unified schema
// (see UnifiedSchema); a prediction waits in keyed state for its label up
// to MaxDelay, a label for its prediction likewise. A label joins every
// prediction of its key waiting; a prediction joins the oldest label of
// its key waiting. Joined rows (key, time, label_time, value columns,
// label) go to the main output as soon as the second side arrives; what
// waited in vain goes to ExpiredTag or OrphanTag when its timer fires
// (deadline = time + MaxDelay in event time, arrival + MaxDelay in
// processing time), so no row is dropped silently; their counts are the
// operator's OperatorMetrics.SideRecordsOut. Pending rows and timers are
// keyed state, checkpointed and restored by the engine.
func NewOperator(cfg Config) (func() stream.KeyedOperator, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return func() stream.KeyedOperator { return &joinOp{cfg: cfg} }, nil
}

// entry is a waiting prediction (vals = value columns) or label
// (vals = {label}).
type entry struct {
	time     int64 // event time, µs
	deadline int64 // ms, in the timer's domain
	vals     []float64
	nulls    uint64 // bit j set: vals[j] is null
}

type entryCodec struct{}

func (entryCodec) Append(dst []byte, e entry) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, uint64(e.time))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(e.deadline))
	dst = binary.LittleEndian.AppendUint64(dst, e.nulls)
	for _, v := range e.vals {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
	}
	return dst
}

func (entryCodec) Decode(src []byte) (entry, error) {
	if len(src) < 24 || len(src)%8 != 0 || len(src) > 24+8*64 {
		return entry{}, fmt.Errorf("delayed: pending row of %d bytes", len(src))
	}
	e := entry{time: int64(binary.LittleEndian.Uint64(src)), deadline: int64(binary.LittleEndian.Uint64(src[8:])),
		nulls: binary.LittleEndian.Uint64(src[16:])}
	for p := src[24:]; len(p) > 0; p = p[8:] {
		e.vals = append(e.vals, math.Float64frombits(binary.LittleEndian.Uint64(p)))
	}
	return e, nil
}

type joinOp struct {
	cfg    Config
	kc     *stream.KeyedContext
	preds  *state.ListState[entry]
	labels *state.ListState[entry]

	joined, expired, orphan *array.RecordBuilder
}

const (
	statePredictions = "predictions"
	stateLabels      = "labels"
)

func (o *joinOp) Open(_ context.Context, kc *stream.KeyedContext) (err error) {
	if len(o.cfg.ValueCols) > 63 {
		return errors.New("delayed: more than 63 value columns")
	}
	o.kc = kc
	if o.preds, err = state.NewListState[entry](kc.State(), statePredictions, entryCodec{}); err != nil {
		return err
	}
	o.labels, err = state.NewListState[entry](kc.State(), stateLabels, entryCodec{})
	return err
}

// builders are made once the key fields are known.
func (o *joinOp) builders() {
	if o.joined != nil || o.kc.KeyFields() == nil {
		return
	}
	mem := o.kc.Allocator
	keys := o.kc.KeyFields()
	f64 := func(n string) arrow.Field {
		return arrow.Field{Name: n, Type: arrow.PrimitiveTypes.Float64, Nullable: true}
	}
	tsf := func(n string) arrow.Field { return arrow.Field{Name: n, Type: tsType} }
	var vals []arrow.Field
	for _, v := range o.cfg.ValueCols {
		vals = append(vals, f64(v))
	}
	j := append(append(append([]arrow.Field{}, keys...), tsf(o.cfg.TimeCol), tsf(LabelTimeCol)), vals...)
	j = append(j, arrow.Field{Name: o.cfg.LabelCol, Type: arrow.PrimitiveTypes.Float64})
	e := append(append(append([]arrow.Field{}, keys...), tsf(o.cfg.TimeCol)), vals...)
	orph := append(append([]arrow.Field{}, keys...), tsf(LabelTimeCol), arrow.Field{Name: o.cfg.LabelCol, Type: arrow.PrimitiveTypes.Float64})
	o.joined = array.NewRecordBuilder(mem, arrow.NewSchema(j, nil))
	o.expired = array.NewRecordBuilder(mem, arrow.NewSchema(e, nil))
	o.orphan = array.NewRecordBuilder(mem, arrow.NewSchema(orph, nil))
}

func (o *joinOp) appendKey(b *array.RecordBuilder) error {
	return o.kc.AppendKey(b.Fields()[:len(o.kc.KeyFields())])
}

func appendVals(bs []array.Builder, e entry) {
	for j, v := range e.vals {
		fb := bs[j].(*array.Float64Builder)
		if e.nulls&(1<<j) != 0 {
			fb.AppendNull()
		} else {
			fb.Append(v)
		}
	}
}

func (o *joinOp) emitJoined(p, l entry) error {
	if err := o.appendKey(o.joined); err != nil {
		return err
	}
	fs := o.joined.Fields()
	k := len(o.kc.KeyFields())
	fs[k].(*array.TimestampBuilder).Append(arrow.Timestamp(p.time))
	fs[k+1].(*array.TimestampBuilder).Append(arrow.Timestamp(l.time))
	appendVals(fs[k+2:], p)
	fs[len(fs)-1].(*array.Float64Builder).Append(l.vals[0])
	return nil
}

func (o *joinOp) emitExpired(p entry) error {
	if err := o.appendKey(o.expired); err != nil {
		return err
	}
	fs := o.expired.Fields()
	k := len(o.kc.KeyFields())
	fs[k].(*array.TimestampBuilder).Append(arrow.Timestamp(p.time))
	appendVals(fs[k+1:], p)
	return nil
}

func (o *joinOp) emitOrphan(l entry) error {
	if err := o.appendKey(o.orphan); err != nil {
		return err
	}
	fs := o.orphan.Fields()
	k := len(o.kc.KeyFields())
	fs[k].(*array.TimestampBuilder).Append(arrow.Timestamp(l.time))
	fs[k+1].(*array.Float64Builder).Append(l.vals[0])
	return nil
}

// flush emits what the builders hold.
func (o *joinOp) flush(out stream.Collector) error {
	if o.joined == nil {
		return nil
	}
	var errs []error
	for _, x := range []struct {
		b   *array.RecordBuilder
		tag string
	}{{o.joined, ""}, {o.expired, ExpiredTag}, {o.orphan, OrphanTag}} {
		if x.b.Field(0).Len() == 0 {
			continue
		}
		rec := x.b.NewRecord()
		if x.tag == "" {
			errs = append(errs, out.Emit(rec))
		} else {
			errs = append(errs, out.EmitTo(x.tag, rec))
		}
	}
	return errors.Join(errs...)
}

func (o *joinOp) register(deadline int64) {
	if o.cfg.Domain == stream.ProcessingTime {
		o.kc.RegisterProcessingTimer(deadline)
	} else {
		o.kc.RegisterEventTimer(deadline)
	}
}

func (o *joinOp) ProcessBatch(_ context.Context, kc *stream.KeyedContext, rec arrow.Record, out stream.Collector) error {
	idx, err := table.FieldIndices(rec.Schema(), append([]string{o.cfg.KindCol, o.cfg.LabelCol}, o.cfg.ValueCols...)...)
	if err != nil {
		return fmt.Errorf("delayed: %w", err)
	}
	kinds, ok := rec.Column(idx[0]).(*array.String)
	if !ok {
		return fmt.Errorf("delayed: column %q: type %s, want string", o.cfg.KindCol, rec.Column(idx[0]).DataType())
	}
	f64 := make([]*array.Float64, len(idx)-1)
	for j, ci := range idx[1:] {
		if f64[j], ok = rec.Column(ci).(*array.Float64); !ok {
			return fmt.Errorf("delayed: column %q: type %s, want float64", rec.Schema().Field(ci).Name, rec.Column(ci).DataType())
		}
	}
	tc, err := rowtime.Bind(rec, o.cfg.TimeCol)
	if err != nil {
		return fmt.Errorf("delayed: %w", err)
	}
	maxDelay := o.cfg.MaxDelay.Milliseconds()
	var now int64
	if o.cfg.Domain == stream.ProcessingTime {
		now = kc.Now().UnixMilli()
	}
	err = kc.ForEachKey(rec, func(rows []int) error {
		o.builders() // the key fields are known once ForEachKey bound rec
		for _, r := range rows {
			t, err := tc.Micros(r, 0)
			if err != nil {
				return fmt.Errorf("delayed: %w", err)
			}
			e := entry{time: t}
			if o.cfg.Domain == stream.ProcessingTime {
				e.deadline = now + maxDelay
			} else {
				e.deadline = ceilDiv(t, 1000) + maxDelay
			}
			switch kinds.Value(r) {
			case KindPrediction:
				for j, a := range f64[1:] {
					e.vals = append(e.vals, a.Value(r))
					if a.IsNull(r) {
						e.nulls |= 1 << j
					}
				}
				if ls := o.labels.Get(); len(ls) > 0 {
					l := ls[0]
					o.labels.Update(ls[1:])
					if err := o.emitJoined(e, l); err != nil {
						return err
					}
					continue
				}
				o.preds.Add(e)
				o.register(e.deadline)
			case KindLabel:
				if f64[0].IsNull(r) || math.IsNaN(f64[0].Value(r)) {
					return fmt.Errorf("delayed: column %q row %d: null or NaN label", o.cfg.LabelCol, r)
				}
				e.vals = []float64{f64[0].Value(r)}
				if ps := o.preds.Get(); len(ps) > 0 {
					for _, p := range ps {
						if err := o.emitJoined(p, e); err != nil {
							return err
						}
					}
					o.preds.Clear()
					continue
				}
				o.labels.Add(e)
				o.register(e.deadline)
			default:
				return fmt.Errorf("delayed: column %q row %d: kind %q, want %q or %q", o.cfg.KindCol, r, kinds.Value(r), KindPrediction, KindLabel)
			}
		}
		return nil
	})
	return errors.Join(err, o.flush(out))
}

func ceilDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a > 0) == (b > 0) {
		q++
	}
	return q
}

// OnTimer expires the current key's rows whose deadline has passed.
func (o *joinOp) OnTimer(_ context.Context, _ *stream.KeyedContext, t stream.Timer, out stream.Collector) error {
	o.builders()
	if o.joined == nil {
		return errors.New("delayed: timer fired before the key columns are known")
	}
	if err := o.expire(t.Time); err != nil {
		return err
	}
	return o.flush(out)
}

func (o *joinOp) expire(upTo int64) error {
	for _, s := range []struct {
		st   *state.ListState[entry]
		emit func(entry) error
	}{{o.preds, o.emitExpired}, {o.labels, o.emitOrphan}} {
		es := s.st.Get()
		var keep []entry
		for _, e := range es {
			if e.deadline <= upTo {
				if err := s.emit(e); err != nil {
					return err
				}
			} else {
				keep = append(keep, e)
			}
		}
		if len(keep) != len(es) {
			s.st.Update(keep)
		}
	}
	return nil
}

// Finish expires everything still waiting: in event time the end of
// input's watermark already fired every timer; processing-time timers do
// not fire after the end of input.
func (o *joinOp) Finish(_ context.Context, out stream.Collector) error {
	if o.kc.KeyFields() == nil {
		return nil
	}
	o.builders()
	for _, name := range []string{statePredictions, stateLabels} {
		if err := o.kc.ForEachStateKey(name, func() error { return o.expire(math.MaxInt64) }); err != nil {
			return err
		}
	}
	return o.flush(out)
}

func (o *joinOp) Close() error {
	for _, b := range []*array.RecordBuilder{o.joined, o.expired, o.orphan} {
		if b != nil {
			b.Release()
		}
	}
	return nil
}
