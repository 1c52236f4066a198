package jobs

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/serving/httpapi"
)

type serveJob struct{ cfg *spec.ServeJob }

func newServe(job *spec.Job, _ *spec.Flow) (Job, error) {
	cfg, err := configOf[*spec.ServeJob](job)
	if err != nil {
		return nil, err
	}
	return &serveJob{cfg: cfg}, nil
}

// Run serves the registry's deployed models until ctx is done.
func (j *serveJob) Run(ctx context.Context, env *Env) (*Result, error) {
	s, err := httpapi.New(env.Registry, httpapi.Config{Addr: j.cfg.Addr, Token: j.cfg.Token, Logger: env.Logger})
	if err != nil {
		return nil, Permanent(err)
	}
	ln, err := net.Listen("tcp", j.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	env.Logger.Info("serving", "addr", ln.Addr().String())
	if err := s.Run(ctx, ln); err != nil && !errors.Is(err, context.Canceled) {
		return nil, err
	}
	return &Result{Outputs: map[string]string{"addr": ln.Addr().String()}}, nil
}
