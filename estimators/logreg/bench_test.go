package logreg

import (
	"context"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

// denseRows ports the peers' dense generator (peers/datagen.py, documented
// there; bit-exact Go port in peers/go/datagen): counter-based SplitMix64
// streams, Irwin-Hall(4) features, labels from a hidden logistic model.
func denseRows(n int) (x [][]float64, y []float64) {
	const gamma, streamMul, dim, bias = 0x9E3779B97F4A7C15, 0xD1B54A32D192ED03, 50, 0.25
	mix := func(z uint64) uint64 {
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		return z ^ (z >> 31)
	}
	seed, g, sm := uint64(42), uint64(gamma), uint64(streamMul)
	stream := func(s uint64) uint64 { return mix(seed*g + s*sm) }
	unif := func(base, i uint64) float64 { return float64(mix(base+(i+1)*gamma)>>11) * 0x1p-53 }
	sx, sw, sy := stream(10), stream(11), stream(12)
	var w [dim]float64
	for j := range w {
		w[j] = 2*unif(sw, uint64(j)) - 1
	}
	x = make([][]float64, n)
	y = make([]float64, n)
	for r := range n {
		row := make([]float64, dim)
		z := bias
		for j := range dim {
			i := uint64(r)*dim + uint64(j)
			v := unif(sx, 4*i)
			v += unif(sx, 4*i+1)
			v += unif(sx, 4*i+2)
			v += unif(sx, 4*i+3)
			row[j] = (v - 2) * 1.7320508075688772
			z += row[j] * w[j]
		}
		x[r] = row
		if unif(sy, uint64(r)) < 1/(1+math.Exp(-z)) {
			y[r] = 1
		}
	}
	return x, y
}

// BenchmarkFitDense fits on the first EDDY_DENSE_ROWS (default 200,000)
// rows × 50 of the peers' dense data, as scripts/bench_logreg_dense.sh
// compares with scikit-learn's LogisticRegression(lbfgs).
func BenchmarkFitDense(b *testing.B) {
	n := 200_000
	if s := os.Getenv("EDDY_DENSE_ROWS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	x, y := denseRows(n)
	mem := memory.NewGoAllocator()
	rec, err := table.Build(mem, table.DenseCol("features", 50, x), table.Col("label", y))
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	est, _ := New(map[string]any{"max_iter": 1000})
	b.ResetTimer()
	var iters int
	for range b.N {
		r := tbl.Reader()
		m, res, err := est.FitReport(context.Background(), r)
		r.Release()
		if err != nil {
			b.Fatal(err)
		}
		iters = res.Iter
		_ = m
	}
	b.ReportMetric(float64(iters), "iters")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkFitDenseSGD fits with solver sgd on the first EDDY_DENSE_ROWS
// (default 200,000) rows × 50 of the peers' dense data, as
// scripts/bench_logreg_sgd.sh compares with scikit-learn's
// SGDClassifier(loss="log_loss") (alpha 1e-4, tol 1e-3, seed 0). It
// reports the epochs and the last epoch's mean training loss.
func BenchmarkFitDenseSGD(b *testing.B) {
	n := 200_000
	if s := os.Getenv("EDDY_DENSE_ROWS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	x, y := denseRows(n)
	mem := memory.NewGoAllocator()
	rec, err := table.Build(mem, table.DenseCol("features", 50, x), table.Col("label", y))
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	est, _ := New(map[string]any{"solver": "sgd", "reg_param": 1e-4 * float64(n), "max_iter": 1000, "tol": 1e-3})
	b.ResetTimer()
	var res FitResult
	for range b.N {
		r := tbl.Reader()
		_, res, err = est.FitReport(context.Background(), r)
		r.Release()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Iter), "epochs")
	b.ReportMetric(res.F/float64(n), "loss")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
