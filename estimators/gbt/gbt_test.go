package gbt

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/esttest"
	"github.com/eddyml/eddy/estimators/internal/trees"
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
	Dataset string         `json:"dataset"`
	Target  string         `json:"target"`
	Task    string         `json:"task"`
	Params  map[string]any `json:"params"`
	Raw     [][]float64    `json:"raw"`
}

// TestMatchesSklearn compares raw scores (probabilities for multiclass,
// which scikit-learn may shift by a constant) with
// HistGradientBoosting* on whole datasets (testdata/gen_expected.py).
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
			ctx := pipeline.WithAllocator(context.Background(), mem)
			d := dataset(t, c.Dataset, c.Target)
			tbl := newTable(t, mem, d.X, d.Target)
			defer tbl.Release()
			params := map[string]any{"early_stopping": "off"}
			for k, v := range c.Params {
				params[k] = v
			}
			var est pipeline.Estimator
			if c.Task == "clf" {
				est, err = NewClassifier(params)
			} else {
				est, err = NewRegressor(params)
			}
			if err != nil {
				t.Fatal(err)
			}
			r := tbl.Reader()
			m, err := est.Fit(ctx, r)
			r.Release()
			if err != nil {
				t.Fatal(err)
			}
			out, err := m.Transform(ctx, tbl.Batch(0))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Release()
			var worst float64
			switch {
			case c.Task == "reg":
				pred, _ := column(t, out, "prediction")
				for i, row := range c.Raw {
					worst = math.Max(worst, math.Abs(pred[i]-row[0])/math.Max(1, math.Abs(row[0])))
				}
			case len(c.Raw[0]) == 1:
				raw, _ := column(t, out, "raw_prediction")
				for i, row := range c.Raw {
					worst = math.Max(worst, math.Abs(raw[2*i+1]-row[0]))
				}
			default:
				prob, k := column(t, out, "probability")
				p := make([]float64, k)
				for i, row := range c.Raw {
					trees.Softmax(p, row)
					for j := range k {
						worst = math.Max(worst, math.Abs(prob[i*k+j]-p[j]))
					}
				}
			}
			if worst > 1e-6 {
				t.Errorf("largest difference from scikit-learn %.3g > 1e-6", worst)
			}
		})
	}
}

func TestParams(t *testing.T) {
	est, err := NewClassifier(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := est.Params()
	if LearningRate.Get(p) != 0.1 || MaxIter.Get(p) != 100 || MaxLeafNodes.Get(p) != 31 || MinSamplesLeaf.Get(p) != 20 ||
		MaxBins.Get(p) != 255 || EarlyStopping.Get(p) != "auto" || NIterNoChange.Get(p) != 10 || Tol.Get(p) != 1e-7 ||
		ValidationFraction.Get(p) != 0.1 || L2Regularization.Get(p) != 0 || MaxDepth.Get(p) != 0 {
		t.Errorf("defaults %v", p.Values())
	}
	for _, bad := range []map[string]any{{"learning_rate": 0.0}, {"max_iter": 0}, {"max_leaf_nodes": 1},
		{"max_bins": 256}, {"early_stopping": "yes"}, {"validation_fraction": 1.0}, {"min_samples_leaf": 0},
		{"l2_regularization": -1.0}, {"n_iter_no_change": 0}} {
		if _, err := NewClassifier(bad); err == nil || !strings.Contains(err.Error(), ClassifierKind) {
			t.Errorf("%v: %v", bad, err)
		}
		if _, err := NewRegressor(bad); err == nil || !strings.Contains(err.Error(), RegressorKind) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func TestBinThresholds(t *testing.T) {
	cases := []struct {
		col  []float64
		bins int
		want []float64
	}{
		{[]float64{3, 1, 2, 2, 1}, 255, []float64{1.5, 2.5}},
		{[]float64{5, 5, 5}, 255, []float64{}},
		// 8 distinct values in 4 bins: midpoint percentiles 25, 50, 75.
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8}, 4, []float64{2.5, 4.5, 6.5}},
	}
	for _, c := range cases {
		got := binThresholds(c.col, c.bins)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("binThresholds(%v, %d) = %v, want %v", c.col, c.bins, got, c.want)
		}
		for _, v := range c.col {
			b := binOf(got, v)
			if (int(b) < len(got) && v > got[b]) || (b > 0 && v <= got[b-1]) {
				t.Errorf("binOf(%v) = %d with edges %v", v, b, got)
			}
		}
	}
}

func TestShouldStop(t *testing.T) {
	cases := []struct {
		losses []float64
		want   bool
	}{
		{[]float64{1, 0.9, 0.8}, false},               // too few
		{[]float64{1, 0.9, 0.8, 0.7}, false},          // improving
		{[]float64{1, 0.9, 0.95, 0.92}, true},         // none below 0.9 - tol
		{[]float64{1, 0.9, 0.95, 0.9 - 2e-7}, false},  // improved by more than tol
		{[]float64{1, 0.9, 0.95, 0.9 - 0.5e-7}, true}, // by less than tol
	}
	for _, c := range cases {
		if got := shouldStop(c.losses, 2, 1e-7); got != c.want {
			t.Errorf("shouldStop(%v) = %v", c.losses, got)
		}
	}
}

// noisy is n rows whose label is mostly noise, so validation loss stops
// improving early.
func noisy(n int) ([][]float64, []float64) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([][]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = []float64{rng.Float64(), rng.Float64(), rng.Float64()}
		if x[i][0]+rng.NormFloat64() > 0.5 {
			y[i] = 1
		}
	}
	return x, y
}

func TestEarlyStopping(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	x, y := noisy(3000)
	tbl := newTable(t, mem, x, y)
	defer tbl.Release()
	fitWith := func(p map[string]any) (*ClassifierModel, Report) {
		est, err := NewClassifier(p)
		if err != nil {
			t.Fatal(err)
		}
		r := tbl.Reader()
		defer r.Release()
		m, rep, err := est.FitReport(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		return m, rep
	}
	m, rep := fitWith(map[string]any{"early_stopping": "on", "max_iter": 500})
	if !rep.EarlyStopped || rep.Iterations >= 500 || m.NumTrees() != rep.Iterations || len(rep.ValidationLoss) != rep.Iterations+1 {
		t.Errorf("early stopping: %d iterations, stopped %v, %d trees", rep.Iterations, rep.EarlyStopped, m.NumTrees())
	}
	if !shouldStop(rep.ValidationLoss, 10, 1e-7) {
		t.Errorf("stopped while the validation loss still improved: %v", rep.ValidationLoss)
	}
	// auto is off at 3000 rows; the training loss decreases.
	_, rep = fitWith(map[string]any{"max_iter": 20})
	if rep.EarlyStopped || rep.Iterations != 20 || rep.ValidationLoss != nil || !slices.IsSortedFunc(rep.TrainLoss, func(a, b float64) int {
		if a > b {
			return -1
		}
		return 1
	}) {
		t.Errorf("auto at 3000 rows: %+v", rep)
	}
	// The same seed gives the same model; serial and parallel histograms
	// agree (the parallel path runs above 16384 row-features per node).
	a, _ := fitWith(map[string]any{"early_stopping": "on", "seed": 7})
	b, _ := fitWith(map[string]any{"early_stopping": "on", "seed": 7})
	if !sameData(a.ModelData(), b.ModelData()) {
		t.Error("same seed, different models")
	}
}

func sameData(a, b []arrow.Record) bool {
	defer func() {
		for _, r := range append(a, b...) {
			r.Release()
		}
	}()
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !recordsEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

func recordsEqual(a, b arrow.Record) bool {
	if a.NumCols() != b.NumCols() || a.NumRows() != b.NumRows() {
		return false
	}
	for i := range a.Columns() {
		if fmt.Sprint(a.Column(i)) != fmt.Sprint(b.Column(i)) {
			return false
		}
	}
	return true
}

func TestSerialParallelHistograms(t *testing.T) {
	x, y := noisy(20000)
	n, d := len(x), 3
	gr := func(workers int) trees.Tree {
		g := &grower{n: n, d: d, bins: make([]uint8, n*d), nbins: make([]int, d), edges: make([][]float64, d), workers: workers,
			cfg: growConfig{maxLeaves: 31, minLeaf: 20, lr: 0.1}}
		col := make([]float64, n)
		for f := range d {
			for i := range n {
				col[i] = x[i][f]
			}
			g.edges[f] = binThresholds(col, 255)
			g.nbins[f] = len(g.edges[f]) + 1
			for i := range n {
				g.bins[f*n+i] = binOf(g.edges[f], x[i][f])
			}
		}
		g.g, g.h = make([]float64, n), make([]float64, n)
		rows := make([]int32, n)
		for i := range n {
			g.g[i], g.h[i] = 0.5-y[i], 0.25
			rows[i] = int32(i)
		}
		tr, leaves := g.grow(rows)
		if len(leaves) != tr.NumLeaves() {
			t.Errorf("%d leaves reported, tree has %d", len(leaves), tr.NumLeaves())
		}
		return tr
	}
	a, b := gr(1), gr(2)
	if fmt.Sprint(a) != fmt.Sprint(b) || a.NumLeaves() != 31 {
		t.Errorf("serial and parallel trees differ or have %d leaves", a.NumLeaves())
	}
}

func TestSaveLoadAndBadInput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	d := dataset(t, "iris", "label")
	tbl := newTable(t, mem, d.X, d.Target)
	defer tbl.Release()
	clf, _ := NewClassifier(map[string]any{"max_iter": 10, "model_version_col": "v"})
	reg, _ := NewRegressor(map[string]any{"max_iter": 10})
	for _, est := range []pipeline.Estimator{clf, reg} {
		r := tbl.Reader()
		m, err := est.Fit(ctx, r)
		r.Release()
		if err != nil {
			t.Fatal(err)
		}
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
			if !recordsEqual(out, out2) || !out.Schema().Equal(out2.Schema()) {
				t.Errorf("%s %s: output differs after save/load", m.Kind(), path)
			}
			out2.Release()
		}
		out.Release()
	}
	bad := newTable(t, mem, [][]float64{{1, math.Inf(-1)}, {2, 3}}, []float64{0, 1})
	defer bad.Release()
	r := bad.Reader()
	defer r.Release()
	if _, err := clf.Fit(ctx, r); err == nil || !strings.Contains(err.Error(), `row 0: feature 1 is -Inf`) {
		t.Errorf("inf feature: %v", err)
	}
}

// BenchmarkFitClassifier boosts 100 iterations on 100,000 rows × 20
// generated features (early stopping off), as
// scripts/bench_gbt_vs_sklearn.sh compares with
// HistGradientBoostingClassifier.
func BenchmarkFitClassifier(b *testing.B) {
	x, y := benchRows(100_000, 20)
	mem := memory.NewGoAllocator()
	tbl := newTable(b, mem, x, y)
	defer tbl.Release()
	est, _ := NewClassifier(map[string]any{"early_stopping": "off", "max_iter": 100})
	b.ResetTimer()
	for range b.N {
		r := tbl.Reader()
		if _, err := est.Fit(context.Background(), r); err != nil {
			b.Fatal(err)
		}
		r.Release()
	}
	b.ReportMetric(float64(len(x))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// benchRows is the generator of scripts/bench_gbt_vs_sklearn.py: x[i][j]
// = u(i*d+j) with u(k) = (mix64(k + 0x9E3779B97F4A7C15) >> 11) / 2^53,
// label 1 when x0 + x1*x2 + sin(6 x3) / 2 + 0.5 u(n*d+i) > 1.25.
func benchRows(n, d int) ([][]float64, []float64) {
	mix := func(z uint64) uint64 {
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		return z ^ (z >> 31)
	}
	u := func(k int) float64 { return float64(mix(uint64(k)+0x9E3779B97F4A7C15)>>11) / (1 << 53) }
	x := make([][]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = make([]float64, d)
		for j := range d {
			x[i][j] = u(i*d + j)
		}
		if x[i][0]+x[i][1]*x[i][2]+math.Sin(6*x[i][3])/2+0.5*u(n*d+i) > 1.25 {
			y[i] = 1
		}
	}
	return x, y
}

// TestSortedCopy checks the radix sort against slices.Sort on values of
// both signs, zeros, repeats and extremes.
func TestSortedCopy(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 100, 5000, 70000} {
		col := make([]float64, n)
		for i := range col {
			switch rng.IntN(6) {
			case 0:
				col[i] = 0
			case 1:
				col[i] = math.Copysign(0, -1)
			case 2:
				col[i] = float64(rng.IntN(5)) - 2
			case 3:
				col[i] = (rng.Float64() - 0.5) * 1e300
			case 4:
				col[i] = math.Inf(2*rng.IntN(2) - 1)
			default:
				col[i] = rng.NormFloat64() * 1e-5
			}
		}
		got := sortedCopy(col)
		want := slices.Clone(col)
		slices.Sort(want)
		if len(got) != len(want) {
			t.Fatalf("n=%d: %d values back", n, len(got))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("n=%d: position %d is %v, want %v", n, i, got[i], want[i])
			}
		}
	}
}
