package randomforest

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/decisiontree"
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

func newTable(t testing.TB, mem memory.Allocator, x [][]float64, y []float64) *table.Table {
	t.Helper()
	tbl, err := esttest.Table(mem, x, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

func fit(t testing.TB, mem memory.Allocator, est pipeline.Estimator, tbl *table.Table) pipeline.Model {
	t.Helper()
	r := tbl.Reader()
	defer r.Release()
	m, err := est.Fit(pipeline.WithAllocator(context.Background(), mem), r)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func column(t *testing.T, rec arrow.Record, name string) []float64 {
	t.Helper()
	i, err := table.FieldIndex(rec.Schema(), name)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := table.Float64s(rec.Column(i)); err == nil {
		return v
	}
	v, _, err := table.DenseVectors(rec.Column(i))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func recordsEqual(a, b []arrow.Record) bool {
	defer func() {
		for _, r := range append(a, b...) {
			r.Release()
		}
	}()
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].NumCols() != b[i].NumCols() || a[i].NumRows() != b[i].NumRows() {
			return false
		}
		for j := range a[i].Columns() {
			if fmt.Sprint(a[i].Column(j)) != fmt.Sprint(b[i].Column(j)) {
				return false
			}
		}
	}
	return true
}

func TestParams(t *testing.T) {
	c, err := NewClassifier(nil)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := NewRegressor(nil)
	if NumEstimators.Get(c.Params()) != 100 || !Bootstrap.Get(c.Params()) || MaxFeatures.Get(c.Params()) != "sqrt" ||
		RegressorMaxFeatures.Get(r.Params()) != "all" || Criterion.Get(c.Params()) != "gini" {
		t.Errorf("defaults %v / %v", c.Params().Values(), r.Params().Values())
	}
	for _, bad := range []map[string]any{{"n_estimators": 0}, {"max_features": "most"}, {"parallelism": -1},
		{"min_samples_leaf": 0}, {"criterion": "log_loss"}} {
		if _, err := NewClassifier(bad); err == nil || !strings.Contains(err.Error(), ClassifierKind) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

// TestReproducible: the forest depends on the seed, not on how many trees
// grow at once.
func TestReproducible(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := dataset(t, "wine", "label")
	tbl := newTable(t, mem, d.X, d.Target)
	defer tbl.Release()
	model := func(p map[string]any) *ClassifierModel {
		est, err := NewClassifier(p)
		if err != nil {
			t.Fatal(err)
		}
		return fit(t, mem, est, tbl).(*ClassifierModel)
	}
	a := model(map[string]any{"n_estimators": 20, "seed": 5, "parallelism": 1})
	b := model(map[string]any{"n_estimators": 20, "seed": 5, "parallelism": 2})
	c := model(map[string]any{"n_estimators": 20, "seed": 5, "parallelism": 7})
	other := model(map[string]any{"n_estimators": 20, "seed": 6})
	if !recordsEqual(a.ModelData(), b.ModelData()) || !recordsEqual(a.ModelData(), c.ModelData()) {
		t.Error("forest depends on parallelism")
	}
	if recordsEqual(a.ModelData(), other.ModelData()) {
		t.Error("seeds 5 and 6 grew the same forest")
	}
	var sum float64
	for _, v := range a.FeatureImportances() {
		sum += v
	}
	if a.NumTrees() != 20 || math.Abs(sum-1) > 1e-12 {
		t.Errorf("%d trees, importances sum %v", a.NumTrees(), sum)
	}
}

// TestWithoutRandomnessEqualsTree: without bootstrap and with one
// feature (so no ties between features for the seed to break), each tree
// is the decision tree and the forest predicts as the tree.
func TestWithoutRandomnessEqualsTree(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rng := rand.New(rand.NewPCG(9, 9))
	var x [][]float64
	var y, yr []float64
	for range 300 {
		row := []float64{rng.Float64()}
		x = append(x, row)
		c := 0.0
		if math.Sin(6*row[0])+0.3*rng.NormFloat64() > 0 {
			c = 1
		}
		y = append(y, c)
		yr = append(yr, math.Sin(6*row[0])+0.1*rng.NormFloat64())
	}
	for _, reg := range []bool{false, true} {
		target := y
		if reg {
			target = yr
		}
		tbl := newTable(t, mem, x, target)
		var forest, tree pipeline.Model
		p := map[string]any{"max_depth": 6, "min_samples_leaf": 3}
		if reg {
			tree = fit(t, mem, must(decisiontree.NewRegressor(p)), tbl)
			p["bootstrap"], p["n_estimators"] = false, 5
			forest = fit(t, mem, must(NewRegressor(p)), tbl)
		} else {
			tree = fit(t, mem, must(decisiontree.NewClassifier(p)), tbl)
			p["bootstrap"], p["n_estimators"], p["max_features"] = false, 5, "all"
			forest = fit(t, mem, must(NewClassifier(p)), tbl)
		}
		fo, err := forest.Transform(ctx, tbl.Batch(0))
		if err != nil {
			t.Fatal(err)
		}
		to, err := tree.Transform(ctx, tbl.Batch(0))
		if err != nil {
			t.Fatal(err)
		}
		col := "probability"
		if reg {
			col = "prediction"
		}
		fp, tp := column(t, fo, col), column(t, to, col)
		for i := range fp {
			if math.Abs(fp[i]-tp[i]) > 1e-12 {
				t.Fatalf("regression %v row %d: forest %v, tree %v", reg, i, fp[i], tp[i])
			}
		}
		fo.Release()
		to.Release()
		tbl.Release()
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestSaveLoadAndBadInput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	d := dataset(t, "iris", "label")
	tbl := newTable(t, mem, d.X, d.Target)
	defer tbl.Release()
	clf, _ := NewClassifier(map[string]any{"n_estimators": 10, "model_version_col": "v"})
	reg, _ := NewRegressor(map[string]any{"n_estimators": 10, "max_depth": 4})
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
			out2, err := loaded.(pipeline.Model).Transform(ctx, tbl.Batch(0))
			if err != nil {
				t.Fatal(err)
			}
			out.Retain()
			if !recordsEqual([]arrow.Record{out}, []arrow.Record{out2}) {
				t.Errorf("%s %s: output differs after save/load", m.Kind(), path)
			}
		}
		out.Release()
	}
	bad := newTable(t, mem, [][]float64{{1, 2}, {2, 3}}, []float64{3, 3})
	defer bad.Release()
	r := bad.Reader()
	defer r.Release()
	if _, err := clf.Fit(ctx, r); err == nil || !strings.Contains(err.Error(), "only one class") {
		t.Errorf("one class: %v", err)
	}
	// Cancelled context stops the fit.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	r2 := tbl.Reader()
	defer r2.Release()
	if _, err := clf.Fit(cctx, r2); err == nil {
		t.Error("fit with a cancelled context succeeded")
	}
}

// BenchmarkFitClassifier grows 100 trees on 20,000 rows × 10 features.
func BenchmarkFitClassifier(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 20_000
	x := make([][]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = make([]float64, 10)
		for j := range x[i] {
			x[i][j] = rng.Float64()
		}
		if x[i][0]+2*x[i][1]*x[i][2]+0.3*rng.NormFloat64() > 1 {
			y[i] = 1
		}
	}
	tbl := newTable(b, memory.NewGoAllocator(), x, y)
	defer tbl.Release()
	est, _ := NewClassifier(nil)
	b.ResetTimer()
	for range b.N {
		fit(b, memory.NewGoAllocator(), est, tbl)
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "trees/s")
}
