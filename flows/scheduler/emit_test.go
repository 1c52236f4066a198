package scheduler_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eddyml/eddy/flows/jobs"
	"github.com/eddyml/eddy/flows/scheduler"
	"github.com/eddyml/eddy/flows/scheduler/runstore"
	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/internal/testutil"
	"github.com/eddyml/eddy/serving/modelstore"
)

func writeFlow(t *testing.T, dir, src string, kinds *jobs.Environment) *spec.Flow {
	t.Helper()
	path := filepath.Join(dir, "flow.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return parse(t, path, kinds)
}

func openFileStores(t *testing.T, dir string) (modelstore.Store, *runstore.FileStore) {
	t.Helper()
	reg, err := modelstore.Open(context.Background(), "file://"+filepath.Join(dir, "reg"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	runs, err := runstore.OpenDir(filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { runs.Close() })
	return reg, runs
}

// TestEmitMidRun: a job emits drift.detected while it runs (it keeps
// running until the triggered job has run), the trigger's job runs once
// with the event, a repeated event id is one event, and a second
// scheduler of the same flow is locked out meanwhile.
func TestEmitMidRun(t *testing.T) {
	k, kinds := newTestKinds(t)
	dir := t.TempDir()
	f := writeFlow(t, dir, `name: emit
jobs:
  learn: {kind: emitter, model: m, ids: [d1, d1], wait: true}
  retrain:
    kind: probe
    on: {event: drift.detected, model: m, when: "detector == adwin && statistic > 0.1"}
  ignored:
    kind: probe
    on: {event: drift.detected, model: m, when: "statistic > 0.5"}
`, kinds)
	reg, runs := openFileStores(t, dir)
	var lockErr error
	k.onProbe = func() {
		// The flow runs: another scheduler on the same state directory
		// (another open of the lock file) must not run it too.
		_, other := openFileStores(t, dir)
		s2, err := scheduler.New(f, scheduler.Options{Jobs: kinds, Registry: reg, Runs: other})
		if err != nil {
			lockErr = err
			return
		}
		_, lockErr = s2.Run(context.Background())
	}
	s, err := scheduler.New(f, scheduler.Options{Jobs: kinds, Registry: reg, Runs: runs})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != runstore.StatusSucceeded {
		t.Fatalf("run %s", run.Status)
	}
	if !errors.Is(lockErr, runstore.ErrLocked) || !strings.Contains(lockErr.Error(), filepath.Join(dir, "state", "emit.lock")) {
		t.Errorf("second scheduler: %v, want ErrLocked naming the lock file", lockErr)
	}
	probes := k.probeCalls()
	if len(probes) != 1 || probes[0].instance != "retrain#1" {
		t.Fatalf("probes %+v, want retrain#1 once", probes)
	}
	tr := probes[0].trigger
	if tr == nil || tr.Type != spec.EventDriftDetected || tr.Job != "learn" || tr.Instance != "learn#1" || tr.Attempt != 1 ||
		tr.Model != "m" || tr.Detector != "adwin" || tr.Values["statistic"] != 0.25 || tr.ID != "d1" {
		t.Fatalf("trigger %+v", tr)
	}
	learn := instancesOf(run, "learn")[0]
	if !probes[0].start.Before(learn.Attempts[0].Finished) {
		t.Errorf("probe started %v, after the emitter finished %v", probes[0].start, learn.Attempts[0].Finished)
	}
	if n := len(instancesOf(run, "ignored")); n != 0 {
		t.Errorf("ignored: %d instances; its condition is false", n)
	}
	if len(run.Emitted) != 1 || run.Emitted[0].Dispatched.IsZero() || strings.Join(run.Emitted[0].Triggered, ",") != "retrain#1" {
		t.Fatalf("emitted %+v", run.Emitted)
	}
	if k.emitErrs[0] == nil || !strings.Contains(k.emitErrs[0].Error(), "drift.detected") {
		t.Errorf("emit model.created: %v, want refused, naming what a job can emit", k.emitErrs[0])
	}
	if err := k.lastEnv.Emit(context.Background(), jobs.Event{Type: spec.EventDriftDetected}); err == nil {
		t.Error("emit after the attempt ended: no error")
	}
	if want := filepath.Join(dir, "state", "checkpoints", "emit", run.ID, "learn#1"); k.ckpts[0] != want {
		t.Errorf("checkpoint dir %s, want %s", k.ckpts[0], want)
	}
	stored, err := runstore.Load(context.Background(), runs, run.ID)
	if err != nil || len(stored.Emitted) != 1 || stored.Emitted[0].Dispatched.IsZero() || len(stored.Undispatched()) != 0 {
		t.Fatalf("stored run: %+v %v", stored, err)
	}
	// The lock was released with the run.
	if l, err := runs.Lock(context.Background(), "emit"); err != nil {
		t.Errorf("lock after the run: %v", err)
	} else {
		l.Release()
	}
}

// TestEmitCrashBeforeDispatch: the flow stops after a job's event is
// persisted and before the scheduler dispatches it; the resumed run
// dispatches it once, the restarted job (emitting the same event id from
// its checkpoint) does not emit it again, and finds its checkpoint
// directory.
func TestEmitCrashBeforeDispatch(t *testing.T) {
	t.Run("file", func(t *testing.T) {
		emitCrash(t, func(dir string) (modelstore.Store, runstore.Store) { return openFileStores(t, dir) })
	})
	t.Run("redis", func(t *testing.T) {
		r := testutil.StartRedis(t)
		emitCrash(t, func(string) (modelstore.Store, runstore.Store) {
			ctx := context.Background()
			reg, err := modelstore.Open(ctx, r.URL())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { reg.Close() })
			runs, err := runstore.Open(ctx, r.URL(), "")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { runs.Close() })
			return reg, runs
		})
	})
}

func emitCrash(t *testing.T, open func(dir string) (modelstore.Store, runstore.Store)) {
	k, kinds := newTestKinds(t)
	dir := t.TempDir()
	f := writeFlow(t, dir, `name: crash
jobs:
  learn: {kind: emitter, model: m, ids: [d1], wait: true}
  retrain:
    kind: probe
    on: {event: drift.detected, model: m}
`, kinds)
	reg, runs := open(dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	crashing := &failDispatch{Store: runs, cancel: cancel}
	ckptRoot := filepath.Join(dir, "ckpt")
	s, err := scheduler.New(f, scheduler.Options{Jobs: kinds, Registry: reg, Runs: crashing, CheckpointDir: ckptRoot})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(ctx); err == nil || !strings.Contains(err.Error(), "simulated crash") {
		t.Fatalf("first run: %v, want the simulated crash", err)
	}
	if n := len(k.probeCalls()); n != 0 {
		t.Fatalf("%d probes ran before the dispatch", n)
	}
	first, err := runstore.Latest(context.Background(), runs, "crash")
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Emitted) != 1 || len(first.Undispatched()) != 1 || len(instancesOf(first, "retrain")) != 0 || first.Status != runstore.StatusRunning {
		t.Fatalf("after the crash: emitted %d, undispatched %d, retrain %d, status %s; want 1, 1, 0, running",
			len(first.Emitted), len(first.Undispatched()), len(instancesOf(first, "retrain")), first.Status)
	}

	reg, runs2 := open(dir)
	s2, err := scheduler.New(f, scheduler.Options{Jobs: kinds, Registry: reg, Runs: runs2, CheckpointDir: ckptRoot})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s2.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if run.ID != first.ID || run.Resumes != 1 || run.Status != runstore.StatusSucceeded {
		t.Fatalf("resumed run %s (%d resumes): %s", run.ID, run.Resumes, run.Status)
	}
	if p := k.probeCalls(); len(p) != 1 || p[0].trigger.ID != "d1" {
		t.Fatalf("probes %+v, want one, for d1", p)
	}
	if n := len(instancesOf(run, "retrain")); n != 1 {
		t.Errorf("retrain: %d instances, want 1", n)
	}
	learn := instancesOf(run, "learn")[0]
	if len(learn.Attempts) != 2 || learn.Attempts[0].Status != runstore.StatusInterrupted || learn.Status != runstore.StatusSucceeded {
		t.Errorf("learn attempts %+v", learn.Attempts)
	}
	if len(run.Emitted) != 1 || len(run.Undispatched()) != 0 {
		t.Errorf("emitted %d (undispatched %d), want 1 (0)", len(run.Emitted), len(run.Undispatched()))
	}
	want := filepath.Join(ckptRoot, "crash", run.ID, "learn#1")
	if len(k.ckpts) != 2 || k.ckpts[0] != want || k.ckpts[1] != want {
		t.Errorf("checkpoint dirs %q, want %s twice", k.ckpts, want)
	}
	if len(k.seen) != 2 || k.seen[0] || !k.seen[1] {
		t.Errorf("checkpoint found per attempt %v, want [false true]", k.seen)
	}
}

// TestRedisRestart: a flow on a Redis registry and run store is stopped
// while job slow runs after train succeeded (and train's model.created
// may or may not have been handled), then resumed by a new scheduler with
// new connections: ingest and train do not run again, slow does, and the
// triggered jobs (validate on model.created, notify on slow's success)
// run once.
func TestRedisRestart(t *testing.T) {
	if _, err := os.Stat(dataset); err != nil {
		t.Skipf("dataset: %v", err)
	}
	k, kinds := newTestKinds(t)
	r := testutil.StartRedis(t)
	dir := t.TempDir()
	pipeline, err := filepath.Abs("../spec/testdata/breast_cancer.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := writeFlow(t, dir, `name: restart
jobs:
  ingest: {kind: ingest, from: `+dataset+`, to: data/bc.parquet}
  train: {kind: train, after: [ingest], input: data/bc.parquet, model: bc, pipeline: `+pipeline+`}
  slow: {kind: block, after: [train]}
  validate: {kind: validate, on: {event: model.created, model: bc}, model: bc, version: event, data: data/bc.parquet, metric: auc, threshold: 0.9}
  notify: {kind: probe, on: {event: job.succeeded, job: slow}}
`, kinds)
	open := func() (modelstore.Store, runstore.Store) {
		ctx := context.Background()
		reg, err := modelstore.Open(ctx, r.URL())
		if err != nil {
			t.Fatal(err)
		}
		runs, err := runstore.Open(ctx, r.URL(), "")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := runs.(*runstore.RedisStore); !ok {
			t.Fatalf("run store %T, want Redis", runs)
		}
		return reg, runs
	}
	reg, runs := open()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := scheduler.New(f, scheduler.Options{Jobs: kinds, Registry: reg, Runs: runs, CheckpointDir: filepath.Join(dir, "ckpt")})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		select {
		case <-k.blocked:
		case <-time.After(30 * time.Second):
		}
		cancel()
	}()
	if _, err := s.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("first run: %v, want cancelled", err)
	}
	reg.Close()
	runs.Close()

	reg, runs = open()
	defer reg.Close()
	defer runs.Close()
	s, err = scheduler.New(f, scheduler.Options{Jobs: kinds, Registry: reg, Runs: runs, CheckpointDir: filepath.Join(dir, "ckpt")})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != runstore.StatusSucceeded || run.Resumes != 1 {
		t.Fatalf("run %s, %d resumes", run.Status, run.Resumes)
	}
	// validate may have been running when the flow stopped: its
	// interrupted attempt is not a run of its own.
	for job, attempts := range map[string]int{"ingest": 1, "train": 1, "slow": 2, "validate": -1, "notify": 1} {
		ins := instancesOf(run, job)
		if len(ins) != 1 || ins[0].Status != runstore.StatusSucceeded {
			t.Errorf("job %s: %d instances, want 1, succeeded", job, len(ins))
			continue
		}
		if got := ins[0].Tries(); attempts > 0 && len(ins[0].Attempts) != attempts || got != 1 {
			t.Errorf("job %s: attempts %+v, want %d, one not interrupted", job, ins[0].Attempts, attempts)
		}
	}
	if st := instancesOf(run, "slow")[0].Attempts[0].Status; st != runstore.StatusInterrupted {
		t.Errorf("slow attempt 1: %s, want interrupted", st)
	}
	if p := k.probeCalls(); len(p) != 1 {
		t.Errorf("notify ran %d times", len(p))
	}
	page, _, err := reg.ListVersions(context.Background(), "bc", modelstore.ListOptions{})
	if err != nil || len(page) != 1 || page[0].Stage != modelstore.StageValidated {
		t.Fatalf("versions %+v %v: want one, validated", page, err)
	}
}
