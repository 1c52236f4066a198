package spec_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/eddyml/eddy/flows/spec"
)

type quietConfig struct{}

func (quietConfig) Emits() []spec.Emission { return nil }

// TestKindEmits: the events a kind declares in JobKind.Emits count as
// emitted for any model by flow validation, besides its config's.
func TestKindEmits(t *testing.T) {
	kinds := func(emits ...string) spec.KindSet {
		ks := spec.BuiltinKinds()
		ks["script"] = spec.JobKind{Kind: "script", Fields: []string{"file"}, Emits: emits,
			Parse: func(f *spec.Fields) spec.JobConfig { f.String("file", true); return quietConfig{} }}
		return ks
	}
	src := `name: f
jobs:
  s: {kind: script, file: x.py}
  alert:
    kind: shell
    command: "true"
    on: {event: drift.detected, model: ctr}
  deployed:
    kind: shell
    command: "true"
    on: {event: model.created, model: other}
`
	f, err := spec.ParseFlowWith(spec.FlowOptions{Kinds: kinds(spec.EventDriftDetected, spec.EventModelCreated), LookupEnv: env(nil), Dir: "/nonexistent"}, "f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if em := f.Jobs["s"].Emissions(); len(em) != 2 || em[0] != (spec.Emission{Event: spec.EventDriftDetected}) {
		t.Errorf("emissions %+v", em)
	}
	_, err = spec.ParseFlowWith(spec.FlowOptions{Kinds: kinds(), LookupEnv: env(nil), Dir: "/nonexistent"}, "f.yaml", []byte(src))
	ps := spec.Problems(err)
	if len(ps) != 2 || !strings.Contains(ps[0].Error(), "f.yaml:7:17: ") || !strings.Contains(ps[0].Error(), "nothing in this flow emits drift.detected") ||
		!strings.Contains(ps[1].Error(), "nothing in this flow emits model.created") {
		t.Fatalf("without the kind's emits: %v", err)
	}
}

func TestStoresCheckpoints(t *testing.T) {
	parse := func(stores string) (*spec.Flow, error) {
		src := "name: f\nstores: " + stores + "\njobs:\n  a: {kind: shell, command: \"true\"}\n"
		return spec.ParseFlowWith(spec.FlowOptions{LookupEnv: env(map[string]string{"CK": "/ck"}), Dir: "/nonexistent"}, "f.yaml", []byte(src))
	}
	f, err := parse(`{state: st, checkpoints: "${CK}/x"}`)
	if err != nil {
		t.Fatal(err)
	}
	if f.Stores.Checkpoints != "/ck/x" || f.Stores.CheckpointDir("other") != "/ck/x" || f.Stores.CheckpointsPos.Line != 2 {
		t.Errorf("stores %+v", f.Stores)
	}
	f, err = parse(`{state: st}`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Stores.CheckpointDir("st"), filepath.Join("st", "checkpoints"); got != want {
		t.Errorf("default checkpoint dir %s, want %s", got, want)
	}
	for _, tc := range []struct{ stores, want string }{
		{`{checkpoints: [a]}`, `f.yaml:2:23: stores.checkpoints: want a string`},
		{`{checkpoint: a}`, `f.yaml:2:10: stores: unknown key "checkpoint"; did you mean checkpoints?`},
	} {
		_, err := parse(tc.stores)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("stores %s: %v, want %q", tc.stores, err, tc.want)
		}
	}
}

func TestEmittableEvents(t *testing.T) {
	for ev, want := range map[string]bool{
		spec.EventDriftDetected: true, spec.EventMetricBelow: true,
		spec.EventModelCreated: false, spec.EventModelDeployed: false, spec.EventJobSucceeded: false, spec.EventJobFailed: false,
		"drift": false, "": false,
	} {
		if got := spec.IsEmittable(ev); got != want {
			t.Errorf("IsEmittable(%q) = %v, want %v", ev, got, want)
		}
	}
	if _, err := spec.ParseCondition("detector == adwin && statistic > 0.5"); err != nil {
		t.Errorf("drift.detected fields: %v", err)
	}
}
