package modelstream

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/stream"
)

// What the prediction operator does with data that arrives before the
// first model version (PredictConfig.BeforeModel).
const (
	// BeforeModelBuffer holds up to MaxBuffered batches (checkpointed with
	// the operator) and scores them when the first version arrives; one
	// more batch fails the job with an error naming the limit. A
	// CoOperator cannot block its data input to apply backpressure (the
	// model it waits for arrives on the same goroutine), so the bound is
	// an error rather than a wait.
	BeforeModelBuffer = "buffer"
	// BeforeModelDrop drops the batch and counts its rows
	// (PredictStats.Dropped).
	BeforeModelDrop = "drop"
	// BeforeModelError fails the job.
	BeforeModelError = "error"
)

// DefaultMaxBuffered is PredictConfig.MaxBuffered's default.
const DefaultMaxBuffered = 64

// ErrNoModel is returned (wrapped) when data arrives before any model
// version and the policy does not allow waiting (any more).
var ErrNoModel = errors.New("no model version yet")

// PredictConfig configures the prediction operator (Predict). Every field
// is optional.
type PredictConfig struct {
	// Model scores the data batches: a fitted model or a PipelineModel
	// (for instance loaded with modelio.Load). Nil builds, in each
	// subtask, a model of the first version's model kind from Env with
	// ModelParams.
	Model pipeline.Transformer
	// Target is the model whose data every version replaces
	// (SetModelData, an atomic swap). Nil means Model itself or, when
	// Model is a PipelineModel, its last stage. Its kind must be the
	// versions' model kind.
	Target pipeline.Model
	// ModelParams are the param values of a model built from Env (for
	// instance features_col, prediction_col).
	ModelParams map[string]any
	// Env is the stage registry to build models from (nil: registry.Global()).
	Env *registry.Environment

	// VersionCol names the int64 column appended to every output row with
	// the version that scored it (default "model_version"). If the model's
	// output already has it (model_version_col param), it is kept.
	VersionCol string
	// BeforeModel is BeforeModelBuffer (default), BeforeModelDrop or
	// BeforeModelError.
	BeforeModel string
	// MaxBuffered bounds the batches BeforeModelBuffer holds (default
	// DefaultMaxBuffered).
	MaxBuffered int
	// Stats, if set, counts what the operator did (summed over subtasks).
	Stats *PredictStats
}

// PredictStats are counters of the prediction operator, safe for
// concurrent reads.
type PredictStats struct {
	scored, dropped, swaps atomic.Int64
}

// Scored returns the rows scored.
func (s *PredictStats) Scored() int64 { return s.scored.Load() }

// Dropped returns the rows dropped before the first model (BeforeModelDrop).
func (s *PredictStats) Dropped() int64 { return s.dropped.Load() }

// Swaps returns the model versions applied.
func (s *PredictStats) Swaps() int64 { return s.swaps.Load() }

// Predict returns the factory of the prediction operator, a CoOperator for
// stream.Connect(data, models).Process: the data stream is scored, the
// model stream (records of Schema, from a learner operator, a quality gate
// or any source of model versions) is broadcast to every subtask.
//
// Each model version newer than the current one replaces the model's data
// (SetModelData: batches being scored see the old or the new model, whole);
// older or repeated versions are ignored, so a replayed model stream does
// no harm. Every data batch is scored by the current model and gets the
// VersionCol column. The current version and any buffered batches are
// the operator's checkpointed state.
//
// A caller-given Model is shared by the subtasks: with parallelism above 1
// a subtask may score with a version another subtask just applied while
// tagging the version it applied last; use a Model built per subtask (the
// default) or the model's own model_version_col for exact tags.
func Predict(cfg PredictConfig) (func() stream.CoOperator, error) {
	if cfg.Env == nil {
		cfg.Env = registry.Global()
	}
	if cfg.VersionCol == "" {
		cfg.VersionCol = "model_version"
	}
	switch cfg.BeforeModel {
	case "":
		cfg.BeforeModel = BeforeModelBuffer
	case BeforeModelBuffer, BeforeModelDrop, BeforeModelError:
	default:
		return nil, fmt.Errorf("modelstream: predict: before_model %q is not one of buffer, drop, error", cfg.BeforeModel)
	}
	if cfg.MaxBuffered < 0 {
		return nil, fmt.Errorf("modelstream: predict: max_buffered %d is negative", cfg.MaxBuffered)
	}
	if cfg.MaxBuffered == 0 {
		cfg.MaxBuffered = DefaultMaxBuffered
	}
	if cfg.Model != nil && cfg.Target == nil {
		cfg.Target = defaultTarget(cfg.Model)
		if cfg.Target == nil {
			return nil, fmt.Errorf("modelstream: predict: model %q has no model data to replace; set Target", cfg.Model.Kind())
		}
	}
	return func() stream.CoOperator { return &predictOp{cfg: cfg} }, nil
}

func defaultTarget(t pipeline.Transformer) pipeline.Model {
	if pm, ok := t.(*pipeline.PipelineModel); ok {
		st := pm.Stages()
		if len(st) == 0 {
			return nil
		}
		m, _ := st[len(st)-1].(pipeline.Model)
		return m
	}
	m, _ := t.(pipeline.Model)
	return m
}

type predictOp struct {
	cfg     PredictConfig
	mem     memory.Allocator
	model   pipeline.Transformer
	target  pipeline.Model
	version int64
	last    arrow.Record // the one-row model record of version
	buf     []arrow.Record
}

func (o *predictOp) Open(ctx context.Context, oc *stream.OperatorContext) error {
	o.mem = oc.Allocator
	o.model, o.target = o.cfg.Model, o.cfg.Target
	return nil
}

func (o *predictOp) ProcessControl(ctx context.Context, rec arrow.Record, out stream.Collector) error {
	vs, err := Decode(rec)
	if err != nil {
		return fmt.Errorf("modelstream: predict: %w", err)
	}
	defer releaseVersions(vs)
	applied := false
	for i, v := range vs {
		if v.Version <= o.version {
			continue
		}
		if err := o.apply(v); err != nil {
			return err
		}
		if o.last != nil {
			o.last.Release()
		}
		o.last = rec.NewSlice(int64(i), int64(i+1))
		applied = true
	}
	if applied {
		return o.flush(ctx, out)
	}
	return nil
}

func (o *predictOp) apply(v *Version) error {
	if o.model == nil {
		st, err := o.cfg.Env.New(v.ModelKind, o.cfg.ModelParams)
		if err != nil {
			return fmt.Errorf("modelstream: predict: model of version %d: %w", v.Version, err)
		}
		m, ok := st.(pipeline.Model)
		if !ok {
			return fmt.Errorf("modelstream: predict: kind %q of version %d is not a model", v.ModelKind, v.Version)
		}
		o.model, o.target = m, m
	}
	if k := o.target.Kind(); k != v.ModelKind {
		return fmt.Errorf("modelstream: predict: version %d is a %q, the model to update a %q", v.Version, v.ModelKind, k)
	}
	if err := o.target.SetModelData(v.Data...); err != nil {
		return fmt.Errorf("modelstream: predict: set model data of version %d: %w", v.Version, err)
	}
	o.version = v.Version
	if o.cfg.Stats != nil {
		o.cfg.Stats.swaps.Add(1)
	}
	return nil
}

func (o *predictOp) flush(ctx context.Context, out stream.Collector) error {
	for len(o.buf) > 0 {
		rec := o.buf[0]
		o.buf = o.buf[1:]
		err := o.score(ctx, rec, out)
		rec.Release()
		if err != nil {
			return err
		}
	}
	o.buf = nil
	return nil
}

func (o *predictOp) ProcessData(ctx context.Context, rec arrow.Record, out stream.Collector) error {
	if o.version > 0 {
		return o.score(ctx, rec, out)
	}
	switch o.cfg.BeforeModel {
	case BeforeModelDrop:
		if o.cfg.Stats != nil {
			o.cfg.Stats.dropped.Add(rec.NumRows())
		}
		return nil
	case BeforeModelError:
		return fmt.Errorf("modelstream: predict: %w: a batch of %d rows arrived first", ErrNoModel, rec.NumRows())
	}
	if len(o.buf) >= o.cfg.MaxBuffered {
		return fmt.Errorf("modelstream: predict: %w after %d buffered batches (max_buffered)", ErrNoModel, len(o.buf))
	}
	rec.Retain()
	o.buf = append(o.buf, rec)
	return nil
}

func (o *predictOp) score(ctx context.Context, rec arrow.Record, out stream.Collector) error {
	scored, err := o.model.Transform(pipeline.WithAllocator(ctx, o.mem), rec)
	if err != nil {
		return fmt.Errorf("modelstream: predict with version %d: %w", o.version, err)
	}
	if scored.Schema().HasField(o.cfg.VersionCol) {
		return o.emit(scored, out)
	}
	tagged, err := pipeline.AppendVersionColumn(o.mem, scored, o.cfg.VersionCol, o.version)
	scored.Release()
	if err != nil {
		return fmt.Errorf("modelstream: predict: %w", err)
	}
	return o.emit(tagged, out)
}

func (o *predictOp) emit(rec arrow.Record, out stream.Collector) error {
	if o.cfg.Stats != nil {
		o.cfg.Stats.scored.Add(rec.NumRows())
	}
	return out.Emit(rec)
}

func (o *predictOp) Finish(ctx context.Context, out stream.Collector) error {
	if len(o.buf) > 0 && o.version == 0 {
		return fmt.Errorf("modelstream: predict: %w at the end of input, %d batches unscored", ErrNoModel, len(o.buf))
	}
	return o.flush(ctx, out)
}

func (o *predictOp) Close() error {
	for _, r := range o.buf {
		r.Release()
	}
	o.buf = nil
	if o.last != nil {
		o.last.Release()
		o.last = nil
	}
	return nil
}

const predictMagic = "EDDYMSP1"

// Snapshot holds the current model version's record and the buffered
// batches, each as EncodeData frames.
func (o *predictOp) Snapshot(ctx context.Context, id int64) ([]byte, error) {
	var model []byte
	if o.last != nil {
		var err error
		if model, err = EncodeData([]arrow.Record{o.last}); err != nil {
			return nil, err
		}
	}
	buf, err := EncodeData(o.buf)
	if err != nil {
		return nil, err
	}
	b := append([]byte(predictMagic), binary.LittleEndian.AppendUint64(nil, uint64(len(model)))...)
	b = append(b, model...)
	return append(b, buf...), nil
}

func (o *predictOp) Restore(ctx context.Context, id int64, states [][]byte) error {
	if len(states) == 0 {
		return nil
	}
	// Every subtask saw the same model stream; the first state's model is
	// as good as any. Buffered batches of every old subtask are kept.
	for i, b := range states {
		if len(b) < len(predictMagic)+8 || string(b[:len(predictMagic)]) != predictMagic {
			return errors.New("modelstream: predict: restore: not a prediction operator snapshot")
		}
		b = b[len(predictMagic):]
		n := binary.LittleEndian.Uint64(b)
		b = b[8:]
		if n > uint64(len(b)) {
			return errors.New("modelstream: predict: restore: truncated snapshot")
		}
		if n > 0 && i == 0 {
			recs, err := DecodeData(b[:n])
			if err != nil {
				return fmt.Errorf("modelstream: predict: restore: %w", err)
			}
			err = o.restoreModel(recs)
			for _, r := range recs {
				r.Release()
			}
			if err != nil {
				return err
			}
		}
		buf, err := DecodeData(b[n:])
		if err != nil {
			return fmt.Errorf("modelstream: predict: restore: %w", err)
		}
		o.buf = append(o.buf, buf...)
	}
	return nil
}

func (o *predictOp) restoreModel(recs []arrow.Record) error {
	if len(recs) != 1 {
		return fmt.Errorf("modelstream: predict: restore: %d model records, want 1", len(recs))
	}
	vs, err := Decode(recs[0])
	if err != nil {
		return fmt.Errorf("modelstream: predict: restore: %w", err)
	}
	defer releaseVersions(vs)
	for _, v := range vs {
		if err := o.apply(v); err != nil {
			return err
		}
	}
	recs[0].Retain()
	o.last = recs[0]
	return nil
}
