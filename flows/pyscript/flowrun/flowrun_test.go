package flowrun_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/flows/pyscript"
	_ "github.com/eddyml/eddy/flows/pyscript/flowrun"
	"github.com/eddyml/eddy/internal/pybridge"
)

// flowYAML is a small flow: ingest a generated set, train, validate on a
// holdout at THRESHOLD, deploy. DIR is the flow's directory.
const flowYAML = `name: walkthrough
stores: {registry: "file://DIR/registry", state: DIR/state}
jobs:
  ingest:
    kind: ingest
    from: {generate: {seed: 3, rows: 2000, num_numeric: 4}}
    to: data/train.parquet
  holdout:
    kind: ingest
    from: {generate: {seed: 3, first_row: 2000, rows: 500, num_numeric: 4}}
    to: data/holdout.parquet
  train:
    kind: train
    after: [ingest, holdout]
    input: data/train.parquet
    model: m
    pipeline:
      stages:
        - {kind: vector_assembler, params: {input_cols: [x0, x1, x2, x3], output_col: features}}
        - {kind: logistic_regression, params: {features_col: features}}
  validate:
    kind: validate
    on: {event: model.created, model: m}
    model: m
    version: event
    data: data/holdout.parquet
    metric: auc
    threshold: THRESHOLD
  deploy:
    kind: deploy
    on: {event: model.validated, model: m}
    model: m
    version: event
`

// script writes the flow with write_text, runs it with flow_run and
// prints the instances and the registry's versions.
const script = `import eddy
import sys
d = sys.argv[1]
path = eddy.write_text(d + "/flow.yaml", FLOW.replace("DIR", d).replace("THRESHOLD", sys.argv[2]))
print(eddy.read_text(path) == FLOW.replace("DIR", d).replace("THRESHOLD", sys.argv[2]))
run = eddy.flow_run(path)
print(run["flow"], run["status"], run["registry"] == "file://" + d + "/registry")
for i in run["instances"]:
    print(i["id"], i["status"], i["cause"], i["attempts"], i["outputs"].get("version"), i["outputs"].get("stage"))
for v in eddy.registry(run["registry"]).versions("m"):
    print("version", v["version"], v["stage"], v["metrics"]["auc"] > 0.5)
again = eddy.flow_run(path)
print("second run", again["id"] == run["id"], again["status"], len(again["instances"]))
`

func runScript(t *testing.T, threshold string) (string, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	var out bytes.Buffer
	src := "FLOW = \"\"\"" + flowYAML + "\"\"\"\n" + script
	_, err := pyscript.RunSource(context.Background(), src, "flow.py", &pyscript.Options{
		Argv: []string{dir, threshold}, Stdout: &out, Allocator: mem})
	return strings.ReplaceAll(out.String(), dir, "DIR"), err
}

func TestFlowRun(t *testing.T) {
	for _, tc := range []struct {
		name, threshold string
		want            []string
	}{
		{"deployed", "0.6", []string{
			"True\n",
			"walkthrough succeeded True\n",
			"ingest#1 succeeded start 1 None None\n",
			"holdout#1 succeeded start 1 None None\n",
			"train#1 succeeded after:", " 1 1 generated\n",
			"validate#1 succeeded event:1 model.created 1 1 validated\n",
			"deploy#1 succeeded event:2 model.validated 1 1 deployed\n",
			"version 1 deployed True\n",
			// The run finished: a second flow_run starts a new one in
			// which the jobs run again and train version 2.
			"second run False succeeded 5\n",
		}},
		{"rejected", "0.9999", []string{
			"validate#1 failed event:1 model.created",
			"version 1 rejected True\n",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := runScript(t, tc.threshold)
			if err != nil {
				t.Fatalf("%v\n%s", err, got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestFlowRunErrors checks that a bad flow file fails the script at the
// flow_run line, with the flow's problems at file:line:column.
func TestFlowRunErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: bad\njobs:\n  train: {kind: trian}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "import eddy\n\nrun = eddy.flow_run(\"" + bad + "\")\n"
	_, err := pyscript.RunSource(context.Background(), src, "bad.py", nil)
	var pe *pybridge.Error
	if !errors.As(err, &pe) || pe.Line != 3 {
		t.Fatalf("got %v, want a *pybridge.Error at line 3", err)
	}
	for _, w := range []string{"eddy.flow_run: flow " + bad + ": 1 problem(s)", bad + ":3:", "trian"} {
		if !strings.Contains(pe.Message, w) {
			t.Errorf("message %q lacks %q", pe.Message, w)
		}
	}
	_, err = pyscript.RunSource(context.Background(), "import eddy\neddy.flow_run(\"/nonexistent/flow.yaml\")\n", "missing.py", nil)
	if !errors.As(err, &pe) || pe.Line != 2 || !strings.Contains(pe.Message, "no such file") {
		t.Errorf("missing file: got %v", err)
	}
}
