package scheduler_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddyml/eddy/flows/jobs"
	"github.com/eddyml/eddy/flows/scheduler/runstore"
	"github.com/eddyml/eddy/flows/spec"
)

// testKinds are job kinds for the scheduler tests, recording what they
// see:
//
//	emitter  emits drift.detected for its model with each of its ids
//	         (Env.Emit, mid-run), then, with wait, keeps running until a
//	         probe has run; it writes a file in its checkpoint directory
//	probe    records its trigger
//	block    blocks until the flow stops on its instance's first attempt
type testKinds struct {
	mu       sync.Mutex
	probes   []probeCall
	probeRan chan struct{}
	blocked  chan struct{}
	attempts map[string]int
	// ckpts lists the checkpoint directory of each emitter attempt, and
	// seen whether the attempt found an earlier attempt's checkpoint.
	ckpts []string
	seen  []bool
	// emitErrs are errors of Emit calls that must fail.
	emitErrs []error
	// lastEnv is the env of the last emitter attempt.
	lastEnv *jobs.Env
	// onProbe runs in each probe attempt.
	onProbe func()
}

type probeCall struct {
	instance string
	trigger  *jobs.Event
	start    time.Time
}

func newTestKinds(t *testing.T) (*testKinds, *jobs.Environment) {
	k := &testKinds{probeRan: make(chan struct{}, 100), blocked: make(chan struct{}, 100), attempts: map[string]int{}}
	env := jobs.NewEnvironment()
	for _, kind := range []jobs.Kind{
		{Spec: spec.JobKind{Kind: "emitter", Fields: []string{"model", "ids", "wait"}, Parse: func(f *spec.Fields) spec.JobConfig {
			return &emitterConfig{model: f.String("model", true), ids: f.Strings("ids"), wait: f.Bool("wait", false)}
		}}, New: func(j *spec.Job, _ *spec.Flow) (jobs.Job, error) {
			return &emitterJob{k: k, cfg: j.Config.(*emitterConfig)}, nil
		}},
		{Spec: spec.JobKind{Kind: "probe", Parse: func(*spec.Fields) spec.JobConfig { return noEmits{} }},
			New: func(*spec.Job, *spec.Flow) (jobs.Job, error) { return recordJob{k}, nil }},
		{Spec: spec.JobKind{Kind: "block", Parse: func(*spec.Fields) spec.JobConfig { return noEmits{} }},
			New: func(*spec.Job, *spec.Flow) (jobs.Job, error) { return blockJob{k}, nil }},
	} {
		if err := env.Register(kind); err != nil {
			t.Fatal(err)
		}
	}
	return k, env
}

type noEmits struct{}

func (noEmits) Emits() []spec.Emission { return nil }

type emitterConfig struct {
	model string
	ids   []string
	wait  bool
}

func (c *emitterConfig) Emits() []spec.Emission {
	return []spec.Emission{{Event: spec.EventDriftDetected, Model: c.model}}
}

type emitterJob struct {
	k   *testKinds
	cfg *emitterConfig
}

func (e *emitterJob) Run(ctx context.Context, env *jobs.Env) (*jobs.Result, error) {
	k := e.k
	marker := filepath.Join(env.CheckpointDir, "ckpt")
	_, statErr := os.Stat(marker)
	k.mu.Lock()
	k.ckpts = append(k.ckpts, env.CheckpointDir)
	k.seen = append(k.seen, statErr == nil)
	k.lastEnv = env
	k.mu.Unlock()
	if err := os.MkdirAll(env.CheckpointDir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(marker, []byte(env.Instance), 0o644); err != nil {
		return nil, err
	}
	// Events jobs may not emit are refused.
	err := env.Emit(ctx, jobs.Event{Type: spec.EventModelCreated, Model: e.cfg.model})
	k.mu.Lock()
	k.emitErrs = append(k.emitErrs, err)
	k.mu.Unlock()
	for _, id := range e.cfg.ids {
		ev := jobs.Event{Type: spec.EventDriftDetected, ID: id, Model: e.cfg.model, Detector: "adwin", Values: map[string]float64{"statistic": 0.25}}
		if err := env.Emit(ctx, ev); err != nil {
			return nil, err
		}
	}
	if !e.cfg.wait {
		return &jobs.Result{}, nil
	}
	for {
		k.mu.Lock()
		n := len(k.probes)
		k.mu.Unlock()
		if n > 0 {
			return &jobs.Result{}, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-k.probeRan:
		case <-time.After(20 * time.Second):
			return nil, errors.New("no probe ran while the emitter ran")
		}
	}
}

type recordJob struct{ k *testKinds }

func (p recordJob) Run(ctx context.Context, env *jobs.Env) (*jobs.Result, error) {
	p.k.mu.Lock()
	p.k.probes = append(p.k.probes, probeCall{instance: env.Instance, trigger: env.Trigger, start: time.Now()})
	f := p.k.onProbe
	p.k.mu.Unlock()
	if f != nil {
		f()
	}
	p.k.probeRan <- struct{}{}
	return &jobs.Result{}, nil
}

type blockJob struct{ k *testKinds }

func (b blockJob) Run(ctx context.Context, env *jobs.Env) (*jobs.Result, error) {
	b.k.mu.Lock()
	b.k.attempts[env.Instance]++
	first := b.k.attempts[env.Instance] == 1
	b.k.mu.Unlock()
	if !first {
		return &jobs.Result{}, nil
	}
	b.k.blocked <- struct{}{}
	<-ctx.Done()
	return nil, ctx.Err()
}

func (k *testKinds) probeCalls() []probeCall {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]probeCall(nil), k.probes...)
}

// failDispatch is a run store that fails the first append holding an
// event.dispatched record and cancels the scheduler's context: a crash
// between a job's Emit and the scheduler's dispatch.
type failDispatch struct {
	runstore.Store
	cancel context.CancelFunc
	failed atomic.Bool
}

func (f *failDispatch) Append(ctx context.Context, id string, recs ...runstore.Record) error {
	for _, r := range recs {
		if r.Type == runstore.EventDispatched && !f.failed.Swap(true) {
			f.cancel()
			return errors.New("simulated crash before dispatch")
		}
	}
	return f.Store.Append(ctx, id, recs...)
}
