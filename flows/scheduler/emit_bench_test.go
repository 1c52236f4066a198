package scheduler_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/eddyml/eddy/flows/jobs"
	"github.com/eddyml/eddy/flows/scheduler"
	"github.com/eddyml/eddy/flows/scheduler/runstore"
	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/serving/modelstore"
)

// pulseJob is a long-running job that emits drift.detected for model m
// each time it receives on pulses.
type pulseJob struct{ pulses <-chan int }

func (p pulseJob) Run(ctx context.Context, env *jobs.Env) (*jobs.Result, error) {
	for {
		select {
		case <-ctx.Done():
			return nil, nil
		case i := <-p.pulses:
			if err := env.Emit(ctx, jobs.Event{Type: spec.EventDriftDetected, ID: strconv.Itoa(i), Model: "m", Detector: "adwin"}); err != nil {
				return nil, err
			}
		}
	}
}

type pulseCfg struct{}

func (pulseCfg) Emits() []spec.Emission {
	return []spec.Emission{{Event: spec.EventDriftDetected, Model: "m"}}
}

// BenchmarkEmitToJobStart measures the scheduling latency from a running
// job's Env.Emit (drift.detected, persisted in the embedded run store
// with an fsync) to the start of the job the event triggers; p50_ms and
// p99_ms are reported.
func BenchmarkEmitToJobStart(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "flow.yaml")
	src := "name: bench\njobs:\n  learn: {kind: pulse}\n  react: {kind: probe, on: {event: drift.detected, model: m}}\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	pulses := make(chan int)
	kinds := probeEnv(b)
	if err := kinds.Register(jobs.Kind{
		Spec: spec.JobKind{Kind: "pulse", LongRunning: true, Parse: func(*spec.Fields) spec.JobConfig { return pulseCfg{} }},
		New:  func(*spec.Job, *spec.Flow) (jobs.Job, error) { return pulseJob{pulses}, nil },
	}); err != nil {
		b.Fatal(err)
	}
	f := parse(b, path, kinds)
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
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _, _ = s.Run(ctx) }()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		select {
		case pulses <- i:
		case <-time.After(10 * time.Second):
			b.Fatal("the emitting job never ran")
		}
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
