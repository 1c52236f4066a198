package softmax

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/connectors/generate"
	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/eval"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// blobs is the seed-1 generate blobs stream (k clusters in 4 dimensions,
// noise sd), features as a dense vector and the cluster as a float label.
func blobs(t testing.TB, mem memory.Allocator, k, rows, batch int, sd float64) []arrow.Record {
	t.Helper()
	src, err := generate.New(generate.Config{Kind: generate.Blobs, Seed: 1, K: k, NumNumeric: 4, Noise: sd,
		Rows: int64(rows), BatchSize: batch, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Release()
	var out []arrow.Record
	for src.Next() {
		r := src.Record()
		n := int(r.NumRows())
		vecs := make([][]float64, n)
		cols := make([][]float64, 4)
		for j := range cols {
			cols[j], _ = table.Float64s(r.Column(j))
		}
		for i := range vecs {
			vecs[i] = []float64{cols[0][i], cols[1][i], cols[2][i], cols[3][i]}
		}
		c, _ := table.Int64s(r.Column(4))
		y := make([]float64, n)
		for i, v := range c {
			y[i] = float64(v)
		}
		rec, err := table.Build(mem, table.DenseCol("features", 4, vecs), table.Col("label", y))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	return out
}

func release(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

func mustNew(t testing.TB, v map[string]any) *Softmax {
	t.Helper()
	s, err := New(v)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestLearnsBlobs: on 10,000 rows of 4 overlapping blobs (noise sd 3) the
// progressive accuracy is within 0.03 of the nearest-true-center rule (the
// Bayes rule here) and the multiclass log loss at most 0.45.
func TestLearnsBlobs(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := blobs(t, mem, 4, 10_000, 500, 3)
	defer release(recs)
	s := mustNew(t, map[string]any{"labels": []float64{0, 1, 2, 3}})
	var p, dst, y []float64
	var err error
	for _, r := range recs {
		if dst, err = s.UpdatePredict(context.Background(), r, dst); err != nil {
			t.Fatal(err)
		}
		p = append(p, dst...)
		l, _ := table.Float64s(r.Column(1))
		y = append(y, l...)
	}
	yi := make([]int, len(y))
	pred := make([]float64, len(y))
	for i, v := range y {
		yi[i] = int(v)
		best := 0
		for c := range 4 {
			if p[i*4+c] > p[i*4+best] {
				best = c
			}
		}
		pred[i] = float64(best)
	}
	ll, err := eval.LogLoss(yi, p, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	acc, _ := eval.Accuracy(y, pred, nil)
	bayes := bayesAccuracy(t, recs, 4)
	t.Logf("progressive log loss %.4f accuracy %.4f; nearest true center %.4f", ll, acc, bayes)
	if ll > 0.45 || acc < bayes-0.03 {
		t.Errorf("progressive log loss %.4f accuracy %.4f, want <= 0.45 and >= %.4f", ll, acc, bayes-0.03)
	}
}

// bayesAccuracy is the accuracy of assigning each row to the nearest true
// blob center of the seed-1 stream.
func bayesAccuracy(t testing.TB, recs []arrow.Record, k int) float64 {
	src, err := generate.New(generate.Config{Kind: generate.Blobs, Seed: 1, K: k, NumNumeric: 4, Noise: 3, Rows: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Release()
	centers := src.Truth(0).Centers
	var hit, n float64
	for _, r := range recs {
		x, _, _ := table.DenseVectors(r.Column(0))
		y, _ := table.Float64s(r.Column(1))
		for i := range y {
			best, bd := 0, math.Inf(1)
			for c, ctr := range centers {
				d := 0.0
				for j, v := range ctr {
					d += (x[i*4+j] - v) * (x[i*4+j] - v)
				}
				if d < bd {
					best, bd = c, d
				}
			}
			if float64(best) == y[i] {
				hit++
			}
			n++
		}
	}
	return hit / n
}

func TestSnapshotRestoreBitIdentical(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := blobs(t, mem, 3, 3000, 250, 2)
	defer release(recs)
	ctx := context.Background()
	for _, opt := range []string{"sgd", "adagrad"} {
		params := map[string]any{"labels": []float64{0, 1, 2}, "optimizer": opt, "reg_param": 1e-3}
		full := mustNew(t, params)
		for _, r := range recs {
			if err := full.Update(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		want, _ := full.Snapshot()
		for _, cut := range []int{0, 5, len(recs) - 1} {
			a := mustNew(t, params)
			for _, r := range recs[:cut] {
				if err := a.Update(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			snap, _ := a.Snapshot()
			b := mustNew(t, params)
			if err := b.Restore(snap); err != nil {
				t.Fatal(err)
			}
			for _, r := range recs[cut:] {
				if err := b.Update(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			if got, _ := b.Snapshot(); !bytes.Equal(got, want) {
				t.Errorf("%s cut %d: final state differs from the uninterrupted run", opt, cut)
			}
		}
	}
}

// TestModelAndWarmStart: the learner's model scores like the learner, and
// a learner warm-started from a multinomial LogisticRegression predicts
// like it; the sparse per-row path matches the dense batch path.
func TestModelAndWarmStart(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	recs := blobs(t, mem, 3, 2000, 500, 2)
	defer release(recs)
	s := mustNew(t, map[string]any{"labels": []float64{0, 1, 2}})
	row := mustNew(t, map[string]any{"labels": []float64{0, 1, 2}, "num_features": 4})
	var buf []float64
	for _, r := range recs[:2] {
		if err := s.Update(ctx, r); err != nil {
			t.Fatal(err)
		}
		x, _, _ := table.DenseVectors(r.Column(0))
		y, _ := table.Float64s(r.Column(1))
		for i := range y {
			var idx []int32
			var vals []float64
			for j, v := range x[i*4 : i*4+4] {
				if v != 0 {
					idx = append(idx, int32(j))
					vals = append(vals, v)
				}
			}
			var err error
			if buf, err = row.UpdateRow(idx, vals, y[i], buf); err != nil {
				t.Fatal(err)
			}
		}
	}
	a, _ := s.Snapshot()
	b, _ := row.Snapshot()
	if !bytes.Equal(a, b) {
		t.Error("per-row sparse path and dense batch path disagree")
	}
	check := func(what string, got []float64, m pipeline.Model, rec arrow.Record, tol float64) {
		out, err := m.Transform(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Release()
		want, _, _ := table.DenseVectors(out.Column(out.Schema().FieldIndices("probability")[0]))
		for i := range got {
			if math.Abs(got[i]-want[i]) > tol {
				t.Fatalf("%s: value %d = %v, model %v", what, i, got[i], want[i])
			}
		}
	}
	m, err := s.Model(4)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Predict(recs[2], nil)
	check("learner vs its model", got, m, recs[2], 1e-12)

	tbl, _ := table.New(recs[0].Schema(), recs[:2]...)
	rd := tbl.Reader()
	est, _ := logreg.New(map[string]any{"reg_param": 0.1})
	bm, err := est.Fit(ctx, rd)
	rd.Release()
	tbl.Release()
	if err != nil {
		t.Fatal(err)
	}
	data := bm.ModelData()
	defer release(data)
	warm := mustNew(t, nil)
	if err := warm.WarmStart(data...); err != nil {
		t.Fatal(err)
	}
	got, _ = warm.Predict(recs[3], nil)
	check("warm start vs batch model", got, bm, recs[3], 1e-9)
	if err := mustNew(t, map[string]any{"labels": []float64{0, 1}}).WarmStart(data...); err == nil {
		t.Error("warm start with other labels: want an error")
	}
}

func TestErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	for _, v := range []map[string]any{{"labels": []float64{1}}, {"labels": []float64{1, 1}}, {"optimizer": "adam"}, {"learning_rate": -1.0}} {
		if _, err := New(v); err == nil || !strings.Contains(err.Error(), Kind) {
			t.Errorf("New(%v): %v, want an error naming %s", v, err, Kind)
		}
	}
	r, _ := table.Build(mem, table.DenseCol("features", 1, [][]float64{{1}, {2}}), table.Col("label", []float64{0, 5}))
	defer r.Release()
	if err := mustNew(t, nil).Update(ctx, r); err == nil || !strings.Contains(err.Error(), "no labels") {
		t.Errorf("no labels: %v", err)
	}
	s := mustNew(t, map[string]any{"labels": []float64{0, 1}})
	if err := s.Update(ctx, r); err == nil || !strings.Contains(err.Error(), `column "label" row 1: label 5`) {
		t.Errorf("unknown label: %v", err)
	}
	snap, _ := s.Snapshot()
	if err := mustNew(t, map[string]any{"labels": []float64{0, 1}, "optimizer": "sgd"}).Restore(snap); err == nil {
		t.Error("restore into another optimizer: want an error")
	}
	if err := mustNew(t, nil).Restore(snap[:len(snap)-2]); err == nil {
		t.Error("truncated snapshot: want an error")
	}
}
