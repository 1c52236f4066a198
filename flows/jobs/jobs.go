package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/serving/modelstore"
)

// Job is one runnable job of a flow, built from its spec by the kind's
// constructor. Run runs one attempt and blocks until it ends or ctx is
// done (a long-running job runs until ctx is done and then returns nil).
// Attempts may be repeated after a failure or a crash, so Run should be
// idempotent: the built-in kinds are (train finds the version an earlier
// attempt of the same job instance registered, stage moves repeat as
// no-ops, outputs are written atomically).
type Job interface {
	Run(ctx context.Context, env *Env) (*Result, error)
}

// Event is a flow event: a model registry event (Seq > 0), a job outcome
// (job.succeeded, job.failed) or an event a job emitted, while running
// (Env.Emit: drift.detected) or in its Result (metric.below).
//
// drift.detected carries Job (filled in by the scheduler), Model,
// Detector (adwin, ddm, page_hinkley) and Values["statistic"] (the
// detector's statistic when it fired), plus whatever else the job adds
// to Values (such as "row").
type Event struct {
	Type string `json:"type"`
	// ID identifies an event a job emits among the events of its job
	// instance, so that an attempt restarted from a checkpoint that emits
	// the same event again (same ID) does not emit it twice. Emit fills
	// in a unique one when empty.
	ID       string             `json:"id,omitempty"`
	Seq      uint64             `json:"seq,omitempty"`
	Model    string             `json:"model,omitempty"`
	Version  int64              `json:"version,omitempty"`
	Stage    string             `json:"stage,omitempty"`
	Alias    string             `json:"alias,omitempty"`
	Job      string             `json:"job,omitempty"`
	Instance string             `json:"instance,omitempty"`
	Attempt  int                `json:"attempt,omitempty"`
	Error    string             `json:"error,omitempty"`
	Detector string             `json:"detector,omitempty"`
	Values   map[string]float64 `json:"values,omitempty"`
	Time     time.Time          `json:"time"`
}

// Field returns a field of the event for spec.Condition.Eval. metrics.*
// fields are not event fields: the scheduler reads them from the
// registry.
func (e *Event) Field(name string) (any, bool) {
	switch name {
	case "model":
		return e.Model, e.Model != ""
	case "version":
		return float64(e.Version), e.Version > 0
	case "stage":
		return e.Stage, e.Stage != ""
	case "alias":
		return e.Alias, e.Alias != ""
	case "job":
		return e.Job, e.Job != ""
	case "attempt":
		return float64(e.Attempt), e.Attempt > 0
	case "error":
		return e.Error, true
	case "detector":
		return e.Detector, e.Detector != ""
	}
	v, ok := e.Values[name]
	return v, ok
}

// Env is what an attempt gets besides its spec.
type Env struct {
	Flow *spec.Flow
	// RunID names the flow run, Instance the job instance (unique in the
	// run: the same across attempts and restarts), Attempt counts from 1.
	RunID, Job, Instance string
	Attempt              int
	// Registry is the model registry and RegistryURL its URL.
	Registry    modelstore.Store
	RegistryURL string
	// Trigger is the event that created the instance, or nil.
	Trigger *Event
	Logger  *slog.Logger
	// Stdout and Stderr receive the output of shell jobs and progress
	// lines of others.
	Stdout, Stderr io.Writer
	// CheckpointDir is the job instance's own checkpoint directory: the
	// same across the attempts of the instance and across restarts of the
	// run, so that a restarted streaming job finds its checkpoints. The
	// job creates it when it first checkpoints (most jobs never do). ""
	// when the runner keeps none.
	CheckpointDir string
	// EmitFunc is what Emit calls; the scheduler sets it.
	EmitFunc func(ctx context.Context, ev Event) error
}

// ErrNoEmitter is returned by Emit when the job runs without a scheduler
// to take its events.
var ErrNoEmitter = errors.New("emit: no flow scheduler to take events")

// Emit emits ev into the flow while the attempt runs: when Emit returns
// nil the event is persisted in the run store, and the scheduler
// triggers the jobs waiting for it exactly once, even across a crash
// (after which the resumed run dispatches it). The type must be an event
// jobs emit (spec.IsEmittable: drift.detected, metric.below); Job,
// Instance and Attempt are filled in, Time and ID when empty. Emitting an
// ID the instance already emitted is a no-op. Events a job reports when
// it ends go in its Result instead.
func (e *Env) Emit(ctx context.Context, ev Event) error {
	if e.EmitFunc == nil {
		return ErrNoEmitter
	}
	return e.EmitFunc(ctx, ev)
}

// Lineage is the value of modelstore.Lineage.FlowRun for versions this
// attempt registers: "RUN/INSTANCE".
func (e *Env) Lineage() string { return e.RunID + "/" + e.Instance }

// Result is what a successful attempt reports: outputs recorded in the
// run store (model, version...) and events it emits into the flow.
type Result struct {
	Outputs map[string]string `json:"outputs,omitempty"`
	Events  []Event           `json:"events,omitempty"`
}

// permanent marks errors that retrying cannot fix.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent wraps err so that the scheduler does not retry the attempt
// (a rejected model, a bad config). Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent reports whether err was wrapped by Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// Constructor builds a job from its spec; flow gives the paths' base.
type Constructor func(job *spec.Job, flow *spec.Flow) (Job, error)

// Kind is a job kind: how the parser reads it and how to build it.
type Kind struct {
	Spec spec.JobKind
	New  Constructor
}

var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// Environment maps job kind names to kinds. It implements
// spec.KindLookup, so a flow parsed with it knows exactly the kinds it
// can build. Safe for concurrent use.
type Environment struct {
	mu    sync.RWMutex
	kinds map[string]Kind
}

var global = builtin()

// Global returns the environment the built-in kinds are registered in,
// and that Register adds to.
func Global() *Environment { return global }

// NewEnvironment returns a copy of the global environment.
func NewEnvironment() *Environment { return global.Clone() }

// NewEmptyEnvironment returns an environment with no kinds.
func NewEmptyEnvironment() *Environment { return &Environment{kinds: map[string]Kind{}} }

// Register adds a kind to the global environment.
func Register(k Kind) error { return global.Register(k) }

// Clone copies the environment.
func (e *Environment) Clone() *Environment {
	e.mu.RLock()
	defer e.mu.RUnlock()
	c := NewEmptyEnvironment()
	for n, k := range e.kinds {
		c.kinds[n] = k
	}
	return c
}

// Register adds a kind; the name must be new and match [a-z][a-z0-9_]*.
func (e *Environment) Register(k Kind) error {
	if !kindPattern.MatchString(k.Spec.Kind) {
		return fmt.Errorf("register job kind %q: want a name matching %s", k.Spec.Kind, kindPattern)
	}
	if k.New == nil || k.Spec.Parse == nil {
		return fmt.Errorf("register job kind %q: missing constructor or parser", k.Spec.Kind)
	}
	for _, ev := range k.Spec.Emits {
		if !slices.Contains(spec.Events(), ev) || spec.IsJobEvent(ev) {
			return fmt.Errorf("register job kind %q: emits %q: want one of %s (job outcomes are emitted for every job)", k.Spec.Kind, ev, strings.Join(spec.Events(), ", "))
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, dup := e.kinds[k.Spec.Kind]; dup {
		return fmt.Errorf("register job kind %q: already registered", k.Spec.Kind)
	}
	e.kinds[k.Spec.Kind] = k
	return nil
}

// LookupKind implements spec.KindLookup.
func (e *Environment) LookupKind(kind string) (spec.JobKind, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	k, ok := e.kinds[kind]
	return k.Spec, ok
}

// KindNames implements spec.KindLookup.
func (e *Environment) KindNames() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]string, 0, len(e.kinds))
	for n := range e.kinds {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// New builds job with its kind's constructor.
func (e *Environment) New(job *spec.Job, flow *spec.Flow) (Job, error) {
	e.mu.RLock()
	k, ok := e.kinds[job.Kind]
	e.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("job %q: unknown kind %q", job.Name, job.Kind)
	}
	j, err := k.New(job, flow)
	if err != nil {
		return nil, fmt.Errorf("job %q (%s): %w", job.Name, job.Kind, err)
	}
	return j, nil
}

func builtin() *Environment {
	e := NewEmptyEnvironment()
	ctors := map[string]Constructor{
		spec.KindIngest:   newIngest,
		spec.KindTrain:    newTrain,
		spec.KindValidate: newValidate,
		spec.KindDeploy:   newDeploy,
		spec.KindServe:    newServe,
		spec.KindShell:    newShell,
	}
	for name, ks := range spec.BuiltinKinds() {
		if err := e.Register(Kind{Spec: ks, New: ctors[name]}); err != nil {
			panic(err) // a programming error in this package, caught by every test
		}
	}
	return e
}

// configOf returns job's config as a T.
func configOf[T spec.JobConfig](job *spec.Job) (T, error) {
	c, ok := job.Config.(T)
	if !ok {
		var zero T
		return zero, fmt.Errorf("config is %T, want %T", job.Config, zero)
	}
	return c, nil
}

// resolveVersion finds the version ref names: a number, latest, an alias
// or event (the triggering model event's version).
func resolveVersion(ctx context.Context, env *Env, model, ref string) (modelstore.Version, error) {
	if ref == spec.RefEvent {
		t := env.Trigger
		if t == nil || t.Version == 0 {
			return modelstore.Version{}, Permanent(fmt.Errorf("version: event: the job was not triggered by a model event"))
		}
		if t.Model != model {
			return modelstore.Version{}, Permanent(fmt.Errorf("version: event: the triggering event is for model %q, not %q", t.Model, model))
		}
		ref = strconv.FormatInt(t.Version, 10)
	}
	v, err := modelstore.Resolve(ctx, env.Registry, model, ref)
	if err != nil {
		return v, fmt.Errorf("model %q version %q: %w", model, ref, err)
	}
	return v, nil
}
