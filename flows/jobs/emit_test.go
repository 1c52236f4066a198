package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/eddyml/eddy/flows/jobs"
	"github.com/eddyml/eddy/flows/spec"
)

func TestEnvEmit(t *testing.T) {
	var env jobs.Env
	if err := env.Emit(context.Background(), jobs.Event{Type: spec.EventDriftDetected}); !errors.Is(err, jobs.ErrNoEmitter) {
		t.Errorf("emit without a scheduler: %v, want ErrNoEmitter", err)
	}
	var got []jobs.Event
	env.EmitFunc = func(_ context.Context, ev jobs.Event) error { got = append(got, ev); return nil }
	ev := jobs.Event{Type: spec.EventDriftDetected, Model: "m", Detector: "ddm", Values: map[string]float64{"statistic": 3}}
	if err := env.Emit(context.Background(), ev); err != nil || len(got) != 1 || got[0].Detector != "ddm" {
		t.Fatalf("emit: %v %+v", err, got)
	}
	for field, want := range map[string]any{"detector": "ddm", "statistic": 3.0, "model": "m"} {
		if v, ok := got[0].Field(field); !ok || v != want {
			t.Errorf("field %s = %v %v, want %v", field, v, ok, want)
		}
	}
	if _, ok := (&jobs.Event{}).Field("detector"); ok {
		t.Error("detector of an event without one is set")
	}
}

func TestRegisterEmits(t *testing.T) {
	kind := func(emits ...string) jobs.Kind {
		return jobs.Kind{Spec: spec.JobKind{Kind: "k", Emits: emits, Parse: func(*spec.Fields) spec.JobConfig { return nil }},
			New: func(*spec.Job, *spec.Flow) (jobs.Job, error) { return nil, nil }}
	}
	for _, tc := range []struct {
		emits []string
		err   string
	}{
		{[]string{spec.EventDriftDetected, spec.EventModelCreated}, ""},
		{[]string{spec.EventJobSucceeded}, `emits "job.succeeded"`},
		{[]string{"drift"}, `emits "drift"`},
	} {
		err := jobs.NewEmptyEnvironment().Register(kind(tc.emits...))
		if (tc.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("emits %v: %v, want %q", tc.emits, err, tc.err)
		}
	}
}
