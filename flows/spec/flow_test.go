package spec_test

import (
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/eddyml/eddy/connectors/all"
	_ "github.com/eddyml/eddy/estimators/all"
	"github.com/eddyml/eddy/flows/spec"
	_ "github.com/eddyml/eddy/transformers/all"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestFlowBadFileReportsEveryProblem(t *testing.T) {
	data, err := os.ReadFile("testdata/flows/bad.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = spec.ParseFlowWith(spec.FlowOptions{LookupEnv: env(nil), Dir: t.TempDir()}, "bad.yaml", data)
	want := []string{
		`bad.yaml:2:44: environment variable STATE_DIR is not set (write ${STATE_DIR:-default} for a default)`,
		`bad.yaml:9:11: job "train": unknown job kind "trian"; did you mean train?`,
		`bad.yaml:13:21: job "fit": after: unknown job "nosuch"`,
		`bad.yaml:16:5: job "fit" (train): unknown field "pipline"; did you mean pipeline?`,
		`bad.yaml:19:17: stage 1 (logistic_regresion): unknown kind "logistic_regresion"; did you mean logistic_regression?`,
		`bad.yaml:27:13: job "b": after: cycle a -> b -> a`,
		`bad.yaml:28:14: job "b" (shell): timeout: want a positive duration like 30s, 10m or 1h, got str "10 minutes"`,
		`bad.yaml:32:17: job "notify": on model.validated: nothing in this flow emits model.validated for model "ctr"`,
		`bad.yaml:36:11: job "tick" (shell): cron "*/5 * * 13 *": month field "13": value "13": want 1-12`,
	}
	got := spec.Problems(err)
	if len(got) != len(want) {
		for _, g := range got {
			t.Log(g)
		}
		t.Fatalf("%d problems, want %d", len(got), len(want))
	}
	for i, g := range got {
		if !strings.HasPrefix(g.Error(), want[i]) {
			t.Errorf("problem %d:\n got %s\nwant %s...", i, g, want[i])
		}
	}
}

func TestFlowProblems(t *testing.T) {
	for i, tc := range []struct {
		src, want string
	}{
		{"name: f\njobs:\n  a: {kind: shell, command: x, on: model.created}\n", `3:36: job "a": on model.created: nothing in this flow emits model.created`},
		{"name: f\njobs:\n  a: {kind: shell, command: x}\n  b: {kind: shell, command: x, on: {event: job.succeeded, job: c}}\n", `4:44: job "b": on job.succeeded: unknown job "c"`},
		{"name: f\njobs:\n  a: {kind: shell, command: x}\n  b: {kind: shell, command: x, after: a, every: 1h}\n", `4:39: job "b" (shell): after cannot be combined`},
		{"name: f\njobs:\n  a: {kind: shell, comand: x}\n", `3:20: job "a" (shell): unknown field "comand"; did you mean command?`},
		{"name: f\njobs:\n  a: {kind: shell, command: x, retries: {max: -1}}\n", `3:47: job "a" (shell): retries.max: want an integer in [0, 100]`},
		{"name: f\njobs:\n  a: {kind: shell, command: x, on: {event: model.deploy}}\n", `3:44: job "a" (shell): on: unknown event "model.deploy"; did you mean model.deployed?`},
		{"name: f\njobs:\n  t: {kind: train, input: in.csv, model: m, pipeline: {stages: [{kind: logistic_regression}]}}\n", `3:27: job "t": missing input "in.csv": no such file, and no job in the flow writes it`},
		{"name: f\njobs:\n  i: {kind: ingest, from: {generate: {rows: 10}}, to: d.csv}\n  t: {kind: train, input: d.csv, model: m, pipeline: {stages: [{kind: logistic_regression}]}}\n", `4:27: job "t": input "d.csv" is written by job "i": add "i" to after`},
		{"name: f\njobs:\n  i: {kind: ingest, from: {generate: {rows: 10, sed: 1}}, to: d.csv}\n", `3:49: job "i" (ingest): from.generate: unknown key "sed"; did you mean seed?`},
		{"name: f\njobs:\n  v: {kind: validate, model: m, data: /dev/null.csv, metric: acc, threshold: 1}\n", `job "v" (validate): metric: unknown metric "acc"`},
		{"name: f\njobs:\n  a: {kind: shell, command: \"${CMD}\", args: [\"${X:-dflt}\", \"${Y\"]}\n", `3:30: environment variable CMD is not set`},
		{"name: f\njobs:\n  a: {kind: shell, command: x, on: {event: job.failed, job: b, when: \"attempt >> 2\"}}\n  b: {kind: shell, command: y}\n", `3:70: job "a" (shell): on.when: condition "attempt >> 2"`},
		{"jobs: {}\n", `1:1: missing name`},
	} {
		_, err := spec.ParseFlowWith(spec.FlowOptions{LookupEnv: env(nil), Dir: "/nonexistent"}, "f.yaml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%d: got %v\nwant %q", i, err, tc.want)
		}
	}
}

func TestFlowParse(t *testing.T) {
	src := `name: demo
stores: {registry: "redis://${HOST:-localhost:6379}/0"}
jobs:
  gen: {kind: ingest, from: {generate: {rows: 100, seed: 3}}, to: d.csv}
  fit:
    kind: train
    after: gen
    input: d.csv
    model: m
    retries: {max: 2, backoff: 2s}
    timeout: 5m
    pipeline: {stages: [{kind: vector_assembler, params: {input_cols: [x0], output_col: f}}, {kind: logistic_regression, params: {features_col: f}}]}
  check: {kind: validate, model: m, version: event, data: d.csv, metric: auc, against: champion, on: {event: model.created, model: m, when: "metrics.auc > 0.5"}}
  ship: {kind: deploy, model: m, after: [check], alias: champion}
  nightly: {kind: shell, command: "${CMD}", args: [a, "$${LITERAL}"], cron: "0 3 * * mon-fri"}
  web: {kind: serve, addr: ":0"}
`
	f, err := spec.ParseFlowWith(spec.FlowOptions{LookupEnv: env(map[string]string{"CMD": "echo"}), Dir: t.TempDir()}, "f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if f.Stores.Registry != "redis://localhost:6379/0" {
		t.Errorf("registry %q", f.Stores.Registry)
	}
	fit := f.Jobs["fit"]
	if fit.Retries != (spec.Retries{Max: 2, Backoff: 2 * time.Second}) || fit.Timeout != 5*time.Minute || fit.After[0] != "gen" {
		t.Errorf("fit: %+v", fit)
	}
	if tj := fit.Config.(*spec.TrainJob); len(tj.Pipeline.Stages) != 2 || tj.Model != "m" {
		t.Errorf("train config %+v", tj)
	}
	sh := f.Jobs["nightly"].Config.(*spec.ShellJob)
	if sh.Command != "echo" || sh.Args[1] != "${LITERAL}" {
		t.Errorf("shell %+v", sh)
	}
	if c := f.Jobs["check"]; c.On.When == nil || c.Config.(*spec.ValidateJob).Version != spec.RefEvent {
		t.Errorf("check %+v", c)
	}
	if !f.Jobs["web"].LongRunning || strings.Join(f.Order, ",") != "gen,fit,check,ship,nightly,web" {
		t.Errorf("order %v", f.Order)
	}
}

func FuzzParseFlow(f *testing.F) {
	for _, p := range []string{"testdata/flows/bad.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("name: f\njobs:\n  a: {kind: shell, command: x, on: {event: job.failed, job: b, when: \"attempt > 2 && error != x\"}}\n  b: {kind: shell, command: y, after: [a], cron: '1-5/2 * * * *'}\n"))
	f.Add([]byte("name: f\njobs:\n  i: {kind: ingest, from: {generate: {rows: 10}}, to: d.csv}\n  t: {kind: train, after: i, input: d.csv, model: m, pipeline: {stages: [{kind: logistic_regression}]}}\n  v: {kind: validate, model: m, data: d.csv, metric: auc, threshold: 0.5, after: t}\n"))
	f.Add([]byte("name: f\nstores: {registry: \"redis://h:1/0\", state: s, checkpoints: \"${A}/ck\"}\njobs:\n  a: {kind: shell, command: x, on: {event: drift.detected, when: \"detector == adwin && statistic > 1\"}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, err := spec.ParseFlowWith(spec.FlowOptions{LookupEnv: env(map[string]string{"A": "1"}), NoFileChecks: true, Dir: "/nonexistent"}, "f.yaml", data)
		if err != nil {
			for _, p := range spec.Problems(err) {
				if p.Msg == "" {
					t.Fatalf("empty message in %v", err)
				}
			}
			return
		}
		if fl.Name == "" || len(fl.Jobs) == 0 || len(fl.Order) != len(fl.Jobs) {
			t.Fatalf("accepted flow without name or jobs: %+v", fl)
		}
	})
}
