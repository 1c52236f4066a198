// Package storetest is the conformance suite every modelstore.Store
// backend passes.
//
// # Use
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) modelstore.Store { return newEmptyStore(t) })
//	}
//
// newStore must return a new, empty store for each call; the suite closes
// it. Subtests cover version numbering under concurrent writers, stage
// transitions and their errors, aliases, paging, the event log with
// durable cursors and Watch, garbage collection, deletion and a chunked
// 5 MB blob round trip.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddyml/eddy/serving/modelstore"
)

// Run runs the suite, one subtest per behaviour.
func Run(t *testing.T, newStore func(t *testing.T) modelstore.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s modelstore.Store)
	}{
		{"CreateGet", testCreateGet},
		{"ConcurrentCreate", testConcurrentCreate},
		{"Stages", testStages},
		{"Aliases", testAliases},
		{"Paging", testPaging},
		{"Events", testEvents},
		{"Subscription", testSubscription},
		{"Watch", testWatch},
		{"Delete", testDelete},
		{"GC", testGC},
		{"LargeBlob", testLargeBlob},
		{"BadNames", testBadNames},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func create(t *testing.T, s modelstore.Store, name, body string) modelstore.Version {
	t.Helper()
	v, err := s.Create(ctxT(t), name, strings.NewReader(body), modelstore.Info{Description: body})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return v
}

func readBlob(t *testing.T, s modelstore.Store, name string, v int64) []byte {
	t.Helper()
	r, err := s.OpenBlob(ctxT(t), name, v)
	if err != nil {
		t.Fatalf("open blob %s v%d: %v", name, v, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read blob %s v%d: %v", name, v, err)
	}
	return b
}

func setStage(t *testing.T, s modelstore.Store, name string, v int64, to modelstore.Stage) modelstore.Version {
	t.Helper()
	got, err := s.SetStage(ctxT(t), name, v, to, nil)
	if err != nil {
		t.Fatalf("set %s v%d to %s: %v", name, v, to, err)
	}
	if got.Stage != to {
		t.Fatalf("set %s v%d to %s: stage is %s", name, v, to, got.Stage)
	}
	return got
}

func allEvents(t *testing.T, s modelstore.Store) []modelstore.Event {
	t.Helper()
	var out []modelstore.Event
	for from := uint64(1); ; {
		evs, err := s.Events(ctxT(t), from, 0)
		if err != nil {
			t.Fatalf("events from %d: %v", from, err)
		}
		if len(evs) == 0 {
			return out
		}
		out = append(out, evs...)
		from = evs[len(evs)-1].Seq + 1
	}
}

// checkDense fails unless events are numbered 1..n in order.
func checkDense(t *testing.T, evs []modelstore.Event) {
	t.Helper()
	for i, ev := range evs {
		if ev.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d, want %d (events %v)", i, ev.Seq, i+1, evs)
		}
	}
}

func eventTypes(evs []modelstore.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = fmt.Sprintf("%s %s v%d", ev.Type, ev.Model, ev.Version)
		if ev.Alias != "" {
			out[i] += " @" + ev.Alias
		}
	}
	return out
}

func testCreateGet(t *testing.T, s modelstore.Store) {
	ctx := ctxT(t)
	if _, err := s.Latest(ctx, "iris"); !errors.Is(err, modelstore.ErrNotFound) {
		t.Fatalf("latest of a missing model: %v, want ErrNotFound", err)
	}
	info := modelstore.Info{
		Description: "first",
		Params:      map[string]string{"reg": "0.1", "solver": "lbfgs"},
		Metrics:     map[string]float64{"auc": 0.9123456789012345, "loss": 1e-300},
		Lineage:     modelstore.Lineage{FlowRun: "run-7", DataSource: "s3://bucket/iris.csv", Parent: 0},
	}
	v1, err := s.Create(ctx, "iris", strings.NewReader("blob one"), info)
	if err != nil {
		t.Fatal(err)
	}
	if v1.Version != 1 || v1.Stage != modelstore.StageGenerated || v1.Size != 8 || len(v1.SHA256) != 64 {
		t.Fatalf("first version = %+v", v1)
	}
	info.Lineage.Parent = 1
	v2, err := s.Create(ctx, "iris", strings.NewReader(""), info)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Version != 2 || v2.Size != 0 {
		t.Fatalf("second version = %+v", v2)
	}
	if _, err := s.Create(ctx, "wine", strings.NewReader("w"), modelstore.Info{}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "iris", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Description != "first" || got.Params["solver"] != "lbfgs" || got.Metrics["auc"] != 0.9123456789012345 ||
		got.Metrics["loss"] != 1e-300 || got.Lineage.FlowRun != "run-7" || got.Lineage.DataSource != "s3://bucket/iris.csv" ||
		got.SHA256 != v1.SHA256 || got.Size != 8 || got.Model != "iris" || got.Created.IsZero() {
		t.Fatalf("get v1 = %+v, want %+v", got, v1)
	}
	if got, _ := s.Get(ctx, "iris", 2); got.Lineage.Parent != 1 {
		t.Fatalf("v2 lineage parent = %d, want 1", got.Lineage.Parent)
	}
	if b := readBlob(t, s, "iris", 1); string(b) != "blob one" {
		t.Fatalf("blob v1 = %q", b)
	}
	if b := readBlob(t, s, "iris", 2); len(b) != 0 {
		t.Fatalf("blob v2 = %q, want empty", b)
	}
	if l, err := s.Latest(ctx, "iris"); err != nil || l.Version != 2 {
		t.Fatalf("latest = %d, %v; want 2", l.Version, err)
	}
	if ms, err := s.ListModels(ctx); err != nil || !slices.Equal(ms, []string{"iris", "wine"}) {
		t.Fatalf("list models = %v, %v", ms, err)
	}
	for _, v := range []int64{0, 3, -1} {
		if _, err := s.Get(ctx, "iris", v); !errors.Is(err, modelstore.ErrNotFound) {
			t.Errorf("get v%d: %v, want ErrNotFound", v, err)
		}
		if _, err := s.OpenBlob(ctx, "iris", v); !errors.Is(err, modelstore.ErrNotFound) {
			t.Errorf("open blob v%d: %v, want ErrNotFound", v, err)
		}
	}
	if _, err := s.Get(ctx, "nope", 1); !errors.Is(err, modelstore.ErrNotFound) {
		t.Errorf("get of a missing model: %v, want ErrNotFound", err)
	}
	if _, err := s.Create(ctx, "iris", strings.NewReader(""), modelstore.Info{Lineage: modelstore.Lineage{Parent: -1}}); err == nil ||
		!strings.Contains(err.Error(), "lineage.parent") {
		t.Errorf("negative parent: %v, want an error naming lineage.parent", err)
	}
}

func testConcurrentCreate(t *testing.T, s modelstore.Store) {
	const writers, each = 8, 10
	ctx := ctxT(t)
	var mu sync.Mutex
	var got []int64
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				body := fmt.Sprintf("w%d-%d", w, i)
				v, err := s.Create(ctx, "m", strings.NewReader(body), modelstore.Info{Description: body})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				got = append(got, v.Version)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	slices.Sort(got)
	for i, v := range got {
		if v != int64(i+1) {
			t.Fatalf("versions %v: want exactly 1..%d", got, writers*each)
		}
	}
	// Every version holds the blob its creator wrote.
	page, next, err := s.ListVersions(ctx, "m", modelstore.ListOptions{Limit: 1000})
	if err != nil || next != 0 || len(page) != writers*each {
		t.Fatalf("list: %d versions, next %d, %v", len(page), next, err)
	}
	for _, v := range page {
		if b := readBlob(t, s, "m", v.Version); string(b) != v.Description {
			t.Fatalf("v%d blob %q, description %q", v.Version, b, v.Description)
		}
	}
	evs := allEvents(t, s)
	checkDense(t, evs)
	if len(evs) != writers*each {
		t.Fatalf("%d events, want %d", len(evs), writers*each)
	}
}

func testStages(t *testing.T, s modelstore.Store) {
	ctx := ctxT(t)
	for range 4 {
		create(t, s, "m", "x")
	}
	// Refused moves name both stages and leave the version unchanged.
	_, err := s.SetStage(ctx, "m", 1, modelstore.StageDeployed, nil)
	if !errors.Is(err, modelstore.ErrInvalidTransition) || !strings.Contains(err.Error(), "generated to deployed") {
		t.Fatalf("generated -> deployed: %v, want ErrInvalidTransition naming both stages", err)
	}
	if _, err := s.SetStage(ctx, "m", 1, "shipped", nil); !errors.Is(err, modelstore.ErrInvalidTransition) {
		t.Fatalf("unknown stage: %v", err)
	}
	if _, err := s.SetStage(ctx, "m", 9, modelstore.StageValidated, nil); !errors.Is(err, modelstore.ErrNotFound) {
		t.Fatalf("missing version: %v, want ErrNotFound", err)
	}
	setStage(t, s, "m", 1, modelstore.StageValidated)
	setStage(t, s, "m", 1, modelstore.StageValidated) // no-op, no event
	setStage(t, s, "m", 1, modelstore.StageDeployed)
	setStage(t, s, "m", 2, modelstore.StageValidated)
	setStage(t, s, "m", 2, modelstore.StageDeployed) // deprecates 1
	if v, _ := s.Get(ctx, "m", 1); v.Stage != modelstore.StageDeprecated {
		t.Fatalf("v1 after deploying v2: %s, want deprecated", v.Stage)
	}
	dep, err := s.Deployed(ctx, "m")
	if err != nil || len(dep) != 1 || dep[0].Version != 2 {
		t.Fatalf("deployed = %v, %v; want [v2]", dep, err)
	}
	setStage(t, s, "m", 1, modelstore.StageDeployed) // rollback, deprecates 2
	setStage(t, s, "m", 3, modelstore.StageValidated)
	if _, err := s.SetStage(ctx, "m", 3, modelstore.StageDeployed, &modelstore.StageOptions{KeepOthers: true}); err != nil {
		t.Fatal(err)
	}
	dep, err = s.Deployed(ctx, "m")
	if err != nil || len(dep) != 2 || dep[0].Version != 3 || dep[1].Version != 1 {
		t.Fatalf("deployed = %v, %v; want [v3 v1]", dep, err)
	}
	setStage(t, s, "m", 4, modelstore.StageRejected)
	if _, err := s.SetStage(ctx, "m", 4, modelstore.StageValidated, nil); !errors.Is(err, modelstore.ErrInvalidTransition) ||
		!strings.Contains(err.Error(), "final") {
		t.Fatalf("rejected -> validated: %v, want ErrInvalidTransition (final)", err)
	}
	setStage(t, s, "m", 3, modelstore.StageDeprecated)
	if dep, _ := s.Deployed(ctx, "m"); len(dep) != 1 || dep[0].Version != 1 {
		t.Fatalf("deployed after deprecating v3 = %v, want [v1]", dep)
	}
	want := []string{
		"model.created m v1", "model.created m v2", "model.created m v3", "model.created m v4",
		"model.validated m v1", "model.deployed m v1",
		"model.validated m v2", "model.deployed m v2", "model.deprecated m v1",
		"model.deployed m v1", "model.deprecated m v2",
		"model.validated m v3", "model.deployed m v3",
		"model.rejected m v4", "model.deprecated m v3",
	}
	evs := allEvents(t, s)
	checkDense(t, evs)
	if got := eventTypes(evs); !slices.Equal(got, want) {
		t.Fatalf("events\n got %q\nwant %q", got, want)
	}
	for _, ev := range evs {
		if ev.Time.IsZero() {
			t.Fatalf("event %d has no time", ev.Seq)
		}
	}
	if evs[5].Stage != modelstore.StageDeployed {
		t.Fatalf("deploy event stage %q", evs[5].Stage)
	}
}

func testAliases(t *testing.T, s modelstore.Store) {
	ctx := ctxT(t)
	create(t, s, "m", "one")
	create(t, s, "m", "two")
	if err := s.SetAlias(ctx, "m", "champion", 1); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAlias(ctx, "m", "champion", 1); err != nil { // no-op
		t.Fatal(err)
	}
	if err := s.SetAlias(ctx, "m", "challenger", 2); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Alias(ctx, "m", "champion"); err != nil || v.Version != 1 || !slices.Equal(v.Aliases, []string{"champion"}) {
		t.Fatalf("champion = %+v, %v", v, err)
	}
	if err := s.SetAlias(ctx, "m", "champion", 2); err != nil { // move
		t.Fatal(err)
	}
	if v, err := s.Get(ctx, "m", 2); err != nil || !slices.Equal(v.Aliases, []string{"challenger", "champion"}) {
		t.Fatalf("v2 aliases = %v, %v", v.Aliases, err)
	}
	for ref, want := range map[string]int64{"@champion": 2, "champion": 2, "1": 1, "latest": 2} {
		if v, err := modelstore.Resolve(ctx, s, "m", ref); err != nil || v.Version != want {
			t.Errorf("resolve %q = %d, %v; want %d", ref, v.Version, err, want)
		}
	}
	if err := s.SetAlias(ctx, "m", "x", 9); !errors.Is(err, modelstore.ErrNotFound) {
		t.Fatalf("alias to a missing version: %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"7", "latest", "", "a b"} {
		if err := s.SetAlias(ctx, "m", bad, 1); !errors.Is(err, modelstore.ErrInvalidName) {
			t.Errorf("alias %q: %v, want ErrInvalidName", bad, err)
		}
	}
	if err := s.DeleteAlias(ctx, "m", "challenger"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAlias(ctx, "m", "challenger"); !errors.Is(err, modelstore.ErrNotFound) {
		t.Fatalf("delete a deleted alias: %v, want ErrNotFound", err)
	}
	if _, err := s.Alias(ctx, "m", "challenger"); !errors.Is(err, modelstore.ErrNotFound) {
		t.Fatalf("get a deleted alias: %v", err)
	}
	if _, err := modelstore.Resolve(ctx, s, "m", "@challenger"); !errors.Is(err, modelstore.ErrNotFound) {
		t.Fatalf("resolve a deleted alias: %v", err)
	}
	want := []string{"model.created m v1", "model.created m v2", "alias.set m v1 @champion", "alias.set m v2 @challenger",
		"alias.set m v2 @champion", "alias.deleted m v2 @challenger"}
	if got := eventTypes(allEvents(t, s)); !slices.Equal(got, want) {
		t.Fatalf("events\n got %q\nwant %q", got, want)
	}
}

func testPaging(t *testing.T, s modelstore.Store) {
	ctx := ctxT(t)
	for range 25 {
		create(t, s, "m", "x")
	}
	var seen []int64
	var after int64
	pages := 0
	for {
		page, next, err := s.ListVersions(ctx, "m", modelstore.ListOptions{After: after, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, v := range page {
			seen = append(seen, v.Version)
		}
		if next == 0 {
			break
		}
		if next != page[len(page)-1].Version {
			t.Fatalf("next %d, last of page %d", next, page[len(page)-1].Version)
		}
		after = next
	}
	if pages != 3 || len(seen) != 25 || !slices.IsSorted(seen) || seen[0] != 1 || seen[24] != 25 {
		t.Fatalf("%d pages, versions %v", pages, seen)
	}
	if page, next, err := s.ListVersions(ctx, "m", modelstore.ListOptions{After: 25}); err != nil || len(page) != 0 || next != 0 {
		t.Fatalf("past the end: %v, %d, %v", page, next, err)
	}
	if page, _, err := s.ListVersions(ctx, "none", modelstore.ListOptions{}); err != nil || len(page) != 0 {
		t.Fatalf("missing model: %v, %v", page, err)
	}
	if evs, err := s.Events(ctx, 3, 5); err != nil || len(evs) != 5 || evs[0].Seq != 3 || evs[4].Seq != 7 {
		t.Fatalf("events 3..7: %v, %v", evs, err)
	}
}

func testEvents(t *testing.T, s modelstore.Store) {
	ctx := ctxT(t)
	if c, err := s.Cursor(ctx, "svc"); err != nil || c != 0 {
		t.Fatalf("new cursor = %d, %v", c, err)
	}
	if err := s.Ack(ctx, "svc", 1); err == nil {
		t.Fatal("ack past the last event: no error")
	}
	for range 5 {
		create(t, s, "m", "x")
	}
	if err := s.Ack(ctx, "svc", 3); err != nil {
		t.Fatal(err)
	}
	if err := s.Ack(ctx, "svc", 2); err != nil { // older: ignored
		t.Fatal(err)
	}
	if c, err := s.Cursor(ctx, "svc"); err != nil || c != 3 {
		t.Fatalf("cursor = %d, %v; want 3", c, err)
	}
	if c, err := s.Cursor(ctx, "other"); err != nil || c != 0 {
		t.Fatalf("other cursor = %d, %v; want 0", c, err)
	}
	if err := s.Ack(ctx, "bad name", 1); !errors.Is(err, modelstore.ErrInvalidName) {
		t.Fatalf("bad subscriber: %v", err)
	}
	if evs, err := s.Events(ctx, 6, 0); err != nil || len(evs) != 0 {
		t.Fatalf("events past the end: %v, %v", evs, err)
	}
}

// testSubscription: two named subscribers each see every event exactly
// once, in order, across a restart between acks.
func testSubscription(t *testing.T, s modelstore.Store) {
	ctx := ctxT(t)
	const n = 12
	for i := range n {
		create(t, s, fmt.Sprintf("m%d", i%3), "x")
	}
	for _, name := range []string{"a", "b"} {
		var got []uint64
		handled := 0
		for restart := 0; handled < n; restart++ {
			sub, err := modelstore.Subscribe(ctx, s, name)
			if err != nil {
				t.Fatal(err)
			}
			// Handle up to 5 events, ack them, then read one more that is
			// not acked: it must come again after the restart.
			for range min(5, n-handled) {
				ev, err := sub.Next(ctx)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, ev.Seq)
				if err := sub.Ack(ctx, ev); err != nil {
					t.Fatal(err)
				}
				handled++
			}
			if handled < n {
				if ev, err := sub.Next(ctx); err != nil || ev.Seq != uint64(handled+1) {
					t.Fatalf("peek: %d, %v", ev.Seq, err)
				}
			}
		}
		for i, seq := range got {
			if seq != uint64(i+1) {
				t.Fatalf("subscriber %s saw %v, want 1..%d once each", name, got, n)
			}
		}
	}
}

func testWatch(t *testing.T, s modelstore.Store) {
	ctx := ctxT(t)
	create(t, s, "m", "x")
	got := make(chan []modelstore.Event, 1)
	errc := make(chan error, 1)
	go func() {
		evs, err := s.Watch(ctx, 2)
		errc <- err
		got <- evs
	}()
	select {
	case err := <-errc:
		t.Fatalf("watch returned before a new event: %v", err)
	case <-time.After(150 * time.Millisecond):
	}
	start := time.Now()
	create(t, s, "m", "y")
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	evs := <-got
	if len(evs) != 1 || evs[0].Seq != 2 || evs[0].Version != 2 {
		t.Fatalf("watch got %v, want event 2", evs)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("watch woke after %v", d)
	}
	// Events already there are returned at once.
	if evs, err := s.Watch(ctx, 1); err != nil || len(evs) != 2 {
		t.Fatalf("watch from 1: %v, %v", evs, err)
	}
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := s.Watch(cctx, 3); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("watch with an expiring context: %v, want DeadlineExceeded", err)
	}
}

func testDelete(t *testing.T, s modelstore.Store) {
	ctx := ctxT(t)
	for range 3 {
		create(t, s, "m", "x")
	}
	setStage(t, s, "m", 1, modelstore.StageValidated)
	setStage(t, s, "m", 1, modelstore.StageDeployed)
	if err := s.SetAlias(ctx, "m", "champion", 2); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "m", 1); !errors.Is(err, modelstore.ErrInUse) || !strings.Contains(err.Error(), "deployed") {
		t.Fatalf("delete deployed: %v, want ErrInUse (deployed)", err)
	}
	if err := s.Delete(ctx, "m", 2); !errors.Is(err, modelstore.ErrInUse) || !strings.Contains(err.Error(), "champion") {
		t.Fatalf("delete aliased: %v, want ErrInUse naming champion", err)
	}
	if err := s.Delete(ctx, "m", 3); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "m", 3); !errors.Is(err, modelstore.ErrNotFound) {
		t.Fatalf("get deleted: %v", err)
	}
	if _, err := s.OpenBlob(ctx, "m", 3); !errors.Is(err, modelstore.ErrNotFound) {
		t.Fatalf("open deleted: %v", err)
	}
	if err := s.Delete(ctx, "m", 3); !errors.Is(err, modelstore.ErrNotFound) {
		t.Fatalf("delete deleted: %v", err)
	}
	if l, err := s.Latest(ctx, "m"); err != nil || l.Version != 2 {
		t.Fatalf("latest after delete = %d, %v; want 2", l.Version, err)
	}
	// Numbers are never reused.
	if v := create(t, s, "m", "again"); v.Version != 4 {
		t.Fatalf("next version after deleting v3 = %d, want 4", v.Version)
	}
	evs := allEvents(t, s)
	if last := evs[len(evs)-2]; last.Type != modelstore.EventDeleted || last.Version != 3 {
		t.Fatalf("event before the last = %+v, want model.deleted v3", last)
	}
}

func testGC(t *testing.T, s modelstore.Store) {
	ctx := ctxT(t)
	for range 7 {
		create(t, s, "a", "x")
	}
	create(t, s, "b", "x")
	create(t, s, "b", "x")
	setStage(t, s, "a", 2, modelstore.StageValidated)
	setStage(t, s, "a", 2, modelstore.StageDeployed)
	if err := s.SetAlias(ctx, "a", "champion", 3); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GC(ctx, "a", modelstore.GCPolicy{}); err == nil || !strings.Contains(err.Error(), "keep_last") {
		t.Fatalf("zero policy: %v, want an error naming keep_last", err)
	}
	removed, err := s.GC(ctx, "", modelstore.GCPolicy{KeepLast: 2})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range removed {
		got = append(got, fmt.Sprintf("%s/%d", v.Model, v.Version))
	}
	if !slices.Equal(got, []string{"a/1", "a/4", "a/5"}) {
		t.Fatalf("gc removed %v, want [a/1 a/4 a/5]", got)
	}
	page, _, err := s.ListVersions(ctx, "a", modelstore.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var left []int64
	for _, v := range page {
		left = append(left, v.Version)
	}
	if !slices.Equal(left, []int64{2, 3, 6, 7}) {
		t.Fatalf("left %v, want [2 3 6 7]", left)
	}
	deleted := 0
	for _, ev := range allEvents(t, s) {
		if ev.Type == modelstore.EventDeleted {
			deleted++
		}
	}
	if deleted != 3 {
		t.Fatalf("%d model.deleted events, want 3", deleted)
	}
	if removed, err := s.GC(ctx, "a", modelstore.GCPolicy{KeepLast: 2}); err != nil || len(removed) != 0 {
		t.Fatalf("second gc removed %v, %v", removed, err)
	}
	if v := create(t, s, "a", "x"); v.Version != 8 {
		t.Fatalf("next version after gc = %d, want 8", v.Version)
	}
}

func testLargeBlob(t *testing.T, s modelstore.Store) {
	ctx := ctxT(t)
	const size = 5<<20 + 12345
	data := make([]byte, size)
	r := rand.NewChaCha8([32]byte{7})
	_, _ = r.Read(data)
	v, err := s.Create(ctx, "big", bytes.NewReader(data), modelstore.Info{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Size != size {
		t.Fatalf("size %d, want %d", v.Size, size)
	}
	rc, err := s.OpenBlob(ctx, "big", v.Version)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	// Read in odd-sized pieces to cross chunk boundaries unaligned.
	var got bytes.Buffer
	buf := make([]byte, 100_003)
	for {
		n, err := rc.Read(buf)
		got.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("round trip: %d bytes back, content differs", got.Len())
	}
}

func testBadNames(t *testing.T, s modelstore.Store) {
	ctx := ctxT(t)
	for _, bad := range []string{"", ".hidden", "a/b", "../x", strings.Repeat("x", 129), "sp ace"} {
		if _, err := s.Create(ctx, bad, strings.NewReader(""), modelstore.Info{}); !errors.Is(err, modelstore.ErrInvalidName) {
			t.Errorf("create %q: %v, want ErrInvalidName", bad, err)
		}
		if _, err := s.Get(ctx, bad, 1); !errors.Is(err, modelstore.ErrInvalidName) {
			t.Errorf("get %q: %v, want ErrInvalidName", bad, err)
		}
	}
	if ms, err := s.ListModels(ctx); err != nil || len(ms) != 0 {
		t.Fatalf("models after bad creates: %v, %v", ms, err)
	}
}
