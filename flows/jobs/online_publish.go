package jobs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/serving/modelstore"
)

// onlineBase is the registered model an online job starts from: a
// pipeline whose stages before the last prepare the features and whose
// last stage is the model the learner warm-starts from and replaces.
type onlineBase struct {
	version modelstore.Version
	// model is the whole stage as loaded; publishing sets last's data and
	// saves model.
	model    pipeline.Stage
	features *pipeline.PipelineModel // nil when the model is one stage
	last     pipeline.Model
}

// loadOnlineBase loads version ref of model from the registry and splits it.
func loadOnlineBase(ctx context.Context, env *Env, model, ref string) (*onlineBase, error) {
	v, err := resolveVersion(ctx, env, model, ref)
	if err != nil {
		return nil, err
	}
	st, err := modelstore.LoadStage(ctx, env.Registry, model, v.Version, nil)
	if err != nil {
		return nil, fmt.Errorf("model %q version %d: %w", model, v.Version, err)
	}
	b := &onlineBase{version: v, model: st}
	switch m := st.(type) {
	case *pipeline.PipelineModel:
		stages := m.Stages()
		if len(stages) == 0 {
			return nil, Permanent(fmt.Errorf("model %q version %d: an empty pipeline has no model to learn", model, v.Version))
		}
		last, ok := stages[len(stages)-1].(pipeline.Model)
		if !ok {
			return nil, Permanent(fmt.Errorf("model %q version %d: the last stage (%s) is not a model an online learner can update", model, v.Version, stages[len(stages)-1].Kind()))
		}
		b.last = last
		if len(stages) > 1 {
			if b.features, err = pipeline.NewPipelineModel(stages[:len(stages)-1]...); err != nil {
				return nil, err
			}
		}
	case pipeline.Model:
		b.last = m
	default:
		return nil, Permanent(fmt.Errorf("model %q version %d: a %s is not a model an online learner can update", model, v.Version, st.Kind()))
	}
	return b, nil
}

// publisher registers the model versions of an online job as versions of
// the registry's model, each exactly once: a version replayed after a
// restart from a checkpoint (online versions are reproducible) is
// recognised by its lineage and skipped.
type publisher struct {
	env     *Env
	model   string
	learner string
	base    *onlineBase
	// done is the highest online version already registered by this job
	// instance (by this attempt or an earlier one).
	done int64
	// last is the registry version of the last publication.
	last modelstore.Version
}

// lineagePrefix marks the versions an online job instance registered:
// "RUN/INSTANCE/v" then the online version.
func (p *publisher) lineagePrefix() string { return p.env.Lineage() + "/v" }

func newPublisher(ctx context.Context, env *Env, model, learner string, base *onlineBase) (*publisher, error) {
	p := &publisher{env: env, model: model, learner: learner, base: base}
	prefix := p.lineagePrefix()
	after := int64(0)
	for {
		page, next, err := env.Registry.ListVersions(ctx, model, modelstore.ListOptions{After: after, Limit: modelstore.MaxPageSize})
		if errors.Is(err, modelstore.ErrNotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		for _, v := range page {
			if s, ok := strings.CutPrefix(v.Lineage.FlowRun, prefix); ok {
				if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > p.done {
					p.done, p.last = n, v
				}
			}
		}
		if next == 0 {
			break
		}
		after = next
	}
	return p, nil
}

// publish registers online version onlineVersion (learned from rows
// rows, with model data data) unless it was registered before. It
// reports whether it registered a new registry version.
func (p *publisher) publish(ctx context.Context, onlineVersion, rows int64, data []arrow.Record, metrics map[string]float64) (bool, error) {
	if onlineVersion <= p.done {
		return false, nil
	}
	if err := p.base.last.SetModelData(data...); err != nil {
		return false, fmt.Errorf("online version %d: %w", onlineVersion, err)
	}
	info := modelstore.Info{
		Description: fmt.Sprintf("online %s in flow %s job %s, from version %d", p.learner, p.env.Flow.Name, p.env.Job, p.base.version.Version),
		Params: map[string]string{"learner": p.learner, "rows": strconv.FormatInt(rows, 10),
			"online_version": strconv.FormatInt(onlineVersion, 10)},
		Metrics: metrics,
		Lineage: modelstore.Lineage{FlowRun: p.lineagePrefix() + strconv.FormatInt(onlineVersion, 10),
			DataSource: "online", Parent: p.base.version.Version},
	}
	copyServingParams(&info, p.base.version)
	v, err := modelstore.PutStage(ctx, p.env.Registry, p.model, p.base.model, info, nil)
	if err != nil {
		return false, err
	}
	p.done, p.last = onlineVersion, v
	p.env.Logger.Info("published online model version", "model", v.Model, "version", v.Version, "online_version", onlineVersion, "rows", rows)
	return true, nil
}
