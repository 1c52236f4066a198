package logreg

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/esttest"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// objective is the penalised summed log loss of doc.go at m's
// coefficients.
func objective(m *Model, x [][]float64, y, w []float64, lambda, alpha float64) float64 {
	coefs, icpt, labels := m.Coefficients(), m.Intercepts(), m.Labels()
	var f float64
	for i, row := range x {
		c, _ := slices.BinarySearch(labels, y[i])
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		z := make([]float64, len(coefs))
		for v := range coefs {
			z[v] = icpt[v]
			for j, xv := range row {
				z[v] += xv * coefs[v][j]
			}
		}
		if len(coefs) == 1 {
			s := 2*float64(c) - 1
			f += wi * log1pExp(-s*z[0])
			continue
		}
		zmax := slices.Max(z)
		var sum float64
		for _, zv := range z {
			sum += math.Exp(zv - zmax)
		}
		f += wi * (math.Log(sum) + zmax - z[c])
	}
	for _, cv := range coefs {
		for _, v := range cv {
			f += lambda * ((1-alpha)/2*v*v + alpha*math.Abs(v))
		}
	}
	return f
}

func fitReport(t *testing.T, mem memory.Allocator, params map[string]any, tbl *table.Table) (*Model, FitResult) {
	t.Helper()
	est, err := New(params)
	if err != nil {
		t.Fatal(err)
	}
	r := tbl.Reader()
	defer r.Release()
	m, res, err := est.FitReport(pipeline.WithAllocator(context.Background(), mem), r)
	if err != nil {
		t.Fatal(err)
	}
	return m, res
}

// TestSGDNearOptimum checks that SGD ends within a small relative
// distance of the L-BFGS/OWL-QN minimum of the same objective, for
// binomial and multinomial models, the L2, L1 and elastic-net penalties
// and sample and class weights.
func TestSGDNearOptimum(t *testing.T) {
	cases := []struct {
		name, dataset string
		params        map[string]any
		weighted      bool
		tol           float64 // relative excess objective
	}{
		{"l2", "breast_cancer", map[string]any{"reg_param": 1.0}, false, 0.01},
		{"l2-invscaling", "breast_cancer", map[string]any{"reg_param": 1.0, "learning_rate": "invscaling", "eta0": 1.0}, false, 0.01},
		{"l1", "breast_cancer", map[string]any{"reg_param": 2.0, "elastic_net_param": 1.0}, false, 0.01},
		{"elastic-net-weighted", "breast_cancer", map[string]any{"reg_param": 1.0, "elastic_net_param": 0.5, "class_weight": "balanced"}, true, 0.01},
		{"multinomial", "iris", map[string]any{"reg_param": 1.0}, false, 0.01},
		{"multinomial-l1", "wine", map[string]any{"reg_param": 1.0, "elastic_net_param": 0.7}, false, 0.01},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			d := dataset(t, c.dataset)
			x := esttest.Standardize(d.X)
			var w []float64
			params := map[string]any{}
			for k, v := range c.params {
				params[k] = v
			}
			if c.weighted {
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
			exact, _ := fitReport(t, mem, params, tbl)
			params["solver"] = "sgd"
			// A fixed number of epochs: the stopping rule looks at the
			// unpenalised loss only (as scikit-learn's), which can stop
			// on separable data before the penalty has settled.
			params["max_iter"] = 300
			params["n_iter_no_change"] = 300
			sgd, res := fitReport(t, mem, params, tbl)
			lambda := c.params["reg_param"].(float64)
			alpha, _ := c.params["elastic_net_param"].(float64)
			// class_weight balanced is folded into the weights here.
			if c.params["class_weight"] == "balanced" {
				counts := map[float64]float64{}
				for _, y := range d.Target {
					counts[y]++
				}
				for i, y := range d.Target {
					w[i] *= float64(len(d.Target)) / (float64(len(counts)) * counts[y])
				}
			}
			fe, fs := objective(exact, x, d.Target, w, lambda, alpha), objective(sgd, x, d.Target, w, lambda, alpha)
			t.Logf("objective: exact %.4f, sgd %.4f after %d epochs", fe, fs, res.Iter)
			if fs < fe*(1-1e-6) {
				t.Errorf("sgd objective %.6f below the exact minimum %.6f", fs, fe)
			}
			if (fs-fe)/fe > c.tol {
				t.Errorf("sgd objective %.4f is %.1f%% above the minimum %.4f", fs, 100*(fs-fe)/fe, fe)
			}
			if alpha == 1 {
				zeros := 0
				for _, v := range sgd.Coefficients()[0] {
					if v == 0 {
						zeros++
					}
				}
				if zeros == 0 {
					t.Errorf("L1 penalty gave no zero coefficient: %v", sgd.Coefficients())
				}
			}
		})
	}
}

// TestSGDDeterministic checks that a seed gives the same model (also with
// the two-goroutine epochs) and that another seed gives another one.
func TestSGDDeterministic(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := dataset(t, "breast_cancer")
	x := esttest.Standardize(d.X)
	tbl, err := esttest.Table(mem, x, d.Target, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	params := map[string]any{"solver": "sgd", "seed": int64(7), "max_iter": 20}
	a, _ := fitReport(t, mem, params, tbl)
	b, _ := fitReport(t, mem, params, tbl)
	if !slices.Equal(a.Coefficients()[0], b.Coefficients()[0]) || a.Intercepts()[0] != b.Intercepts()[0] {
		t.Errorf("same seed, different models: %v %v", a.Coefficients(), b.Coefficients())
	}
	params["seed"] = int64(8)
	c, _ := fitReport(t, mem, params, tbl)
	if slices.Equal(a.Coefficients()[0], c.Coefficients()[0]) {
		t.Error("seeds 7 and 8 gave the same model")
	}
}

// TestSGDTwoParts runs the parameter-mixing epochs (two goroutines) on a
// small problem: deterministic, and near the optimum.
func TestSGDTwoParts(t *testing.T) {
	d := dataset(t, "breast_cancer")
	x := esttest.Standardize(d.X)
	n, dim := len(x), len(x[0])
	flat := make([]float64, 0, n*dim)
	for _, r := range x {
		flat = append(flat, r...)
	}
	cls := make([]int32, n)
	for i, y := range d.Target {
		if y == 1 {
			cls[i] = 1
		}
	}
	run := func(parts int) ([]float64, FitResult) {
		p := &problem{x: flat, n: n, dim: dim, cls: cls, k: 2}
		theta := make([]float64, dim+1)
		res, err := fitSGD(context.Background(), p, theta, sgdConfig{alpha: 1 / float64(n), schedule: LearningRateOptimal,
			maxIter: 200, tol: 1e-5, nIterNoChange: 5, shuffle: true, seed: 1, fitIntercept: true, parts: parts})
		if err != nil {
			t.Fatal(err)
		}
		return theta, res
	}
	a, _ := run(2)
	b, res := run(2)
	if !slices.Equal(a, b) {
		t.Fatal("two-part sgd is not deterministic")
	}
	one, _ := run(1)
	p := &problem{x: flat, n: n, dim: dim, cls: cls, k: 2, l2: 1}
	p.init()
	g := make([]float64, dim+1)
	fa, f1 := p.eval(a, g), p.eval(one, g)
	t.Logf("objective: two parts %.4f (%d epochs), one part %.4f", fa, res.Iter, f1)
	if math.Abs(fa-f1)/f1 > 0.03 {
		t.Errorf("two-part objective %.4f vs one-part %.4f", fa, f1)
	}
}

func TestSGDBadParams(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl, err := esttest.Table(mem, [][]float64{{0}, {1}, {2}, {3}}, []float64{0, 0, 1, 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	est, err := New(map[string]any{"solver": "sgd", "reg_param": 0.0})
	if err != nil {
		t.Fatal(err)
	}
	r := tbl.Reader()
	defer r.Release()
	_, err = est.Fit(context.Background(), r)
	if err == nil || !strings.Contains(err.Error(), "reg_param > 0") {
		t.Errorf("optimal schedule without penalty: %v", err)
	}
	if _, err := New(map[string]any{"solver": "newton"}); err == nil {
		t.Error("unknown solver accepted")
	}
	if _, err := New(map[string]any{"learning_rate": "adaptive"}); err == nil {
		t.Error("unknown learning rate accepted")
	}
}
