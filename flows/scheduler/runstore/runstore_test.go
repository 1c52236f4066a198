package runstore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/eddyml/eddy/flows/jobs"
	"github.com/eddyml/eddy/flows/scheduler/runstore"
	"github.com/eddyml/eddy/internal/testutil"
)

// conformance runs the same checks against every backend.
func conformance(t *testing.T, st runstore.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	id := runstore.NewID(t0)
	if err := st.Create(ctx, "f", id, []runstore.Record{{Type: runstore.RunStarted, Time: t0, Flow: "f", Seq: 7},
		{Type: runstore.InstanceCreated, Time: t0, Instance: "a#1", Job: "a", Cause: "start"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Append(ctx, id,
		runstore.Record{Type: runstore.AttemptStarted, Time: t0.Add(time.Second), Instance: "a#1", Attempt: 1},
		runstore.Record{Type: runstore.AttemptFinished, Time: t0.Add(2 * time.Second), Instance: "a#1", Attempt: 1, Status: runstore.StatusSucceeded, Outputs: map[string]string{"k": "v"}},
		runstore.Record{Type: runstore.InstanceFinished, Time: t0.Add(2 * time.Second), Instance: "a#1", Status: runstore.StatusSucceeded},
		runstore.Record{Type: runstore.InstanceCreated, Time: t0.Add(2 * time.Second), Instance: "b#1", Job: "b", Cause: "event:9", Trigger: &jobs.Event{Type: "model.created", Seq: 9, Model: "m", Version: 2}},
		runstore.Record{Type: runstore.EventHandled, Time: t0.Add(2 * time.Second), Seq: 9},
	); err != nil {
		t.Fatal(err)
	}
	other := runstore.NewID(t0.Add(time.Hour))
	if err := st.Create(ctx, "g", other, []runstore.Record{{Type: runstore.RunStarted, Time: t0, Flow: "g"}}); err != nil {
		t.Fatal(err)
	}
	if ids, err := st.Runs(ctx, "f"); err != nil || len(ids) != 1 || ids[0] != id {
		t.Fatalf("runs of f: %v %v", ids, err)
	}
	if ids, err := st.Runs(ctx, ""); err != nil || len(ids) != 2 || ids[0] != id {
		t.Fatalf("all runs: %v %v", ids, err)
	}
	run, err := runstore.Latest(ctx, st, "f")
	if err != nil {
		t.Fatal(err)
	}
	a, b := run.Instances["a#1"], run.Instances["b#1"]
	if run.Flow != "f" || run.Cursor != 9 || a.Status != runstore.StatusSucceeded || a.Outputs["k"] != "v" || len(a.Attempts) != 1 ||
		b.Status != runstore.StatusPending || b.Trigger.Version != 2 || run.Order[1] != "b#1" {
		t.Fatalf("folded run %+v", run)
	}
	if _, err := st.Records(ctx, "nope"); !errors.Is(err, runstore.ErrNotFound) {
		t.Errorf("unknown run: %v", err)
	}
}

func TestFileStore(t *testing.T) {
	st, err := runstore.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	conformance(t, st)
}

func TestRedisStore(t *testing.T) {
	r := testutil.StartRedis(t)
	st, err := runstore.Open(context.Background(), r.URL(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	conformance(t, st)
}

// TestFileStoreTornTail: a batch cut short by a crash is dropped whole,
// and the next append goes after the last intact batch.
func TestFileStoreTornTail(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := runstore.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	id := "r1"
	if err := st.Create(ctx, "f", id, []runstore.Record{{Type: runstore.RunStarted, Flow: "f"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Append(ctx, id, runstore.Record{Type: runstore.InstanceCreated, Instance: "a#1", Job: "a"},
		runstore.Record{Type: runstore.InstanceCreated, Instance: "b#1", Job: "b"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	path := filepath.Join(dir, id+".log")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for cut := 1; cut < 40; cut += 7 {
		if err := os.WriteFile(path, data[:len(data)-cut], 0o644); err != nil {
			t.Fatal(err)
		}
		st, err := runstore.OpenDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := st.Records(ctx, id)
		if err != nil || len(recs) != 1 {
			t.Fatalf("cut %d: %d records (%v), want the intact first batch only", cut, len(recs), err)
		}
		if err := st.Append(ctx, id, runstore.Record{Type: runstore.InstanceCreated, Instance: "c#1", Job: "c"}); err != nil {
			t.Fatal(err)
		}
		run, err := runstore.Load(ctx, st, id)
		if err != nil || len(run.Order) != 1 || run.Order[0] != "c#1" {
			t.Fatalf("cut %d: after append: %+v %v", cut, run, err)
		}
		st.Close()
	}
}

// TestFoldEmitted: an event.emitted record stays undispatched until its
// event.dispatched record, which links the instances it triggered; a
// repeated key is folded once.
func TestFoldEmitted(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := func(id string) *jobs.Event {
		return &jobs.Event{Type: "drift.detected", ID: id, Job: "learn", Instance: "learn#1", Model: "m", Detector: "adwin"}
	}
	recs := []runstore.Record{
		{Type: runstore.RunStarted, Time: t0, Flow: "f"},
		{Type: runstore.EventEmitted, Time: t0, Instance: "learn#1", Event: ev("d1")},
		{Type: runstore.EventEmitted, Time: t0, Instance: "learn#1", Event: ev("d2")},
		{Type: runstore.EventEmitted, Time: t0, Instance: "learn#1", Event: ev("d1")},
	}
	run := runstore.Fold("r", recs)
	if n := len(run.Emitted); n != 2 || len(run.Undispatched()) != 2 {
		t.Fatalf("%d emitted, %d undispatched; want 2, 2", n, len(run.Undispatched()))
	}
	run.Apply(runstore.Record{Type: runstore.InstanceCreated, Time: t0, Instance: "retrain#1", Job: "retrain", Trigger: ev("d1")})
	run.Apply(runstore.Record{Type: runstore.EventDispatched, Time: t0.Add(time.Second), Instance: "learn#1", EventID: "d1"})
	u := run.Undispatched()
	if len(u) != 1 || u[0].Key != "learn#1/d2" {
		t.Fatalf("undispatched %+v, want learn#1/d2", u)
	}
	d1 := run.EmittedByKey["learn#1/d1"]
	if !d1.Dispatched.Equal(t0.Add(time.Second)) || len(d1.Triggered) != 1 || d1.Triggered[0] != "retrain#1" || d1.Event.Detector != "adwin" {
		t.Fatalf("d1 %+v", d1)
	}
}
