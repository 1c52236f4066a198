package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFlowValidateReportsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.yaml")
	src := "name: f\njobs:\n  a: {kind: shel, command: x}\n  b: {kind: shell, command: x, after: [c], timeout: soon}\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := run(t, "flow", "validate", path)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{
		path + `:3:13: job "a": unknown job kind "shel"; did you mean shell?`,
		path + `:4:40: job "b": after: unknown job "c"`,
		path + `:4:53: job "b" (shell): timeout: want a positive duration`,
		"eddy: 3 problem(s)",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestFlowRunStatusRuns(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.yaml")
	src := `name: demo
stores: {registry: "file://` + filepath.Join(dir, "reg") + `", state: ` + filepath.Join(dir, "state") + `}
jobs:
  gen: {kind: ingest, from: {generate: {rows: 2000, seed: 7, num_numeric: 3, num_categorical: 0}}, to: data/d.parquet}
  fit:
    kind: train
    after: [gen]
    input: data/d.parquet
    model: demo
    pipeline: {stages: [{kind: vector_assembler, params: {input_cols: [x0, x1, x2], output_col: f}}, {kind: logistic_regression, params: {features_col: f}}]}
  check: {kind: validate, after: [fit], model: demo, data: data/d.parquet, metric: accuracy, threshold: 0.99}
  alert: {kind: shell, command: sh, args: [-c, "echo $EDDY_EVENT_VERSION > alert.txt"], on: {event: metric.below, model: demo}}
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errs, code := run(t, "flow", "validate", path); code != 0 || !strings.Contains(out, `flow "demo" is valid: 4 jobs`) {
		t.Fatalf("validate: %d %s %s", code, out, errs)
	}
	out, stderr, code := run(t, "flow", "run", path)
	if code != 1 || !strings.Contains(stderr, "failed: check#1") {
		t.Fatalf("run: exit %d (want 1: the model misses the threshold)\n%s\n%s", code, out, stderr)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "alert.txt")); err != nil || strings.TrimSpace(string(data)) != "1" {
		t.Errorf("alert.txt %q %v: want version 1", data, err)
	}
	out, _, code = run(t, "flow", "status", path)
	for _, want := range []string{"flow demo run", ": failed", "check#1", "rejected: accuracy", "alert#1", "metric.below check#1"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	out, _, code = run(t, "flow", "runs", "--state", filepath.Join(dir, "state"))
	if code != 0 || !strings.Contains(out, "demo  failed") || !strings.Contains(out, "failed: check#1") {
		t.Errorf("runs:\n%s", out)
	}
}
