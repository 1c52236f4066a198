package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/serving/modelstore"
)

type trainJob struct {
	cfg   *spec.TrainJob
	input string
}

func newTrain(job *spec.Job, flow *spec.Flow) (Job, error) {
	cfg, err := configOf[*spec.TrainJob](job)
	if err != nil {
		return nil, err
	}
	if cfg.Pipeline == nil {
		return nil, errors.New("no pipeline")
	}
	return &trainJob{cfg: cfg, input: flow.Path(cfg.Input)}, nil
}

// findLineage returns the version of model that an earlier attempt of
// the same job instance registered, if any.
func findLineage(ctx context.Context, st modelstore.Store, model, lineage string) (modelstore.Version, bool, error) {
	after := int64(0)
	for {
		page, next, err := st.ListVersions(ctx, model, modelstore.ListOptions{After: after, Limit: modelstore.MaxPageSize})
		if errors.Is(err, modelstore.ErrNotFound) {
			return modelstore.Version{}, false, nil
		}
		if err != nil {
			return modelstore.Version{}, false, err
		}
		for _, v := range page {
			if v.Lineage.FlowRun == lineage {
				return v, true, nil
			}
		}
		if next == 0 {
			return modelstore.Version{}, false, nil
		}
		after = next
	}
}

// Run trains the pipeline and registers the model, unless an earlier
// attempt of this job instance already registered it.
func (j *trainJob) Run(ctx context.Context, env *Env) (*Result, error) {
	if v, ok, err := findLineage(ctx, env.Registry, j.cfg.Model, env.Lineage()); err != nil {
		return nil, err
	} else if ok {
		env.Logger.Info("model already registered by an earlier attempt", "model", v.Model, "version", v.Version)
		return versionResult(v), nil
	}
	src, err := connectors.Open(ctx, j.input, connectors.ReadOptions{Allocator: pipeline.Allocator(ctx)})
	if err != nil {
		return nil, err
	}
	logw := env.Stderr
	if logw == nil {
		logw = io.Discard
	}
	inSchema := src.Schema()
	res, err := TrainPipeline(ctx, j.cfg.Pipeline, src, logw)
	src.Release()
	if err != nil {
		return nil, fmt.Errorf("train on %s: %w", j.cfg.Input, err)
	}
	defer res.Release()
	info := modelstore.Info{
		Description: fmt.Sprintf("trained by flow %s job %s", env.Flow.Name, env.Job),
		Params:      map[string]string{"task": string(res.Task), "stages": strconv.Itoa(len(res.Model.Stages()))},
		Metrics:     res.MetricMap(),
		Lineage:     modelstore.Lineage{FlowRun: env.Lineage(), DataSource: j.cfg.Input},
	}
	if j.cfg.PipelineFile != "" {
		info.Params["pipeline"] = j.cfg.PipelineFile
	}
	if err := setServingParams(&info, res.Model, inSchema); err != nil {
		env.Logger.Warn("the server will infer request types", "model", j.cfg.Model, "why", err)
	}
	v, err := modelstore.PutStage(ctx, env.Registry, j.cfg.Model, res.Model, info, nil)
	if err != nil {
		return nil, err
	}
	env.Logger.Info("registered model", "model", v.Model, "version", v.Version)
	return versionResult(v), nil
}

func versionResult(v modelstore.Version) *Result {
	out := map[string]string{"model": v.Model, "version": strconv.FormatInt(v.Version, 10), "stage": string(v.Stage)}
	for k, m := range v.Metrics {
		out["metric."+k] = strconv.FormatFloat(m, 'g', 6, 64)
	}
	return &Result{Outputs: out}
}

// MetricMap returns the finite metrics by name.
func (r *TrainResult) MetricMap() map[string]float64 {
	m := map[string]float64{}
	for _, x := range r.Metrics {
		if !math.IsNaN(x.Value) && !math.IsInf(x.Value, 0) {
			m[x.Name] = x.Value
		}
	}
	return m
}
