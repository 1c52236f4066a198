package scheduler_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/eddyml/eddy/connectors/all"
	_ "github.com/eddyml/eddy/estimators/all"
	"github.com/eddyml/eddy/flows/jobs"
	"github.com/eddyml/eddy/flows/scheduler"
	"github.com/eddyml/eddy/flows/scheduler/runstore"
	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/internal/testutil"
	"github.com/eddyml/eddy/serving/modelstore"
	_ "github.com/eddyml/eddy/transformers/all"
)

const dataset = "/work/shared/datasets/breast_cancer.csv.gz"

// chainFlow is ingest -> train -> slow -> validate -> deploy, with notify
// on model.deployed. slow records its starts in slow.count and, the first
// time only, waits for a long time (the crash test kills the flow then).
func chainFlow(t testing.TB, dir string) string {
	t.Helper()
	if _, err := os.Stat(dataset); err != nil {
		t.Skipf("dataset: %v", err)
	}
	pipeline, err := filepath.Abs("../spec/testdata/breast_cancer.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf(`name: bc
jobs:
  ingest: {kind: ingest, from: %s, to: data/bc.parquet}
  train:
    kind: train
    after: [ingest]
    input: data/bc.parquet
    model: bc
    pipeline: %s
  slow:
    kind: shell
    after: [train]
    command: sh
    args: [-c, 'echo x >> slow.count; echo $$ > slow.pid; touch slow.started; [ "$(wc -l < slow.count)" -gt 1 ] || sleep ${SLOW:-0}']
  validate: {kind: validate, after: [slow], model: bc, data: data/bc.parquet, metric: auc, threshold: 0.9}
  deploy: {kind: deploy, after: [validate], model: bc, alias: champion}
  notify:
    kind: shell
    on: {event: model.deployed, model: bc, when: "metrics.auc > 0.5"}
    command: sh
    args: [-c, 'echo "$EDDY_EVENT_MODEL $EDDY_EVENT_VERSION $EDDY_INSTANCE" >> notify.log']
`, dataset, pipeline)
	path := filepath.Join(dir, "flow.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func parse(t testing.TB, path string, kinds *jobs.Environment) *spec.Flow {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if kinds == nil {
		kinds = jobs.Global()
	}
	f, err := spec.ParseFlowWith(spec.FlowOptions{Kinds: kinds}, path, data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// runOnce runs the flow file with a registry URL and state dir.
func runOnce(ctx context.Context, path, regURL, state string) (*runstore.Run, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := spec.ParseFlowWith(spec.FlowOptions{Kinds: jobs.Global()}, path, data)
	if err != nil {
		return nil, err
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
	s, err := scheduler.New(f, scheduler.Options{Registry: reg, RegistryURL: regURL, Runs: runs, Workers: 2})
	if err != nil {
		return nil, err
	}
	return s.Run(ctx)
}

func lines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

func instancesOf(run *runstore.Run, job string) []*runstore.Instance {
	var out []*runstore.Instance
	for _, id := range run.Order {
		if in := run.Instances[id]; in.Job == job {
			out = append(out, in)
		}
	}
	return out
}

func checkDeployed(t *testing.T, regURL string) {
	t.Helper()
	ctx := context.Background()
	reg, err := modelstore.Open(ctx, regURL)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	page, _, err := reg.ListVersions(ctx, "bc", modelstore.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 1 || page[0].Stage != modelstore.StageDeployed || page[0].Metrics["auc"] < 0.9 {
		t.Fatalf("versions %+v: want exactly one, deployed, auc >= 0.9", page)
	}
	if a, err := reg.Alias(ctx, "bc", "champion"); err != nil || a.Version != 1 {
		t.Errorf("champion alias: %v %v", a.Version, err)
	}
}

func TestFlowEndToEnd(t *testing.T) {
	dir := t.TempDir()
	path := chainFlow(t, dir)
	regURL, state := "file://"+filepath.Join(dir, "reg"), filepath.Join(dir, "state")
	run, err := runOnce(context.Background(), path, regURL, state)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != runstore.StatusSucceeded {
		t.Fatalf("run %s", run.Status)
	}
	for _, job := range []string{"ingest", "train", "slow", "validate", "deploy", "notify"} {
		ins := instancesOf(run, job)
		if len(ins) != 1 || ins[0].Status != runstore.StatusSucceeded || len(ins[0].Attempts) != 1 {
			t.Errorf("job %s: %d instances, want 1 succeeded in 1 attempt", job, len(ins))
		}
	}
	checkDeployed(t, regURL)
	if got := lines(t, filepath.Join(dir, "notify.log")); len(got) != 1 || got[0] != "bc 1 notify#1" {
		t.Errorf("notify.log %q", got)
	}
	// The stored run folds to the same state.
	runs, err := runstore.OpenDir(state)
	if err != nil {
		t.Fatal(err)
	}
	defer runs.Close()
	again, err := runstore.Latest(context.Background(), runs, "bc")
	if err != nil || again.Status != runstore.StatusSucceeded || len(again.Order) != 6 {
		t.Fatalf("stored run: %+v %v", again, err)
	}
}

// TestHelperFlowProcess is the child of the crash tests: it runs the flow
// named by the environment and exits.
func TestHelperFlowProcess(t *testing.T) {
	path := os.Getenv("EDDY_TEST_FLOW")
	if path == "" {
		t.Skip("run by the crash tests")
	}
	if _, err := runOnce(context.Background(), path, os.Getenv("EDDY_TEST_REGISTRY"), os.Getenv("EDDY_TEST_STATE")); err != nil {
		t.Fatal(err)
	}
}

func child(path, regURL, state, slow string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperFlowProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "EDDY_TEST_FLOW="+path, "EDDY_TEST_REGISTRY="+regURL, "EDDY_TEST_STATE="+state, "SLOW="+slow)
	return cmd
}

func crashResume(t *testing.T, regURL string) {
	dir := t.TempDir()
	path := chainFlow(t, dir)
	state := filepath.Join(dir, "state")
	var out bytes.Buffer
	cmd := child(path, regURL, state, "60")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	started := filepath.Join(dir, "slow.started")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(started); err == nil {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("slow job never started:\n%s", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	// kill -9 the flow mid-run, and the orphaned shell's process group.
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	time.Sleep(20 * time.Millisecond) // let the shell write its pid
	if pid, err := os.ReadFile(filepath.Join(dir, "slow.pid")); err == nil {
		var p int
		if _, err := fmt.Sscan(string(pid), &p); err == nil && p > 0 {
			_ = syscall.Kill(-p, syscall.SIGKILL)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "notify.log")); err == nil {
		t.Fatal("notify ran before the crash")
	}

	out.Reset()
	cmd = child(path, regURL, state, "60")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("resumed run: %v\n%s", err, out.String())
	}
	runs, err := runstore.Open(context.Background(), regURL, state)
	if err != nil {
		t.Fatal(err)
	}
	defer runs.Close()
	ids, err := runs.Runs(context.Background(), "bc")
	if err != nil || len(ids) != 1 {
		t.Fatalf("runs %v %v: want one, resumed", ids, err)
	}
	run, err := runstore.Load(context.Background(), runs, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != runstore.StatusSucceeded || run.Resumes != 1 {
		t.Fatalf("run %s, resumed %d times", run.Status, run.Resumes)
	}
	for job, attempts := range map[string]int{"ingest": 1, "train": 1, "slow": 2, "validate": 1, "deploy": 1, "notify": 1} {
		ins := instancesOf(run, job)
		if len(ins) != 1 || len(ins[0].Attempts) != attempts || ins[0].Status != runstore.StatusSucceeded {
			t.Errorf("job %s: %d instances (want 1), attempts %v (want %d)", job, len(ins), ins, attempts)
		}
	}
	if st := instancesOf(run, "slow")[0].Attempts[0].Status; st != runstore.StatusInterrupted {
		t.Errorf("slow attempt 1: %s, want interrupted", st)
	}
	if got := lines(t, filepath.Join(dir, "slow.count")); len(got) != 2 {
		t.Errorf("slow ran %d times, want 2", len(got))
	}
	checkDeployed(t, regURL)
	if got := lines(t, filepath.Join(dir, "notify.log")); len(got) != 1 {
		t.Errorf("notify ran %d times: %q", len(got), got)
	}
}

func TestCrashResumeFile(t *testing.T) {
	crashResume(t, "file://"+filepath.Join(t.TempDir(), "reg"))
}

func TestCrashResumeRedis(t *testing.T) {
	r := testutil.StartRedis(t)
	crashResume(t, r.URL())
}

func TestRetriesTimeoutsAndJobEvents(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "flow.yaml")
	src := `name: retry
jobs:
  flaky:
    kind: shell
    command: sh
    args: [-c, 'echo x >> flaky.count; [ "$(wc -l < flaky.count)" -ge 3 ]']
    retries: {max: 3, backoff: 10ms}
  hang:
    kind: shell
    command: sleep
    args: ["30"]
    timeout: 200ms
    retries: 1
  broken:
    kind: shell
    command: "false"
  onfail:
    kind: shell
    on: {event: job.failed, job: hang}
    command: sh
    args: [-c, 'echo "$EDDY_EVENT_JOB" >> onfail.log']
  onok:
    kind: shell
    on: {event: job.succeeded, job: flaky}
    command: sh
    args: [-c, 'echo ok >> onok.log']
  never:
    kind: shell
    after: [broken]
    command: "true"
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	run, err := runOnce(context.Background(), path, "file://"+filepath.Join(dir, "reg"), filepath.Join(dir, "state"))
	if err == nil || !strings.Contains(err.Error(), "broken#1") || !strings.Contains(err.Error(), "hang#1") {
		t.Fatalf("err %v: want the failed jobs named", err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("took %v: timeouts not enforced", el)
	}
	check := func(job, status string, attempts int, lastStatus string) {
		ins := instancesOf(run, job)
		if len(ins) != 1 {
			t.Fatalf("%s: %d instances", job, len(ins))
		}
		in := ins[0]
		if in.Status != status || len(in.Attempts) != attempts || in.Attempts[attempts-1].Status != lastStatus {
			t.Errorf("%s: %s in %d attempts (last %s), want %s in %d (last %s)", job, in.Status, len(in.Attempts), in.Attempts[len(in.Attempts)-1].Status, status, attempts, lastStatus)
		}
	}
	check("flaky", runstore.StatusSucceeded, 3, runstore.StatusSucceeded)
	check("hang", runstore.StatusFailed, 2, runstore.StatusTimeout)
	check("broken", runstore.StatusFailed, 1, runstore.StatusFailed)
	check("onfail", runstore.StatusSucceeded, 1, runstore.StatusSucceeded)
	check("onok", runstore.StatusSucceeded, 1, runstore.StatusSucceeded)
	if n := len(instancesOf(run, "never")); n != 0 {
		t.Errorf("never: %d instances after a failed dependency", n)
	}
	if got := lines(t, filepath.Join(dir, "onfail.log")); len(got) != 1 || got[0] != "hang" {
		t.Errorf("onfail.log %q", got)
	}
	if in := instancesOf(run, "flaky")[0]; in.Attempts[1].Started.Sub(in.Attempts[0].Finished) < 10*time.Millisecond {
		t.Errorf("no backoff between attempts: %+v", in.Attempts)
	}
}
