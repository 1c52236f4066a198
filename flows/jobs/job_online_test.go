package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eddyml/eddy/flows/jobs"
	"github.com/eddyml/eddy/online/modelstream"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/serving/httpapi"
	"github.com/eddyml/eddy/serving/modelstore"
)

const onlineFlow = `name: f
jobs:
  data: {kind: ingest, from: {generate: {rows: 4000, seed: 42, num_numeric: 2, num_categorical: 1}}, to: d.parquet}
  train:
    kind: train
    after: [data]
    input: d.parquet
    model: m
    pipeline:
      stages:
        - {kind: feature_hasher, params: {input_cols: [x0, x1, c0], output_col: features, num_features: 512}}
        - {kind: logistic_regression, params: {features_col: features}}
  learn:
    kind: online
    after: [train]
    model: m
    version: "1"
    input: {generate: {seed: 42, first_row: 4000, rows: 30000, batch_size: 500, num_numeric: 2, num_categorical: 1}}
    rate: 30000
    publish: {every_rows: 10000}
    checkpoint_every: 50ms
`

// onlineVersions runs the flow's jobs in a fresh registry; with crashAfter
// > 0 the online job is cancelled that long after it starts and run again
// (a second attempt of the same instance, as the scheduler would after a
// crash). It returns the model data of the online versions by online
// version, and the second attempt's outputs.
func onlineVersions(t *testing.T, crashAfter time.Duration) (map[string][]byte, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	f, js := build(t, dir, onlineFlow)
	reg, err := modelstore.OpenDir(filepath.Join(dir, "reg"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	env := func(job string, attempt int) *jobs.Env {
		return &jobs.Env{Flow: f, RunID: "r", Job: job, Instance: job + "#1", Attempt: attempt, Registry: reg,
			CheckpointDir: filepath.Join(dir, "ckpt", job), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	}
	ctx := context.Background()
	for _, j := range []string{"data", "train"} {
		if _, err := js[j].Run(ctx, env(j, 1)); err != nil {
			t.Fatalf("%s: %v", j, err)
		}
	}
	attempt := 1
	if crashAfter > 0 {
		cctx, cancel := context.WithTimeout(ctx, crashAfter)
		_, err := js["learn"].Run(cctx, env("learn", 1))
		cancel()
		if err == nil || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("the first attempt ended with %v before the crash; make the stream longer", err)
		}
		attempt = 2
	}
	res, err := js["learn"].Run(ctx, env("learn", attempt))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	page, _, err := reg.ListVersions(ctx, "m", modelstore.ListOptions{Limit: modelstore.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range page {
		ov := v.Params["online_version"]
		if ov == "" {
			continue
		}
		if _, dup := out[ov]; dup {
			t.Errorf("online version %s registered twice", ov)
		}
		st, err := modelstore.LoadStage(ctx, reg, "m", v.Version, nil)
		if err != nil {
			t.Fatal(err)
		}
		stages := st.(*pipeline.PipelineModel).Stages()
		data := stages[len(stages)-1].(pipeline.Model).ModelData()
		b, err := modelstream.EncodeData(data)
		for _, r := range data {
			r.Release()
		}
		if err != nil {
			t.Fatal(err)
		}
		out[ov] = b
	}
	return out, res.Outputs
}

// TestOnlineJobResumesFromCheckpoint: an online job cut off mid-stream
// continues in its next attempt from its newest checkpoint and registers
// exactly the versions, bit for bit, of a run that was never cut off.
func TestOnlineJobResumesFromCheckpoint(t *testing.T) {
	want, _ := onlineVersions(t, 0)
	if len(want) != 3 {
		t.Fatalf("reference run registered online versions %v, want 1, 2, 3", len(want))
	}
	got, outputs := onlineVersions(t, 400*time.Millisecond)
	if n, _ := strconv.Atoi(outputs["restored_checkpoint"]); n == 0 {
		t.Errorf("the second attempt did not start from a checkpoint: outputs %v", outputs)
	}
	if outputs["rows"] != "30000" {
		t.Errorf("rows learned %s, want 30000", outputs["rows"])
	}
	for v, b := range want {
		if !bytes.Equal(got[v], b) {
			t.Errorf("online version %s differs from the uninterrupted run's", v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d online versions, want %d", len(got), len(want))
	}
}

// TestTrainedVersionsCarryServingParams: a trained version records the
// input columns its pipeline reads (typed, nullable; not the label or the
// timestamp) and the prediction columns it returns, and the versions an
// online learner derives from it carry the same.
func TestTrainedVersionsCarryServingParams(t *testing.T) {
	dir := t.TempDir()
	f, js := build(t, dir, onlineFlow)
	reg, err := modelstore.OpenDir(filepath.Join(dir, "reg"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	ctx := context.Background()
	for _, j := range []string{"data", "train", "learn"} {
		env := &jobs.Env{Flow: f, RunID: "r", Job: j, Instance: j + "#1", Attempt: 1, Registry: reg,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if _, err := js[j].Run(ctx, env); err != nil {
			t.Fatalf("%s: %v", j, err)
		}
	}
	page, _, err := reg.ListVersions(ctx, "m", modelstore.ListOptions{Limit: modelstore.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) < 2 {
		t.Fatalf("%d versions, want the trained one and online ones", len(page))
	}
	for _, v := range page {
		in, err := httpapi.InputSchema(v.Info)
		if err != nil || in == nil {
			t.Fatalf("version %d: input schema %v, %v", v.Version, in, err)
		}
		var names []string
		for _, fld := range in.Fields() {
			names = append(names, fld.Name)
			if !fld.Nullable {
				t.Errorf("version %d: %s is not nullable", v.Version, fld.Name)
			}
		}
		if got := strings.Join(names, ","); got != "x0,x1,c0" {
			t.Errorf("version %d: input columns %s, want x0,x1,c0", v.Version, got)
		}
		if got := v.Params[httpapi.ParamOutputCols]; got != "prediction,probability,raw_prediction" {
			t.Errorf("version %d: output columns %q", v.Version, got)
		}
	}
}
