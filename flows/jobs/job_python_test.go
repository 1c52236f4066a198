package jobs_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/eddyml/eddy/flows/jobs"
	"github.com/eddyml/eddy/flows/scheduler"
	"github.com/eddyml/eddy/flows/scheduler/runstore"
	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/serving/modelstore"
)

const irisData = "../../../shared/datasets/iris.csv.gz"

const trainScript = `# Trains on argv[1] and registers the model under $MODEL.
import sys
import eddy

t = eddy.read_csv(sys.argv[1])
name = eddy.getenv("MODEL")
features = [c for c in t.columns() if c != "label"]
train, test = t.split([0.7, 0.3], seed=3)
pipe = eddy.pipeline([
    eddy.stage("vector_assembler", {"input_cols": features, "output_col": "features"}),
    eddy.stage("logistic_regression", max_iter=50),
])
model = pipe.fit(train)
m = eddy.evaluate(model.transform(test), task="multiclass", label_col="label")
eddy.write(test, "test.csv")
v = eddy.registry().put(name, model, metrics=m, description="trained by a python job")
print("registered", name, v, "job", eddy.getenv("EDDY_JOB"), "accuracy > 0.8", m["accuracy"] > 0.8)
`

const pythonFlow = `name: py
jobs:
  train:
    kind: python
    script: train.py
    args: [IRIS]
    env: {MODEL: iris}
  check:
    kind: python
    on: {event: model.created, model: iris}
    code: |
      import eddy
      name = eddy.getenv("EDDY_EVENT_MODEL")
      v = int(eddy.getenv("EDDY_EVENT_VERSION"))
      reg = eddy.registry()
      scored = reg.load(name).transform(eddy.read("test.csv"))
      m = eddy.evaluate(scored, task="multiclass", label_col="label")
      if m["accuracy"] > 0.8:
          reg.stage(name, v, "validated")
      print("checked", name, v, eddy.getenv("EDDY_EVENT"))
`

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runFlow runs the flow src written in dir; err is the run's error.
func runFlow(t *testing.T, dir, src string) (run *runstore.Run, regURL, out string, err error) {
	t.Helper()
	path := filepath.Join(dir, "flow.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := spec.ParseFlowWith(spec.FlowOptions{Kinds: jobs.Global()}, path, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	regURL = "file://" + filepath.Join(dir, "reg")
	reg, err := modelstore.Open(ctx, regURL)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	runs, err := runstore.Open(ctx, regURL, filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	defer runs.Close()
	var buf lockedBuffer
	s, err := scheduler.New(f, scheduler.Options{Registry: reg, RegistryURL: regURL, Runs: runs, Workers: 2,
		Stdout: &buf, Stderr: &buf, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	run, err = s.Run(ctx)
	if run == nil {
		t.Fatalf("run: %v", err)
	}
	return run, regURL, buf.String(), err
}

func TestPythonJobThroughScheduler(t *testing.T) {
	iris, err := filepath.Abs(irisData)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(iris); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "train.py"), []byte(trainScript), 0o644); err != nil {
		t.Fatal(err)
	}
	run, regURL, out, err := runFlow(t, dir, strings.Replace(pythonFlow, "IRIS", iris, 1))
	if err != nil || run.Status != runstore.StatusSucceeded {
		for _, in := range run.Instances {
			t.Logf("%s: %s %s", in.ID, in.Status, in.Error)
		}
		t.Fatalf("run %s: %v\n%s", run.Status, err, out)
	}
	var train, check *runstore.Instance
	for _, id := range run.Order {
		switch in := run.Instances[id]; in.Job {
		case "train":
			train = in
		case "check":
			check = in
		}
	}
	if train == nil || check == nil {
		t.Fatalf("instances %v\n%s", run.Order, out)
	}
	o := train.Outputs
	if o["model"] != "iris" || o["version"] != "1" || o["stage"] != "generated" || o["metric.accuracy"] == "" || o["seconds"] == "" {
		t.Errorf("train outputs %v", o)
	}
	if check.Status != runstore.StatusSucceeded || check.Trigger == nil || check.Trigger.Type != spec.EventModelCreated ||
		check.Trigger.Model != "iris" || check.Trigger.Version != 1 {
		t.Errorf("check instance %+v", check)
	}
	for _, want := range []string{"registered iris 1 job train accuracy > 0.8 True", "checked iris 1 model.created"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	reg, err := modelstore.Open(context.Background(), regURL)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	v, err := reg.Get(context.Background(), "iris", 1)
	if err != nil {
		t.Fatal(err)
	}
	if v.Stage != modelstore.StageValidated || v.Lineage.FlowRun != run.ID+"/"+train.ID || v.Metrics["accuracy"] < 0.8 {
		t.Errorf("version %+v (run %s instance %s)", v, run.ID, train.ID)
	}
}

func TestPythonJobFailsAndTimesOut(t *testing.T) {
	dir := t.TempDir()
	src := `name: bad
jobs:
  boom:
    kind: python
    code: |
      x = 1
      y = x / 0
  slow:
    kind: python
    timeout: 200ms
    code: |
      n = 0
      while n < 3000000:
          n += 1
`
	run, _, _, err := runFlow(t, dir, src)
	if err == nil || run.Status != runstore.StatusFailed {
		t.Errorf("run %s: %v", run.Status, err)
	}
	for _, id := range run.Order {
		in := run.Instances[id]
		switch in.Job {
		case "boom":
			if in.Status != runstore.StatusFailed || !strings.Contains(in.Error, "ZeroDivisionError") || !strings.Contains(in.Error, "flow.yaml:6 (job boom code)\", line 2") {
				t.Errorf("boom: %s: %s", in.Status, in.Error)
			}
		case "slow":
			if in.Status != runstore.StatusFailed || !strings.Contains(in.Error, "timed out after 200ms") {
				t.Errorf("slow: %s: %s", in.Status, in.Error)
			}
		}
	}
}

func TestPythonJobSpecErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"name: f\njobs:\n  p: {kind: python}\n", `f.yaml:3:3: job "p" (python): code: missing: set code (inline Python) or script`},
		{"name: f\njobs:\n  p: {kind: python, code: 'x = 1', script: a.py}\n", `job "p" (python): script: set code or script, not both`},
		{"name: f\njobs:\n  p:\n    kind: python\n    code: |\n      x = 1\n      if x\n", `f.yaml:7:11: job "p" (python): code: line 2: SyntaxError`},
		{"name: f\njobs:\n  p: {kind: python, script: missing.py}\n", `missing input "missing.py"`},
	} {
		_, err := spec.ParseFlowWith(spec.FlowOptions{Kinds: jobs.Global(), Dir: t.TempDir()}, "f.yaml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.src, err, tc.want)
		}
	}
}
