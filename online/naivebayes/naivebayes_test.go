package naivebayes

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/connectors/generate"
	enb "github.com/eddyml/eddy/estimators/naivebayes"
	"github.com/eddyml/eddy/eval"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/featurehasher"
)

// gaussianData is 3 blobs in 4 dimensions (noise 2) with the cluster as a
// float label; multinomialData hashes 3 categorical fields of the
// classification stream (non-negative counts) with its 0/1 label.
func gaussianData(t testing.TB, mem memory.Allocator, rows, batch int) []arrow.Record {
	src, err := generate.New(generate.Config{Kind: generate.Blobs, Seed: 1, K: 3, NumNumeric: 4, Noise: 2, Rows: int64(rows), BatchSize: batch, Allocator: mem})
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
			y[i] = float64(v) * 10 // labels 0, 10, 20
		}
		rec, err := table.Build(mem, table.DenseCol("features", 4, vecs), table.Col("label", y))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	return out
}

func multinomialData(t testing.TB, mem memory.Allocator, rows, batch int) []arrow.Record {
	src, err := generate.New(generate.Config{Seed: 1, NumCategorical: 3, Cardinality: []int{30}, Rows: int64(rows), BatchSize: batch, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Release()
	fh, _ := featurehasher.New(map[string]any{"input_cols": []string{"c0", "c1", "c2"}, "output_col": "features", "num_features": 64})
	ctx := pipeline.WithAllocator(context.Background(), mem)
	var out []arrow.Record
	for src.Next() {
		r, err := fh.Transform(ctx, src.Record())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func release(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

func close(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(b)) }

// TestEqualsBatchFit: after learning a stream batch by batch, the model
// equals the batch estimator's fit on the whole stream (1e-9 relative).
func TestEqualsBatchFit(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	for _, gaussian := range []bool{true, false} {
		var recs []arrow.Record
		var l *NB
		var est interface {
			Fit(context.Context, table.Reader) (pipeline.Model, error)
		}
		var err error
		if gaussian {
			recs = gaussianData(t, mem, 3000, 250)
			l, err = NewGaussian(nil)
			est, _ = enb.NewGaussian(nil)
		} else {
			recs = multinomialData(t, mem, 3000, 250)
			l, err = NewMultinomial(map[string]any{"alpha": 0.5})
			est, _ = enb.NewMultinomial(map[string]any{"alpha": 0.5})
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if err := l.Update(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		tbl, _ := table.New(recs[0].Schema(), recs...)
		rd := tbl.Reader()
		bm, err := est.Fit(ctx, rd)
		rd.Release()
		tbl.Release()
		if err != nil {
			t.Fatal(err)
		}
		om, err := l.Model(1)
		if err != nil {
			t.Fatal(err)
		}
		b := bm.(*enb.Model)
		for name, pair := range map[string][2][]float64{
			"labels": {om.Labels(), b.Labels()}, "log priors": {om.LogPriors(), b.LogPriors()},
			"theta": {om.Theta(), b.Theta()}, "vars": {om.Vars(), b.Vars()},
		} {
			if len(pair[0]) != len(pair[1]) {
				t.Fatalf("gaussian=%v %s: %d values, batch fit %d", gaussian, name, len(pair[0]), len(pair[1]))
			}
			for i := range pair[0] {
				if !close(pair[0][i], pair[1][i]) {
					t.Fatalf("gaussian=%v %s[%d] = %v, batch fit %v", gaussian, name, i, pair[0][i], pair[1][i])
				}
			}
		}
		release(recs)
	}
}

// TestPrequentialAccuracy: progressive accuracy on 3 blobs (noise 2) is at
// least 0.85 and predictions before any class are NaN.
func TestPrequentialAccuracy(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := gaussianData(t, mem, 5000, 500)
	defer release(recs)
	l, _ := NewGaussian(nil)
	var pred, y, dst []float64
	var err error
	for _, r := range recs {
		if dst, err = l.UpdatePredict(context.Background(), r, dst); err != nil {
			t.Fatal(err)
		}
		pred = append(pred, dst...)
		v, _ := table.Float64s(r.Column(1))
		y = append(y, v...)
	}
	if !math.IsNaN(pred[0]) {
		t.Errorf("first prediction %v, want NaN", pred[0])
	}
	for i := range pred {
		if math.IsNaN(pred[i]) {
			pred[i] = -1
		}
	}
	acc, _ := eval.Accuracy(y, pred, nil)
	t.Logf("progressive accuracy %.4f", acc)
	if acc < 0.85 {
		t.Errorf("progressive accuracy %.4f, want >= 0.85", acc)
	}
}

func TestSnapshotRestoreAndErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	recs := gaussianData(t, mem, 1000, 100)
	defer release(recs)
	full, _ := NewGaussian(nil)
	for _, r := range recs {
		full.Update(ctx, r)
	}
	want, _ := full.Snapshot()
	for _, cut := range []int{0, 1, 5} {
		a, _ := NewGaussian(nil)
		for _, r := range recs[:cut] {
			a.Update(ctx, r)
		}
		snap, _ := a.Snapshot()
		b, _ := NewGaussian(nil)
		if err := b.Restore(snap); err != nil {
			t.Fatal(err)
		}
		for _, r := range recs[cut:] {
			if err := b.Update(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := b.Snapshot(); !bytes.Equal(got, want) {
			t.Errorf("cut %d: restored run differs", cut)
		}
	}
	mn, _ := NewMultinomial(nil)
	if err := mn.Restore(want); err == nil {
		t.Error("restore of a Gaussian snapshot into a multinomial learner: want an error")
	}
	if _, err := mn.UpdateDense([]float64{1, -1}, 0); err == nil || !strings.Contains(err.Error(), ">= 0") {
		t.Errorf("negative count: %v", err)
	}
	if _, err := NewGaussian(map[string]any{"var_smoothing": -1.0}); err == nil || !strings.Contains(err.Error(), GaussianKind) {
		t.Errorf("bad var_smoothing: %v", err)
	}
	if _, err := NewGaussian(map[string]any{"alpha": 1.0}); err == nil {
		t.Error("alpha on the Gaussian learner: want an error")
	}
	if _, err := mn.UpdateDense([]float64{1, 2}, 0); err != nil {
		t.Fatal(err)
	}
	if recs, err := mn.ModelData(memory.DefaultAllocator, 0); err != nil {
		t.Errorf("model after one row: %v", err)
	} else {
		release(recs)
	}
	empty, _ := NewMultinomial(nil)
	if _, err := empty.ModelData(memory.DefaultAllocator, 0); err == nil {
		t.Error("model before any row: want an error")
	}
}
