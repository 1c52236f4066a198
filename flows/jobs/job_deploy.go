package jobs

import (
	"context"

	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/serving/modelstore"
)

type deployJob struct{ cfg *spec.DeployJob }

func newDeploy(job *spec.Job, _ *spec.Flow) (Job, error) {
	cfg, err := configOf[*spec.DeployJob](job)
	if err != nil {
		return nil, err
	}
	return &deployJob{cfg: cfg}, nil
}

// Run deploys the version (a no-op when it already is) and sets the alias.
func (j *deployJob) Run(ctx context.Context, env *Env) (*Result, error) {
	v, err := resolveVersion(ctx, env, j.cfg.Model, j.cfg.Version)
	if err != nil {
		return nil, err
	}
	nv, err := env.Registry.SetStage(ctx, v.Model, v.Version, modelstore.StageDeployed, &modelstore.StageOptions{KeepOthers: j.cfg.KeepOthers})
	if err != nil {
		return nil, Permanent(err)
	}
	if j.cfg.Alias != "" {
		if err := env.Registry.SetAlias(ctx, v.Model, j.cfg.Alias, v.Version); err != nil {
			return nil, err
		}
	}
	env.Logger.Info("deployed", "model", nv.Model, "version", nv.Version, "alias", j.cfg.Alias)
	return versionResult(nv), nil
}
