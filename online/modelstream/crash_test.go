package modelstream_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/online/modelstream"
	"github.com/eddyml/eddy/pipeline/checkpoint"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

var errInjected = errors.New("injected fault")

// fault returns an operator factory that passes batches through, sleeping
// pause per batch (so that checkpoints happen between batches), and fails
// once, at its failAt-th batch; fired is shared by the instances of every
// restart.
func fault(failAt int, pause time.Duration, fired *atomic.Bool) func() stream.Operator {
	return func() stream.Operator {
		n := 0
		return stream.OperatorFunc(func(ctx context.Context, rec arrow.Record, out stream.Collector) error {
			n++
			if n == failAt && fired.CompareAndSwap(false, true) {
				return errInjected
			}
			if pause > 0 {
				time.Sleep(pause)
			}
			rec.Retain()
			return out.Emit(rec)
		})
	}
}

type crashCase struct {
	name  string
	cfg   modelstream.LearnConfig
	table func(testing.TB, memory.Allocator) *table.Table
}

var crashCases = []crashCase{
	{"ftrl", modelstream.LearnConfig{Learner: "ftrl", Params: map[string]any{"alpha": 0.1}, EveryRows: 1500, Now: fixedNow},
		func(t testing.TB, mem memory.Allocator) *table.Table { return logisticTable(t, mem, 5, 16_000, 250) }},
	{"online_kmeans", modelstream.LearnConfig{Learner: "online_kmeans", Params: map[string]any{"k": 3, "decay_factor": 0.9}, EveryRows: 1000, Now: fixedNow},
		func(t testing.TB, mem memory.Allocator) *table.Table { return blobsTable(t, mem, 5, 16_000, 250) }},
}

type jobResult struct {
	final    []byte
	versions []int64
	data     map[int64][]byte
	stats    stream.CheckpointStats
}

// runCrashJob runs source -> fault -> learner with the given options.
func runCrashJob(t *testing.T, mem memory.Allocator, tbl *table.Table, cfg modelstream.LearnConfig, op func() stream.Operator, opts ...stream.Option) (jobResult, error) {
	t.Helper()
	cfg.Stats = &modelstream.LearnStats{}
	job := stream.NewJob("crash", append([]stream.Option{stream.WithAllocator(mem)}, opts...)...)
	rows := stream.FromSource(job, "rows", tableSource{tbl}, 1).Process("fault", op, 1)
	_, models, err := modelstream.AddLearner(rows, "learner", cfg)
	if err != nil {
		t.Fatal(err)
	}
	mc := models.Collect()
	defer mc.Release()
	err = job.Run(context.Background())
	res := jobResult{final: cfg.Stats.Final(), stats: job.CheckpointStats()}
	res.versions, res.data, _ = versions(t, mc.Records())
	return res, err
}

func sameResult(t *testing.T, what string, got, want jobResult) {
	t.Helper()
	if want.final == nil || !bytes.Equal(got.final, want.final) {
		t.Errorf("%s: final learner snapshot differs from the run without fault (%d and %d bytes)", what, len(got.final), len(want.final))
	}
	if !slices.Equal(got.versions, want.versions) {
		t.Errorf("%s: versions %v, want %v", what, got.versions, want.versions)
	}
	for v, b := range want.data {
		if !bytes.Equal(got.data[v], b) {
			t.Errorf("%s: version %d has other model bytes", what, v)
		}
	}
}

// TestCrashResume injects one fault at a random batch (several seeds) into
// jobs that checkpoint to a directory every few batches and restart in
// place: the learner's final state and the published versions (deduplicated
// by version, duplicates checked equal) are those of a run without fault.
func TestCrashResume(t *testing.T) {
	for _, tc := range crashCases {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			tbl := tc.table(t, mem)
			defer tbl.Release()
			var never atomic.Bool
			never.Store(true)
			want, err := runCrashJob(t, mem, tbl, tc.cfg, fault(0, 0, &never))
			if err != nil {
				t.Fatal(err)
			}
			restored := 0
			for seed := range uint64(4) {
				rng := rand.New(rand.NewPCG(seed, 99))
				failAt := 2 + rng.IntN(60) // of 64 batches
				var fired atomic.Bool
				store, err := checkpoint.NewDir(t.TempDir(), 2)
				if err != nil {
					t.Fatal(err)
				}
				got, err := runCrashJob(t, mem, tbl, tc.cfg, fault(failAt, time.Millisecond, &fired),
					stream.WithCheckpointInterval(4*time.Millisecond), stream.WithCheckpointStorage(store),
					stream.WithRestartStrategy(stream.RestartStrategy{MaxAttempts: 2}))
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				if !fired.Load() || got.stats.Restarts != 1 {
					t.Fatalf("seed %d: fault fired %v, %d restarts", seed, fired.Load(), got.stats.Restarts)
				}
				if got.stats.LastRestore > 0 {
					restored++
				}
				t.Logf("seed %d: fault at batch %d, restored checkpoint %d", seed, failAt, got.stats.LastRestore)
				sameResult(t, fmt.Sprintf("seed %d (fault at batch %d, restored checkpoint %d)", seed, failAt, got.stats.LastRestore), got, want)
			}
			// Most faults come after a checkpoint; at least one run must
			// have resumed from one rather than from the start.
			if restored == 0 {
				t.Fatal("no run restored from a checkpoint")
			}
		})
	}
}

const childEnv = "EDDY_MODELSTREAM_KILL_CHILD"

// TestKill9 runs the job in a child process (this test binary, re-executed)
// that checkpoints to a directory and is killed with SIGKILL mid-run; a new
// job then resumes from the directory (stream.WithRestoreFrom) and must end
// with the learner and the last version of a run that was never killed.
func TestKill9(t *testing.T) {
	if dir := os.Getenv(childEnv); dir != "" {
		kill9Child(t, dir)
		return
	}
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	tc := crashCases[0]
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := tc.table(t, mem)
	defer tbl.Release()
	var never atomic.Bool
	never.Store(true)
	want, err := runCrashJob(t, mem, tbl, tc.cfg, fault(0, 0, &never))
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9$", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	var outBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outBuf, &outBuf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once two checkpoints are complete.
	deadline := time.Now().Add(20 * time.Second)
	for {
		m, _ := filepath.Glob(filepath.Join(dir, "chk-*", checkpoint.ManifestFile))
		if len(m) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("child made no checkpoints in 20s:\n%s", outBuf.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatalf("child ended by itself before the kill:\n%s", outBuf.String())
	}

	store, err := checkpoint.NewDir(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	got, err := runCrashJob(t, mem, tbl, tc.cfg, fault(0, 0, &never),
		stream.WithCheckpointStorage(store), stream.WithRestoreFrom(store))
	if err != nil {
		t.Fatal(err)
	}
	if got.stats.LastRestore == 0 {
		t.Fatal("the second process did not restore a checkpoint")
	}
	if !bytes.Equal(got.final, want.final) {
		t.Error("final learner snapshot after kill -9 and resume differs from the run without fault")
	}
	// The resumed run publishes the versions after the checkpoint, with the
	// bytes of the run without fault.
	if len(got.versions) == 0 || got.versions[len(got.versions)-1] != want.versions[len(want.versions)-1] {
		t.Fatalf("resumed versions %v, want a suffix of %v", got.versions, want.versions)
	}
	for _, v := range got.versions {
		if !bytes.Equal(got.data[v], want.data[v]) {
			t.Errorf("version %d has other model bytes after resume", v)
		}
	}
}

func kill9Child(t *testing.T, dir string) {
	mem := memory.NewGoAllocator()
	tc := crashCases[0]
	tbl := tc.table(t, mem)
	defer tbl.Release()
	store, err := checkpoint.NewDir(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	var never atomic.Bool
	never.Store(true)
	// Slow enough (64 batches x 20ms) to be killed mid-run.
	_, err = runCrashJob(t, mem, tbl, tc.cfg, fault(0, 20*time.Millisecond, &never),
		stream.WithCheckpointInterval(30*time.Millisecond), stream.WithCheckpointStorage(store))
	if err != nil {
		t.Fatal(err)
	}
}
