package linreg

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/esttest"
	"github.com/eddyml/eddy/pipeline"
)

func TestWarmStart(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	d, err := esttest.ReadNumeric(filepath.Join(esttest.DatasetDir, "diabetes.csv.gz"), "target")
	if err != nil {
		if os.IsNotExist(err) && os.Getenv("CI") != "true" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	tbl, err := esttest.Table(mem, esttest.Standardize(d.X), d.Target, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	params := map[string]any{"label_col": "label", "reg_param": 0.05, "elastic_net_param": 0.5, "tol": 1e-10, "warm_start": true}
	fit := func(e *LinearRegression) (*Model, FitResult) {
		r := tbl.Reader()
		defer r.Release()
		m, res, err := e.FitReport(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		return m, res
	}
	est, err := New(params)
	if err != nil {
		t.Fatal(err)
	}
	m1, cold := fit(est)
	_, warm := fit(est)
	other, _ := New(params)
	if err := other.SetInitialModel(m1); err != nil {
		t.Fatal(err)
	}
	m3, given := fit(other)
	t.Logf("sweeps: cold %d, warm %d, from given model %d", cold.Iter, warm.Iter, given.Iter)
	if cold.Iter < 4 || warm.Iter*4 > cold.Iter || given.Iter*4 > cold.Iter {
		t.Errorf("sweeps: cold %d, warm %d, given %d", cold.Iter, warm.Iter, given.Iter)
	}
	for j, c := range m3.Coefficients() {
		if math.Abs(c-m1.Coefficients()[j]) > 1e-6*math.Max(1, math.Abs(c)) {
			t.Errorf("coefficient %d: warm %v, cold %v", j, c, m1.Coefficients()[j])
		}
	}
	// The wrong feature count is an error.
	small, err := esttest.Table(mem, [][]float64{{1}, {2}, {3}}, []float64{1, 2, 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer small.Release()
	r := small.Reader()
	defer r.Release()
	if _, _, err := other.FitReport(ctx, r); err == nil || !strings.Contains(err.Error(), "warm start") {
		t.Errorf("warm start with another feature count: %v", err)
	}
}
