package logreg

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
	"github.com/apache/arrow/go/v17/arrow/array"
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

func fit(t *testing.T, mem memory.Allocator, params map[string]any, tbl *table.Table) *Model {
	t.Helper()
	est, err := New(params)
	if err != nil {
		t.Fatal(err)
	}
	r := tbl.Reader()
	defer r.Release()
	m, _, err := est.FitReport(pipeline.WithAllocator(context.Background(), mem), r)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type sklearnFit struct {
	Dataset      string      `json:"dataset"`
	Case         string      `json:"case"`
	C            float64     `json:"C"`
	FitIntercept bool        `json:"fit_intercept"`
	ClassWeight  string      `json:"class_weight"`
	Weighted     bool        `json:"weighted"`
	Coef         [][]float64 `json:"coef"`
	Intercept    []float64   `json:"intercept"`
	Classes      []float64   `json:"classes"`
	Proba        [][]float64 `json:"proba_first5"`
}

func TestMatchesSklearn(t *testing.T) {
	b, err := os.ReadFile("testdata/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []sklearnFit
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Dataset+"/"+c.Case, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			d := dataset(t, c.Dataset)
			x := esttest.Standardize(d.X)
			var w []float64
			params := map[string]any{"reg_param": 1 / c.C, "tol": 1e-9, "max_iter": 2000,
				"fit_intercept": c.FitIntercept, "class_weight": c.ClassWeight}
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
			m := fit(t, mem, params, tbl)
			coefs, icpt := m.Coefficients(), m.Intercepts()
			if len(coefs) != len(c.Coef) {
				t.Fatalf("%d coefficient vectors, sklearn %d", len(coefs), len(c.Coef))
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
			out, err := m.Transform(pipeline.WithAllocator(context.Background(), mem), tbl.Batch(0))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Release()
			prob, k, err := table.DenseVectors(out.Column(out.Schema().NumFields() - 1))
			if err != nil {
				t.Fatal(err)
			}
			for i := range c.Proba {
				for j := range k {
					if math.Abs(prob[i*k+j]-c.Proba[i][j]) > 1e-5 {
						t.Errorf("row %d probability %d: %v, sklearn %v", i, j, prob[i*k+j], c.Proba[i][j])
					}
				}
			}
		})
	}
}

// TestElasticNetOptimality checks the OWL-QN solution by its optimality
// conditions: at w_j != 0 the smooth gradient plus the L2 term is
// -λα sign(w_j), at w_j = 0 its magnitude is at most λα.
func TestElasticNetOptimality(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := dataset(t, "breast_cancer")
	x := esttest.Standardize(d.X)
	tbl, err := esttest.Table(mem, x, d.Target, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	for _, alpha := range []float64{1, 0.5} {
		lambda := 5.0
		m := fit(t, mem, map[string]any{"reg_param": lambda, "elastic_net_param": alpha, "tol": 1e-8, "max_iter": 5000}, tbl)
		w, b := m.Coefficients()[0], m.Intercepts()[0]
		grad := make([]float64, len(w))
		var gb float64
		zeros := 0
		for i, xi := range x {
			z := b
			for j, v := range xi {
				z += v * w[j]
			}
			r := sigmoid(z) - d.Target[i]
			for j, v := range xi {
				grad[j] += r * v
			}
			gb += r
		}
		if math.Abs(gb) > 2e-3 { // stopped by the objective tolerance, as scipy
			t.Errorf("alpha %v: intercept gradient %v", alpha, gb)
		}
		l1 := lambda * alpha
		for j, wj := range w {
			g := grad[j] + lambda*(1-alpha)*wj
			if wj == 0 {
				zeros++
				if math.Abs(g) > l1+2e-3 {
					t.Errorf("alpha %v: w[%d]=0 with |grad| %v > %v", alpha, j, math.Abs(g), l1)
				}
			} else if math.Abs(g+l1*math.Copysign(1, wj)) > 2e-3 {
				t.Errorf("alpha %v: w[%d]=%v gradient %v, want %v", alpha, j, wj, g, -l1*math.Copysign(1, wj))
			}
		}
		if alpha == 1 && zeros < 10 {
			t.Errorf("L1 left only %d zero coefficients of %d", zeros, len(w))
		}
	}
}

func TestParams(t *testing.T) {
	est, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if MaxIter.Get(est.Params()) != 100 || Tol.Get(est.Params()) != 1e-4 || RegParam.Get(est.Params()) != 1 ||
		est.FeaturesCol() != "features" || est.LabelCol() != "label" || Family.Get(est.Params()) != FamilyAuto {
		t.Errorf("defaults %v", est.Params().Values())
	}
	for _, bad := range []map[string]any{{"reg_param": -1.0}, {"elastic_net_param": 1.5}, {"family": "poisson"},
		{"max_iter": 0}, {"class_weight": "uniform"}, {"class_weights": []float64{-1}}, {"nope": 1}} {
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), Kind) {
			t.Errorf("%v: %v", bad, err)
		}
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

func TestBadInput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cases := []struct {
		name string
		x    [][]float64
		y    []float64
		want string
	}{
		{"nan", [][]float64{{1, 2}, {3, math.NaN()}}, []float64{0, 1}, `column "features" row 1: feature 1 is NaN`},
		{"one class", [][]float64{{1, 2}, {3, 4}}, []float64{1, 1}, `label column "label" has only one class (1)`},
		{"nan label", [][]float64{{1, 2}, {3, 4}}, []float64{0, math.NaN()}, `column "label" row 1: label is NaN`},
	}
	for _, c := range cases {
		tbl := smallTable(t, mem, c.x, c.y)
		est, _ := New(nil)
		r := tbl.Reader()
		_, err := est.Fit(context.Background(), r)
		r.Release()
		tbl.Release()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	// A model fitted on 2 features refuses 3.
	tbl := smallTable(t, mem, [][]float64{{0, 1}, {1, 0}, {0, 0}}, []float64{0, 1, 0})
	defer tbl.Release()
	m := fit(t, mem, nil, tbl)
	other := smallTable(t, mem, [][]float64{{1, 2, 3}}, []float64{0})
	defer other.Release()
	_, err := m.Transform(context.Background(), other.Batch(0))
	if err == nil || !strings.Contains(err.Error(), "vector of size 3, want 2") {
		t.Errorf("size mismatch: %v", err)
	}
	if _, err := (&Model{}).Transform(context.Background(), other.Batch(0)); err == nil {
		t.Error("zero model transformed")
	}
}

func TestSparseFeaturesAndSaveLoad(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	// Separable-ish data with 3 classes; dense and sparse give the same model.
	var dense [][]float64
	var sparse []table.SparseVector
	var y []float64
	for i := range 60 {
		c := i % 3
		v := []float64{0, 0, 0, float64(i%7) / 7}
		v[c] = 1 + float64(i%5)/10
		dense = append(dense, v)
		sv := table.SparseVector{Size: 4}
		for j, x := range v {
			if x != 0 {
				sv.Indices = append(sv.Indices, int32(j))
				sv.Values = append(sv.Values, x)
			}
		}
		sparse = append(sparse, sv)
		y = append(y, float64(c*10))
	}
	rec, err := table.Build(mem, table.SparseCol("features", sparse), table.Col("label", y))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	st, _ := table.New(rec.Schema(), rec)
	defer st.Release()
	dt := smallTable(t, mem, dense, y)
	defer dt.Release()
	ms := fit(t, mem, map[string]any{"model_version_col": "v"}, st)
	md := fit(t, mem, nil, dt)
	if fmt.Sprint(ms.Coefficients()) != fmt.Sprint(md.Coefficients()) {
		t.Errorf("sparse %v\ndense %v", ms.Coefficients(), md.Coefficients())
	}
	if got := ms.Labels(); len(got) != 3 || got[2] != 20 {
		t.Errorf("labels %v", got)
	}
	out, err := ms.Transform(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	want, err := ms.OutputSchema(rec.Schema())
	if err != nil || !out.Schema().Equal(want) {
		t.Fatalf("schema %v, OutputSchema %v (%v)", out.Schema(), want, err)
	}
	pred, _ := table.Float64s(out.Column(2))
	correct := 0
	for i, p := range pred {
		if p == y[i] {
			correct++
		}
	}
	if correct < 55 {
		t.Errorf("%d/60 correct", correct)
	}
	for _, path := range []string{filepath.Join(t.TempDir(), "m"), filepath.Join(t.TempDir(), "m.tar")} {
		if err := modelio.Save(ms, path, nil); err != nil {
			t.Fatal(err)
		}
		loaded, err := modelio.Load(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		out2, err := loaded.(pipeline.Model).Transform(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		if !equalRecords(out, out2) {
			t.Errorf("%s: output differs after save/load", path)
		}
		out2.Release()
	}
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

func TestSetModelDataWhileTransforming(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	tbl := smallTable(t, mem, [][]float64{{1, 0}, {0, 1}}, []float64{0, 1})
	defer tbl.Release()
	m, _ := NewModel(nil)
	mk := func(w float64) []arrow.Record {
		recs, err := ModelDataRecords(mem, [][]float64{{w, -w}}, []float64{0}, []float64{0, 1})
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	set := func(w float64) {
		recs := mk(w)
		if err := m.SetModelData(recs...); err != nil {
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
		out, err := m.Transform(ctx, tbl.Batch(0))
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
	if _, err := ModelDataRecords(mem, [][]float64{{1}}, []float64{0}, []float64{0, 1, 2}); err == nil {
		t.Error("one vector for 3 labels accepted")
	}
}

// TestOutputSchemaCache: Transform reuses its output schema for equal
// input schemas and rebuilds it when the input or a column param changes.
func TestOutputSchemaCache(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	m, _ := NewModel(nil)
	recs, err := ModelDataRecords(mem, [][]float64{{1, -1}}, []float64{0}, []float64{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetModelData(recs...); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		r.Release()
	}
	build := func(extra string) arrow.Record {
		cols := []table.Column{table.DenseCol("features", 2, [][]float64{{1, 0}})}
		if extra != "" {
			cols = append(cols, table.Col(extra, []float64{7}))
		}
		rec, err := table.Build(mem, cols...)
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	names := func(rec arrow.Record) string {
		var s []string
		for _, f := range rec.Schema().Fields() {
			s = append(s, f.Name)
		}
		return strings.Join(s, ",")
	}
	for _, tc := range []struct {
		extra, predCol, versionCol, want string
	}{
		{"", "prediction", "", "features,prediction,raw_prediction,probability"},
		{"", "prediction", "", "features,prediction,raw_prediction,probability"}, // equal schema, new pointer
		{"x", "prediction", "", "features,x,prediction,raw_prediction,probability"},
		{"x", "p", "", "features,x,p,raw_prediction,probability"},
		{"x", "p", "v", "features,x,p,raw_prediction,probability,v"},
		{"", "p", "v", "features,p,raw_prediction,probability,v"},
	} {
		if err := m.SetPredictionCol(tc.predCol); err != nil {
			t.Fatal(err)
		}
		if err := m.Params().SetMap(map[string]any{"model_version_col": tc.versionCol}); err != nil {
			t.Fatal(err)
		}
		rec := build(tc.extra)
		out, err := m.Transform(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		want, err := m.OutputSchema(rec.Schema())
		if err != nil {
			t.Fatal(err)
		}
		if got := names(out); got != tc.want || !out.Schema().Equal(want) {
			t.Errorf("%+v: columns %s, schema equal to OutputSchema: %v", tc, got, out.Schema().Equal(want))
		}
		if c := out.Column(out.Schema().FieldIndices(tc.predCol)[0]); c.(*array.Float64).Value(0) != 1 {
			t.Errorf("%+v: prediction %v", tc, c)
		}
		out.Release()
		rec.Release()
	}
}
