package knn

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

func fit(t *testing.T, ctx context.Context, params map[string]any, tbl *table.Table) pipeline.Model {
	t.Helper()
	est, err := New(params)
	if err != nil {
		t.Fatal(err)
	}
	r := tbl.Reader()
	defer r.Release()
	m, err := est.Fit(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func smallTable(t *testing.T, mem memory.Allocator, x [][]float64, y []float64) *table.Table {
	t.Helper()
	tbl, err := esttest.Table(mem, x, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// TestMatchesSklearn compares probabilities and predictions with
// scikit-learn's brute-force KNeighborsClassifier (trained on even rows,
// scored on odd rows). Which of several equidistant neighbours fills the
// last of the k places is implementation-defined, so a row may differ only
// when such a tie exists; no row of these data sets has one that changes
// the vote, and every row must match to 1e-12.
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
	var cases []struct {
		Dataset string      `json:"dataset"`
		K       int         `json:"k"`
		Weights string      `json:"weights"`
		Proba   [][]float64 `json:"proba"`
		Pred    []float64   `json:"pred"`
	}
	if err := json.NewDecoder(zr).Decode(&cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/k=%d/%s", c.Dataset, c.K, c.Weights), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			ctx := pipeline.WithAllocator(context.Background(), mem)
			d := dataset(t, c.Dataset)
			x := esttest.Standardize(d.X)
			var trX, teX [][]float64
			var trY, teY []float64
			for i := range x {
				if i%2 == 0 {
					trX, trY = append(trX, x[i]), append(trY, d.Target[i])
				} else {
					teX, teY = append(teX, x[i]), append(teY, d.Target[i])
				}
			}
			train := smallTable(t, mem, trX, trY)
			defer train.Release()
			test := smallTable(t, mem, teX, teY)
			defer test.Release()
			m := fit(t, ctx, map[string]any{"k": c.K, "weights": c.Weights}, train)
			out, err := m.Transform(ctx, test.Batch(0))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Release()
			nf := out.Schema().NumFields()
			pred, _ := table.Float64s(out.Column(nf - 3))
			prob, k, _ := table.DenseVectors(out.Column(nf - 1))
			for i := range c.Pred {
				if pred[i] != c.Pred[i] {
					t.Errorf("row %d: prediction %v, scikit-learn %v", i, pred[i], c.Pred[i])
				}
				for j := range k {
					if math.Abs(prob[i*k+j]-c.Proba[i][j]) > 1e-12 {
						t.Errorf("row %d class %d: probability %v, scikit-learn %v", i, j, prob[i*k+j], c.Proba[i][j])
					}
				}
			}
		})
	}
}

// TestHandChecked covers the vote rules: distance weights, an exact match
// taking the whole vote, and ties going to the smaller label.
func TestHandChecked(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	train := smallTable(t, mem, [][]float64{{0}, {1}, {3}, {4}}, []float64{7, 7, 9, 9})
	defer train.Release()
	query := smallTable(t, mem, [][]float64{{2}, {2.5}, {3}}, []float64{0, 0, 0})
	defer query.Release()
	cases := []struct {
		params map[string]any
		pred   string
		prob   []float64
	}{
		// k=2 at 2: neighbours 1 (7) and 3 (9), a vote tie -> 7; at 2.5: 3 (9)
		// and, of 1 (7) and 4 (9) both at 1.5, the lower training row 1 -> 7.
		{map[string]any{"k": 2}, "[7 7 9]", []float64{0.5, 0.5, 0.5, 0.5, 0, 1}},
		// k=4, distance: at 2.5 votes 7: 1/2.5+1/1.5, 9: 1/0.5+1/1.5; at 3 the exact match wins.
		{map[string]any{"k": 4, "weights": "distance"}, "[7 9 9]", []float64{0.5, 0.5,
			(1/2.5 + 1/1.5) / (1/2.5 + 2/1.5 + 2), (2 + 1/1.5) / (1/2.5 + 2/1.5 + 2), 0, 1}},
	}
	for _, c := range cases {
		m := fit(t, ctx, c.params, train)
		out, err := m.Transform(ctx, query.Batch(0))
		if err != nil {
			t.Fatal(err)
		}
		pred, _ := table.Float64s(out.Column(2))
		prob, _, _ := table.DenseVectors(out.Column(4))
		if fmt.Sprint(pred) != c.pred {
			t.Errorf("%v: predictions %v, want %s", c.params, pred, c.pred)
		}
		for i := range prob {
			if math.Abs(prob[i]-c.prob[i]) > 1e-12 {
				t.Errorf("%v: probabilities %v, want %v", c.params, prob, c.prob)
				break
			}
		}
		out.Release()
	}
}

func TestParamsAndBadInput(t *testing.T) {
	est, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if K.Get(est.Params()) != 5 || Weights.Get(est.Params()) != WeightsUniform {
		t.Errorf("defaults %v", est.Params().Values())
	}
	for _, bad := range []map[string]any{{"k": 0}, {"weights": "gaussian"}, {"nope": 1}} {
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), Kind) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	for _, c := range []struct {
		x    [][]float64
		k    int
		want string
	}{
		{[][]float64{{1, 2}, {3, math.NaN()}}, 1, `column "features" row 1: feature 1 is NaN`},
		{[][]float64{{1, 2}, {3, 4}}, 3, `param "k" is 3 but there are only 2 rows`},
	} {
		tbl := smallTable(t, mem, c.x, []float64{0, 1})
		est, _ := New(map[string]any{"k": c.k})
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
	m := fit(t, ctx, map[string]any{"k": 1}, tbl)
	other := smallTable(t, mem, [][]float64{{1, 2, 3}}, []float64{0})
	defer other.Release()
	if _, err := m.Transform(ctx, other.Batch(0)); err == nil || !strings.Contains(err.Error(), "vector of size 3, want 2") {
		t.Errorf("size mismatch: %v", err)
	}
	if _, err := (&Model{}).Transform(ctx, other.Batch(0)); err == nil {
		t.Error("zero model transformed")
	}
}

func TestSaveLoadAndSetModelData(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	d := dataset(t, "breast_cancer")
	tbl, err := esttest.Table(mem, esttest.Standardize(d.X), d.Target, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	m := fit(t, ctx, map[string]any{"model_version_col": "v", "weights": "distance"}, tbl)
	out, err := m.Transform(ctx, tbl.Batch(0)) // 569×569×30: two goroutines
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	want, err := m.OutputSchema(tbl.Schema())
	if err != nil || !out.Schema().Equal(want) {
		t.Fatalf("schema %v, OutputSchema %v (%v)", out.Schema(), want, err)
	}
	pred, _ := table.Float64s(out.Column(2))
	for i, p := range pred { // distance weights: every training row is its own exact match
		if p != d.Target[i] {
			t.Errorf("row %d: %v, label %v", i, p, d.Target[i])
		}
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
	mm, _ := NewModel(map[string]any{"k": 1})
	q := smallTable(t, mem, [][]float64{{-1}, {1}}, []float64{0, 1})
	defer q.Release()
	set := func(s float64) {
		rec, err := ModelDataRecord(mem, []float64{-s, s}, 1, []float64{0, 1})
		if err != nil {
			t.Error(err)
			return
		}
		defer rec.Release()
		if err := mm.SetModelData(rec); err != nil {
			t.Error(err)
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
		out, err := mm.Transform(ctx, q.Batch(0))
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
