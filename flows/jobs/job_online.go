package jobs

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/connectors/generate"
	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/online"
	_ "github.com/eddyml/eddy/online/all" // the learners an online job can run
	"github.com/eddyml/eddy/online/drift"
	"github.com/eddyml/eddy/online/modelstream"
	"github.com/eddyml/eddy/online/prequential"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/checkpoint"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

func init() {
	if err := Register(Kind{Spec: spec.OnlineKind(), New: newOnline}); err != nil {
		panic(err) // a duplicate kind name is a programming error caught by every test
	}
}

// Names of the online job's engine operators: a restored job's graph must
// have the same names.
const (
	opInput    = "input"
	opFeatures = "features"
	opLearn    = "learn"
	opEval     = "prequential"
	opError    = "error"
	opDrift    = "drift"
	opGate     = "gate"
)

// errorCol is the per-row error the drift detector watches.
const errorCol = "_error"

type onlineJob struct {
	cfg   *spec.OnlineJob
	spec  online.Spec
	input string
}

func newOnline(job *spec.Job, flow *spec.Flow) (Job, error) {
	cfg, err := configOf[*spec.OnlineJob](job)
	if err != nil {
		return nil, err
	}
	ls, err := online.Lookup(cfg.Learner)
	if err != nil {
		return nil, Permanent(err)
	}
	if _, err := online.New(cfg.Learner, cfg.Params); err != nil {
		return nil, Permanent(fmt.Errorf("params: %w", err))
	}
	if cfg.Gate != nil && !scoredTask(ls.Task) {
		return nil, Permanent(fmt.Errorf("gate: learner %s (%s) makes no predictions to gate on", cfg.Learner, ls.Task))
	}
	if cfg.Drift != "" && !scoredTask(ls.Task) {
		return nil, Permanent(fmt.Errorf("drift: learner %s (%s) makes no predictions to watch", cfg.Learner, ls.Task))
	}
	j := &onlineJob{cfg: cfg, spec: ls}
	if cfg.Input != "" {
		j.input = flow.Path(cfg.Input)
	}
	return j, nil
}

func scoredTask(task string) bool {
	return task == online.TaskBinary || task == online.TaskMulticlass || task == online.TaskRegression
}

// onlineState is what the running job shares with its sinks and reports.
type onlineState struct {
	mu        sync.Mutex
	metrics   map[string]float64 // the latest prequential metrics
	published int64              // registry versions registered by this attempt
	rejected  int64
	drifts    int64
}

func (s *onlineState) metricsCopy() map[string]float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]float64, len(s.metrics))
	for k, v := range s.metrics {
		out[k] = v
	}
	return out
}

// Run learns over the input until it ends (or, for an endless stream,
// until ctx is done), checkpointing into env.CheckpointDir and resuming
// from its newest checkpoint, so that an attempt after a crash continues
// where the last checkpoint left off and registers no version twice.
func (j *onlineJob) Run(ctx context.Context, env *Env) (*Result, error) {
	cfg := j.cfg
	base, err := loadOnlineBase(ctx, env, cfg.Model, cfg.Version)
	if err != nil {
		return nil, err
	}
	if kind := base.last.Kind(); kind != j.spec.ModelKind {
		return nil, Permanent(fmt.Errorf("model %q version %d ends in a %s; learner %s updates a %s",
			cfg.Model, base.version.Version, kind, cfg.Learner, j.spec.ModelKind))
	}
	pub, err := newPublisher(ctx, env, cfg.Model, cfg.Learner, base)
	if err != nil {
		return nil, err
	}
	params, err := j.learnerParams(base)
	if err != nil {
		return nil, err
	}
	warm := base.last.ModelData()
	defer func() {
		for _, r := range warm {
			r.Release()
		}
	}()

	storage, err := j.checkpointStorage(env)
	if err != nil {
		return nil, err
	}
	sj := stream.NewJob(env.Job, stream.WithLogger(env.Logger),
		stream.WithCheckpointInterval(cfg.CheckpointEvery), stream.WithCheckpointStorage(storage),
		stream.WithRestoreFrom(storage), stream.WithRestartStrategy(stream.RestartStrategy{MaxAttempts: 3, Delay: 100 * time.Millisecond}))

	in := stream.FromSource(sj, opInput, stream.SourceFunc(func(ctx context.Context, subtask, _ int) (table.Reader, error) {
		return j.open(ctx, subtask)
	}), 1)
	if base.features != nil {
		features := base.features
		in = in.Map(opFeatures, func(rec arrow.Record) (arrow.Record, error) {
			return features.Transform(ctx, rec)
		})
	}
	stats := &modelstream.LearnStats{}
	scored, models, err := modelstream.AddLearner(in, opLearn, modelstream.LearnConfig{
		Learner: cfg.Learner, Params: params, WarmStart: warm,
		EveryRows: cfg.PublishEveryRows, EveryInterval: cfg.PublishEvery, Stats: stats,
		NoPredictions: !scoredTask(j.spec.Task),
	})
	if err != nil {
		return nil, Permanent(err)
	}

	st := &onlineState{metrics: map[string]float64{}}
	tail := scored
	if task, ok := prequentialTask(j.spec.Task); ok {
		newEval, err := prequential.NewOperator(prequential.OperatorConfig{
			Config: prequential.Config{Task: task, LabelCol: cfg.LabelCol}, Every: 10_000, Learner: cfg.Learner})
		if err != nil {
			return nil, Permanent(err)
		}
		tail = scored.Process(opEval, func() stream.Operator { return newEval() }, 1)
		tail.SideOutput(prequential.Tag).To("metrics", stream.SinkFunc(func(_ context.Context, _ int, rec arrow.Record) error {
			st.recordMetrics(rec)
			return nil
		}))
	}
	if cfg.Drift != "" {
		kind := cfg.Drift
		newDrift, err := drift.NewOperator(drift.OperatorConfig{Column: errorCol, New: func() (drift.Detector, error) { return drift.New(kind) }})
		if err != nil {
			return nil, Permanent(err)
		}
		regression := j.spec.Task == online.TaskRegression
		withErr := tail.Map(opError, func(rec arrow.Record) (arrow.Record, error) {
			return appendError(ctx, rec, cfg.LabelCol, regression)
		})
		tail = withErr.Process(opDrift, func() stream.Operator { return newDrift() }, 1)
		tail.SideOutput(drift.Tag).To("drift-events", stream.SinkFunc(func(ctx context.Context, _ int, rec arrow.Record) error {
			return j.emitDrifts(ctx, env, st, rec)
		}))
	}
	tail.To("discard", stream.SinkFunc(func(context.Context, int, arrow.Record) error { return nil }))

	passed := models
	if g := cfg.Gate; g != nil {
		var rejected *stream.Stream
		passed, rejected, err = modelstream.AddQualityGate(scored, models, opGate, modelstream.GateConfig{
			Metric: g.Metric, Threshold: g.Threshold, Window: g.Window, LabelCol: cfg.LabelCol})
		if err != nil {
			return nil, Permanent(err)
		}
		rejected.To("rejected", stream.SinkFunc(func(_ context.Context, _ int, rec arrow.Record) error {
			st.mu.Lock()
			st.rejected += rec.NumRows()
			st.mu.Unlock()
			env.Logger.Info("quality gate rejected model versions", "model", cfg.Model, "count", rec.NumRows())
			return nil
		}))
	}
	passed.To("publish", stream.SinkFunc(func(ctx context.Context, _ int, rec arrow.Record) error {
		return j.publishAll(ctx, pub, st, rec)
	}))

	runErr := sj.Run(ctx)
	if runErr != nil && !(cfg.Generate != nil && cfg.Generate.Rows == 0 && ctx.Err() != nil) {
		return nil, fmt.Errorf("online %s: %w", cfg.Learner, runErr)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	out := map[string]string{
		"model": cfg.Model, "learner": cfg.Learner,
		"rows":           strconv.FormatInt(stats.Rows(), 10),
		"online_version": strconv.FormatInt(stats.Version(), 10),
		"published":      strconv.FormatInt(st.published, 10),
		"rejected":       strconv.FormatInt(st.rejected, 10),
		"drifts":         strconv.FormatInt(st.drifts, 10),
	}
	if pub.last.Version > 0 {
		out["version"] = strconv.FormatInt(pub.last.Version, 10)
	}
	if cs := sj.CheckpointStats(); cs.LastRestore > 0 {
		// This attempt continued from a checkpoint of an earlier one (or
		// restarted in place): say from which.
		out["restored_checkpoint"] = strconv.FormatInt(cs.LastRestore, 10)
	}
	for k, v := range st.metrics {
		out["metric."+k] = strconv.FormatFloat(v, 'g', 6, 64)
	}
	env.Logger.Info("online learning ended", "model", cfg.Model, "rows", stats.Rows(), "published", st.published, "rejected", st.rejected)
	return &Result{Outputs: out}, nil
}

// learnerParams are the job's learner params, with the feature and label
// columns of the model it updates unless the job sets them.
func (j *onlineJob) learnerParams(base *onlineBase) (map[string]any, error) {
	params := map[string]any{}
	for k, v := range j.cfg.Params {
		params[k] = v
	}
	learner, err := online.New(j.cfg.Learner, nil)
	if err != nil {
		return nil, Permanent(err)
	}
	ps := learner.Params()
	if _, set := params["label_col"]; !set && slices.Contains(ps.Names(), "label_col") {
		params["label_col"] = j.cfg.LabelCol
	}
	if _, set := params["features_col"]; !set && slices.Contains(ps.Names(), "features_col") {
		if v, err := base.last.Params().GetAny("features_col"); err == nil {
			params["features_col"] = v
		}
	}
	return params, nil
}

// checkpointStorage is the instance's checkpoint directory, or memory
// when the runner keeps none (restarts in place still work then).
func (j *onlineJob) checkpointStorage(env *Env) (checkpoint.Storage, error) {
	if env.CheckpointDir == "" {
		return checkpoint.NewMemory(3), nil
	}
	return checkpoint.NewDir(env.CheckpointDir, 3)
}

// open opens the input: a generated stream or a file, paced at Rate.
func (j *onlineJob) open(ctx context.Context, subtask int) (table.Reader, error) {
	if subtask != 0 {
		return nil, fmt.Errorf("online input: one subtask reads it, not %d", subtask)
	}
	var r seekReader
	if g := j.cfg.Generate; g != nil {
		c := *g
		if j.cfg.BatchSize > 0 {
			c.BatchSize = j.cfg.BatchSize
		}
		c.Allocator = pipeline.Allocator(ctx)
		src, err := generate.New(c)
		if err != nil {
			return nil, Permanent(err)
		}
		r = src
	} else {
		src, err := connectors.Open(ctx, j.input, connectors.ReadOptions{BatchSize: j.cfg.BatchSize, Allocator: pipeline.Allocator(ctx)})
		if err != nil {
			return nil, err
		}
		sr, ok := src.(seekReader)
		if !ok {
			src.Release()
			return nil, Permanent(fmt.Errorf("input %s: its reader cannot seek, so it cannot resume from a checkpoint", j.cfg.Input))
		}
		r = sr
	}
	if j.cfg.Rate > 0 {
		return newRateReader(ctx, r, j.cfg.Rate), nil
	}
	return r, nil
}

func prequentialTask(task string) (prequential.Task, bool) {
	switch task {
	case online.TaskBinary:
		return prequential.Binary, true
	case online.TaskMulticlass:
		return prequential.Multiclass, true
	case online.TaskRegression:
		return prequential.Regression, true
	}
	return "", false
}

// recordMetrics keeps the last row of a prequential metrics batch.
func (s *onlineState) recordMetrics(rec arrow.Record) {
	if rec.NumRows() == 0 {
		return
	}
	last := int(rec.NumRows() - 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range rec.Schema().Fields() {
		if c, ok := rec.Column(i).(*array.Float64); ok && !c.IsNull(last) && !math.IsNaN(c.Value(last)) {
			s.metrics[f.Name] = c.Value(last)
		}
	}
}

// publishAll registers each model version of a model stream batch.
func (j *onlineJob) publishAll(ctx context.Context, pub *publisher, st *onlineState, rec arrow.Record) error {
	versions, err := modelstream.Decode(rec)
	if err != nil {
		return err
	}
	defer func() {
		for _, v := range versions {
			v.Release()
		}
	}()
	for i, v := range versions {
		metrics := st.metricsCopy()
		if g := j.cfg.Gate; g != nil {
			if m, ok := gateMetric(rec, i); ok {
				metrics["gate_"+g.Metric] = m
			}
		}
		ok, err := pub.publish(ctx, v.Version, v.Rows, v.Data, metrics)
		if err != nil {
			return err
		}
		if ok {
			st.mu.Lock()
			st.published++
			st.mu.Unlock()
		}
	}
	return nil
}

// gateMetric reads the gate's metric of row i, when the batch has one.
func gateMetric(rec arrow.Record, i int) (float64, bool) {
	idx := rec.Schema().FieldIndices(modelstream.ColMetric)
	if len(idx) == 0 {
		return 0, false
	}
	c, ok := rec.Column(idx[0]).(*array.Float64)
	if !ok || c.IsNull(i) || math.IsNaN(c.Value(i)) {
		return 0, false
	}
	return c.Value(i), true
}

// emitDrifts turns drift event rows into drift.detected flow events. The
// event ID is the row that triggered the drift, so an event replayed after
// a restart from a checkpoint is emitted once.
func (j *onlineJob) emitDrifts(ctx context.Context, env *Env, st *onlineState, rec arrow.Record) error {
	det, _ := rec.Column(0).(*array.String)
	rows, _ := rec.Column(1).(*array.Int64)
	stat, _ := rec.Column(3).(*array.Float64)
	if det == nil || rows == nil || stat == nil {
		return fmt.Errorf("drift events: unexpected schema %s", rec.Schema())
	}
	for i := range int(rec.NumRows()) {
		ev := Event{Type: spec.EventDriftDetected, ID: "drift@" + strconv.FormatInt(rows.Value(i), 10), Model: j.cfg.Model,
			Detector: det.Value(i), Values: map[string]float64{"statistic": stat.Value(i), "row": float64(rows.Value(i))}}
		env.Logger.Info("drift detected", "model", j.cfg.Model, "detector", det.Value(i), "row", rows.Value(i))
		st.mu.Lock()
		st.drifts++
		st.mu.Unlock()
		if err := env.Emit(ctx, ev); err != nil && !errors.Is(err, ErrNoEmitter) {
			return err
		}
	}
	return nil
}

// appendError appends errorCol: per row, 1 when the test-then-train
// prediction missed the label and 0 when it hit (classification), or the
// absolute error (regression).
func appendError(ctx context.Context, rec arrow.Record, labelCol string, regression bool) (arrow.Record, error) {
	pred, err := columnNumbers(rec, modelstream.DefaultPredictionCol)
	if err != nil {
		return nil, err
	}
	labels, err := columnNumbers(rec, labelCol)
	if err != nil {
		return nil, err
	}
	b := array.NewFloat64Builder(pipeline.Allocator(ctx))
	defer b.Release()
	b.Reserve(len(pred))
	for i := range pred {
		switch {
		case regression:
			b.UnsafeAppend(math.Abs(pred[i] - labels[i]))
		case pred[i] != labels[i]:
			b.UnsafeAppend(1)
		default:
			b.UnsafeAppend(0)
		}
	}
	col := b.NewArray()
	defer col.Release()
	schema, err := pipeline.AppendField(rec.Schema(), arrow.Field{Name: errorCol, Type: arrow.PrimitiveTypes.Float64})
	if err != nil {
		return nil, err
	}
	return array.NewRecord(schema, append(rec.Columns()[:len(rec.Columns()):len(rec.Columns())], col), rec.NumRows()), nil
}

// columnNumbers reads a numeric column of rec as float64s.
func columnNumbers(rec arrow.Record, name string) ([]float64, error) {
	i, err := table.FieldIndex(rec.Schema(), name)
	if err != nil {
		return nil, err
	}
	return numbers(nil, rec.Column(i), name, 0)
}
