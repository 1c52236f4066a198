package gbt

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
)

// TestWarmStart grows 10 iterations, then warm-starts to 20: the first
// trees are kept as they were, and the result is the ensemble a cold fit
// of 20 iterations grows (the same data and seed give the same bins and
// the same raw scores, summed in the same order).
func TestWarmStart(t *testing.T) {
	for _, c := range []struct{ name, target string }{{"iris", "label"}, {"breast_cancer", "label"}, {"diabetes", "target"}} {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			ctx := pipeline.WithAllocator(context.Background(), mem)
			d := dataset(t, c.name, c.target)
			tbl := newTable(t, mem, d.X, d.Target)
			defer tbl.Release()
			params := map[string]any{"max_iter": 10, "early_stopping": "off", "warm_start": true}
			type fitted struct {
				trees int
				data  any
			}
			var first, warm, cold fitted
			var coldIters, warmIters int
			if c.target == "label" {
				est, _ := NewClassifier(params)
				fit := func(e *Classifier) (*ClassifierModel, Report) {
					r := tbl.Reader()
					defer r.Release()
					m, rep, err := e.FitReport(ctx, r)
					if err != nil {
						t.Fatal(err)
					}
					return m, rep
				}
				m1, _ := fit(est)
				first = fitted{len(m1.Ensemble().Trees), m1.Ensemble().Trees}
				_ = est.SetMaxIter(20)
				m2, rep := fit(est)
				warm, warmIters = fitted{len(m2.Ensemble().Trees), m2.Ensemble().Trees}, rep.Iterations
				coldEst, _ := NewClassifier(map[string]any{"max_iter": 20, "early_stopping": "off"})
				m3, rep3 := fit(coldEst)
				cold, coldIters = fitted{len(m3.Ensemble().Trees), m3.Ensemble().Trees}, rep3.Iterations
				// From given model data: continue m1 in another estimator.
				other, _ := NewClassifier(map[string]any{"max_iter": 20, "early_stopping": "off", "warm_start": true})
				if err := other.SetInitialModel(m1); err != nil {
					t.Fatal(err)
				}
				m4, _ := fit(other)
				if !reflect.DeepEqual(m4.Ensemble().Trees, m3.Ensemble().Trees) {
					t.Error("continuing given model data differs from the cold fit")
				}
				// max_iter below the initial model's iterations.
				_ = other.SetMaxIter(5)
				r := tbl.Reader()
				_, _, err := other.FitReport(ctx, r)
				r.Release()
				if err == nil || !strings.Contains(err.Error(), "max_iter 5") {
					t.Errorf("max_iter below the initial iterations: %v", err)
				}
			} else {
				est, _ := NewRegressor(params)
				fit := func(e *Regressor) (*RegressorModel, Report) {
					r := tbl.Reader()
					defer r.Release()
					m, rep, err := e.FitReport(ctx, r)
					if err != nil {
						t.Fatal(err)
					}
					return m, rep
				}
				m1, _ := fit(est)
				first = fitted{len(m1.Ensemble().Trees), m1.Ensemble().Trees}
				_ = est.SetMaxIter(20)
				m2, rep := fit(est)
				warm, warmIters = fitted{len(m2.Ensemble().Trees), m2.Ensemble().Trees}, rep.Iterations
				coldEst, _ := NewRegressor(map[string]any{"max_iter": 20, "early_stopping": "off"})
				m3, rep3 := fit(coldEst)
				cold, coldIters = fitted{len(m3.Ensemble().Trees), m3.Ensemble().Trees}, rep3.Iterations
			}
			if warm.trees != 2*first.trees || warmIters != 20 || coldIters != 20 {
				t.Fatalf("trees: first %d, warm %d (%d iterations), cold %d iterations", first.trees, warm.trees, warmIters, coldIters)
			}
			w := reflect.ValueOf(warm.data)
			if !reflect.DeepEqual(w.Slice(0, first.trees).Interface(), first.data) {
				t.Error("warm start changed the first trees")
			}
			if !reflect.DeepEqual(warm.data, cold.data) {
				t.Error("10 + 10 warm-started iterations differ from 20 cold ones")
			}
		})
	}
}
