package linreg

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/esttest"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/table"
)

type sklearnFit struct {
	Case         string    `json:"case"`
	Standardized bool      `json:"standardized"`
	RegParam     float64   `json:"reg_param"`
	ElasticNet   float64   `json:"elastic_net_param"`
	Weighted     bool      `json:"weighted"`
	FitIntercept bool      `json:"fit_intercept"`
	Coef         []float64 `json:"coef"`
	Intercept    float64   `json:"intercept"`
}

func fitTable(t *testing.T, mem memory.Allocator, params map[string]any, tbl *table.Table) *Model {
	t.Helper()
	est, err := New(params)
	if err != nil {
		t.Fatal(err)
	}
	r := tbl.Reader()
	defer r.Release()
	m, err := est.Fit(pipeline.WithAllocator(context.Background(), mem), r)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*Model)
}

func TestMatchesSklearnOnDiabetes(t *testing.T) {
	d, err := esttest.ReadNumeric(filepath.Join(esttest.DatasetDir, "diabetes.csv.gz"), "target")
	if err != nil {
		if os.IsNotExist(err) && os.Getenv("CI") != "true" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	b, err := os.ReadFile("testdata/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []sklearnFit
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Case, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			x := d.X
			if c.Standardized {
				x = esttest.Standardize(x)
			}
			params := map[string]any{"reg_param": c.RegParam, "elastic_net_param": c.ElasticNet,
				"fit_intercept": c.FitIntercept, "tol": 1e-10, "max_iter": 100000}
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
			m := fitTable(t, mem, params, tbl)
			got := m.Coefficients()
			scale := 1.0
			for _, v := range c.Coef {
				scale = math.Max(scale, math.Abs(v))
			}
			for j := range c.Coef {
				if math.Abs(got[j]-c.Coef[j]) > 1e-6*scale {
					t.Errorf("coef %d: %.10g, sklearn %.10g", j, got[j], c.Coef[j])
				}
			}
			if math.Abs(m.Intercept()-c.Intercept) > 1e-6*math.Max(1, math.Abs(c.Intercept)) {
				t.Errorf("intercept %.10g, sklearn %.10g", m.Intercept(), c.Intercept)
			}
		})
	}
}

func TestParamsAndErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	est, err := New(nil)
	if err != nil || RegParam.Get(est.Params()) != 0 || MaxIter.Get(est.Params()) != 1000 || !FitIntercept.Get(est.Params()) {
		t.Fatalf("defaults %v %v", est.Params().Values(), err)
	}
	for _, bad := range []map[string]any{{"reg_param": -1.0}, {"elastic_net_param": 2.0}, {"tol": -1.0}} {
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), Kind) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	tbl, _ := esttest.Table(mem, [][]float64{{1, math.Inf(1)}, {2, 3}}, []float64{1, 2}, nil)
	defer tbl.Release()
	r := tbl.Reader()
	_, err = est.Fit(context.Background(), r)
	r.Release()
	if err == nil || !strings.Contains(err.Error(), `row 0: feature 1 is +Inf`) {
		t.Errorf("inf: %v", err)
	}
}

func TestExactFitTransformSaveLoad(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	// y = 2 + 3 x0 - x1 exactly.
	x := [][]float64{{0, 0}, {1, 0}, {0, 1}, {2, 3}, {5, 1}}
	y := make([]float64, len(x))
	for i, r := range x {
		y[i] = 2 + 3*r[0] - r[1]
	}
	tbl, _ := esttest.Table(mem, x, y, nil)
	defer tbl.Release()
	m := fitTable(t, mem, map[string]any{"prediction_col": "yhat", "model_version_col": "v"}, tbl)
	c := m.Coefficients()
	if math.Abs(c[0]-3) > 1e-12 || math.Abs(c[1]+1) > 1e-12 || math.Abs(m.Intercept()-2) > 1e-12 {
		t.Errorf("coef %v intercept %v", c, m.Intercept())
	}
	out, err := m.Transform(ctx, tbl.Batch(0))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	pred, _ := table.Float64s(out.Column(2))
	for i := range y {
		if math.Abs(pred[i]-y[i]) > 1e-12 {
			t.Errorf("row %d: %v, want %v", i, pred[i], y[i])
		}
	}
	path := filepath.Join(t.TempDir(), "m.tar")
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
	defer out2.Release()
	if fmt.Sprint(out2.Column(2)) != fmt.Sprint(out.Column(2)) || !out2.Schema().Equal(out.Schema()) {
		t.Error("output differs after save/load")
	}
}
