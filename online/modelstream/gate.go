package modelstream

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/eval"
	"github.com/eddyml/eddy/online/internal/olearn"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

// Metrics of the quality gate (GateConfig.Metric).
const (
	MetricAUC      = "auc"      // ROC AUC of the probability column; higher is better
	MetricLogLoss  = "log_loss" // binary log loss of the probability column; lower is better
	MetricAccuracy = "accuracy" // prediction == label; higher is better
	MetricRMSE     = "rmse"     // of prediction against label; lower is better
	MetricMAE      = "mae"      // of prediction against label; lower is better
)

// Defaults of GateConfig.
const (
	DefaultGateWindow = 10_000
	DefaultGateMaxLag = 1 << 16
)

// ColMetric is the column the gate appends to rejected versions: the
// windowed metric they failed (NaN when it could not be computed).
const ColMetric = "metric"

// GateConfig configures the model quality gate (QualityGate).
type GateConfig struct {
	// Metric is one of MetricAUC (default), MetricLogLoss, MetricAccuracy,
	// MetricRMSE, MetricMAE.
	Metric string
	// Threshold: a version passes when its metric is >= Threshold (auc,
	// accuracy) or <= Threshold (log_loss, rmse, mae).
	Threshold float64
	// Window is the number of scored rows the metric covers: the last
	// Window rows up to the version's row count (default
	// DefaultGateWindow).
	Window int
	// MinRows rejects a version whose window holds fewer rows (default 1).
	MinRows int
	// LabelCol, PredictionCol and ProbabilityCol name the scored rows'
	// columns (default "label", "prediction", "probability").
	LabelCol, PredictionCol, ProbabilityCol string
	// MaxLag bounds how many scored rows may arrive past a version's row
	// count before the version itself (the two inputs are not ordered
	// against each other); the gate keeps Window+MaxLag rows. Beyond it the
	// job fails (default DefaultGateMaxLag).
	MaxLag int
	// Stats, if set, counts the decisions.
	Stats *GateStats
}

// GateStats counts the quality gate's decisions; safe for concurrent reads.
type GateStats struct {
	passed, rejected atomic.Int64
	last             atomic.Uint64
}

// Passed returns the versions let through.
func (s *GateStats) Passed() int64 { return s.passed.Load() }

// Rejected returns the versions rejected.
func (s *GateStats) Rejected() int64 { return s.rejected.Load() }

// LastMetric returns the metric of the last version decided (NaN before).
func (s *GateStats) LastMetric() float64 {
	if b := s.last.Load(); b != 0 {
		return math.Float64frombits(b)
	}
	return math.NaN()
}

// QualityGate returns the factory of the model quality gate, after Alink's
// FtrlModelFilter: a CoOperator for stream.Connect(scored, models).Process
// with parallelism 1 (AddQualityGate). Its data input is the learner's
// main output (scored rows: label, prediction, probability), its control
// input the learner's model stream. A version with row count R passes to
// the main output (the model record unchanged) when the metric over the
// scored rows (R-Window, R] passes Threshold; otherwise it goes to the side
// output TagRejected with a ColMetric column, and is counted.
//
// Why a CoOperator rather than a metric inside the learner: the gate stays
// a separate, optional stage on any model stream and any scored stream
// (for instance labels joined later). The window is aligned on the
// version's row count, not on arrival order, so the decisions depend only
// on the two streams' contents: a version waits until its R-th scored row
// has arrived, and rows that ran ahead are kept (up to MaxLag). The ring of
// rows and the waiting versions are checkpointed.
func QualityGate(cfg GateConfig) (func() stream.CoOperator, error) {
	switch cfg.Metric {
	case "":
		cfg.Metric = MetricAUC
	case MetricAUC, MetricLogLoss, MetricAccuracy, MetricRMSE, MetricMAE:
	default:
		return nil, fmt.Errorf("modelstream: quality gate: unknown metric %q", cfg.Metric)
	}
	if cfg.Window < 0 || cfg.MinRows < 0 || cfg.MaxLag < 0 {
		return nil, fmt.Errorf("modelstream: quality gate: negative window %d, min_rows %d or max_lag %d", cfg.Window, cfg.MinRows, cfg.MaxLag)
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultGateWindow
	}
	if cfg.MinRows == 0 {
		cfg.MinRows = 1
	}
	if cfg.MaxLag == 0 {
		cfg.MaxLag = DefaultGateMaxLag
	}
	if cfg.MinRows > cfg.Window {
		return nil, fmt.Errorf("modelstream: quality gate: min_rows %d above window %d", cfg.MinRows, cfg.Window)
	}
	if cfg.LabelCol == "" {
		cfg.LabelCol = "label"
	}
	if cfg.PredictionCol == "" {
		cfg.PredictionCol = DefaultPredictionCol
	}
	if cfg.ProbabilityCol == "" {
		cfg.ProbabilityCol = DefaultProbabilityCol
	}
	return func() stream.CoOperator { return &gateOp{cfg: cfg} }, nil
}

// AddQualityGate connects scored rows and a model stream to a quality gate
// named name (parallelism 1) and returns the passed versions and the
// rejected ones (side output TagRejected).
func AddQualityGate(scored, models *stream.Stream, name string, cfg GateConfig) (passed, rejected *stream.Stream, err error) {
	f, err := QualityGate(cfg)
	if err != nil {
		return nil, nil, err
	}
	passed = stream.Connect(scored, models).Process(name, f, 1)
	return passed, passed.SideOutput(TagRejected), nil
}

type pending struct {
	rows int64
	rec  arrow.Record // one-row model record
}

type gateOp struct {
	cfg  GateConfig
	mem  memory.Allocator
	cap  int
	seen int64
	// ring of the last cap rows: row r at r % cap.
	label, pred, prob []float64
	waiting           []pending

	ybuf, y, p []float64
}

func (o *gateOp) Open(ctx context.Context, oc *stream.OperatorContext) error {
	if oc.Parallelism != 1 {
		return fmt.Errorf("modelstream: quality gate needs parallelism 1, not %d", oc.Parallelism)
	}
	o.mem = oc.Allocator
	o.cap = o.cfg.Window + o.cfg.MaxLag
	o.label = make([]float64, o.cap)
	o.pred = make([]float64, o.cap)
	o.prob = make([]float64, o.cap)
	return nil
}

func (o *gateOp) ProcessData(ctx context.Context, rec arrow.Record, out stream.Collector) error {
	n := int(rec.NumRows())
	if n == 0 {
		return nil
	}
	var err error
	o.ybuf, err = olearn.Labels(rec, o.cfg.LabelCol, o.seen, o.ybuf)
	if err != nil {
		return fmt.Errorf("modelstream: quality gate: %w", err)
	}
	pred, err := floatCol(rec, o.cfg.PredictionCol, o.cfg.Metric == MetricAccuracy || o.cfg.Metric == MetricRMSE || o.cfg.Metric == MetricMAE)
	if err != nil {
		return err
	}
	prob, err := floatCol(rec, o.cfg.ProbabilityCol, o.cfg.Metric == MetricAUC || o.cfg.Metric == MetricLogLoss)
	if err != nil {
		return err
	}
	for i := 0; i < n; {
		// Absorb up to the row count of the first waiting version, then
		// decide it.
		end := n
		if len(o.waiting) > 0 {
			if r := o.waiting[0].rows - o.seen; r >= 0 && r < int64(end-i) {
				end = i + int(r)
			}
		}
		for ; i < end; i++ {
			k := int(o.seen % int64(o.cap))
			o.label[k] = o.ybuf[i]
			if pred != nil {
				o.pred[k] = pred[i]
			}
			if prob != nil {
				o.prob[k] = prob[i]
			}
			o.seen++
		}
		for len(o.waiting) > 0 && o.waiting[0].rows <= o.seen {
			w := o.waiting[0]
			o.waiting = o.waiting[1:]
			if err := o.decide(w.rec, w.rows, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func floatCol(rec arrow.Record, name string, need bool) ([]float64, error) {
	i := rec.Schema().FieldIndices(name)
	if len(i) == 0 {
		if need {
			_, err := table.FieldIndex(rec.Schema(), name)
			return nil, fmt.Errorf("modelstream: quality gate: %w", err)
		}
		return nil, nil
	}
	v, err := table.Float64s(rec.Column(i[0]))
	if err != nil {
		return nil, fmt.Errorf("modelstream: quality gate: column %q: %w", name, err)
	}
	return v, nil
}

func (o *gateOp) ProcessControl(ctx context.Context, rec arrow.Record, out stream.Collector) error {
	ci, err := table.FieldIndices(rec.Schema(), ColVersion, ColRows)
	if err != nil {
		return fmt.Errorf("modelstream: quality gate: %w", err)
	}
	rows, ok := rec.Column(ci[1]).(*array.Int64)
	if !ok {
		return fmt.Errorf("modelstream: quality gate: column %q is %s, want int64", ColRows, rec.Column(ci[1]).DataType())
	}
	for i := range int(rec.NumRows()) {
		r := rows.Value(i)
		one := rec.NewSlice(int64(i), int64(i+1))
		if r > o.seen {
			if len(o.waiting) >= 1024 {
				one.Release()
				return errors.New("modelstream: quality gate: more than 1024 versions wait for their scored rows")
			}
			o.waiting = append(o.waiting, pending{rows: r, rec: one})
			continue
		}
		err := o.decide(one, r, out)
		if err != nil {
			return err
		}
	}
	return nil
}

// decide takes one (owned) model record of row count r <= seen.
func (o *gateOp) decide(rec arrow.Record, r int64, out stream.Collector) error {
	if o.seen-r > int64(o.cfg.MaxLag) {
		rec.Release()
		return fmt.Errorf("modelstream: quality gate: scored rows ran %d rows ahead of a version (max_lag %d)", o.seen-r, o.cfg.MaxLag)
	}
	start := max(0, r-int64(o.cfg.Window))
	n := int(r - start)
	metric := math.NaN()
	pass := false
	if n >= o.cfg.MinRows {
		metric = o.metric(start, n)
		switch o.cfg.Metric {
		case MetricAUC, MetricAccuracy:
			pass = metric >= o.cfg.Threshold
		default:
			pass = metric <= o.cfg.Threshold
		}
	}
	if o.cfg.Stats != nil {
		o.cfg.Stats.last.Store(math.Float64bits(metric))
	}
	if pass {
		if o.cfg.Stats != nil {
			o.cfg.Stats.passed.Add(1)
		}
		return out.Emit(rec)
	}
	if o.cfg.Stats != nil {
		o.cfg.Stats.rejected.Add(1)
	}
	defer rec.Release()
	s, err := pipeline.AppendField(rec.Schema(), arrow.Field{Name: ColMetric, Type: arrow.PrimitiveTypes.Float64})
	if err != nil {
		return fmt.Errorf("modelstream: quality gate: %w", err)
	}
	m := float64Array(o.mem, []float64{metric})
	defer m.Release()
	cols := append(append([]arrow.Array(nil), rec.Columns()...), m)
	return out.EmitTo(TagRejected, array.NewRecord(s, cols, 1))
}

// metric computes the configured metric over rows [start, start+n) (NaN
// when undefined, for instance an AUC over one class).
func (o *gateOp) metric(start int64, n int) float64 {
	o.y, o.p = grow(o.y, n), grow(o.p, n)
	src := o.pred
	if o.cfg.Metric == MetricAUC || o.cfg.Metric == MetricLogLoss {
		src = o.prob
	}
	for i := range n {
		k := int((start + int64(i)) % int64(o.cap))
		o.y[i], o.p[i] = o.label[k], src[k]
	}
	var v float64
	var err error
	switch o.cfg.Metric {
	case MetricAUC:
		v, err = eval.ROCAUC(o.y, o.p, nil)
	case MetricLogLoss:
		v, err = eval.BinaryLogLoss(o.y, o.p, nil)
	case MetricAccuracy:
		v, err = eval.Accuracy(o.y, o.p, nil)
	case MetricRMSE:
		v, err = eval.RMSE(o.y, o.p, nil)
	case MetricMAE:
		v, err = eval.MAE(o.y, o.p, nil)
	}
	if err != nil {
		return math.NaN()
	}
	return v
}

func (o *gateOp) Close() error {
	for _, w := range o.waiting {
		w.rec.Release()
	}
	o.waiting = nil
	return nil
}

const gateMagic = "EDDYMSG1"

// Snapshot holds seen, the ring's valid rows (oldest first) and the
// waiting versions.
func (o *gateOp) Snapshot(ctx context.Context, id int64) ([]byte, error) {
	valid := min(o.seen, int64(o.cap))
	b := append([]byte(gateMagic), binary.LittleEndian.AppendUint64(nil, uint64(o.seen))...)
	for _, ring := range [][]float64{o.label, o.pred, o.prob} {
		for r := o.seen - valid; r < o.seen; r++ {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(ring[r%int64(o.cap)]))
		}
	}
	recs := make([]arrow.Record, len(o.waiting))
	for i, w := range o.waiting {
		recs[i] = w.rec
	}
	data, err := EncodeData(recs)
	if err != nil {
		return nil, err
	}
	return append(b, data...), nil
}

func (o *gateOp) Restore(ctx context.Context, id int64, states [][]byte) error {
	if len(states) == 0 {
		return nil
	}
	if len(states) != 1 {
		return fmt.Errorf("modelstream: quality gate: restore: %d states, want 1", len(states))
	}
	b := states[0]
	if len(b) < len(gateMagic)+8 || string(b[:len(gateMagic)]) != gateMagic {
		return errors.New("modelstream: quality gate: restore: not a quality gate snapshot")
	}
	b = b[len(gateMagic):]
	seen := int64(binary.LittleEndian.Uint64(b))
	b = b[8:]
	if seen < 0 {
		return errors.New("modelstream: quality gate: restore: negative row count")
	}
	valid := min(seen, int64(o.cap))
	if int64(len(b)) < 3*8*valid {
		return errors.New("modelstream: quality gate: restore: truncated snapshot (was the window or max_lag changed?)")
	}
	for _, ring := range [][]float64{o.label, o.pred, o.prob} {
		for r := seen - valid; r < seen; r++ {
			ring[r%int64(o.cap)] = math.Float64frombits(binary.LittleEndian.Uint64(b))
			b = b[8:]
		}
	}
	recs, err := DecodeData(b)
	if err != nil {
		return fmt.Errorf("modelstream: quality gate: restore: %w", err)
	}
	for i, r := range recs {
		var rows *array.Int64
		ok := r.NumCols() >= 2 && r.NumRows() == 1 && r.Schema().Field(1).Name == ColRows
		if ok {
			rows, ok = r.Column(1).(*array.Int64)
		}
		if !ok {
			for _, r := range recs {
				r.Release()
			}
			return fmt.Errorf("modelstream: quality gate: restore: waiting version %d is not a model stream row", i)
		}
		o.waiting = append(o.waiting, pending{rows: rows.Value(0), rec: r})
	}
	o.seen = seen
	return nil
}
