package spec_test

import (
	"strings"
	"testing"
	"time"

	"github.com/eddyml/eddy/flows/spec"
	_ "github.com/eddyml/eddy/online/all"
)

func onlineKinds() spec.KindSet {
	ks := spec.BuiltinKinds()
	ks[spec.KindOnline] = spec.OnlineKind()
	return ks
}

func TestOnlineJobParse(t *testing.T) {
	src := `name: f
jobs:
  learn:
    kind: online
    model: ctr
    version: "3"
    input: {generate: {seed: 9, num_numeric: 2}}
    params: {alpha: 0.1, l1: 0}
    publish: {every_rows: 5000, every: 3s}
    gate: {metric: auc, threshold: 0.7, window: 2000}
    drift: adwin
    rate: 10000
  retrain:
    kind: shell
    command: "true"
    on: {event: drift.detected, model: ctr}
`
	f, err := spec.ParseFlowWith(spec.FlowOptions{Kinds: onlineKinds(), LookupEnv: env(nil), Dir: "/nonexistent"}, "f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	j := f.Jobs["learn"]
	o := j.Config.(*spec.OnlineJob)
	if !j.LongRunning || !o.Endless() {
		t.Errorf("an endless generated input makes the job long-running: %v %v", j.LongRunning, o.Endless())
	}
	if o.Learner != "ftrl" || o.Model != "ctr" || o.Version != "3" || o.Params["alpha"] != 0.1 ||
		o.PublishEveryRows != 5000 || o.PublishEvery != 3*time.Second || o.Drift != "adwin" || o.Rate != 10000 ||
		o.Gate == nil || *o.Gate != (spec.QualityGate{Metric: "auc", Threshold: 0.7, Window: 2000}) ||
		o.CheckpointEvery != 2*time.Second || o.Generate.Seed != 9 {
		t.Errorf("parsed %+v gate %+v", o, o.Gate)
	}

	bounded := strings.Replace(src, "{seed: 9,", "{rows: 1000, seed: 9,", 1)
	f, err = spec.ParseFlowWith(spec.FlowOptions{Kinds: onlineKinds(), LookupEnv: env(nil), Dir: "/nonexistent"}, "f.yaml", []byte(bounded))
	if err != nil {
		t.Fatal(err)
	}
	if f.Jobs["learn"].LongRunning {
		t.Error("a bounded input ends the job by itself: not long-running")
	}
}

func TestOnlineJobProblems(t *testing.T) {
	for i, tc := range []struct{ job, want string }{
		{`{kind: online, input: {generate: {}}}`, `job "a" (online): missing field "model"`},
		{`{kind: online, model: m}`, `missing field "input"`},
		{`{kind: online, model: m, input: {generate: {sed: 1}}}`, `3:50: job "a" (online): input.generate: unknown key "sed"; did you mean seed?`},
		{`{kind: online, model: m, input: {generate: {}}, publish: {evry: 1s}}`, `3:64: job "a" (online): publish: unknown key "evry"; did you mean every?`},
		{`{kind: online, model: m, input: {generate: {}}, publish: {every_rows: 0}}`, `publish.every_rows: want a positive integer`},
		{`{kind: online, model: m, input: {generate: {}}, gate: {metric: f1, threshold: 1}}`, `gate.metric: want one of accuracy, auc, log_loss, mae, rmse, got "f1"`},
		{`{kind: online, model: m, input: {generate: {}}, drift: adwn}`, `drift: want one of adwin, ddm, page_hinkley, got "adwn"; did you mean adwin?`},
		{`{kind: online, model: m, input: {generate: {}}, checkpoint_every: 0s}`, `checkpoint_every: want a positive duration`},
		{`{kind: online, model: m, input: [x]}`, `input: want a path or {generate: {...}}, got a list`},
		{`{kind: online, model: m, learner: ftlr, input: {generate: {}}}`, `3:40: job "a" (online): learner: unknown learner "ftlr"; did you mean ftrl?`},
		{`{kind: online, model: m, input: {generate: {}}, params: {alpha: -1}}`, `job "a" (online): params: `},
		{`{kind: online, model: m, input: {generate: {}}, params: {alpah: 1}}`, `alpah`},
	} {
		src := "name: f\njobs:\n  a: " + tc.job + "\n"
		_, err := spec.ParseFlowWith(spec.FlowOptions{Kinds: onlineKinds(), LookupEnv: env(nil), Dir: "/nonexistent"}, "f.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%d: got %v\nwant %q", i, err, tc.want)
		}
	}
}
