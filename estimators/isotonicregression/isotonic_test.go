package isotonicregression

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
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

func newTable(t testing.TB, mem memory.Allocator, cols ...table.Column) *table.Table {
	t.Helper()
	rec, err := table.Build(mem, cols...)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	tbl, err := table.New(rec.Schema(), rec)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

func fit(t testing.TB, ctx context.Context, params map[string]any, tbl *table.Table) (*Model, Report) {
	t.Helper()
	est, err := New(params)
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

func predict(t testing.TB, ctx context.Context, m *Model, mem memory.Allocator, x []float64) []float64 {
	t.Helper()
	rec, err := table.Build(mem, table.Col("features", x))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	out, err := m.Transform(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	p, err := table.Float64s(out.Column(1))
	if err != nil {
		t.Fatal(err)
	}
	return slices.Clone(p)
}

func weights(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = float64((i*7)%5) / 2
	}
	return w
}

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
}

// TestMatchesSklearn compares thresholds and predictions (training values
// and a grid beyond the range) with scikit-learn's IsotonicRegression
// (testdata/expected.json.gz, made by testdata/gen_expected.py) within
// 1e-9 relative.
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
	var exp struct {
		Cases []struct {
			Name, Dataset, Feature, Target string
			Params                         map[string]any
			Weighted, Increasing           bool
			XThresholds                    []float64 `json:"x_thresholds"`
			YThresholds                    []float64 `json:"y_thresholds"`
			Query                          []float64
			Prediction                     []*float64
		}
	}
	if err := json.NewDecoder(zr).Decode(&exp); err != nil {
		t.Fatal(err)
	}
	for _, c := range exp.Cases {
		t.Run(c.Name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			ctx := pipeline.WithAllocator(context.Background(), mem)
			d, err := esttest.ReadNumeric(filepath.Join(esttest.DatasetDir, c.Dataset+".csv.gz"), c.Target)
			if err != nil {
				if os.IsNotExist(err) && os.Getenv("CI") != "true" {
					t.Skip(err)
				}
				t.Fatal(err)
			}
			j := slices.Index(d.Names, c.Feature)
			x := make([]float64, len(d.X))
			for i, r := range d.X {
				x[i] = r[j]
			}
			cols := []table.Column{table.Col("features", x), table.Col("label", d.Target)}
			params := map[string]any{}
			for k, v := range c.Params {
				params[k] = v
			}
			if c.Weighted {
				cols = append(cols, table.Col("w", weights(len(x))))
				params["weight_col"] = "w"
			}
			tbl := newTable(t, mem, cols...)
			defer tbl.Release()
			m, rep := fit(t, ctx, params, tbl)
			if rep.Increasing != c.Increasing {
				t.Errorf("increasing %v, scikit-learn %v", rep.Increasing, c.Increasing)
			}
			bx, by := m.Boundaries()
			if len(bx) != len(c.XThresholds) {
				t.Fatalf("%d boundaries, scikit-learn %d", len(bx), len(c.XThresholds))
			}
			for i := range bx {
				if !near(bx[i], c.XThresholds[i]) || !near(by[i], c.YThresholds[i]) {
					t.Errorf("boundary %d: (%v, %v), scikit-learn (%v, %v)", i, bx[i], by[i], c.XThresholds[i], c.YThresholds[i])
				}
			}
			got := predict(t, ctx, m, mem, c.Query)
			bad := 0
			for i, w := range c.Prediction {
				want := math.NaN()
				if w != nil {
					want = *w
				}
				if !near(got[i], want) {
					if bad++; bad < 5 {
						t.Errorf("predict(%v) = %v, scikit-learn %v", c.Query[i], got[i], want)
					}
				}
			}
		})
	}
}

// TestHandChecked checks pooling, ties, weights, bounds, decreasing fits
// and the out_of_bounds modes on small hand-computed cases.
func TestHandChecked(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	cases := []struct {
		name   string
		x, y   []float64
		w      []float64
		params map[string]any
		bx, by []float64
		query  []float64
		pred   []float64
	}{
		// 3 > 2 pools to 2.5; the flat interior point 2 is dropped.
		{"pool", []float64{1, 2, 3, 4}, []float64{1, 3, 2, 4}, nil, nil,
			[]float64{1, 2, 3, 4}, []float64{1, 2.5, 2.5, 4}, []float64{0, 1.5, 2.5, 3.5, 5}, []float64{math.NaN(), 1.75, 2.5, 3.25, math.NaN()}},
		// Ties in x average first: x=2 -> (0+4)/2 = 2.
		{"ties", []float64{1, 2, 2, 3}, []float64{1, 0, 4, 3}, nil, map[string]any{"out_of_bounds": "clip"},
			[]float64{1, 2, 3}, []float64{1, 2, 3}, []float64{-5, 9}, []float64{1, 3}},
		// Weights: 3 (w 3) and 1 (w 1) pool to 2.5; weight 0 drops a row.
		{"weights", []float64{1, 2, 3, 4}, []float64{3, 1, 100, 5}, []float64{3, 1, 0, 1}, nil,
			[]float64{1, 2, 4}, []float64{2.5, 2.5, 5}, []float64{3}, []float64{3.75}},
		{"decreasing", []float64{1, 2, 3}, []float64{1, 3, 2}, nil, map[string]any{"increasing": false},
			[]float64{1, 3}, []float64{2, 2}, []float64{2}, []float64{2}},
		{"auto bool false", []float64{1, 2, 3}, []float64{3, 2, 1}, nil, map[string]any{"increasing": "auto"},
			[]float64{1, 2, 3}, []float64{3, 2, 1}, []float64{1.5}, []float64{2.5}},
		{"bounds", []float64{1, 2, 3}, []float64{0, 5, 10}, nil, map[string]any{"y_min": 1, "y_max": 8},
			[]float64{1, 2, 3}, []float64{1, 5, 8}, []float64{2.5}, []float64{6.5}},
		{"single point", []float64{2, 2}, []float64{1, 3}, nil, map[string]any{"out_of_bounds": "clip"},
			[]float64{2}, []float64{2}, []float64{0, 2, 7}, []float64{2, 2, 2}},
	}
	for _, c := range cases {
		cols := []table.Column{table.Col("features", c.x), table.Col("label", c.y)}
		params := map[string]any{}
		for k, v := range c.params {
			params[k] = v
		}
		if c.w != nil {
			cols = append(cols, table.Col("w", c.w))
			params["weight_col"] = "w"
		}
		tbl := newTable(t, mem, cols...)
		m, _ := fit(t, ctx, params, tbl)
		tbl.Release()
		bx, by := m.Boundaries()
		if !slices.Equal(bx, c.bx) || !slices.Equal(by, c.by) {
			t.Errorf("%s: boundaries %v %v, want %v %v", c.name, bx, by, c.bx, c.by)
		}
		got := predict(t, ctx, m, mem, c.query)
		for i := range got {
			if !near(got[i], c.pred[i]) {
				t.Errorf("%s: predict(%v) = %v, want %v", c.name, c.query[i], got[i], c.pred[i])
			}
		}
	}
}

// TestVectorFeature fits on element feature_index of dense and sparse
// vectors and an int column, giving the scalar fit's output.
func TestVectorFeature(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	x := []float64{1, 2, 3, 4, 5}
	y := []float64{2, 1, 4, 3, 6}
	dense := make([][]float64, len(x))
	sparse := make([]table.SparseVector, len(x))
	ints := make([]int32, len(x))
	for i, v := range x {
		dense[i] = []float64{-v, v}
		sparse[i] = table.SparseVector{Size: 3, Indices: []int32{1}, Values: []float64{v}}
		ints[i] = int32(v)
	}
	want := []float64{1.5, 1.5, 3.5, 3.5, 6}
	for _, col := range []table.Column{table.DenseCol("features", 2, dense), table.SparseCol("features", sparse), table.Col("features", ints)} {
		tbl := newTable(t, mem, col, table.Col("label", y))
		params := map[string]any{"feature_index": 1}
		if tbl.Schema().Field(0).Type.ID() == arrow.INT32 {
			params = nil
		}
		m, _ := fit(t, ctx, params, tbl)
		out, err := m.Transform(ctx, tbl.Batch(0))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := table.Float64s(out.Column(2))
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", tbl.Schema().Field(0).Type, got, want)
		}
		if s, err := m.OutputSchema(tbl.Schema()); err != nil || !s.Equal(out.Schema()) {
			t.Errorf("schema %v, OutputSchema %v (%v)", out.Schema(), s, err)
		}
		out.Release()
		tbl.Release()
	}
}

func TestParams(t *testing.T) {
	est, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := est.Params()
	if Increasing.Get(p) != "true" || OutOfBounds.Get(p) != "nan" || YMin.Get(p) != -math.MaxFloat64 || YMax.Get(p) != math.MaxFloat64 || FeatureIndex.Get(p) != 0 {
		t.Errorf("defaults %v", p.Values())
	}
	if est, err := New(map[string]any{"increasing": false}); err != nil || Increasing.Get(est.Params()) != "false" {
		t.Errorf("bool increasing: %v", err)
	}
	for _, c := range []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"increasing": "up"}, `param "increasing"`},
		{map[string]any{"out_of_bounds": "wrap"}, `param "out_of_bounds"`},
		{map[string]any{"feature_index": -1}, `param "feature_index"`},
		{map[string]any{"y_min": math.Inf(-1)}, `param "y_min"`},
	} {
		_, err := New(c.params)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), Kind) {
			t.Errorf("%v: error %v, want %q", c.params, err, c.want)
		}
	}
	if err := est.SetIncreasing("auto"); err != nil {
		t.Error(err)
	}
	if err := est.SetBounds(0, 1); err != nil {
		t.Error(err)
	}
	if err := est.SetOutOfBounds("raise"); err != nil {
		t.Error(err)
	}
	if err := est.SetOutOfBounds("x"); err == nil {
		t.Error("bad out_of_bounds accepted")
	}
}

func TestBadInput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	cases := []struct {
		name   string
		cols   []table.Column
		params map[string]any
		want   string
	}{
		{"nan feature", []table.Column{table.Col("features", []float64{1, math.NaN()}), table.Col("label", []float64{1, 2})}, nil, `column "features" row 1: feature is NaN`},
		{"inf label", []table.Column{table.Col("features", []float64{1, 2}), table.Col("label", []float64{1, math.Inf(1)})}, nil, `column "label" row 1: label is +Inf`},
		{"negative weight", []table.Column{table.Col("features", []float64{1, 2}), table.Col("label", []float64{1, 2}), table.Col("w", []float64{1, -1})},
			map[string]any{"weight_col": "w"}, `column "w" row 1: weight is -1`},
		{"zero weights", []table.Column{table.Col("features", []float64{1, 2}), table.Col("label", []float64{1, 2}), table.Col("w", []float64{0, 0})},
			map[string]any{"weight_col": "w"}, "no rows with a positive weight"},
		{"null feature", []table.Column{table.NullableCol("features", []float64{1, 2}, []bool{true, false}), table.Col("label", []float64{1, 2})}, nil, `column "features" row 1 is null`},
		{"string feature", []table.Column{table.Col("features", []string{"a"}), table.Col("label", []float64{1})}, nil, `column "features" has type utf8`},
		{"feature index", []table.Column{table.DenseCol("features", 2, [][]float64{{1, 2}}), table.Col("label", []float64{1})}, map[string]any{"feature_index": 2}, `param "feature_index" is 2 but vectors have size 2`},
		{"bounds", []table.Column{table.Col("features", []float64{1}), table.Col("label", []float64{1})}, map[string]any{"y_min": 2, "y_max": 1}, `param "y_min" (2) is greater than param "y_max" (1)`},
		{"no label", []table.Column{table.Col("features", []float64{1})}, nil, `"label"`},
	}
	for _, c := range cases {
		tbl := newTable(t, mem, c.cols...)
		est, err := New(c.params)
		if err != nil {
			t.Fatal(err)
		}
		r := tbl.Reader()
		_, err = est.Fit(ctx, r)
		r.Release()
		tbl.Release()
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), Kind) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	tbl := newTable(t, mem, table.Col("features", []float64{1, 2}), table.Col("label", []float64{1, 2}))
	defer tbl.Release()
	m, _ := fit(t, ctx, map[string]any{"out_of_bounds": "raise"}, tbl)
	rec, _ := table.Build(mem, table.Col("features", []float64{1.5, 3}))
	defer rec.Release()
	if _, err := m.Transform(ctx, rec); err == nil || !strings.Contains(err.Error(), `column "features" row 1: feature 3 outside the training range [1, 2]`) {
		t.Errorf("raise: %v", err)
	}
	empty, _ := NewModel(nil)
	if _, err := empty.Transform(ctx, rec); err == nil {
		t.Error("model without data transformed")
	}
	for _, bad := range [][2][]float64{{{1, 1}, {1, 2}}, {{1}, {}}, {{1, math.NaN()}, {1, 2}}} {
		if r, err := ModelDataRecord(mem, bad[0], bad[1]); err == nil {
			r.Release()
			t.Errorf("ModelDataRecord(%v) accepted", bad)
		}
	}
}

func equalRecords(a, b arrow.Record) bool {
	if a.NumCols() != b.NumCols() || a.NumRows() != b.NumRows() {
		return false
	}
	for i := range a.NumCols() {
		if !array.Equal(a.Column(int(i)), b.Column(int(i))) {
			return false
		}
	}
	return true
}

func TestSaveLoadAndSetModelData(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	x := []float64{1, 2, 3, 4, 5, 6}
	tbl := newTable(t, mem, table.Col("features", x), table.Col("label", []float64{1, 3, 2, 5, 4, 6}))
	defer tbl.Release()
	m, _ := fit(t, ctx, map[string]any{"model_version_col": "v", "out_of_bounds": "clip"}, tbl)
	out, err := m.Transform(ctx, tbl.Batch(0))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	for _, path := range []string{filepath.Join(t.TempDir(), "m"), filepath.Join(t.TempDir(), "m.tar")} {
		if err := modelio.Save(m, path, nil); err != nil {
			t.Fatal(err)
		}
		loaded, err := modelio.Load(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if loaded.Kind() != ModelKind {
			t.Errorf("loaded kind %q", loaded.Kind())
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
	// Swapping model data while transforming: every model maps 1 to 0.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			rec, err := ModelDataRecord(mem, []float64{1, 2}, []float64{0, float64(i)})
			if err != nil {
				t.Error(err)
				return
			}
			if err := m.SetModelData(rec); err != nil {
				t.Error(err)
			}
			rec.Release()
		}
	}()
	for range 200 {
		p := predict(t, ctx, m, mem, []float64{1})
		if p[0] != 0 && p[0] != 1 {
			t.Errorf("predict(1) = %v", p[0])
		}
	}
	<-done
}
