package decisiontree

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

func dataset(t *testing.T, name, target string) *esttest.Dataset {
	t.Helper()
	d, err := esttest.ReadNumeric(filepath.Join(esttest.DatasetDir, name+".csv.gz"), target)
	if err != nil {
		if os.IsNotExist(err) && os.Getenv("CI") != "true" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	return d
}

func newTable(t *testing.T, mem memory.Allocator, x [][]float64, y []float64) *table.Table {
	t.Helper()
	tbl, err := esttest.Table(mem, x, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

func fit(t *testing.T, mem memory.Allocator, est pipeline.Estimator, tbl *table.Table) pipeline.Model {
	t.Helper()
	r := tbl.Reader()
	defer r.Release()
	m, err := est.Fit(pipeline.WithAllocator(context.Background(), mem), r)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func column(t *testing.T, rec arrow.Record, name string) ([]float64, int) {
	t.Helper()
	i, err := table.FieldIndex(rec.Schema(), name)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := table.Float64s(rec.Column(i)); err == nil {
		return v, 1
	}
	v, k, err := table.DenseVectors(rec.Column(i))
	if err != nil {
		t.Fatal(err)
	}
	return v, k
}

type sklearnCase struct {
	Dataset     string         `json:"dataset"`
	Target      string         `json:"target"`
	Task        string         `json:"task"`
	Params      map[string]any `json:"params"`
	NLeaves     int            `json:"n_leaves"`
	Depth       int            `json:"depth"`
	Importances []float64      `json:"importances"`
	Proba       [][]float64    `json:"proba"`
	Pred        []float64      `json:"pred"`
}

// TestMatchesSklearn compares trees grown on whole datasets with
// scikit-learn's (testdata/gen_expected.py): leaves, depth, importances
// and every row's probabilities or prediction.
func TestMatchesSklearn(t *testing.T) {
	b, err := os.ReadFile("testdata/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []sklearnCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.Dataset, c.Params), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			d := dataset(t, c.Dataset, c.Target)
			tbl := newTable(t, mem, d.X, d.Target)
			defer tbl.Release()
			var est pipeline.Estimator
			if c.Task == "clf" {
				est, err = NewClassifier(c.Params)
			} else {
				est, err = NewRegressor(c.Params)
			}
			if err != nil {
				t.Fatal(err)
			}
			m := fit(t, mem, est, tbl)
			out, err := m.Transform(pipeline.WithAllocator(context.Background(), mem), tbl.Batch(0))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Release()
			type info interface {
				Depths() []int
				FeatureImportances() []float64
			}
			im := m.(info)
			if im.Depths()[0] != c.Depth {
				t.Errorf("depth %d, sklearn %d", im.Depths()[0], c.Depth)
			}
			for j, v := range im.FeatureImportances() {
				if math.Abs(v-c.Importances[j]) > 1e-9 {
					t.Errorf("importance %d: %v, sklearn %v", j, v, c.Importances[j])
				}
			}
			if c.Task == "clf" {
				prob, k := column(t, out, "probability")
				for i, row := range c.Proba {
					for j := range k {
						if math.Abs(prob[i*k+j]-row[j]) > 1e-12 {
							t.Fatalf("row %d: probability %v, sklearn %v", i, prob[i*k:(i+1)*k], row)
						}
					}
				}
			} else {
				pred, _ := column(t, out, "prediction")
				for i, v := range c.Pred {
					if math.Abs(pred[i]-v) > 1e-9*math.Abs(v) {
						t.Fatalf("row %d: prediction %v, sklearn %v", i, pred[i], v)
					}
				}
			}
		})
	}
}

// TestHandChecked grows trees on data whose splits are known.
func TestHandChecked(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	// Feature 1 separates the classes at 2.5; feature 0 is noise.
	x := [][]float64{{5, 1}, {3, 2}, {4, 3}, {3, 4}, {5, 2}}
	y := []float64{7, 7, 9, 9, 7}
	tbl := newTable(t, mem, x, y)
	defer tbl.Release()
	est, _ := NewClassifier(nil)
	m := fit(t, mem, est, tbl).(*ClassifierModel)
	if m.Depth() != 1 || m.NumTrees() != 1 || fmt.Sprint(m.FeatureImportances()) != "[0 1]" || fmt.Sprint(m.Labels()) != "[7 9]" {
		t.Errorf("depth %d importances %v labels %v", m.Depth(), m.FeatureImportances(), m.Labels())
	}
	probe := newTable(t, mem, [][]float64{{0, 2.5}, {0, 2.51}}, []float64{0, 0})
	defer probe.Release()
	out, err := m.Transform(ctx, probe.Batch(0))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	pred, _ := column(t, out, "prediction")
	prob, _ := column(t, out, "probability")
	if fmt.Sprint(pred) != "[7 9]" || fmt.Sprint(prob) != "[1 0 0 1]" {
		t.Errorf("pred %v prob %v", pred, prob)
	}
	// Regression: the best split isolates the outlier at (3+10)/2.
	rt := newTable(t, mem, [][]float64{{1}, {2}, {3}, {10}}, []float64{1, 1, 1, 5})
	defer rt.Release()
	reg, _ := NewRegressor(map[string]any{"max_depth": 1})
	rm := fit(t, mem, reg, rt).(*RegressorModel)
	rp := newTable(t, mem, [][]float64{{6.5}, {6.6}}, []float64{0, 0})
	defer rp.Release()
	rout, err := rm.Transform(ctx, rp.Batch(0))
	if err != nil {
		t.Fatal(err)
	}
	defer rout.Release()
	if p, _ := column(t, rout, "prediction"); fmt.Sprint(p) != "[1 5]" {
		t.Errorf("regression predictions %v", p)
	}
	// min_samples_leaf 2 forbids isolating the outlier: split at 2.5.
	reg2, _ := NewRegressor(map[string]any{"min_samples_leaf": 2})
	rm2 := fit(t, mem, reg2, rt).(*RegressorModel)
	rout2, err := rm2.Transform(ctx, rp.Batch(0))
	if err != nil {
		t.Fatal(err)
	}
	defer rout2.Release()
	if p, _ := column(t, rout2, "prediction"); fmt.Sprint(p) != "[3 3]" || rm2.Depth() != 1 {
		t.Errorf("min_samples_leaf 2: predictions %v depth %d", p, rm2.Depth())
	}
}

func TestParams(t *testing.T) {
	est, err := NewClassifier(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := est.Params()
	if Criterion.Get(p) != "gini" || MaxDepth.Get(p) != 0 || MinSamplesSplit.Get(p) != 2 || MinSamplesLeaf.Get(p) != 1 ||
		MaxFeatures.Get(p) != "all" || est.Seed() != 0 || est.FeaturesCol() != "features" {
		t.Errorf("defaults %v", p.Values())
	}
	for _, bad := range []map[string]any{{"max_depth": -1}, {"min_samples_split": 1}, {"min_samples_leaf": 0},
		{"criterion": "mse"}, {"max_features": "half"}, {"max_features": "1.5"}, {"max_features": "0"},
		{"min_impurity_decrease": -1.0}, {"nope": 1}} {
		if _, err := NewClassifier(bad); err == nil || !strings.Contains(err.Error(), ClassifierKind) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if _, err := NewRegressor(map[string]any{"criterion": "gini"}); err == nil || !strings.Contains(err.Error(), "criterion") {
		t.Errorf("regressor criterion gini: %v", err)
	}
	for _, ok := range []string{"sqrt", "log2", "0.5", "3", "all"} {
		if _, err := NewClassifier(map[string]any{"max_features": ok}); err != nil {
			t.Errorf("max_features %q: %v", ok, err)
		}
	}
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
		{"inf label", [][]float64{{1, 2}, {3, 4}}, []float64{0, math.Inf(1)}, `column "label" row 1: label is +Inf`},
	}
	for _, c := range cases {
		tbl := newTable(t, mem, c.x, c.y)
		est, _ := NewClassifier(nil)
		r := tbl.Reader()
		_, err := est.Fit(context.Background(), r)
		r.Release()
		tbl.Release()
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), ClassifierKind) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	tbl := newTable(t, mem, [][]float64{{0, 1}, {1, 0}, {0, 0}}, []float64{0, 1, 0})
	defer tbl.Release()
	est, _ := NewClassifier(nil)
	m := fit(t, mem, est, tbl)
	other := newTable(t, mem, [][]float64{{1, 2, 3}}, []float64{0})
	defer other.Release()
	if _, err := m.Transform(context.Background(), other.Batch(0)); err == nil || !strings.Contains(err.Error(), "vector of size 3, want 2") {
		t.Errorf("size mismatch: %v", err)
	}
	empty, _ := NewClassifierModel(nil)
	if _, err := empty.Transform(context.Background(), other.Batch(0)); err == nil {
		t.Error("model without data transformed")
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

func TestSaveLoad(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	d := dataset(t, "wine", "label")
	tbl := newTable(t, mem, d.X, d.Target)
	defer tbl.Release()
	clf, _ := NewClassifier(map[string]any{"max_depth": 3, "model_version_col": "v"})
	reg, _ := NewRegressor(map[string]any{"max_depth": 3})
	for _, est := range []pipeline.Estimator{clf, reg} {
		m := fit(t, mem, est, tbl)
		out, err := m.Transform(ctx, tbl.Batch(0))
		if err != nil {
			t.Fatal(err)
		}
		want, err := m.OutputSchema(tbl.Schema())
		if err != nil || !out.Schema().Equal(want) {
			t.Fatalf("schema %v, OutputSchema %v (%v)", out.Schema(), want, err)
		}
		for _, path := range []string{filepath.Join(t.TempDir(), "m"), filepath.Join(t.TempDir(), "m.tar")} {
			if err := modelio.Save(m, path, nil); err != nil {
				t.Fatal(err)
			}
			loaded, err := modelio.Load(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if loaded.Kind() != m.Kind() || MaxDepth.Get(loaded.Params()) != 3 {
				t.Errorf("loaded %s with %v", loaded.Kind(), loaded.Params().Values())
			}
			out2, err := loaded.(pipeline.Model).Transform(ctx, tbl.Batch(0))
			if err != nil {
				t.Fatal(err)
			}
			if !equalRecords(out, out2) {
				t.Errorf("%s %s: output differs after save/load", m.Kind(), path)
			}
			out2.Release()
		}
		out.Release()
	}
}

// TestSetModelDataWhileTransforming swaps the model data of a model that
// another goroutine is using (run with -race).
func TestSetModelDataWhileTransforming(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	tbl := newTable(t, mem, [][]float64{{0}, {1}, {2}, {3}}, []float64{0, 0, 1, 1})
	defer tbl.Release()
	est, _ := NewClassifier(nil)
	a := fit(t, mem, est, tbl).(*ClassifierModel)
	b := fit(t, mem, est, tbl).(*ClassifierModel)
	data := b.ModelData()
	defer func() {
		for _, r := range data {
			r.Release()
		}
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 100 {
			if err := a.SetModelData(data...); err != nil {
				t.Error(err)
			}
		}
	}()
	for range 100 {
		out, err := a.Transform(ctx, tbl.Batch(0))
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := column(t, out, "prediction"); fmt.Sprint(p) != "[0 0 1 1]" {
			t.Errorf("pred %v", p)
		}
		out.Release()
	}
	<-done
}

func TestSeedBreaksTies(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// Both features split the classes perfectly: the seed picks one.
	tbl := newTable(t, mem, [][]float64{{0, 0}, {1, 1}, {2, 2}, {3, 3}}, []float64{0, 0, 1, 1})
	defer tbl.Release()
	seen := map[string]bool{}
	for seed := range 16 {
		est, _ := NewClassifier(map[string]any{"seed": seed})
		m := fit(t, mem, est, tbl).(*ClassifierModel)
		seen[fmt.Sprint(m.FeatureImportances())] = true
		again := fit(t, mem, est, tbl).(*ClassifierModel)
		if fmt.Sprint(again.FeatureImportances()) != fmt.Sprint(m.FeatureImportances()) {
			t.Errorf("seed %d not reproducible", seed)
		}
	}
	if !seen["[1 0]"] || !seen["[0 1]"] {
		t.Errorf("importances over seeds %v, want both features chosen", seen)
	}
}
