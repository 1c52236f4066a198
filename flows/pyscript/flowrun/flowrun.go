package flowrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/eddyml/eddy/flows/jobs"
	"github.com/eddyml/eddy/flows/pyscript"
	"github.com/eddyml/eddy/flows/scheduler"
	"github.com/eddyml/eddy/flows/scheduler/runstore"
	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/serving/modelstore"
)

func init() { pyscript.SetFlowRunner(Run) }

// Run runs the flow file req.Path to its end (Options.Follow off) and
// returns its outcome; see the package documentation for the stores.
func Run(ctx context.Context, req pyscript.FlowRequest) (*pyscript.FlowRun, error) {
	data, err := os.ReadFile(req.Path)
	if err != nil {
		return nil, fmt.Errorf("flow: %w", err)
	}
	f, err := spec.ParseFlowWith(spec.FlowOptions{Kinds: jobs.Global()}, req.Path, data)
	if err != nil {
		if ps := spec.Problems(err); len(ps) > 0 {
			msgs := make([]string, len(ps))
			for i, p := range ps {
				msgs[i] = fmt.Sprint(p)
			}
			return nil, fmt.Errorf("flow %s: %d problem(s):\n%s", req.Path, len(ps), strings.Join(msgs, "\n"))
		}
		return nil, err
	}
	dir := filepath.Dir(req.Path)
	regURL, state := req.Registry, req.State
	if regURL == "" {
		regURL = f.Stores.Registry
	}
	if regURL == "" {
		regURL = "file://" + filepath.Join(dir, ".eddy")
	}
	if state == "" {
		state = f.Stores.State
	}
	if state == "" {
		state = filepath.Join(dir, spec.DefaultStateDir)
	}
	reg, err := modelstore.Open(ctx, regURL)
	if err != nil {
		return nil, err
	}
	defer reg.Close()
	runs, err := runstore.Open(ctx, regURL, state)
	if err != nil {
		return nil, err
	}
	defer runs.Close()
	out := req.Stdout
	if out == nil {
		out = io.Discard
	}
	s, err := scheduler.New(f, scheduler.Options{Registry: reg, RegistryURL: regURL, Runs: runs,
		NewRun: req.NewRun, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: out, Stderr: out,
		CheckpointDir: f.Stores.CheckpointDir(state)})
	if err != nil {
		return nil, err
	}
	run, runErr := s.Run(ctx)
	if run == nil {
		if runErr == nil {
			runErr = errors.New("flow: the scheduler returned no run")
		}
		return nil, runErr
	}
	res := &pyscript.FlowRun{Flow: run.Flow, ID: run.ID, Status: run.Status, Error: run.Error, Registry: regURL}
	for _, id := range run.Order {
		in := run.Instances[id]
		res.Instances = append(res.Instances, pyscript.FlowInstance{ID: in.ID, Job: in.Job, Status: in.Status,
			Cause: in.Cause, Error: in.Error, Attempts: len(in.Attempts), Outputs: in.Outputs})
	}
	if ctx.Err() != nil {
		return res, runErr
	}
	if runErr != nil && res.Error == "" {
		res.Error = runErr.Error()
	}
	return res, nil
}
