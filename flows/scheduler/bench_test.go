package scheduler_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/eddyml/eddy/flows/jobs"
	"github.com/eddyml/eddy/flows/scheduler"
	"github.com/eddyml/eddy/flows/scheduler/runstore"
	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/serving/modelstore"
)

// probe is a job kind that does nothing: the benchmark times how soon it
// starts after the event that triggers it. With a model field it stands
// for a producer of that model's versions (the benchmark loop).
type probeCfg struct{ model string }

func (c probeCfg) Emits() []spec.Emission {
	if c.model == "" {
		return nil
	}
	return []spec.Emission{{Event: spec.EventModelCreated, Model: c.model}}
}

type probeJob struct{}

func (probeJob) Run(context.Context, *jobs.Env) (*jobs.Result, error) { return &jobs.Result{}, nil }

func probeEnv(tb testing.TB) *jobs.Environment {
	env := jobs.NewEnvironment()
	err := env.Register(jobs.Kind{
		Spec: spec.JobKind{Kind: "probe", Doc: "does nothing", Fields: []string{"model"},
			Parse: func(f *spec.Fields) spec.JobConfig { return probeCfg{model: f.String("model", false)} }},
		New: func(*spec.Job, *spec.Flow) (jobs.Job, error) { return probeJob{}, nil },
	})
	if err != nil {
		tb.Fatal(err)
	}
	return env
}

// BenchmarkEventToJobStart measures the scheduling latency from a model
// version's Create returning (its model.created event in the registry's
// log) to the start of the job the event triggers, with the embedded
// registry and run store; p50_ms and p99_ms are reported.
func BenchmarkEventToJobStart(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "flow.yaml")
	src := "name: bench\njobs:\n  producer: {kind: probe, model: m}\n  react: {kind: probe, on: {event: model.created, model: m}}\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	kinds := probeEnv(b)
	f := parse(b, path, kinds)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reg, err := modelstore.OpenDir(filepath.Join(dir, "reg"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer reg.Close()
	runs, err := runstore.OpenDir(filepath.Join(dir, "state"))
	if err != nil {
		b.Fatal(err)
	}
	defer runs.Close()
	started := make(chan time.Time, 1)
	s, err := scheduler.New(f, scheduler.Options{Jobs: kinds, Registry: reg, Runs: runs, Follow: true,
		OnStart: func(in *runstore.Instance, _ int) {
			if in.Job == "react" {
				started <- time.Now()
			}
		}})
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _, _ = s.Run(ctx) }()
	blob := []byte("model")
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		if _, err := reg.Create(ctx, "m", bytes.NewReader(blob), modelstore.Info{}); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		select {
		case t1 := <-started:
			lat = append(lat, t1.Sub(t0))
		case <-time.After(10 * time.Second):
			b.Fatal("job never started")
		}
	}
	b.StopTimer()
	cancel()
	wg.Wait()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50_ms")
	b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99_ms")
}

// fakeClock is a Clock moved by hand.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{c.now.Add(d), ch})
	return ch
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	keep := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
		} else {
			keep = append(keep, w)
		}
	}
	c.waiters = keep
}

func TestSchedules(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "flow.yaml")
	src := "name: sched\njobs:\n  hourly: {kind: probe, every: 1h}\n  five: {kind: probe, cron: \"*/5 * * * *\"}\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	kinds := probeEnv(t)
	f := parse(t, path, kinds)
	reg, err := modelstore.OpenDir(filepath.Join(dir, "reg"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	runs, err := runstore.OpenDir(filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	defer runs.Close()
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 1, 0, 0, time.UTC)}
	starts := make(chan string, 100)
	s, err := scheduler.New(f, scheduler.Options{Jobs: kinds, Registry: reg, Runs: runs, Clock: clock,
		OnStart: func(in *runstore.Instance, _ int) { starts <- in.Job + "@" + in.Cause }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *runstore.Run)
	go func() { r, _ := s.Run(ctx); done <- r }()
	expect := func(want string) {
		t.Helper()
		select {
		case got := <-starts:
			if got != want {
				t.Fatalf("started %s, want %s", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("nothing started, want %s", want)
		}
	}
	waitTimers := func(n int) {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			clock.mu.Lock()
			k := len(clock.waiters)
			clock.mu.Unlock()
			if k >= n {
				return
			}
		}
		t.Fatal("scheduler never waited on the clock")
	}
	waitTimers(1)
	clock.Advance(4 * time.Minute) // 00:05
	expect("five@schedule:2026-01-01T00:05:00Z")
	waitTimers(1)
	clock.Advance(60 * time.Minute) // 01:05: missed cron ticks collapse into one
	got := []string{<-starts, <-starts}
	slices.Sort(got)
	if want := []string{"five@schedule:2026-01-01T01:05:00Z", "hourly@schedule:2026-01-01T01:01:00Z"}; !slices.Equal(got, want) {
		t.Fatalf("started %v, want %v", got, want)
	}
	cancel()
	run := <-done
	if n := len(run.Instances); n != 3 {
		t.Errorf("%d instances, want 3", n)
	}
}
