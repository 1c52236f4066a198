package jobs

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/serving/modelstore"
)

type validateJob struct {
	cfg  *spec.ValidateJob
	data string
}

func newValidate(job *spec.Job, flow *spec.Flow) (Job, error) {
	cfg, err := configOf[*spec.ValidateJob](job)
	if err != nil {
		return nil, err
	}
	return &validateJob{cfg: cfg, data: flow.Path(cfg.Data)}, nil
}

// score evaluates version v on data and returns the job's metric.
func (j *validateJob) score(ctx context.Context, env *Env, v modelstore.Version, data *table.Table) (float64, error) {
	st, err := modelstore.LoadStage(ctx, env.Registry, v.Model, v.Version, nil)
	if err != nil {
		return 0, err
	}
	var stages []pipeline.Stage
	switch m := st.(type) {
	case *pipeline.PipelineModel:
		stages = m.Children()
	case pipeline.Transformer:
		stages = []pipeline.Stage{m}
	default:
		return 0, Permanent(fmt.Errorf("model %q version %d is a %s, not a fitted model", v.Model, v.Version, st.Kind()))
	}
	tr := st.(pipeline.Transformer)
	scored, err := pipeline.TransformTable(ctx, tr, data)
	if err != nil {
		return 0, Permanent(fmt.Errorf("score %s with model %q version %d: %w", j.cfg.Data, v.Model, v.Version, err))
	}
	res := &TrainResult{Scored: scored}
	defer res.Release()
	ps := &spec.PipelineSpec{File: env.Flow.File, LabelCol: j.cfg.LabelCol, Task: j.cfg.Task}
	if err := res.evaluate(ps, data, stages); err != nil {
		return 0, Permanent(err)
	}
	for _, m := range res.Metrics {
		if m.Name == j.cfg.Metric {
			return m.Value, nil
		}
	}
	return 0, Permanent(fmt.Errorf("metric %q does not apply to task %s (metrics: %v)", j.cfg.Metric, res.Task, res.MetricMap()))
}

// better reports whether a is at least as good as b for the metric.
func (j *validateJob) better(a, b float64) bool {
	if spec.LowerIsBetter(j.cfg.Metric) {
		return a <= b
	}
	return a >= b
}

// Run evaluates the version and moves it to validated or rejected; a
// rejection fails the job (permanently) and emits metric.below.
func (j *validateJob) Run(ctx context.Context, env *Env) (*Result, error) {
	v, err := resolveVersion(ctx, env, j.cfg.Model, j.cfg.Version)
	if err != nil {
		return nil, err
	}
	if v.Stage == modelstore.StageDeployed || v.Stage == modelstore.StageDeprecated {
		env.Logger.Info("version already past validation", "model", v.Model, "version", v.Version, "stage", v.Stage)
		return versionResult(v), nil
	}
	src, err := connectors.Open(ctx, j.data, connectors.ReadOptions{Allocator: pipeline.Allocator(ctx)})
	if err != nil {
		return nil, err
	}
	data, err := table.ReadAll(src)
	src.Release()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", j.cfg.Data, err)
	}
	defer data.Release()
	value, err := j.score(ctx, env, v, data)
	if err != nil {
		return nil, err
	}
	threshold, against := j.cfg.Threshold, "threshold"
	if j.cfg.Against == "champion" {
		against = "champion"
		threshold = math.NaN()
		dep, err := env.Registry.Deployed(ctx, v.Model)
		if err != nil && !errors.Is(err, modelstore.ErrNotFound) {
			return nil, err
		}
		if len(dep) > 0 && dep[0].Version != v.Version {
			if threshold, err = j.score(ctx, env, dep[0], data); err != nil {
				return nil, fmt.Errorf("champion: %w", err)
			}
			against = fmt.Sprintf("champion (version %d)", dep[0].Version)
		}
	}
	pass := math.IsNaN(threshold) || j.better(value, threshold)
	to := modelstore.StageValidated
	if !pass {
		to = modelstore.StageRejected
	}
	nv, err := env.Registry.SetStage(ctx, v.Model, v.Version, to, nil)
	if err != nil {
		return nil, err
	}
	env.Logger.Info("validated", "model", v.Model, "version", v.Version, "metric", j.cfg.Metric, "value", value, "against", against, "threshold", threshold, "stage", to)
	res := versionResult(nv)
	res.Outputs[j.cfg.Metric] = strconv.FormatFloat(value, 'g', 6, 64)
	if pass {
		return res, nil
	}
	res.Events = append(res.Events, Event{Type: spec.EventMetricBelow, Model: v.Model, Version: v.Version,
		Values: map[string]float64{"value": value, "threshold": threshold}})
	return res, Permanent(fmt.Errorf("model %q version %d rejected: %s %.4g is worse than %s %.4g", v.Model, v.Version, j.cfg.Metric, value, against, threshold))
}
