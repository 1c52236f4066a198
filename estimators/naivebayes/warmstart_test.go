package naivebayes

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/esttest"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/table"
)

func fitEst(t *testing.T, ctx context.Context, est *NaiveBayes, tbl *table.Table) *Model {
	t.Helper()
	r := tbl.Reader()
	defer r.Release()
	m, err := est.Fit(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*Model)
}

func mustEstimator(t *testing.T, kind string, params map[string]any) *NaiveBayes {
	t.Helper()
	est, err := newEstimator(kind, params)
	if err != nil {
		t.Fatal(err)
	}
	return est
}

// modelValues is every float64 of a model's data, by column name.
func modelValues(t *testing.T, m *Model) map[string][]float64 {
	t.Helper()
	rec := m.ModelData()[0]
	out := map[string][]float64{}
	for i, f := range rec.Schema().Fields() {
		v, err := table.Float64s(rec.Column(i))
		if err != nil {
			if v, _, err = table.DenseVectors(rec.Column(i)); err != nil {
				t.Fatalf("column %q: %v", f.Name, err)
			}
		}
		out[f.Name] = v
	}
	return out
}

// sameModel reports the first value of a's data more than rel (relative)
// away from b's, or "".
func sameModel(t *testing.T, a, b *Model, rel float64) string {
	t.Helper()
	va, vb := modelValues(t, a), modelValues(t, b)
	if len(va) != len(vb) {
		return fmt.Sprintf("columns %d and %d", len(va), len(vb))
	}
	for name, x := range va {
		y := vb[name]
		if len(x) != len(y) {
			return fmt.Sprintf("column %q: %d and %d values", name, len(x), len(y))
		}
		for i := range x {
			if math.Abs(x[i]-y[i]) > rel*math.Max(math.Abs(x[i]), math.Abs(y[i])) {
				return fmt.Sprintf("column %q value %d: %v and %v", name, i, x[i], y[i])
			}
		}
	}
	return ""
}

// split returns tables of all rows, of the rows in the 75% part of
// esttest.InTrain and of the others, with weights 1 + i%3 when weighted.
func split(t *testing.T, mem memory.Allocator, x [][]float64, y []float64, weighted bool) (all, a, b *table.Table) {
	t.Helper()
	var w []float64
	if weighted {
		w = make([]float64, len(x))
		for i := range w {
			w[i] = 1 + float64(i%3)
		}
	}
	var parts [2]struct {
		x    [][]float64
		y, w []float64
	}
	for i := range x {
		p := &parts[1]
		if esttest.InTrain(3, i) {
			p = &parts[0]
		}
		p.x, p.y = append(p.x, x[i]), append(p.y, y[i])
		if w != nil {
			p.w = append(p.w, w[i])
		}
	}
	mk := func(x [][]float64, y, w []float64) *table.Table {
		tbl, err := esttest.Table(mem, x, y, w)
		if err != nil {
			t.Fatal(err)
		}
		return tbl
	}
	return mk(x, y, w), mk(parts[0].x, parts[0].y, parts[0].w), mk(parts[1].x, parts[1].y, parts[1].w)
}

// TestWarmStartEqualsCold: fitting part A, then warm on part B, gives the
// model of a cold fit on all rows, for every kind, with and without
// sample weights; from the previous Fit and from saved model data alike.
func TestWarmStartEqualsCold(t *testing.T) {
	for _, c := range []struct {
		kind, data  string
		standardize bool
		params      map[string]any
	}{
		{GaussianKind, "iris", false, nil},
		{GaussianKind, "wine", true, map[string]any{"var_smoothing": 1e-3}}, // epsilon matters
		{GaussianKind, "breast_cancer", false, map[string]any{"class_prior": []float64{0.3, 0.7}}},
		{MultinomialKind, "iris", false, nil},
		{MultinomialKind, "wine", false, map[string]any{"alpha": 0.5, "fit_prior": false}},
		{BernoulliKind, "iris", true, nil},
		{BernoulliKind, "wine", true, map[string]any{"binarize": 0.5, "alpha": 2.0}},
	} {
		for _, weighted := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/%s/weighted=%v", c.kind, c.data, weighted), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				ctx := pipeline.WithAllocator(context.Background(), mem)
				d := dataset(t, c.data)
				x := d.X
				if c.standardize {
					x = esttest.Standardize(x)
				}
				all, a, b := split(t, mem, x, d.Target, weighted)
				defer all.Release()
				defer a.Release()
				defer b.Release()
				params := map[string]any{}
				for k, v := range c.params {
					params[k] = v
				}
				if weighted {
					params["weight_col"] = "weight"
				}
				cold := fitEst(t, ctx, mustEstimator(t, c.kind, params), all)
				params["warm_start"] = true
				est := mustEstimator(t, c.kind, params)
				first := fitEst(t, ctx, est, a)
				warm := fitEst(t, ctx, est, b)
				if diff := sameModel(t, warm, cold, 1e-12); diff != "" {
					t.Errorf("A then B differs from a cold fit on all rows: %s", diff)
				}
				if sameModel(t, first, cold, 1e-6) == "" {
					t.Error("the model of part A alone equals the cold one: the test shows nothing")
				}
				// Saved and loaded data of the first model start another
				// estimator the same way.
				path := filepath.Join(t.TempDir(), "m")
				if err := modelio.Save(first, path, nil); err != nil {
					t.Fatal(err)
				}
				loaded, err := modelio.Load(path, nil)
				if err != nil {
					t.Fatal(err)
				}
				other := mustEstimator(t, c.kind, params)
				if err := other.SetInitialModelData(loaded.(pipeline.Model).ModelData()...); err != nil {
					t.Fatal(err)
				}
				if diff := sameModel(t, fitEst(t, ctx, other, b), cold, 1e-12); diff != "" {
					t.Errorf("from saved model data: %s", diff)
				}
				// The warm model scores as the cold one.
				out1, err := warm.Transform(ctx, all.Batch(0))
				if err != nil {
					t.Fatal(err)
				}
				defer out1.Release()
				out2, err := cold.Transform(ctx, all.Batch(0))
				if err != nil {
					t.Fatal(err)
				}
				defer out2.Release()
				nf := out1.Schema().NumFields()
				p1, _ := table.Float64s(out1.Column(nf - 3))
				p2, _ := table.Float64s(out2.Column(nf - 3))
				if fmt.Sprint(p1) != fmt.Sprint(p2) {
					t.Error("warm and cold predictions differ")
				}
			})
		}
	}
}

// TestWarmStartClasses: a later fit may lack classes of the first (as
// scikit-learn's partial_fit) but not bring new ones; the error keeps the
// statistics.
func TestWarmStartClasses(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	x := [][]float64{{1, 0}, {2, 1}, {0, 3}, {1, 4}, {5, 5}, {4, 6}}
	tbl := func(rows []int, labels []float64) *table.Table {
		var xs [][]float64
		for _, i := range rows {
			xs = append(xs, x[i])
		}
		return smallTable(t, mem, xs, labels)
	}
	a := tbl([]int{0, 1, 2, 3}, []float64{0, 0, 1, 1})
	defer a.Release()
	bSome := tbl([]int{4, 5}, []float64{1, 1})
	defer bSome.Release()
	bNew := tbl([]int{4, 5}, []float64{1, 2})
	defer bNew.Release()
	all := tbl([]int{0, 1, 2, 3, 4, 5}, []float64{0, 0, 1, 1, 1, 1})
	defer all.Release()
	for _, kind := range []string{GaussianKind, MultinomialKind, BernoulliKind} {
		t.Run(kind, func(t *testing.T) {
			est := mustEstimator(t, kind, map[string]any{"warm_start": true})
			fitEst(t, ctx, est, a)
			r := bNew.Reader()
			_, err := est.Fit(ctx, r)
			r.Release()
			if err == nil || !strings.Contains(err.Error(), "warm start: the data has labels [2] that the initial model has not (it has [0 1]") ||
				!strings.Contains(err.Error(), kind) {
				t.Errorf("new class: %v", err)
			}
			// The failed fit kept A's statistics.
			warm := fitEst(t, ctx, est, bSome)
			cold := fitEst(t, ctx, mustEstimator(t, kind, nil), all)
			if diff := sameModel(t, warm, cold, 1e-12); diff != "" {
				t.Errorf("A then B without class 0: %s", diff)
			}
			if got := warm.ClassCounts(); fmt.Sprint(got) != "[2 4]" {
				t.Errorf("class counts %v, want [2 4]", got)
			}
		})
	}
}

func TestWarmStartMismatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	two := smallTable(t, mem, [][]float64{{1, 0}, {2, 1}, {0, 3}, {1, 4}}, []float64{0, 0, 1, 1})
	defer two.Release()
	three := smallTable(t, mem, [][]float64{{1, 0, 1}, {2, 1, 1}, {0, 3, 1}, {1, 4, 1}}, []float64{0, 0, 1, 1})
	defer three.Release()
	models := map[string]*Model{}
	for _, kind := range []string{GaussianKind, MultinomialKind, BernoulliKind} {
		models[kind] = fitEst(t, ctx, mustEstimator(t, kind, nil), two)
	}
	for i, c := range []struct {
		from   string // kind of the initial model
		byData bool   // SetInitialModelData, else SetInitialModel
		kind   string
		params map[string]any
		data   *table.Table
		want   string
	}{
		{GaussianKind, false, MultinomialKind, nil, two, "the initial model is a gaussian_nb_model, the estimator fits a multinomial_nb_model"},
		{MultinomialKind, false, BernoulliKind, nil, two, "the initial model is a multinomial_nb_model, the estimator fits a bernoulli_nb_model"},
		{BernoulliKind, false, GaussianKind, nil, two, "the initial model is a bernoulli_nb_model, the estimator fits a gaussian_nb_model"},
		{GaussianKind, true, BernoulliKind, nil, two, "the initial model is a gaussian_nb_model, the estimator fits a bernoulli_nb_model"},
		{MultinomialKind, true, GaussianKind, nil, two, "the initial model is a multinomial_nb_model or bernoulli_nb_model, the estimator fits a gaussian_nb_model"},
		{GaussianKind, false, GaussianKind, nil, three, "the initial model has 2 features, the data 3"},
		{MultinomialKind, true, MultinomialKind, nil, three, "the initial model has 2 features, the data 3"},
		{BernoulliKind, false, BernoulliKind, map[string]any{"binarize": 0.5}, two, `the initial model has binarize 0, param "binarize" is 0.5`},
	} {
		params := map[string]any{"warm_start": true}
		for k, v := range c.params {
			params[k] = v
		}
		est := mustEstimator(t, c.kind, params)
		var err error
		if c.byData {
			err = est.SetInitialModelData(models[c.from].ModelData()...)
		} else {
			err = est.SetInitialModel(models[c.from])
		}
		if err != nil {
			t.Fatal(err)
		}
		r := c.data.Reader()
		_, err = est.Fit(ctx, r)
		r.Release()
		if err == nil || !strings.Contains(err.Error(), "warm start: "+c.want) || !strings.Contains(err.Error(), c.kind) {
			t.Errorf("%d: error %v, want %q", i, err, c.want)
		}
		// warm_start false ignores the initial model.
		if err := est.SetWarmStart(false); err != nil {
			t.Fatal(err)
		}
		fitEst(t, ctx, est, c.data)
	}
	// Data without counts cannot start a fit.
	rec, err := ModelDataRecord(mem, MultinomialModelKind, []float64{0, 1}, []float64{math.Log(0.5), math.Log(0.5)},
		[][]float64{{math.Log(0.5), math.Log(0.5)}, {math.Log(0.5), math.Log(0.5)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	est := mustEstimator(t, MultinomialKind, map[string]any{"warm_start": true})
	if err := est.SetInitialModelData(rec); err == nil || !strings.Contains(err.Error(), `no column "class_count"`) {
		t.Errorf("data without counts: %v", err)
	}
	m, _ := NewModel(MultinomialModelKind, nil)
	if err := m.SetModelData(rec); err != nil {
		t.Fatal(err)
	}
	if err := est.SetInitialModel(m); err == nil || !strings.Contains(err.Error(), `no column "class_count"`) {
		t.Errorf("model without counts: %v", err)
	}
	if err := est.SetInitialModel(&Model{kind: MultinomialModelKind}); err == nil {
		t.Error("model without data accepted")
	}
	if err := est.SetInitialModelData(two.Batch(0)); err == nil || !strings.Contains(err.Error(), "initial model data") {
		t.Errorf("features as model data: %v", err)
	}
}

// TestWarmStartOff: without warm_start a Fit is cold whatever came
// before; SetInitialModel(nil) forgets the statistics.
func TestWarmStartOff(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	a := smallTable(t, mem, [][]float64{{1, 0}, {2, 1}, {0, 3}, {1, 4}}, []float64{0, 0, 1, 1})
	defer a.Release()
	b := smallTable(t, mem, [][]float64{{3, 1}, {0, 5}}, []float64{0, 1})
	defer b.Release()
	for _, kind := range []string{GaussianKind, MultinomialKind, BernoulliKind} {
		onlyB := fitEst(t, ctx, mustEstimator(t, kind, nil), b)
		off := mustEstimator(t, kind, nil)
		if err := off.SetInitialModel(fitEst(t, ctx, off, a)); err != nil {
			t.Fatal(err)
		}
		if !equalRecords(fitEst(t, ctx, off, b).ModelData()[0], onlyB.ModelData()[0]) {
			t.Errorf("%s: a fit without warm_start used the previous statistics", kind)
		}
		on := mustEstimator(t, kind, map[string]any{"warm_start": true})
		fitEst(t, ctx, on, a)
		if err := on.SetInitialModel(nil); err != nil {
			t.Fatal(err)
		}
		if !equalRecords(fitEst(t, ctx, on, b).ModelData()[0], onlyB.ModelData()[0]) {
			t.Errorf("%s: SetInitialModel(nil) kept the statistics", kind)
		}
	}
}
