package jobs

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/eddyml/eddy/flows/spec"
)

type shellJob struct {
	cfg *spec.ShellJob
	dir string
}

func newShell(job *spec.Job, flow *spec.Flow) (Job, error) {
	cfg, err := configOf[*spec.ShellJob](job)
	if err != nil {
		return nil, err
	}
	dir := flow.Dir
	if cfg.Dir != "" {
		dir = flow.Path(cfg.Dir)
	}
	return &shellJob{cfg: cfg, dir: dir}, nil
}

// Run runs the command; a non-zero exit is an error. Cancelling ctx kills
// the command's whole process group.
func (j *shellJob) Run(ctx context.Context, env *Env) (*Result, error) {
	cmd := exec.CommandContext(ctx, j.cfg.Command, j.cfg.Args...)
	cmd.Dir = j.dir
	cmd.Env = append(os.Environ(),
		"EDDY_FLOW="+env.Flow.Name, "EDDY_RUN="+env.RunID, "EDDY_JOB="+env.Job,
		"EDDY_INSTANCE="+env.Instance, "EDDY_ATTEMPT="+strconv.Itoa(env.Attempt), "EDDY_REGISTRY="+env.RegistryURL,
		"EDDY_CHECKPOINT_DIR="+env.CheckpointDir)
	if t := env.Trigger; t != nil {
		cmd.Env = append(cmd.Env, "EDDY_EVENT="+t.Type, "EDDY_EVENT_MODEL="+t.Model,
			"EDDY_EVENT_VERSION="+strconv.FormatInt(t.Version, 10), "EDDY_EVENT_JOB="+t.Job,
			"EDDY_EVENT_SEQ="+strconv.FormatUint(t.Seq, 10))
	}
	for k, v := range j.cfg.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = orDiscard(env.Stdout), orDiscard(env.Stderr)
	setProcessGroup(cmd)
	cmd.WaitDelay = 2 * time.Second
	start := time.Now()
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%s: %w", j.cfg.Command, err)
	}
	return &Result{Outputs: map[string]string{"seconds": strconv.FormatFloat(time.Since(start).Seconds(), 'f', 3, 64)}}, nil
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
