package naivebayes

import (
	"compress/gzip"
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

func fit(t *testing.T, ctx context.Context, kind string, params map[string]any, tbl *table.Table) *Model {
	t.Helper()
	est, err := newEstimator(kind, params)
	if err != nil {
		t.Fatal(err)
	}
	r := tbl.Reader()
	defer r.Release()
	m, err := est.Fit(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*Model)
}

func close(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*math.Max(1, math.Abs(b))
}

type sklearnCase struct {
	Kind        string         `json:"kind"`
	Dataset     string         `json:"dataset"`
	Standardize bool           `json:"standardize"`
	Params      map[string]any `json:"params"`
	Weighted    bool           `json:"weighted"`
	LogPrior    []float64      `json:"log_prior"`
	Theta       [][]float64    `json:"theta"`
	Var         [][]float64    `json:"var"`
	JLL         [][]float64    `json:"jll"`
	Proba       [][]float64    `json:"proba"`
	Pred        []float64      `json:"pred"`
}

// TestMatchesSklearn compares parameters, joint log likelihoods,
// probabilities and predictions with scikit-learn's on every row (1e-9
// relative).
func TestMatchesSklearn(t *testing.T) {
	f, err := os.Open("testdata/expected.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var cases []sklearnCase
	if err := json.NewDecoder(zr).Decode(&cases); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%s/%s/%d", c.Kind, c.Dataset, i), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			ctx := pipeline.WithAllocator(context.Background(), mem)
			d := dataset(t, c.Dataset)
			x := d.X
			if c.Standardize {
				x = esttest.Standardize(x)
			}
			var w []float64
			params := map[string]any{}
			for k, v := range c.Params {
				params[k] = v
			}
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
			m := fit(t, ctx, c.Kind, params, tbl)
			check := func(what string, got []float64, want [][]float64) {
				t.Helper()
				var flat []float64
				for _, r := range want {
					flat = append(flat, r...)
				}
				if len(got) != len(flat) {
					t.Fatalf("%s: %d values, scikit-learn %d", what, len(got), len(flat))
				}
				for i := range got {
					if !close(got[i], flat[i], 1e-9) {
						t.Fatalf("%s[%d] = %v, scikit-learn %v", what, i, got[i], flat[i])
					}
				}
			}
			check("log prior", m.LogPriors(), [][]float64{c.LogPrior})
			check("theta", m.Theta(), c.Theta)
			if c.Var != nil {
				check("var", m.Vars(), c.Var)
			}
			out, err := m.Transform(ctx, tbl.Batch(0))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Release()
			nf := out.Schema().NumFields()
			pred, _ := table.Float64s(out.Column(nf - 3))
			raw, _, _ := table.DenseVectors(out.Column(nf - 2))
			prob, _, _ := table.DenseVectors(out.Column(nf - 1))
			check("joint log likelihood", raw, c.JLL)
			check("probability", prob, c.Proba)
			check("prediction", pred, [][]float64{c.Pred})
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

// TestHandChecked: multinomial counts by hand.
func TestHandChecked(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	tbl := smallTable(t, mem, [][]float64{{2, 0}, {1, 1}, {0, 3}}, []float64{5, 5, 7})
	defer tbl.Release()
	m := fit(t, ctx, MultinomialKind, nil, tbl)
	// class 5: counts (3, 1) + 1 -> (4, 2)/6; class 7: (0, 3) + 1 -> (1, 4)/5.
	want := []float64{math.Log(4.0 / 6), math.Log(2.0 / 6), math.Log(1.0 / 5), math.Log(4.0 / 5)}
	for i, v := range m.Theta() {
		if !close(v, want[i], 1e-12) {
			t.Errorf("theta %v, want %v", m.Theta(), want)
		}
	}
	if lp := m.LogPriors(); !close(lp[0], math.Log(2.0/3), 1e-12) || !close(lp[1], math.Log(1.0/3), 1e-12) {
		t.Errorf("log priors %v", lp)
	}
	out, err := m.Transform(ctx, tbl.Batch(0))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	pred, _ := table.Float64s(out.Column(2))
	if fmt.Sprint(pred) != "[5 5 7]" {
		t.Errorf("predictions %v", pred)
	}
}

func TestParams(t *testing.T) {
	g, err := NewGaussian(nil)
	if err != nil {
		t.Fatal(err)
	}
	if VarSmoothing.Get(g.Params()) != 1e-9 || g.FeaturesCol() != "features" || g.Kind() != GaussianKind {
		t.Errorf("gaussian defaults %v", g.Params().Values())
	}
	b, err := NewBernoulli(nil)
	if err != nil {
		t.Fatal(err)
	}
	if Alpha.Get(b.Params()) != 1 || Binarize.Get(b.Params()) != 0 || !FitPrior.Get(b.Params()) {
		t.Errorf("bernoulli defaults %v", b.Params().Values())
	}
	for _, c := range []struct {
		kind string
		bad  map[string]any
	}{{GaussianKind, map[string]any{"var_smoothing": -1.0}}, {GaussianKind, map[string]any{"alpha": 1.0}},
		{MultinomialKind, map[string]any{"alpha": -1.0}}, {MultinomialKind, map[string]any{"binarize": 1.0}},
		{BernoulliKind, map[string]any{"class_prior": []float64{-0.5}}}} {
		if _, err := newEstimator(c.kind, c.bad); err == nil || !strings.Contains(err.Error(), c.kind) {
			t.Errorf("%s %v: %v", c.kind, c.bad, err)
		}
	}
	if _, err := NewModel("nb", nil); err == nil {
		t.Error("unknown model kind accepted")
	}
}

func TestBadInput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	cases := []struct {
		kind   string
		params map[string]any
		x      [][]float64
		want   string
	}{
		{GaussianKind, nil, [][]float64{{1, 2}, {3, math.NaN()}}, `column "features" row 1: feature 1 is NaN`},
		{MultinomialKind, nil, [][]float64{{1, 2}, {3, -4}}, `column "features" row 1: feature 1 is -4, multinomial naive Bayes needs values >= 0`},
		{GaussianKind, map[string]any{"class_prior": []float64{0.5, 0.6}}, [][]float64{{1, 2}, {3, 4}}, `param "class_prior" sums to 1.1`},
		{BernoulliKind, map[string]any{"class_prior": []float64{1}}, [][]float64{{1, 2}, {3, 4}}, `param "class_prior" has 1 priors for 2 classes`},
	}
	for _, c := range cases {
		tbl := smallTable(t, mem, c.x, []float64{0, 1})
		est, _ := newEstimator(c.kind, c.params)
		r := tbl.Reader()
		_, err := est.Fit(ctx, r)
		r.Release()
		tbl.Release()
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.kind) {
			t.Errorf("%s: error %v, want %q", c.kind, err, c.want)
		}
	}
	tbl := smallTable(t, mem, [][]float64{{0, 1}, {1, 0}}, []float64{0, 1})
	defer tbl.Release()
	m := fit(t, ctx, GaussianKind, nil, tbl)
	other := smallTable(t, mem, [][]float64{{1, 2, 3}}, []float64{0})
	defer other.Release()
	if _, err := m.Transform(ctx, other.Batch(0)); err == nil || !strings.Contains(err.Error(), "vector of size 3, want 2") {
		t.Errorf("size mismatch: %v", err)
	}
	if _, err := (&Model{kind: GaussianModelKind}).Transform(ctx, other.Batch(0)); err == nil {
		t.Error("zero model transformed")
	}
}

func TestSaveLoadAndSetModelData(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	d := dataset(t, "wine")
	tbl, err := esttest.Table(mem, d.X, d.Target, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	for _, kind := range []string{GaussianKind, MultinomialKind, BernoulliKind} {
		m := fit(t, ctx, kind, map[string]any{"model_version_col": "v"}, tbl)
		out, err := m.Transform(ctx, tbl.Batch(0))
		if err != nil {
			t.Fatal(err)
		}
		want, err := m.OutputSchema(tbl.Schema())
		if err != nil || !out.Schema().Equal(want) {
			t.Fatalf("%s: schema %v, OutputSchema %v (%v)", kind, out.Schema(), want, err)
		}
		for _, path := range []string{filepath.Join(t.TempDir(), "m"), filepath.Join(t.TempDir(), "m.tar")} {
			if err := modelio.Save(m, path, nil); err != nil {
				t.Fatal(err)
			}
			loaded, err := modelio.Load(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if loaded.Kind() != modelKind(kind) {
				t.Errorf("loaded kind %q", loaded.Kind())
			}
			out2, err := loaded.(pipeline.Model).Transform(ctx, tbl.Batch(0))
			if err != nil {
				t.Fatal(err)
			}
			if !equalRecords(out, out2) {
				t.Errorf("%s %s: output differs after save/load", kind, path)
			}
			out2.Release()
		}
		out.Release()
	}
	// Swapping model data while transforming.
	m, _ := NewModel(GaussianModelKind, nil)
	small := smallTable(t, mem, [][]float64{{-1}, {1}}, []float64{0, 1})
	defer small.Release()
	set := func(s float64) {
		rec, err := ModelDataRecord(mem, GaussianModelKind, []float64{0, 1}, []float64{math.Log(0.5), math.Log(0.5)},
			[][]float64{{-s}, {s}}, [][]float64{{1}, {1}})
		if err != nil {
			t.Error(err)
			return
		}
		defer rec.Release()
		if err := m.SetModelData(rec); err != nil {
			t.Error(err)
		}
	}
	set(1)
	done := make(chan struct{})
	go func() {
		defer func() { done <- struct{}{} }()
		for i := range 200 {
			set(float64(i%5 + 1))
		}
	}()
	for range 200 {
		out, err := m.Transform(ctx, small.Batch(0))
		if err != nil {
			t.Fatal(err)
		}
		pred, _ := table.Float64s(out.Column(2))
		if pred[0] != 0 || pred[1] != 1 {
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
