package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/eddyml/eddy/flows/jobs"
	"github.com/eddyml/eddy/flows/scheduler/runstore"
)

// TestPrintRunEmitted: flow status lists the events running jobs emitted,
// whether they were dispatched and what they triggered.
func TestPrintRunEmitted(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	drift := func(id string) *jobs.Event {
		return &jobs.Event{Type: "drift.detected", ID: id, Job: "learn", Instance: "learn#1", Model: "ctr", Time: t0}
	}
	run := runstore.Fold("r1", []runstore.Record{
		{Type: runstore.RunStarted, Time: t0, Flow: "f"},
		{Type: runstore.InstanceCreated, Time: t0, Instance: "learn#1", Job: "learn", Cause: "start"},
		{Type: runstore.EventEmitted, Time: t0, Instance: "learn#1", Event: drift("d1")},
		{Type: runstore.EventEmitted, Time: t0, Instance: "learn#1", Event: drift("d2")},
		{Type: runstore.InstanceCreated, Time: t0, Instance: "retrain#1", Job: "retrain", Cause: "drift.detected learn#1", Trigger: drift("d1")},
		{Type: runstore.EventDispatched, Time: t0, Instance: "learn#1", EventID: "d1"},
	})
	var b bytes.Buffer
	printRun(&b, run)
	out := b.String()
	lines := strings.Split(out, "\n")
	var events []string
	for i, l := range lines {
		if strings.Contains(l, "events emitted by running jobs") {
			events = lines[i+1:]
		}
	}
	if len(events) < 3 {
		t.Fatalf("no event table:\n%s", out)
	}
	if f := strings.Fields(events[1]); len(f) < 5 || f[0] != "drift.detected" || f[1] != "learn#1" || f[2] != "ctr" || f[len(f)-1] != "retrain#1" {
		t.Errorf("dispatched event row %q", events[1])
	}
	if f := strings.Fields(events[2]); len(f) < 5 || !strings.Contains(events[2], "pending") || f[len(f)-1] != "-" {
		t.Errorf("pending event row %q", events[2])
	}
}
