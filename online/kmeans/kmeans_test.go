package kmeans

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/connectors/generate"
	ekmeans "github.com/eddyml/eddy/estimators/kmeans"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// blobs returns the seed-1 blobs stream (k centers in 3 dimensions, noise
// 0.5, optional drift) as dense "features" batches, and its source for
// the true centers. The caller releases both.
func blobs(t testing.TB, mem memory.Allocator, k, rows, batch int, drift generate.Drift) ([]arrow.Record, *generate.Source) {
	t.Helper()
	cfg := generate.Config{Kind: generate.Blobs, Seed: 1, K: k, NumNumeric: 3, Noise: 0.5, Rows: int64(rows),
		BatchSize: batch, Drift: drift, Allocator: mem}
	src, err := generate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out []arrow.Record
	for src.Next() {
		r := src.Record()
		n := int(r.NumRows())
		vecs := make([][]float64, n)
		cols := make([][]float64, 3)
		for j := range cols {
			cols[j], _ = table.Float64s(r.Column(j))
		}
		for i := range vecs {
			vecs[i] = []float64{cols[0][i], cols[1][i], cols[2][i]}
		}
		rec, err := table.Build(mem, table.DenseCol("features", 3, vecs))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	return out, src
}

func release(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

func mustNew(t testing.TB, v map[string]any) *KMeans {
	t.Helper()
	m, err := New(v)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// maxCenterError is the largest distance from a true center to the
// nearest learned one.
func maxCenterError(truth, got [][]float64) float64 {
	var worst float64
	for _, c := range truth {
		best := math.Inf(1)
		for _, g := range got {
			best = min(best, math.Sqrt(sq(c, g)))
		}
		worst = max(worst, best)
	}
	return worst
}

func learnAll(t testing.TB, m *KMeans, recs []arrow.Record) {
	t.Helper()
	for _, r := range recs {
		if err := m.Update(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFindsBlobs: with decay 1, every true center of 4 blobs (noise 0.5,
// centers spread over [-5, 5]^3) is within 0.05 of a learned centroid after
// 10,000 rows in batches of 200.
func TestFindsBlobs(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs, src := blobs(t, mem, 4, 10_000, 200, generate.Drift{})
	defer src.Release()
	defer release(recs)
	m := mustNew(t, map[string]any{"k": 4})
	learnAll(t, m, recs)
	e := maxCenterError(src.Truth(0).Centers, m.Centers())
	t.Logf("largest center error %.4f, weights %v", e, m.Weights())
	if e > 0.05 {
		t.Errorf("largest center error %.4f, want <= 0.05", e)
	}
	var sum float64
	for _, w := range m.Weights() {
		sum += w
	}
	if sum != 10_000 || m.Rows() != 10_000 {
		t.Errorf("weights sum to %v after %d rows, want 10000", sum, m.Rows())
	}
}

// TestFollowsDrift: the centers move to new positions between rows 2,000
// and 9,000; with decay 0.5 the centroids follow them (error <= 0.1 at
// the end) while decay 1 lags behind.
func TestFollowsDrift(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs, src := blobs(t, mem, 3, 10_000, 200, generate.Drift{At: 2000, Width: 7000})
	defer src.Release()
	defer release(recs)
	after := src.Truth(9999).Centers
	forget := mustNew(t, map[string]any{"k": 3, "decay_factor": 0.5})
	learnAll(t, forget, recs)
	keep := mustNew(t, map[string]any{"k": 3})
	learnAll(t, keep, recs)
	ef, ek := maxCenterError(after, forget.Centers()), maxCenterError(after, keep.Centers())
	t.Logf("error after drift: decay 0.5 %.4f, decay 1 %.4f", ef, ek)
	if ef > 0.1 || ek < 2*ef {
		t.Errorf("error after drift: decay 0.5 %.4f (want <= 0.1), decay 1 %.4f (want larger)", ef, ek)
	}
}

// TestSnapshotRestoreBitIdentical cuts the stream at points inside and
// after the initial buffering (batches of 3 rows, k = 4).
func TestSnapshotRestoreBitIdentical(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs, src := blobs(t, mem, 4, 300, 3, generate.Drift{})
	defer src.Release()
	defer release(recs)
	params := map[string]any{"k": 4, "decay_factor": 0.9, "seed": int64(5)}
	full := mustNew(t, params)
	learnAll(t, full, recs)
	want, _ := full.Snapshot()
	for _, cut := range []int{0, 1, 2, 50, len(recs) - 1} {
		a := mustNew(t, params)
		learnAll(t, a, recs[:cut])
		snap, _ := a.Snapshot()
		b := mustNew(t, params)
		if err := b.Restore(snap); err != nil {
			t.Fatal(err)
		}
		learnAll(t, b, recs[cut:])
		if got, _ := b.Snapshot(); !bytes.Equal(got, want) {
			t.Errorf("cut %d: final state differs from the uninterrupted run", cut)
		}
	}
	if err := mustNew(t, map[string]any{"k": 4, "decay_factor": 0.9}).Restore(want); err == nil {
		t.Error("restore with another seed: want an error")
	}
	if err := mustNew(t, params).Restore(want[:len(want)-1]); err == nil {
		t.Error("truncated snapshot: want an error")
	}
}

// TestModelSparseAndWarmStart: the kmeans_model assigns like the learner,
// sparse input learns like dense, and a warm start from a batch KMeans
// fit keeps its centers.
func TestModelSparseAndWarmStart(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	recs, src := blobs(t, mem, 3, 2000, 500, generate.Drift{})
	defer src.Release()
	defer release(recs)
	m := mustNew(t, map[string]any{"k": 3})
	sp := mustNew(t, map[string]any{"k": 3})
	for _, r := range recs {
		if err := m.Update(ctx, r); err != nil {
			t.Fatal(err)
		}
		x, _, _ := table.DenseVectors(r.Column(0))
		vecs := make([]table.SparseVector, r.NumRows())
		for i := range vecs {
			vecs[i] = table.SparseVector{Size: 3, Indices: []int32{0, 1, 2}, Values: x[i*3 : i*3+3]}
		}
		s, err := table.Build(mem, table.SparseCol("features", vecs))
		if err != nil {
			t.Fatal(err)
		}
		err = sp.Update(ctx, s)
		s.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	a, _ := m.Snapshot()
	b, _ := sp.Snapshot()
	if !bytes.Equal(a, b) {
		t.Error("sparse and dense inputs learn different states")
	}
	model, err := m.Model(9)
	if err != nil {
		t.Fatal(err)
	}
	out, err := model.Transform(ctx, recs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	got, _ := m.Predict(recs[0], nil)
	pc := out.Column(out.Schema().FieldIndices("prediction")[0])
	for i, c := range got {
		if v := table.Value(pc, i); toInt(v) != c {
			t.Fatalf("row %d: model %v, learner %d", i, v, c)
		}
	}

	est, err := ekmeans.New(map[string]any{"k": 3})
	if err != nil {
		t.Fatal(err)
	}
	tbl, _ := table.New(recs[0].Schema(), recs...)
	rd := tbl.Reader()
	bm, err := est.Fit(ctx, rd)
	rd.Release()
	tbl.Release()
	if err != nil {
		t.Fatal(err)
	}
	data := bm.ModelData()
	defer release(data)
	warm := mustNew(t, map[string]any{"k": 3})
	if err := warm.WarmStart(data...); err != nil {
		t.Fatal(err)
	}
	if e := maxCenterError(bm.(*ekmeans.Model).Centers(), warm.Centers()); e != 0 {
		t.Errorf("warm start moved the centers by %v", e)
	}
	if err := mustNew(t, map[string]any{"k": 2}).WarmStart(data...); err == nil || !strings.Contains(err.Error(), "k is 2") {
		t.Errorf("warm start with another k: %v", err)
	}
}

func toInt(v any) int {
	switch x := v.(type) {
	case int64:
		return int(x)
	case int32:
		return int(x)
	case float64:
		return int(x)
	}
	return -2
}

func TestRowPathAndErrors(t *testing.T) {
	m := mustNew(t, map[string]any{"k": 2})
	for i, x := range [][]float64{{0, 0}, {10, 10}, {0, 1}, {10, 11}} {
		c, err := m.UpdateDense(x)
		if err != nil {
			t.Fatal(err)
		}
		if i < 1 && c != -1 {
			t.Errorf("row %d buffered, got cluster %d", i, c)
		}
	}
	if _, err := m.UpdateDense([]float64{1}); err == nil {
		t.Error("wrong size: want an error")
	}
	if _, err := m.UpdateDense([]float64{1, math.NaN()}); err == nil {
		t.Error("NaN: want an error")
	}
	c := m.Centers()
	if maxCenterError([][]float64{{0, 0.5}, {10, 10.5}}, c) > 1e-12 {
		t.Errorf("centers %v, want (0, 0.5) and (10, 10.5)", c)
	}
	if _, err := New(map[string]any{"decay_factor": 1.5}); err == nil || !strings.Contains(err.Error(), Kind) {
		t.Errorf("decay_factor 1.5: %v", err)
	}
}
