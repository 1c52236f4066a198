package randomforest

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
)

// TestWarmStart grows 5 trees, then warm-starts to 10: the first 5 are
// kept, and (each tree having its own generator) the forest is the one a
// cold fit of 10 grows.
func TestWarmStart(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	t.Run("classifier", func(t *testing.T) {
		d := dataset(t, "wine", "label")
		tbl := newTable(t, mem, d.X, d.Target)
		defer tbl.Release()
		fit := func(e *Classifier) *ClassifierModel {
			r := tbl.Reader()
			defer r.Release()
			m, err := e.FitForest(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		est, _ := NewClassifier(map[string]any{"n_estimators": 5, "warm_start": true, "seed": int64(4)})
		m5 := fit(est)
		_ = est.SetNumEstimators(10)
		m10 := fit(est)
		cold, _ := NewClassifier(map[string]any{"n_estimators": 10, "seed": int64(4)})
		c10 := fit(cold)
		if len(m10.Ensemble().Trees) != 10 || !reflect.DeepEqual(m10.Ensemble().Trees[:5], m5.Ensemble().Trees) {
			t.Fatal("warm start did not keep the first 5 trees")
		}
		if !reflect.DeepEqual(m10.Ensemble().Trees, c10.Ensemble().Trees) {
			t.Error("5 + 5 warm-started trees differ from 10 cold ones")
		}
		other, _ := NewClassifier(map[string]any{"n_estimators": 10, "warm_start": true, "seed": int64(4)})
		if err := other.SetInitialModel(m5); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fit(other).Ensemble().Trees, c10.Ensemble().Trees) {
			t.Error("continuing given model data differs from the cold fit")
		}
		_ = other.SetNumEstimators(3)
		r := tbl.Reader()
		defer r.Release()
		if _, err := other.FitForest(ctx, r); err == nil || !strings.Contains(err.Error(), "n_estimators 3") {
			t.Errorf("fewer trees than the initial model: %v", err)
		}
	})
	t.Run("regressor", func(t *testing.T) {
		d := dataset(t, "diabetes", "target")
		tbl := newTable(t, mem, d.X, d.Target)
		defer tbl.Release()
		fit := func(e *Regressor) *RegressorModel {
			r := tbl.Reader()
			defer r.Release()
			m, err := e.FitForest(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		est, _ := NewRegressor(map[string]any{"n_estimators": 3, "warm_start": true})
		m3 := fit(est)
		_ = est.SetNumEstimators(6)
		m6 := fit(est)
		cold, _ := NewRegressor(map[string]any{"n_estimators": 6})
		if !reflect.DeepEqual(m6.Ensemble().Trees[:3], m3.Ensemble().Trees) || !reflect.DeepEqual(m6.Ensemble().Trees, fit(cold).Ensemble().Trees) {
			t.Error("warm-started regression forest differs")
		}
	})
}
