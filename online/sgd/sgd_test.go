package sgd

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/connectors/generate"
	"github.com/eddyml/eddy/estimators/linreg"
	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/eval"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// TestLearnsGeneratedStream documents the quality of each optimizer on
// 20,000 rows of the seed-1 generate stream (hashed into 1024 features,
// abrupt drift at row 10,000): progressive log loss of the logistic
// learner (the hidden model's own is 0.528, FTRL's 0.572) and progressive
// RMSE of the linear learner on the regression stream (noise 0.5).
func TestLearnsGeneratedStream(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cls := hashed(t, mem, generate.Classification, 20_000, 1000)
	defer releaseAll(cls)
	reg := hashed(t, mem, generate.Regression, 20_000, 1000)
	defer releaseAll(reg)
	yc, yr := labels(t, cls), labels(t, reg)
	for _, tc := range []struct {
		params          map[string]any
		maxLoss, maxRMS float64
	}{
		{map[string]any{"optimizer": SGD, "learning_rate": 0.2}, 0.575, 0.65},
		{map[string]any{}, 0.565, 0.60}, // adagrad 0.5
		{map[string]any{"optimizer": AdaGrad, "mini_batch_size": 10}, 0.565, 0.60},
		{map[string]any{"optimizer": RMSProp, "learning_rate": 0.02}, 0.575, 0.65},
		{map[string]any{"optimizer": Adam, "learning_rate": 0.02}, 0.57, 0.63},
		{map[string]any{"optimizer": Adam, "learning_rate": 0.02, "mini_batch_size": 10}, 0.565, 0.63},
	} {
		name := fmt.Sprint(tc.params)
		lg, err := NewLogistic(tc.params)
		if err != nil {
			t.Fatal(err)
		}
		ll, err := eval.BinaryLogLoss(yc, prequential(t, lg, cls), nil)
		if err != nil {
			t.Fatal(err)
		}
		ln, err := NewLinear(tc.params)
		if err != nil {
			t.Fatal(err)
		}
		rms, err := eval.RMSE(yr, prequential(t, ln, reg), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: log loss %.4f, rmse %.4f", name, ll, rms)
		if ll > tc.maxLoss || rms > tc.maxRMS {
			t.Errorf("%s: progressive log loss %.4f rmse %.4f, want <= %v and <= %v", name, ll, rms, tc.maxLoss, tc.maxRMS)
		}
		if lg.Rows() != 20_000 || ln.Dim() != 1024 {
			t.Errorf("%s: rows %d dim %d", name, lg.Rows(), ln.Dim())
		}
	}
}

// TestMatchesReference checks one Adam run and one AdaGrad mini-batch run
// against straightforward dense implementations of the formulas.
func TestMatchesReference(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := dense(t, mem, generate.Classification, 600, 100)
	defer releaseAll(recs)
	var x [][]float64
	for _, r := range recs {
		v, _, _ := table.DenseVectors(r.Column(0))
		for i := 0; i < len(v); i += 4 {
			x = append(x, v[i:i+4])
		}
	}
	y := labels(t, recs)
	for _, k := range []int{1, 7} {
		for _, opt := range []string{Adam, AdaGrad, SGD, RMSProp} {
			params := map[string]any{"optimizer": opt, "learning_rate": 0.05, "reg_param": 0.01, "mini_batch_size": k}
			lg, _ := NewLogistic(params)
			got := prequential(t, lg, recs)
			// Reference: per batch of 100 rows, groups of k rows.
			w := make([]float64, 5)
			m1, m2 := make([]float64, 5), make([]float64, 5)
			step := 0
			want := make([]float64, len(y))
			for b0 := 0; b0 < len(y); b0 += 100 {
				for g0 := b0; g0 < b0+100; g0 += k {
					g1 := min(g0+k, b0+100)
					grad := make([]float64, 5)
					for r := g0; r < g1; r++ {
						z := w[4]
						for j := range 4 {
							z += w[j] * x[r][j]
						}
						p := 1 / (1 + math.Exp(-z))
						want[r] = p
						for j := range 4 {
							grad[j] += (p - y[r]) * x[r][j] / float64(g1-g0)
						}
						grad[4] += (p - y[r]) / float64(g1-g0)
					}
					step++
					for j := range 5 {
						g := grad[j]
						if j < 4 {
							g += 0.01 * w[j]
						}
						switch opt {
						case Adam:
							m1[j] = 0.9*m1[j] + 0.1*g
							m2[j] = 0.999*m2[j] + 0.001*g*g
							w[j] -= 0.05 * (m1[j] / (1 - math.Pow(0.9, float64(step)))) / (math.Sqrt(m2[j]/(1-math.Pow(0.999, float64(step)))) + 1e-8)
						case AdaGrad:
							m1[j] += g * g
							w[j] -= 0.05 * g / (math.Sqrt(m1[j]) + 1e-8)
						case RMSProp:
							m1[j] = 0.9*m1[j] + 0.1*g*g
							w[j] -= 0.05 * g / (math.Sqrt(m1[j]) + 1e-8)
						case SGD:
							w[j] -= 0.05 / math.Pow(float64(step), 0.25) * g
						}
					}
				}
			}
			for i := range want {
				if math.Abs(got[i]-want[i]) > 1e-9 {
					t.Fatalf("%s k=%d row %d: p = %v, reference %v", opt, k, i, got[i], want[i])
				}
			}
			gw, gb := lg.Weights(nil)
			for j := range 4 {
				if math.Abs(gw[j]-w[j]) > 1e-9 {
					t.Fatalf("%s k=%d: weight %d = %v, reference %v", opt, k, j, gw[j], w[j])
				}
			}
			if math.Abs(gb-w[4]) > 1e-9 {
				t.Fatalf("%s k=%d: intercept %v, reference %v", opt, k, gb, w[4])
			}
		}
	}
}

type snapshotter interface {
	updater
	Update(ctx context.Context, rec arrow.Record) error
	Snapshot() ([]byte, error)
	Restore([]byte) error
}

// TestSnapshotRestoreBitIdentical stops mid-stream, restores a fresh
// learner and compares its final state with an uninterrupted run's.
func TestSnapshotRestoreBitIdentical(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cls := hashed(t, mem, generate.Classification, 6000, 500)
	defer releaseAll(cls)
	reg := hashed(t, mem, generate.Regression, 6000, 500)
	defer releaseAll(reg)
	ctx := context.Background()
	for _, opt := range []string{SGD, AdaGrad, RMSProp, Adam} {
		for _, k := range []int{1, 5} {
			params := map[string]any{"optimizer": opt, "learning_rate": 0.02, "mini_batch_size": k, "reg_param": 1e-3}
			for _, linear := range []bool{false, true} {
				mk := func() snapshotter {
					if linear {
						l, err := NewLinear(params)
						if err != nil {
							t.Fatal(err)
						}
						return l
					}
					l, err := NewLogistic(params)
					if err != nil {
						t.Fatal(err)
					}
					return l
				}
				recs := cls
				if linear {
					recs = reg
				}
				full := mk()
				for _, r := range recs {
					if err := full.Update(ctx, r); err != nil {
						t.Fatal(err)
					}
				}
				want, _ := full.Snapshot()
				for _, cut := range []int{0, 3, len(recs) - 1} {
					a := mk()
					for _, r := range recs[:cut] {
						if err := a.Update(ctx, r); err != nil {
							t.Fatal(err)
						}
					}
					snap, _ := a.Snapshot()
					b := mk()
					if err := b.Restore(snap); err != nil {
						t.Fatal(err)
					}
					for _, r := range recs[cut:] {
						if err := b.Update(ctx, r); err != nil {
							t.Fatal(err)
						}
					}
					if got, _ := b.Snapshot(); !bytes.Equal(got, want) {
						t.Errorf("%v linear=%v cut %d: final state differs from the uninterrupted run", params, linear, cut)
					}
				}
			}
		}
	}
}

// TestPathsAgree: per-row sparse, per-row dense and batch dense paths end
// in the sparse batch path's state.
func TestPathsAgree(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := hashed(t, mem, generate.Classification, 2000, 250)
	defer releaseAll(recs)
	ctx := context.Background()
	params := map[string]any{"optimizer": Adam, "learning_rate": 0.02, "reg_param": 1e-3}
	mk := func(extra map[string]any) *Logistic {
		p := map[string]any{}
		for k, v := range params {
			p[k] = v
		}
		for k, v := range extra {
			p[k] = v
		}
		l, err := NewLogistic(p)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	batch, perRow, denseB, denseRow := mk(nil), mk(map[string]any{"num_features": 1024}), mk(nil), mk(nil)
	for _, r := range recs {
		if err := batch.Update(ctx, r); err != nil {
			t.Fatal(err)
		}
		sv, _ := table.NewSparseVectors(r.Column(r.Schema().FieldIndices("features")[0]))
		y := labels(t, []arrow.Record{r})
		vecs := make([][]float64, sv.Len())
		for i := range sv.Len() {
			size, idx, vals := sv.At(i)
			if _, err := perRow.UpdateRow(idx, vals, y[i]); err != nil {
				t.Fatal(err)
			}
			vecs[i] = make([]float64, size)
			for k, j := range idx {
				vecs[i][j] = vals[k]
			}
			if _, err := denseRow.UpdateDense(vecs[i], y[i]); err != nil {
				t.Fatal(err)
			}
		}
		dr, err := table.Build(mem, table.DenseCol("features", 1024, vecs), table.Col("label", y))
		if err != nil {
			t.Fatal(err)
		}
		err = denseB.Update(ctx, dr)
		dr.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	want, _ := batch.Snapshot()
	for name, l := range map[string]*Logistic{"UpdateRow": perRow, "dense Update": denseB, "UpdateDense": denseRow} {
		if got, _ := l.Snapshot(); !bytes.Equal(got, want) {
			t.Errorf("%s: state differs from the sparse batch path", name)
		}
	}
}

// TestModelsAndWarmStart: Model scores like the learner; a learner warm
// started from a batch model predicts like it.
func TestModelsAndWarmStart(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	for _, linear := range []bool{false, true} {
		kind := generate.Classification
		if linear {
			kind = generate.Regression
		}
		recs := dense(t, mem, kind, 3000, 1000)
		tbl, err := table.New(recs[0].Schema(), recs[:2]...)
		if err != nil {
			t.Fatal(err)
		}
		var bm pipeline.Model
		rd := tbl.Reader()
		if linear {
			est, _ := linreg.New(nil)
			bm, err = est.Fit(ctx, rd)
		} else {
			est, _ := logreg.New(map[string]any{"reg_param": 0.1})
			bm, err = est.Fit(ctx, rd)
		}
		rd.Release()
		tbl.Release()
		if err != nil {
			t.Fatal(err)
		}
		data := bm.ModelData()
		var l interface {
			snapshotter
			Predict(arrow.Record, []float64) ([]float64, error)
			WarmStart(...arrow.Record) error
		}
		col := "probability"
		if linear {
			l, _ = NewLinear(nil)
			col = "prediction"
		} else {
			l, _ = NewLogistic(nil)
		}
		if err := l.WarmStart(data...); err != nil {
			t.Fatal(err)
		}
		releaseAll(data)
		got, err := l.Predict(recs[2], nil)
		if err != nil {
			t.Fatal(err)
		}
		out, err := bm.Transform(ctx, recs[2])
		if err != nil {
			t.Fatal(err)
		}
		want := scoreCol(t, out, col)
		out.Release()
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-9 {
				t.Fatalf("linear=%v row %d: warm-started learner %v, batch model %v", linear, i, got[i], want[i])
			}
		}
		// Learn, then the learner's own model scores like the learner.
		if err := l.Update(ctx, recs[2]); err != nil {
			t.Fatal(err)
		}
		var m pipeline.Model
		if linear {
			m, err = l.(*Linear).Model(3)
		} else {
			m, err = l.(*Logistic).Model(3)
		}
		if err != nil {
			t.Fatal(err)
		}
		if m.(pipeline.Versioned).ModelVersion() != 3 {
			t.Errorf("model version %d, want 3", m.(pipeline.Versioned).ModelVersion())
		}
		got, _ = l.Predict(recs[0], got)
		out, err = m.Transform(ctx, recs[0])
		if err != nil {
			t.Fatal(err)
		}
		want = scoreCol(t, out, col)
		out.Release()
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Fatalf("linear=%v row %d: learner %v, its model %v", linear, i, got[i], want[i])
			}
		}
		releaseAll(recs)
	}
}

func scoreCol(t *testing.T, out arrow.Record, col string) []float64 {
	arr := out.Column(out.Schema().FieldIndices(col)[0])
	if col == "prediction" {
		v, err := table.Float64s(arr)
		if err != nil {
			t.Fatal(err)
		}
		return append([]float64(nil), v...)
	}
	v, _, err := table.DenseVectors(arr)
	if err != nil {
		t.Fatal(err)
	}
	p := make([]float64, len(v)/2)
	for i := range p {
		p[i] = v[2*i+1]
	}
	return p
}

func TestErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	for _, tc := range []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"optimizer": "lbfgs"}, `"optimizer"`},
		{map[string]any{"learning_rate": 0.0}, `"learning_rate"`},
		{map[string]any{"mini_batch_size": 0}, `"mini_batch_size"`},
		{map[string]any{"beta1": 1.0}, `"beta1"`},
	} {
		if _, err := NewLogistic(tc.params); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), LogisticKind) {
			t.Errorf("NewLogistic(%v) = %v, want an error naming %s and %s", tc.params, err, LogisticKind, tc.want)
		}
		if _, err := NewLinear(tc.params); err == nil || !strings.Contains(err.Error(), LinearKind) {
			t.Errorf("NewLinear(%v) = %v, want an error naming %s", tc.params, err, LinearKind)
		}
	}
	r, _ := table.Build(mem, table.DenseCol("features", 2, [][]float64{{1, 2}, {3, math.Inf(-1)}}), table.Col("label", []float64{0, 1}))
	defer r.Release()
	lg, _ := NewLogistic(nil)
	if err := lg.Update(ctx, r); err == nil || !strings.Contains(err.Error(), `column "features" row 1`) {
		t.Errorf("infinite feature: %v", err)
	}
	r2, _ := table.Build(mem, table.DenseCol("features", 2, [][]float64{{1, 2}}), table.Col("label", []float64{3}))
	defer r2.Release()
	if err := lg.Update(ctx, r2); err == nil || !strings.Contains(err.Error(), `column "label" row 0: label 3`) {
		t.Errorf("bad label: %v", err)
	}
	ln, _ := NewLinear(nil)
	if err := ln.Update(ctx, r2); err != nil {
		t.Errorf("linear learner on label 3: %v", err)
	}
	snap, _ := ln.Snapshot()
	other, _ := NewLinear(map[string]any{"optimizer": Adam})
	if err := other.Restore(snap); err == nil {
		t.Error("restore into another optimizer: want an error")
	}
	if err := lg.Restore(snap); err == nil {
		t.Error("restore of a linear snapshot into a logistic learner: want an error")
	}
	for _, bad := range [][]byte{nil, snap[:20], snap[:len(snap)-1], append(append([]byte{}, snap...), 1)} {
		l, _ := NewLinear(nil)
		if err := l.Restore(bad); err == nil {
			t.Errorf("restore of %d bad bytes: want an error", len(bad))
		}
	}
	if _, err := ln.UpdateRow([]int32{2}, []float64{1}, 0); err == nil {
		t.Error("UpdateRow index out of range: want an error")
	}
	if _, err := ln.UpdateDense([]float64{1}, 0); err == nil {
		t.Error("UpdateDense wrong size: want an error")
	}
}

func TestUpdateAllocatesNothing(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := hashed(t, mem, generate.Classification, 2000, 1000)
	defer releaseAll(recs)
	ctx := context.Background()
	for _, k := range []int{1, 8} {
		l, _ := NewLogistic(map[string]any{"optimizer": Adam, "learning_rate": 0.02, "mini_batch_size": k})
		dst, _ := l.UpdatePredict(ctx, recs[0], nil)
		if a := testing.AllocsPerRun(10, func() { dst, _ = l.UpdatePredict(ctx, recs[1], dst) }); a > 0 {
			t.Errorf("mini_batch_size %d: %v allocations per batch, want 0", k, a)
		}
	}
}
