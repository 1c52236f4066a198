package linearsvc

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/esttest"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/table"
)

func dataset(t *testing.T, name string) *esttest.Dataset {
	t.Helper()
	d, err := esttest.ReadNumeric(filepath.Join(esttest.DatasetDir, name+".csv.gz"), "label")
	if err != nil {
		if os.IsNotExist(err) && os.Getenv("CI") != "true" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	return d
}

func fit(t *testing.T, ctx context.Context, params map[string]any, tbl *table.Table) *Model {
	t.Helper()
	est, err := New(params)
	if err != nil {
		t.Fatal(err)
	}
	r := tbl.Reader()
	defer r.Release()
	m, _, err := est.FitReport(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMatchesSklearn compares weights, intercepts and margins with
// scikit-learn's LinearSVC solved tightly (testdata/expected.json),
// including its penalised intercept.
func TestMatchesSklearn(t *testing.T) {
	b, err := os.ReadFile("testdata/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Dataset          string      `json:"dataset"`
		Case             string      `json:"case"`
		C                float64     `json:"C"`
		FitIntercept     bool        `json:"fit_intercept"`
		InterceptScaling float64     `json:"intercept_scaling"`
		Weighted         bool        `json:"weighted"`
		Coef             [][]float64 `json:"coef"`
		Intercept        []float64   `json:"intercept"`
		Decision         [][]float64 `json:"decision_first5"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Dataset+"/"+c.Case, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			ctx := pipeline.WithAllocator(context.Background(), mem)
			d := dataset(t, c.Dataset)
			x := esttest.Standardize(d.X)
			params := map[string]any{"reg_param": 1 / c.C, "tol": 1e-9, "max_iter": 10000,
				"fit_intercept": c.FitIntercept, "intercept_scaling": c.InterceptScaling}
			var w []float64
			if c.Weighted {
				w = make([]float64, len(x))
				for i := range w {
					w[i] = 1 + float64(i%3)
				}
				params["weight_col"] = "weight"
			}
			tbl, err := esttest.Table(mem, x, d.Target, w)
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Release()
			m := fit(t, ctx, params, tbl)
			coefs, icpt := m.Coefficients(), m.Intercepts()
			if len(coefs) != len(c.Coef) {
				t.Fatalf("%d weight vectors, scikit-learn %d", len(coefs), len(c.Coef))
			}
			var worst float64
			for v := range coefs {
				for j := range coefs[v] {
					worst = math.Max(worst, math.Abs(coefs[v][j]-c.Coef[v][j]))
				}
				worst = math.Max(worst, math.Abs(icpt[v]-c.Intercept[v]))
			}
			if worst > 1e-4 {
				t.Errorf("largest coefficient difference %.3g > 1e-4\n got %v %v\nwant %v %v", worst, coefs, icpt, c.Coef, c.Intercept)
			}
			out, err := m.Transform(ctx, tbl.Batch(0))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Release()
			nf := out.Schema().NumFields()
			raw, k, _ := table.DenseVectors(out.Column(nf - 2))
			for i, row := range c.Decision {
				for v, want := range row {
					got := raw[i*k+v]
					if k == 2 {
						got = raw[i*k+1]
					}
					if math.Abs(got-want) > 1e-4 {
						t.Errorf("row %d margin %d: %v, scikit-learn %v", i, v, got, want)
					}
				}
			}
		})
	}
}

func smallTable(t *testing.T, mem memory.Allocator, x [][]float64, y []float64) *table.Table {
	t.Helper()
	tbl, err := esttest.Table(mem, x, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// TestHandChecked: two points at ±1 with λ = 1 and no intercept: the
// optimum of w²/2 + 2(1-w)²₊ is w = 0.8.
func TestHandChecked(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	tbl := smallTable(t, mem, [][]float64{{-1}, {1}}, []float64{3, 4})
	defer tbl.Release()
	m := fit(t, ctx, map[string]any{"fit_intercept": false, "tol": 1e-10}, tbl)
	if w := m.Coefficients()[0][0]; math.Abs(w-0.8) > 1e-8 {
		t.Errorf("w = %v, want 0.8", w)
	}
	out, err := m.Transform(ctx, tbl.Batch(0))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	pred, _ := table.Float64s(out.Column(2))
	prob, _, _ := table.DenseVectors(out.Column(4))
	if pred[0] != 3 || pred[1] != 4 || math.Abs(prob[3]-1/(1+math.Exp(-0.8))) > 1e-8 {
		t.Errorf("pred %v prob %v", pred, prob)
	}
}

func TestParams(t *testing.T) {
	est, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if MaxIter.Get(est.Params()) != 1000 || RegParam.Get(est.Params()) != 1 || InterceptScaling.Get(est.Params()) != 1 || !FitIntercept.Get(est.Params()) {
		t.Errorf("defaults %v", est.Params().Values())
	}
	for _, bad := range []map[string]any{{"reg_param": 0.0}, {"intercept_scaling": -1.0}, {"max_iter": 0}, {"tol": -1.0}, {"nope": 1}} {
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), Kind) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func TestBadInput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	cases := []struct {
		x    [][]float64
		y    []float64
		want string
	}{
		{[][]float64{{1, 2}, {3, math.NaN()}}, []float64{0, 1}, `column "features" row 1: feature 1 is NaN`},
		{[][]float64{{1, 2}, {3, 4}}, []float64{1, 1}, `label column "label" has only one class (1)`},
	}
	for _, c := range cases {
		tbl := smallTable(t, mem, c.x, c.y)
		est, _ := New(nil)
		r := tbl.Reader()
		_, err := est.Fit(ctx, r)
		r.Release()
		tbl.Release()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
	tbl := smallTable(t, mem, [][]float64{{0, 1}, {1, 0}}, []float64{0, 1})
	defer tbl.Release()
	m := fit(t, ctx, nil, tbl)
	other := smallTable(t, mem, [][]float64{{1, 2, 3}}, []float64{0})
	defer other.Release()
	if _, err := m.Transform(ctx, other.Batch(0)); err == nil || !strings.Contains(err.Error(), "vector of size 3, want 2") {
		t.Errorf("size mismatch: %v", err)
	}
	if _, err := (&Model{}).Transform(ctx, other.Batch(0)); err == nil {
		t.Error("zero model transformed")
	}
	if _, err := ModelDataRecords(mem, [][]float64{{1}}, []float64{0}, []float64{0, 1, 2}); err == nil {
		t.Error("one vector for 3 labels accepted")
	}
}

func TestSaveLoadAndSetModelData(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	d := dataset(t, "iris")
	tbl, err := esttest.Table(mem, esttest.Standardize(d.X), d.Target, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	m := fit(t, ctx, map[string]any{"model_version_col": "v"}, tbl)
	out, err := m.Transform(ctx, tbl.Batch(0))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	want, err := m.OutputSchema(tbl.Schema())
	if err != nil || !out.Schema().Equal(want) {
		t.Fatalf("schema %v, OutputSchema %v (%v)", out.Schema(), want, err)
	}
	pred, _ := table.Float64s(out.Column(2))
	correct := 0
	for i, p := range pred {
		if p == d.Target[i] {
			correct++
		}
	}
	if correct < 140 {
		t.Errorf("%d/150 correct on iris", correct)
	}
	for _, path := range []string{filepath.Join(t.TempDir(), "m"), filepath.Join(t.TempDir(), "m.tar")} {
		if err := modelio.Save(m, path, nil); err != nil {
			t.Fatal(err)
		}
		loaded, err := modelio.Load(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		out2, err := loaded.(pipeline.Model).Transform(ctx, tbl.Batch(0))
		if err != nil {
			t.Fatal(err)
		}
		if !equalRecords(out, out2) {
			t.Errorf("%s: output differs after save/load", path)
		}
		out2.Release()
	}
	small := smallTable(t, mem, [][]float64{{1, 0}, {0, 1}}, []float64{0, 1})
	defer small.Release()
	mm, _ := NewModel(nil)
	set := func(w float64) {
		recs, err := ModelDataRecords(mem, [][]float64{{w, -w}}, []float64{0}, []float64{0, 1})
		if err != nil {
			t.Error(err)
			return
		}
		if err := mm.SetModelData(recs...); err != nil {
			t.Error(err)
		}
		for _, r := range recs {
			r.Release()
		}
	}
	set(1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			set(float64(i%5 + 1))
		}
	}()
	for range 200 {
		out, err := mm.Transform(ctx, small.Batch(0))
		if err != nil {
			t.Fatal(err)
		}
		pred, _ := table.Float64s(out.Column(2))
		if pred[0] != 1 || pred[1] != 0 {
			t.Errorf("pred %v", pred)
		}
		out.Release()
	}
	<-done
}

func equalRecords(a, b arrow.Record) bool {
	if !a.Schema().Equal(b.Schema()) || a.NumRows() != b.NumRows() {
		return false
	}
	for i := range a.Columns() {
		if fmt.Sprint(a.Column(i)) != fmt.Sprint(b.Column(i)) {
			return false
		}
	}
	return true
}
