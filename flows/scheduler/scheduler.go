package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddyml/eddy/flows/jobs"
	"github.com/eddyml/eddy/flows/scheduler/runstore"
	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/serving/modelstore"
)

// Clock is the scheduler's time source: schedules and retry backoffs use
// it, so tests pin and advance it. Attempt timeouts use real time.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Defaults.
const (
	DefaultWorkers = 4
	maxBackoff     = 10 * time.Minute
)

// Options configure a Scheduler. Registry and Runs are required.
type Options struct {
	// Jobs builds the flow's jobs (default jobs.Global()).
	Jobs *jobs.Environment
	// Registry is the model registry; RegistryURL its URL, for shell jobs.
	Registry    modelstore.Store
	RegistryURL string
	// Runs persists the run. Run holds the flow's lock in it
	// (runstore.Store.Lock) while it runs.
	Runs runstore.Store
	// CheckpointDir is the root of the jobs' checkpoint directories:
	// each job instance gets CheckpointDir/FLOW/RUN/INSTANCE (jobs.Env).
	// Default: the flow's stores.checkpoints, else the checkpoints
	// directory beside the run logs of a file run store, else
	// .eddy/flows/checkpoints.
	CheckpointDir string
	// Clock defaults to the real clock.
	Clock Clock
	// Workers bounds the attempts of bounded jobs running at once
	// (long-running jobs do not count). Default DefaultWorkers.
	Workers int
	// Follow keeps the run going when it is idle (every job done, no
	// event pending), waiting for registry events; otherwise Run returns
	// then. A flow with schedules always follows.
	Follow bool
	// NewRun starts a new run even if the latest run of the flow did not
	// finish (by default Run resumes it).
	NewRun bool
	Logger *slog.Logger
	// Stdout and Stderr receive the output of jobs (default discarded).
	Stdout, Stderr io.Writer
	// OnStart, if set, is called when an attempt starts (in the
	// scheduler's goroutine; keep it short).
	OnStart func(instance *runstore.Instance, attempt int)
}

// Scheduler runs one flow: its jobs in dependency order, in parallel where
// independent, on registry events, job events and schedules, with retries
// and timeouts, recording everything in the run store so that a run
// resumes after a crash.
type Scheduler struct {
	flow *spec.Flow
	opts Options
	jobs map[string]jobs.Job
	// afterOf lists, per job, the jobs that run after it.
	afterOf map[string][]string
	log     *slog.Logger

	run     *runstore.Run
	running map[string]*attempt // by instance id
	done    chan attemptResult
	follow  bool
	// stopping is set when the run finishes: long-running jobs end as stopped.
	stopping bool

	// emitMu guards the events jobs emit while running: emitQ holds the
	// event.emitted records persisted and not yet folded into run (the
	// loop takes them, signalled on emitSig), emittedKeys every key
	// emitted in the run.
	emitMu      sync.Mutex
	emitQ       []runstore.Record
	emitSig     chan struct{}
	emittedKeys map[string]bool
}

type attempt struct {
	n      int
	cancel context.CancelFunc
	long   bool
}

type attemptResult struct {
	inst    string
	n       int
	res     *jobs.Result
	err     error
	timeout bool
	start   time.Time
}

// New builds the flow's jobs with opts.Jobs.
func New(flow *spec.Flow, opts Options) (*Scheduler, error) {
	if opts.Registry == nil || opts.Runs == nil {
		return nil, errors.New("scheduler: Registry and Runs are required")
	}
	if opts.Jobs == nil {
		opts.Jobs = jobs.Global()
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Scheduler{flow: flow, opts: opts, jobs: map[string]jobs.Job{}, afterOf: map[string][]string{},
		log: opts.Logger.With("flow", flow.Name), running: map[string]*attempt{}, follow: opts.Follow,
		emitSig: make(chan struct{}, 1), emittedKeys: map[string]bool{}}
	if opts.CheckpointDir == "" {
		switch st := opts.Runs.(type) {
		case *runstore.FileStore:
			opts.CheckpointDir = flow.Stores.CheckpointDir(st.Dir())
		default:
			opts.CheckpointDir = flow.Stores.CheckpointDir(spec.DefaultStateDir)
		}
		s.opts.CheckpointDir = opts.CheckpointDir
	}
	var errs []error
	for _, name := range flow.Order {
		j := flow.Jobs[name]
		built, err := opts.Jobs.New(j, flow)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.jobs[name] = built
		for _, a := range j.After {
			s.afterOf[a] = append(s.afterOf[a], name)
		}
		if j.Every > 0 || j.Cron != nil {
			s.follow = true
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("flow %s: %w", flow.Name, err)
	}
	return s, nil
}

func (s *Scheduler) now() time.Time { return s.opts.Clock.Now() }

// subscriber is the flow's durable cursor name in the registry (a mirror
// of the cursor in the run store, which is authoritative).
func (s *Scheduler) subscriber() string { return "flow." + s.flow.Name }

// head returns the registry's last event seq, starting the search from
// the flow's registry cursor.
func (s *Scheduler) head(ctx context.Context) (uint64, error) {
	seq, err := s.opts.Registry.Cursor(ctx, s.subscriber())
	if err != nil {
		return 0, err
	}
	for {
		evs, err := s.opts.Registry.Events(ctx, seq+1, modelstore.MaxPageSize)
		if err != nil {
			return 0, err
		}
		if len(evs) == 0 {
			return seq, nil
		}
		seq = evs[len(evs)-1].Seq
	}
}

// append records recs and folds them into the state.
func (s *Scheduler) append(ctx context.Context, recs ...runstore.Record) error {
	if len(recs) == 0 {
		return nil
	}
	if err := s.opts.Runs.Append(context.WithoutCancel(ctx), s.run.ID, recs...); err != nil {
		return err
	}
	for _, r := range recs {
		s.run.Apply(r)
	}
	return nil
}

// open resumes the latest unfinished run of the flow or starts one.
func (s *Scheduler) open(ctx context.Context) error {
	now := s.now()
	if !s.opts.NewRun {
		last, err := runstore.Latest(ctx, s.opts.Runs, s.flow.Name)
		if err != nil {
			return err
		}
		if last != nil && last.Status == runstore.StatusRunning {
			s.run = last
			for _, e := range last.Emitted {
				s.emittedKeys[e.Key] = true
			}
			recs := []runstore.Record{{Type: runstore.RunResumed, Time: now, PID: os.Getpid()}}
			for _, id := range last.Order {
				in := last.Instances[id]
				if in.Status != runstore.StatusRunning {
					continue
				}
				n := in.Attempts[len(in.Attempts)-1].N
				recs = append(recs, runstore.Record{Type: runstore.AttemptFinished, Time: now, Instance: id, Attempt: n,
					Status: runstore.StatusInterrupted, Error: "interrupted: the flow process stopped"})
			}
			s.log.Info("resuming run", "run", last.ID, "records", last.Records)
			return s.append(ctx, recs...)
		}
	}
	head, err := s.head(ctx)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	id := runstore.NewID(now)
	s.run = runstore.Fold(id, nil)
	recs := []runstore.Record{{Type: runstore.RunStarted, Time: now, Flow: s.flow.Name, Seq: head, PID: os.Getpid()}}
	for _, name := range s.flow.Order {
		if j := s.flow.Jobs[name]; len(j.After) == 0 && !j.Triggered() {
			recs = append(recs, s.newInstance(name, "start", nil, now, recs))
		}
	}
	if err := s.opts.Runs.Create(ctx, s.flow.Name, id, recs); err != nil {
		return err
	}
	for _, r := range recs {
		s.run.Apply(r)
	}
	s.log.Info("started run", "run", id, "registry_head", head)
	return nil
}

// newInstance returns the record creating the next instance of job,
// counting those in pending (records not yet applied).
func (s *Scheduler) newInstance(job, cause string, trig *jobs.Event, now time.Time, pending []runstore.Record) runstore.Record {
	n := 1
	for _, in := range s.run.Instances {
		if in.Job == job {
			n++
		}
	}
	for _, r := range pending {
		if r.Type == runstore.InstanceCreated && r.Job == job {
			n++
		}
	}
	return runstore.Record{Type: runstore.InstanceCreated, Time: now, Job: job, Instance: job + "#" + strconv.Itoa(n), Cause: cause, Trigger: trig}
}

// Run runs (or resumes) the flow until it is idle (unless following) or
// ctx ends, and returns the run's final state. On ctx's end running
// attempts are cancelled and recorded as interrupted, and the run stays
// open for the next Run to resume. Run holds the flow's lock in the run
// store throughout: while another process (or Scheduler) runs the flow,
// it fails at once with an error wrapping runstore.ErrLocked.
func (s *Scheduler) Run(ctx context.Context) (*runstore.Run, error) {
	lock, err := s.opts.Runs.Lock(ctx, s.flow.Name)
	if err != nil {
		return nil, fmt.Errorf("flow %s: %w", s.flow.Name, err)
	}
	defer func() {
		if err := lock.Release(); err != nil {
			s.log.Warn("release the flow lock", "err", err)
		}
	}()
	if err := s.open(ctx); err != nil {
		return nil, fmt.Errorf("flow %s: %w", s.flow.Name, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lost := make(chan struct{})
	go func() {
		select {
		case <-lock.Lost():
			s.log.Error("lost the flow lock; stopping")
			close(lost)
			cancel()
		case <-ctx.Done():
		}
	}()
	s.done = make(chan attemptResult, len(s.flow.Jobs)+s.opts.Workers)
	regCh := make(chan []modelstore.Event, 1)
	watchDone := make(chan struct{})
	go s.watch(ctx, s.run.Cursor+1, regCh, watchDone)
	defer func() { <-watchDone }()
	defer cancel()
	err = s.loop(ctx, regCh)
	select {
	case <-lost:
		err = fmt.Errorf("flow %s: lost the run store lock (another process may run the flow now): %w", s.flow.Name, err)
	default:
	}
	return s.run, err
}

// watch sends batches of registry events from seq from on ch.
func (s *Scheduler) watch(ctx context.Context, from uint64, ch chan<- []modelstore.Event, done chan<- struct{}) {
	defer close(done)
	for ctx.Err() == nil {
		evs, err := s.opts.Registry.Watch(ctx, from)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("registry watch failed; retrying", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			continue
		}
		if len(evs) == 0 {
			continue
		}
		select {
		case ch <- evs:
			from = evs[len(evs)-1].Seq + 1
		case <-ctx.Done():
			return
		}
	}
}

func (s *Scheduler) loop(ctx context.Context, regCh <-chan []modelstore.Event) error {
	for {
		// A stopped flow starts nothing more: an attempt that ended
		// because ctx was cancelled can be selected before ctx.Done, and
		// dispatching then would start (and interrupt) it again.
		if err := ctx.Err(); err != nil {
			return s.stop(ctx, err)
		}
		if err := s.handleEmitted(ctx); err != nil {
			return s.stop(ctx, err)
		}
		if err := s.dispatch(ctx); err != nil {
			return s.stop(ctx, err)
		}
		if !s.follow && s.idle() {
			caught, err := s.caughtUp(ctx)
			if err != nil {
				return s.stop(ctx, err)
			}
			if caught {
				return s.finish(ctx)
			}
		}
		var wake <-chan time.Time
		if d, ok := s.nextWake(); ok {
			wake = s.opts.Clock.After(d)
		}
		var err error
		select {
		case r := <-s.done:
			err = s.finishAttempt(ctx, r)
		case evs := <-regCh:
			err = s.handleRegistry(ctx, evs)
		case <-s.emitSig:
			err = s.handleEmitted(ctx)
		case <-wake:
			err = s.tick(ctx)
		case <-ctx.Done():
			return s.stop(ctx, ctx.Err())
		}
		if err != nil {
			return s.stop(ctx, err)
		}
	}
}

// idle reports whether no bounded attempt runs or waits.
func (s *Scheduler) idle() bool {
	for _, a := range s.running {
		if !a.long {
			return false
		}
	}
	for _, id := range s.run.Order {
		if in := s.run.Instances[id]; !in.Done() && s.running[id] == nil && !s.flow.Jobs[in.Job].LongRunning {
			return false
		}
	}
	return true
}

func (s *Scheduler) caughtUp(ctx context.Context) (bool, error) {
	evs, err := s.opts.Registry.Events(ctx, s.run.Cursor+1, 1)
	return len(evs) == 0, err
}

// nextWake returns how long until the next retry or schedule tick.
func (s *Scheduler) nextWake() (time.Duration, bool) {
	now := s.now()
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, id := range s.run.Order {
		in := s.run.Instances[id]
		if in.Status == runstore.StatusPending && s.running[id] == nil && in.RetryAt.After(now) {
			consider(in.RetryAt)
		}
	}
	for _, name := range s.flow.Order {
		consider(s.nextTick(name))
	}
	if next.IsZero() {
		return 0, false
	}
	return max(next.Sub(now), 0), true
}

// nextTick returns the next schedule time of job name, or zero.
func (s *Scheduler) nextTick(name string) time.Time {
	j := s.flow.Jobs[name]
	last, ok := s.run.Ticks[name]
	if !ok {
		last = s.run.Started
	}
	switch {
	case j.Every > 0:
		return last.Add(j.Every)
	case j.Cron != nil:
		return j.Cron.Next(last)
	}
	return time.Time{}
}

// tick creates an instance for every schedule that is due (once, however
// many ticks were missed while the flow was down).
func (s *Scheduler) tick(ctx context.Context) error {
	now := s.now()
	var recs []runstore.Record
	for _, name := range s.flow.Order {
		next := s.nextTick(name)
		if next.IsZero() || next.After(now) {
			continue
		}
		// Skip to the latest due tick.
		for {
			n2 := next
			if j := s.flow.Jobs[name]; j.Every > 0 {
				n2 = next.Add(j.Every)
			} else {
				n2 = j.Cron.Next(next)
			}
			if n2.IsZero() || n2.After(now) {
				break
			}
			next = n2
		}
		recs = append(recs, runstore.Record{Type: runstore.ScheduleTick, Time: now, Job: name, Tick: next})
		recs = append(recs, s.newInstance(name, "schedule:"+next.UTC().Format(time.RFC3339), nil, now, recs))
	}
	return s.append(ctx, recs...)
}

// dispatch starts pending instances that are due, bounded by Workers.
func (s *Scheduler) dispatch(ctx context.Context) error {
	busy := 0
	for _, a := range s.running {
		if !a.long {
			busy++
		}
	}
	now := s.now()
	for _, id := range s.run.Order {
		in := s.run.Instances[id]
		if in.Status != runstore.StatusPending || s.running[id] != nil || in.RetryAt.After(now) {
			continue
		}
		j := s.flow.Jobs[in.Job]
		if j == nil {
			// The flow file lost the job since the run started.
			if err := s.append(ctx, runstore.Record{Type: runstore.InstanceFinished, Time: now, Instance: id,
				Status: runstore.StatusFailed, Error: "job no longer in the flow file"}); err != nil {
				return err
			}
			continue
		}
		if !j.LongRunning && busy >= s.opts.Workers {
			continue
		}
		n := 1
		if len(in.Attempts) > 0 {
			n = in.Attempts[len(in.Attempts)-1].N + 1
		}
		if err := s.append(ctx, runstore.Record{Type: runstore.AttemptStarted, Time: now, Instance: id, Job: in.Job, Attempt: n}); err != nil {
			return err
		}
		if !j.LongRunning {
			busy++
		}
		s.start(ctx, in, j, n)
	}
	return nil
}

func (s *Scheduler) start(ctx context.Context, in *runstore.Instance, j *spec.Job, n int) {
	actx, cancel := context.WithCancel(ctx)
	if j.Timeout > 0 {
		actx, cancel = context.WithTimeout(ctx, j.Timeout)
	}
	s.running[in.ID] = &attempt{n: n, cancel: cancel, long: j.LongRunning}
	if s.opts.OnStart != nil {
		s.opts.OnStart(in, n)
	}
	ended := new(atomic.Bool)
	env := &jobs.Env{Flow: s.flow, RunID: s.run.ID, Job: in.Job, Instance: in.ID, Attempt: n,
		Registry: s.opts.Registry, RegistryURL: s.opts.RegistryURL, Trigger: in.Trigger,
		Logger: s.log.With("job", in.Job, "kind", j.Kind, "instance", in.ID, "attempt", n),
		Stdout: s.opts.Stdout, Stderr: s.opts.Stderr,
		CheckpointDir: s.checkpointDir(in.ID), EmitFunc: s.emitter(in.Job, in.ID, n, ended)}
	job := s.jobs[in.Job]
	id := in.ID
	go func() {
		start := time.Now()
		res, err := runJob(actx, job, env)
		ended.Store(true)
		timeout := errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
		cancel()
		s.done <- attemptResult{inst: id, n: n, res: res, err: err, timeout: timeout, start: start}
	}()
}

// runJob runs one attempt, turning a panic into an error.
func runJob(ctx context.Context, j jobs.Job, env *jobs.Env) (res *jobs.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("panicked: %v", p)
		}
	}()
	return j.Run(ctx, env)
}

// finishAttempt records an attempt's outcome and, when the instance is
// done, the job event and what it triggers, all in one atomic append.
func (s *Scheduler) finishAttempt(ctx context.Context, r attemptResult) error {
	delete(s.running, r.inst)
	in := s.run.Instances[r.inst]
	j := s.flow.Jobs[in.Job]
	now := s.now()
	log := s.log.With("job", in.Job, "instance", r.inst, "attempt", r.n)
	var outputs map[string]string
	var emitted []jobs.Event
	if r.res != nil {
		outputs = r.res.Outputs
		for _, e := range r.res.Events {
			if e.Job == "" {
				e.Job, e.Instance, e.Attempt = in.Job, r.inst, r.n
			}
			if e.Time.IsZero() {
				e.Time = now
			}
			emitted = append(emitted, e)
		}
	}
	fin := runstore.Record{Type: runstore.AttemptFinished, Time: now, Instance: r.inst, Job: in.Job, Attempt: r.n, Outputs: outputs}
	switch {
	case j.LongRunning && s.stopping && ctx.Err() == nil:
		fin.Status = runstore.StatusStopped
		return s.append(ctx, fin, runstore.Record{Type: runstore.InstanceFinished, Time: now, Instance: r.inst, Job: in.Job, Status: runstore.StatusStopped})
	case ctx.Err() != nil && !r.timeout:
		fin.Status, fin.Error = runstore.StatusInterrupted, "interrupted: the flow stopped"
		return s.append(ctx, fin)
	case r.err == nil:
		fin.Status = runstore.StatusSucceeded
		log.Info("job succeeded", "seconds", time.Since(r.start).Seconds())
		recs := []runstore.Record{fin, {Type: runstore.InstanceFinished, Time: now, Instance: r.inst, Job: in.Job, Status: runstore.StatusSucceeded}}
		recs = s.afterSuccess(in, now, recs)
		ev := jobs.Event{Type: spec.EventJobSucceeded, Job: in.Job, Instance: r.inst, Attempt: r.n, Time: now}
		recs = s.trigger(ctx, append([]jobs.Event{ev}, emitted...), now, recs)
		return s.append(ctx, recs...)
	}
	fin.Status, fin.Error = runstore.StatusFailed, r.err.Error()
	if r.timeout {
		fin.Status, fin.Error = runstore.StatusTimeout, fmt.Sprintf("timed out after %s", j.Timeout)
	}
	if !jobs.IsPermanent(r.err) && in.Tries() < j.Retries.Max+1 {
		backoff := j.Retries.Backoff << min(in.Tries()-1, 20)
		if backoff <= 0 || backoff > maxBackoff {
			backoff = maxBackoff
		}
		fin.RetryAt = now.Add(backoff)
		log.Warn("job attempt failed; retrying", "err", fin.Error, "retry_in", backoff)
		return s.append(ctx, fin)
	}
	log.Error("job failed", "err", fin.Error)
	recs := []runstore.Record{fin, {Type: runstore.InstanceFinished, Time: now, Instance: r.inst, Job: in.Job, Status: runstore.StatusFailed, Error: fin.Error}}
	ev := jobs.Event{Type: spec.EventJobFailed, Job: in.Job, Instance: r.inst, Attempt: r.n, Error: fin.Error, Time: now}
	recs = s.trigger(ctx, append([]jobs.Event{ev}, emitted...), now, recs)
	return s.append(ctx, recs...)
}

// succeeded reports whether job has a succeeded instance, counting the
// records in pending.
func (s *Scheduler) succeeded(job string, pending []runstore.Record) bool {
	for _, in := range s.run.Instances {
		if in.Job == job && in.Status == runstore.StatusSucceeded {
			return true
		}
	}
	for _, r := range pending {
		if r.Type == runstore.InstanceFinished && r.Job == job && r.Status == runstore.StatusSucceeded {
			return true
		}
	}
	return false
}

// afterSuccess creates instances of the jobs after in's job whose other
// dependencies have all succeeded.
func (s *Scheduler) afterSuccess(in *runstore.Instance, now time.Time, recs []runstore.Record) []runstore.Record {
	for _, next := range s.afterOf[in.Job] {
		ready := true
		for _, dep := range s.flow.Jobs[next].After {
			ready = ready && s.succeeded(dep, recs)
		}
		if ready {
			recs = append(recs, s.newInstance(next, "after:"+in.ID, nil, now, recs))
		}
	}
	return recs
}

// trigger creates an instance for every job whose `on:` matches an event.
func (s *Scheduler) trigger(ctx context.Context, evs []jobs.Event, now time.Time, recs []runstore.Record) []runstore.Record {
	for i := range evs {
		ev := evs[i]
		for _, name := range s.flow.Order {
			if s.matches(ctx, s.flow.Jobs[name].On, &ev) {
				cause := ev.Type
				switch {
				case ev.Seq > 0:
					cause = "event:" + strconv.FormatUint(ev.Seq, 10) + " " + ev.Type
				case ev.Instance != "":
					cause = ev.Type + " " + ev.Instance
				}
				recs = append(recs, s.newInstance(name, cause, &ev, now, recs))
			}
		}
	}
	return recs
}

func (s *Scheduler) matches(ctx context.Context, t *spec.Trigger, ev *jobs.Event) bool {
	if t == nil || t.Event != ev.Type {
		return false
	}
	if spec.IsJobEvent(t.Event) {
		if t.Job != ev.Job {
			return false
		}
	} else if t.Model != "" && t.Model != ev.Model {
		return false
	}
	if t.When == nil {
		return true
	}
	var metrics map[string]float64
	return t.When.Eval(func(field string) (any, bool) {
		if name, ok := strings.CutPrefix(field, "metrics."); ok {
			if metrics == nil && ev.Model != "" && ev.Version > 0 {
				if v, err := s.opts.Registry.Get(ctx, ev.Model, ev.Version); err == nil {
					metrics = v.Metrics
				} else {
					s.log.Warn("condition: read version metrics", "err", err)
				}
			}
			m, ok := metrics[name]
			return m, ok
		}
		return ev.Field(field)
	})
}

// handleRegistry turns registry events into triggered instances and
// records them with the new cursor in one append: an event is handled
// exactly once across crashes.
func (s *Scheduler) handleRegistry(ctx context.Context, evs []modelstore.Event) error {
	var fevs []jobs.Event
	last := s.run.Cursor
	for _, e := range evs {
		if e.Seq <= s.run.Cursor {
			continue // delivered again after a restart
		}
		fevs = append(fevs, jobs.Event{Type: string(e.Type), Seq: e.Seq, Model: e.Model, Version: e.Version,
			Stage: string(e.Stage), Alias: e.Alias, Time: e.Time})
		last = max(last, e.Seq)
	}
	if len(fevs) == 0 {
		return nil
	}
	now := s.now()
	recs := s.trigger(ctx, fevs, now, nil)
	recs = append(recs, runstore.Record{Type: runstore.EventHandled, Time: now, Seq: last})
	if err := s.append(ctx, recs...); err != nil {
		return err
	}
	if err := s.opts.Registry.Ack(ctx, s.subscriber(), last); err != nil && ctx.Err() == nil {
		s.log.Warn("registry ack failed (the run store keeps the cursor)", "err", err)
	}
	return nil
}

// stop cancels running attempts, waits for them and records them as
// interrupted; the run stays open to be resumed.
func (s *Scheduler) stop(ctx context.Context, cause error) error {
	s.drain(ctx)
	if errors.Is(cause, context.Canceled) {
		s.log.Info("flow stopped; the run resumes with the next flow run", "run", s.run.ID)
	}
	return cause
}

func (s *Scheduler) drain(ctx context.Context) {
	for _, a := range s.running {
		a.cancel()
	}
	for len(s.running) > 0 {
		r := <-s.done
		if err := s.finishAttempt(ctx, r); err != nil {
			s.log.Error("record attempt", "err", err)
		}
	}
}

// finish stops long-running jobs and records the run's outcome.
func (s *Scheduler) finish(ctx context.Context) error {
	s.stopping = true
	s.drain(ctx)
	status, msg := runstore.StatusSucceeded, ""
	var failed []string
	for _, id := range s.run.Order {
		if in := s.run.Instances[id]; in.Status == runstore.StatusFailed {
			failed = append(failed, id)
		}
	}
	if len(failed) > 0 {
		status, msg = runstore.StatusFailed, "failed: "+strings.Join(slices.Compact(failed), ", ")
	}
	if err := s.append(ctx, runstore.Record{Type: runstore.RunFinished, Time: s.now(), Status: status, Error: msg}); err != nil {
		return err
	}
	s.log.Info("run finished", "run", s.run.ID, "status", status)
	if msg != "" {
		return fmt.Errorf("flow %s run %s: %s", s.flow.Name, s.run.ID, msg)
	}
	return nil
}

// checkpointDir is the checkpoint directory of instance id in this run.
func (s *Scheduler) checkpointDir(id string) string {
	return filepath.Join(s.opts.CheckpointDir, s.flow.Name, s.run.ID, id)
}

// emitter returns the jobs.Env.EmitFunc of attempt n of instance id: it
// persists an event.emitted record and queues it for the loop, which
// dispatches it (handleEmitted). Safe for concurrent use.
func (s *Scheduler) emitter(job, id string, n int, ended *atomic.Bool) func(context.Context, jobs.Event) error {
	var auto atomic.Int64
	runID := s.run.ID
	return func(ctx context.Context, ev jobs.Event) error {
		if ended.Load() {
			return fmt.Errorf("emit %s: attempt %d of %s has ended", ev.Type, n, id)
		}
		if !spec.IsEmittable(ev.Type) {
			var ok []string
			for _, e := range spec.Events() {
				if spec.IsEmittable(e) {
					ok = append(ok, e)
				}
			}
			return fmt.Errorf("emit %q: a job can emit %s (registry and job outcome events come from the registry and the scheduler)", ev.Type, strings.Join(ok, ", "))
		}
		ev.Job, ev.Instance, ev.Attempt, ev.Seq = job, id, n, 0
		if ev.ID == "" {
			ev.ID = fmt.Sprintf("a%d.%d", n, auto.Add(1))
		}
		if ev.Time.IsZero() {
			ev.Time = time.Now()
		}
		key := runstore.EmittedKey(id, ev.ID)
		s.emitMu.Lock()
		defer s.emitMu.Unlock()
		if s.emittedKeys[key] {
			return nil // an earlier attempt emitted it
		}
		rec := runstore.Record{Type: runstore.EventEmitted, Time: ev.Time, Instance: id, Job: job, Attempt: n, Event: &ev}
		// Persist what the job decided even if its context ends now.
		if err := s.opts.Runs.Append(context.WithoutCancel(ctx), runID, rec); err != nil {
			return fmt.Errorf("emit %s: %w", ev.Type, err)
		}
		s.emittedKeys[key] = true
		s.emitQ = append(s.emitQ, rec)
		select {
		case s.emitSig <- struct{}{}:
		default:
		}
		return nil
	}
}

// handleEmitted folds the events jobs emitted into the run and
// dispatches every event not yet dispatched (those the queue brought, and
// after a resume those a crash left): the instances each triggers and its
// event.dispatched record go in one append, so an event is handled
// exactly once across crashes.
func (s *Scheduler) handleEmitted(ctx context.Context) error {
	s.emitMu.Lock()
	q := s.emitQ
	s.emitQ = nil
	s.emitMu.Unlock()
	for _, r := range q {
		s.run.Apply(r) // already in the store
	}
	pending := s.run.Undispatched()
	if len(pending) == 0 {
		return nil
	}
	now := s.now()
	evs := make([]jobs.Event, len(pending))
	for i, e := range pending {
		evs[i] = e.Event
	}
	recs := s.trigger(ctx, evs, now, nil)
	for _, e := range pending {
		recs = append(recs, runstore.Record{Type: runstore.EventDispatched, Time: now, Instance: e.Event.Instance, EventID: e.Event.ID})
	}
	return s.append(ctx, recs...)
}
