package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
	_ "github.com/eddyml/eddy/connectors/all"
	"github.com/eddyml/eddy/flows/jobs"
	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/serving/modelstore"
)

func TestEnvironment(t *testing.T) {
	env := jobs.NewEnvironment()
	if got := strings.Join(env.KindNames(), ","); got != "deploy,ingest,online,python,serve,shell,train,validate" {
		t.Errorf("kinds %s", got)
	}
	ok := jobs.Kind{Spec: spec.JobKind{Kind: "noop", Parse: func(*spec.Fields) spec.JobConfig { return nil }},
		New: func(*spec.Job, *spec.Flow) (jobs.Job, error) { return nil, errors.New("x") }}
	if err := env.Register(ok); err != nil {
		t.Fatal(err)
	}
	if err := env.Register(ok); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Errorf("duplicate: %v", err)
	}
	bad := ok
	bad.Spec.Kind = "Bad Kind"
	if err := env.Register(bad); err == nil {
		t.Error("bad name accepted")
	}
	if _, found := jobs.Global().LookupKind("noop"); found {
		t.Error("registering in a copy changed the global environment")
	}
	if _, err := env.New(&spec.Job{Name: "j", Kind: "noop"}, &spec.Flow{}); err == nil || !strings.Contains(err.Error(), `job "j" (noop): x`) {
		t.Errorf("constructor error: %v", err)
	}
	if !jobs.IsPermanent(jobs.Permanent(io.EOF)) || jobs.IsPermanent(io.EOF) || jobs.Permanent(nil) != nil {
		t.Error("Permanent")
	}
}

func build(t *testing.T, dir, src string) (*spec.Flow, map[string]jobs.Job) {
	t.Helper()
	f, err := spec.ParseFlowWith(spec.FlowOptions{Kinds: jobs.Global(), Dir: dir}, filepath.Join(dir, "f.yaml"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]jobs.Job{}
	for _, name := range f.Order {
		j, err := jobs.Global().New(f.Jobs[name], f)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = j
	}
	return f, out
}

func TestIngestGenerated(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	dir := t.TempDir()
	f, js := build(t, dir, "name: f\njobs:\n  gen: {kind: ingest, from: {generate: {rows: 1234, seed: 5}}, to: out/d.csv}\n")
	res, err := js["gen"].Run(ctx, &jobs.Env{Flow: f, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outputs["rows"] != "1234" {
		t.Errorf("outputs %v", res.Outputs)
	}
	src, err := connectors.Open(ctx, filepath.Join(dir, "out/d.csv"), connectors.ReadOptions{Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := table.ReadAll(src)
	src.Release()
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if tbl.NumRows() != 1234 {
		t.Errorf("%d rows", tbl.NumRows())
	}
}

func TestServeUntilCancelled(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	f, js := build(t, dir, "name: f\njobs:\n  web: {kind: serve, addr: \""+addr+"\"}\n")
	reg, err := modelstore.OpenDir(filepath.Join(dir, "reg"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := js["web"].Run(ctx, &jobs.Env{Flow: f, Registry: reg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		done <- err
	}()
	var resp *http.Response
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("healthz: %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve returned %v after cancel, want nil", err)
	}
}

func TestShellEnvAndFailure(t *testing.T) {
	dir := t.TempDir()
	f, js := build(t, dir, `name: f
jobs:
  ok: {kind: shell, command: sh, args: [-c, 'echo "$EDDY_FLOW $EDDY_JOB $EDDY_EVENT_VERSION $GREETING" > out.txt'], env: {GREETING: hi}}
  bad: {kind: shell, command: sh, args: [-c, 'exit 3']}
`)
	env := &jobs.Env{Flow: f, Job: "ok", Trigger: &jobs.Event{Type: "model.created", Version: 4}}
	if _, err := js["ok"].Run(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "out.txt")); strings.TrimSpace(string(data)) != "f ok 4 hi" {
		t.Errorf("out.txt %q", data)
	}
	if _, err := js["bad"].Run(context.Background(), &jobs.Env{Flow: f, Job: "bad"}); err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("bad: %v", err)
	}
}
