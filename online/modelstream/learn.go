package modelstream

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/online"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

// TagModels is the side output of the learner operator that carries the
// model stream; TagRejected the quality gate's side output of rejected
// versions.
const (
	TagModels   = "models"
	TagRejected = "rejected"
)

// Default column names of the learner operator's output.
const (
	DefaultPredictionCol  = "prediction"
	DefaultProbabilityCol = "probability"
)

// LearnConfig configures the learner operator (Learn). The zero value of
// every field but Learner is a usable default.
type LearnConfig struct {
	// Learner is the learner kind, as registered with package online
	// ("ftrl", "online_kmeans", ...; import online/all).
	Learner string
	// Params are the learner's param values (nil: defaults), as decoded
	// from JSON or YAML.
	Params map[string]any
	// WarmStart optionally holds the model data of a batch model of the
	// learner's model kind to start from (the learner must implement
	// online.WarmStarter). The records are borrowed: keep them alive until
	// the job has started (Open reads them).
	WarmStart []arrow.Record

	// EveryRows publishes a model version every EveryRows learned rows
	// (batches are cut at the boundary, so versions fall on exact row
	// counts whatever the batch size). 0 disables.
	EveryRows int64
	// EveryInterval publishes a version when at least EveryInterval of
	// processing time (Now) passed since the last one and rows were learned
	// since; it is checked after each batch and, while no batch arrives,
	// every quarter interval (stream.Ticker). 0 disables.
	EveryInterval time.Duration
	// OnCheckpoint publishes a version at every checkpoint barrier when
	// rows were learned since the last one.
	OnCheckpoint bool
	// SkipFinal disables the version published at the end of a bounded
	// input (when rows were learned since the last one).
	SkipFinal bool
	// Now is the processing-time clock of EveryInterval and of the
	// versions' time column (nil: time.Now).
	Now func() time.Time

	// NoPredictions makes the operator learn with Update and pass the rows
	// through unchanged even when the learner is a Scorer (the fastest
	// path, with no prequential evaluation downstream).
	NoPredictions bool
	// PredictionCol and ProbabilityCol name the columns appended for
	// Scorers (default "prediction" and "probability"; the probability
	// column only for binary classifiers with probabilities).
	PredictionCol, ProbabilityCol string

	// Stats, if set, is updated as the operator runs (safe to read
	// concurrently), for progress reporting.
	Stats *LearnStats
}

// LearnStats are counters of a running learner operator.
type LearnStats struct {
	rows, version atomic.Int64
	final         atomic.Pointer[[]byte]
}

// Final returns the learner's snapshot (online.Learner.Snapshot) taken at
// the end of a bounded input, nil before.
func (s *LearnStats) Final() []byte {
	if p := s.final.Load(); p != nil {
		return *p
	}
	return nil
}

// Rows returns the number of rows learned (including rows learned before
// a restored checkpoint).
func (s *LearnStats) Rows() int64 { return s.rows.Load() }

// Version returns the last published model version (0 for none).
func (s *LearnStats) Version() int64 { return s.version.Load() }

func (c *LearnConfig) validate() (online.Spec, error) {
	spec, err := online.Lookup(c.Learner)
	if err != nil {
		return spec, fmt.Errorf("modelstream: learn: %w", err)
	}
	if c.EveryRows < 0 {
		return spec, fmt.Errorf("modelstream: learn: every_rows %d is negative", c.EveryRows)
	}
	if c.EveryInterval < 0 {
		return spec, fmt.Errorf("modelstream: learn: every_interval %v is negative", c.EveryInterval)
	}
	// Build once to check the params now rather than when the job starts.
	l, err := spec.New(c.Params)
	if err != nil {
		return spec, fmt.Errorf("modelstream: learn: %w", err)
	}
	if len(c.WarmStart) > 0 {
		if _, ok := l.(online.WarmStarter); !ok {
			return spec, fmt.Errorf("modelstream: learn: learner %q cannot warm start", c.Learner)
		}
	}
	return spec, nil
}

// Learn returns the factory of the learner operator for Stream.Process,
// after checking cfg. Run it with parallelism 1 (AddLearner does): the
// operator holds one model, learned from every row in arrival order, and
// its Open fails at another parallelism. For one model per key, split the
// stream by key (for instance one Filter and one learner per shard) and
// give each shard its own learner operator and model stream.
//
// Each batch is learned row by row in order. For a Scorer (and without
// NoPredictions) it is learned test-then-train: the operator emits the
// batch with the prediction (and probability) columns made before each row
// was learned. Otherwise it emits the batch unchanged. Model versions
// (one-row records, see Encode) go to the side output TagModels.
//
// The learner's state, the version counter and the rows since the last
// version are the operator's checkpointed state (Snapshotter, Restorer): a
// job restored from a checkpoint continues bit for bit, and on a
// replayable source republishes the same versions with the same model
// bytes (deduplicate downstream by version). Versions published by
// EveryRows depend only on the input and the params; EveryInterval and
// OnCheckpoint versions depend on timing.
func Learn(cfg LearnConfig) (func() stream.Operator, error) {
	spec, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PredictionCol == "" {
		cfg.PredictionCol = DefaultPredictionCol
	}
	if cfg.ProbabilityCol == "" {
		cfg.ProbabilityCol = DefaultProbabilityCol
	}
	return func() stream.Operator { return &learnOp{cfg: cfg, spec: spec} }, nil
}

// AddLearner adds the learner operator named name after in, with
// parallelism 1, and returns its main output (the scored rows) and its
// model stream (side output TagModels).
func AddLearner(in *stream.Stream, name string, cfg LearnConfig) (scored, models *stream.Stream, err error) {
	f, err := Learn(cfg)
	if err != nil {
		return nil, nil, err
	}
	scored = in.Process(name, f, 1)
	return scored, scored.SideOutput(TagModels), nil
}

type learnOp struct {
	cfg     LearnConfig
	spec    online.Spec
	l       online.Learner
	scorer  online.Scorer
	outputs online.OutputsFunc
	mem     memory.Allocator

	version int64 // last published version
	since   int64 // rows learned since the last version
	lastPub time.Time
	out     stream.Collector // for versions published at barriers

	raw, pred, prob, segPred, segProb []float64
	inSchema, outSchema               *arrow.Schema
	withProb                          bool
}

func (o *learnOp) Open(ctx context.Context, oc *stream.OperatorContext) error {
	if oc.Parallelism != 1 {
		return fmt.Errorf("modelstream: learner %q needs parallelism 1, not %d (one model learns every row in order; split the stream by key for one model per key)", o.cfg.Learner, oc.Parallelism)
	}
	o.mem = oc.Allocator
	l, err := o.spec.New(o.cfg.Params)
	if err != nil {
		return err
	}
	if len(o.cfg.WarmStart) > 0 {
		if err := l.(online.WarmStarter).WarmStart(o.cfg.WarmStart...); err != nil {
			return fmt.Errorf("modelstream: learner %q: %w", o.cfg.Learner, err)
		}
	}
	o.l = l
	if s, ok := l.(online.Scorer); ok && !o.cfg.NoPredictions {
		o.scorer = s
		o.outputs = o.spec.ScoreOutputs()
	}
	o.lastPub = o.cfg.Now()
	return nil
}

func (o *learnOp) ProcessBatch(ctx context.Context, rec arrow.Record, out stream.Collector) error {
	o.out = out
	n := rec.NumRows()
	if o.scorer != nil {
		// Fresh slices: the emitted columns wrap them without copying.
		o.pred, o.prob = make([]float64, n), nil
	}
	for start := int64(0); start < n; {
		seg := n - start
		if o.cfg.EveryRows > 0 {
			seg = min(seg, o.cfg.EveryRows-o.since)
		}
		sub := rec
		if seg != n {
			sub = rec.NewSlice(start, start+seg)
		}
		err := o.learn(ctx, sub, start)
		if seg != n {
			sub.Release()
		}
		if err != nil {
			return err
		}
		o.since += seg
		start += seg
		if o.cfg.Stats != nil {
			o.cfg.Stats.rows.Store(o.l.Rows())
		}
		if o.cfg.EveryRows > 0 && o.since >= o.cfg.EveryRows {
			if err := o.publish(out); err != nil {
				return err
			}
		}
	}
	if err := o.emit(rec, out); err != nil {
		return err
	}
	if o.cfg.EveryInterval > 0 && o.since > 0 && o.cfg.Now().Sub(o.lastPub) >= o.cfg.EveryInterval {
		return o.publish(out)
	}
	return nil
}

// learn learns sub (rows [start, start+len) of the batch), keeping the
// predictions of a Scorer.
func (o *learnOp) learn(ctx context.Context, sub arrow.Record, start int64) error {
	if o.scorer == nil {
		return o.l.Update(ctx, sub)
	}
	var err error
	o.raw, err = o.scorer.UpdatePredict(ctx, sub, o.raw[:0])
	if err != nil {
		return err
	}
	n := int(sub.NumRows())
	o.segPred, o.segProb = o.outputs(o.l, o.raw, n, o.segPred[:0], o.segProb[:0])
	copy(o.pred[start:], o.segPred)
	if o.segProb != nil {
		if o.prob == nil {
			o.prob = make([]float64, len(o.pred))
		}
		copy(o.prob[start:], o.segProb)
	}
	return nil
}

func (o *learnOp) emit(rec arrow.Record, out stream.Collector) error {
	if o.scorer == nil {
		rec.Retain()
		return out.Emit(rec)
	}
	withProb := len(o.prob) > 0 || (rec.NumRows() == 0 && o.withProb)
	if rec.Schema() != o.inSchema || withProb != o.withProb {
		s, err := pipeline.AppendField(rec.Schema(), table.WithRole(arrow.Field{Name: o.cfg.PredictionCol, Type: arrow.PrimitiveTypes.Float64}, table.RolePrediction))
		if err == nil && withProb {
			s, err = pipeline.AppendField(s, table.WithRole(arrow.Field{Name: o.cfg.ProbabilityCol, Type: arrow.PrimitiveTypes.Float64}, table.RoleProbability))
		}
		if err != nil {
			return fmt.Errorf("modelstream: learner %q: %w", o.cfg.Learner, err)
		}
		o.inSchema, o.outSchema, o.withProb = rec.Schema(), s, withProb
	}
	cols := make([]arrow.Array, 0, rec.NumCols()+2)
	cols = append(cols, rec.Columns()...)
	p := wrapFloat64(o.pred)
	defer p.Release()
	cols = append(cols, p)
	if withProb {
		q := wrapFloat64(o.prob)
		defer q.Release()
		cols = append(cols, q)
	}
	o.pred, o.prob = nil, nil
	return out.Emit(array.NewRecord(o.outSchema, cols, rec.NumRows()))
}

// wrapFloat64 returns a float64 array over v (Go-managed memory, not
// copied; v must not change afterwards).
func wrapFloat64(v []float64) arrow.Array {
	d := array.NewData(arrow.PrimitiveTypes.Float64, len(v),
		[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Float64Traits.CastToBytes(v))}, nil, 0, 0)
	defer d.Release()
	return array.NewFloat64Data(d)
}

func float64Array(mem memory.Allocator, v []float64) arrow.Array {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

func (o *learnOp) publish(out stream.Collector) error {
	v := o.version + 1
	recs, err := o.l.ModelData(o.mem, v)
	if err != nil {
		return fmt.Errorf("modelstream: learner %q: model data of version %d: %w", o.cfg.Learner, v, err)
	}
	now := o.cfg.Now()
	rec, err := Encode(o.mem, v, o.l.Rows(), o.cfg.Learner, o.spec.ModelKind, now, recs)
	for _, r := range recs {
		r.Release()
	}
	if err != nil {
		return err
	}
	o.version, o.since, o.lastPub = v, 0, now
	if o.cfg.Stats != nil {
		o.cfg.Stats.version.Store(v)
	}
	return out.EmitTo(TagModels, rec)
}

// TickInterval is a quarter of EveryInterval (at least 10ms; 0, no ticks,
// without EveryInterval): a version is then published at most a quarter
// interval late when the input pauses.
func (o *learnOp) TickInterval() time.Duration {
	if o.cfg.EveryInterval <= 0 {
		return 0
	}
	return max(o.cfg.EveryInterval/4, 10*time.Millisecond)
}

// OnTick publishes the EveryInterval version that is due while no batch
// arrives (a slow or paused stream).
func (o *learnOp) OnTick(ctx context.Context, out stream.Collector) error {
	if o.since > 0 && o.cfg.Now().Sub(o.lastPub) >= o.cfg.EveryInterval {
		return o.publish(out)
	}
	return nil
}

// OnBarrier publishes a version at the checkpoint (OnCheckpoint), before
// the barrier goes downstream, so the version belongs to the checkpoint.
// It uses the collector of the last batch: stream.BarrierHandler gets none,
// and the engine's collector lives as long as the subtask.
func (o *learnOp) OnBarrier(ctx context.Context, id int64) error {
	if o.cfg.OnCheckpoint && o.since > 0 && o.out != nil {
		return o.publish(o.out)
	}
	return nil
}

func (o *learnOp) Finish(ctx context.Context, out stream.Collector) error {
	if !o.cfg.SkipFinal && o.since > 0 {
		if err := o.publish(out); err != nil {
			return err
		}
	}
	if o.cfg.Stats != nil {
		b, err := o.l.Snapshot()
		if err != nil {
			return fmt.Errorf("modelstream: learner %q: snapshot: %w", o.cfg.Learner, err)
		}
		o.cfg.Stats.final.Store(&b)
	}
	return nil
}

const learnMagic = "EDDYMSL1"

// Snapshot encodes the magic, the version counter, the rows since the last
// version and the learner's snapshot.
func (o *learnOp) Snapshot(ctx context.Context, id int64) ([]byte, error) {
	ls, err := o.l.Snapshot()
	if err != nil {
		return nil, fmt.Errorf("modelstream: learner %q: snapshot: %w", o.cfg.Learner, err)
	}
	b := make([]byte, 0, len(learnMagic)+16+len(ls))
	b = append(b, learnMagic...)
	b = binary.LittleEndian.AppendUint64(b, uint64(o.version))
	b = binary.LittleEndian.AppendUint64(b, uint64(o.since))
	return append(b, ls...), nil
}

func (o *learnOp) Restore(ctx context.Context, id int64, states [][]byte) error {
	switch len(states) {
	case 0:
		return nil
	case 1:
	default:
		return fmt.Errorf("modelstream: learner %q: restore: %d subtask states, want 1", o.cfg.Learner, len(states))
	}
	b := states[0]
	if len(b) < len(learnMagic)+16 || string(b[:len(learnMagic)]) != learnMagic {
		return errors.New("modelstream: restore: not a learner operator snapshot")
	}
	b = b[len(learnMagic):]
	version, since := int64(binary.LittleEndian.Uint64(b)), int64(binary.LittleEndian.Uint64(b[8:]))
	if version < 0 || since < 0 {
		return fmt.Errorf("modelstream: restore: negative version %d or row count %d", version, since)
	}
	if err := o.l.Restore(b[16:]); err != nil {
		return fmt.Errorf("modelstream: learner %q: restore: %w", o.cfg.Learner, err)
	}
	o.version, o.since = version, since
	if o.cfg.Stats != nil {
		o.cfg.Stats.rows.Store(o.l.Rows())
		o.cfg.Stats.version.Store(version)
	}
	return nil
}

func grow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}
