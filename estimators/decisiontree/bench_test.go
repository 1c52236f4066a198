package decisiontree

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// benchTable is n rows × 10 uniform features with a label that depends on
// three of them plus 10% noise.
func benchTable(b *testing.B, n int, classify bool) *table.Table {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([][]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = make([]float64, 10)
		for j := range x[i] {
			x[i][j] = rng.Float64()
		}
		z := x[i][0] + 2*x[i][1]*x[i][2] + 0.3*rng.NormFloat64()
		if classify {
			if z > 1 {
				y[i] = 1
			}
		} else {
			y[i] = z
		}
	}
	rec, err := table.Build(memory.NewGoAllocator(), table.DenseCol("features", 10, x), table.Col("label", y))
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	return tbl
}

func benchFit(b *testing.B, est pipeline.Estimator, tbl *table.Table, n int) {
	b.ResetTimer()
	for range b.N {
		r := tbl.Reader()
		if _, err := est.Fit(context.Background(), r); err != nil {
			b.Fatal(err)
		}
		r.Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkFitClassifier grows a fully grown tree on 100,000 rows × 10.
func BenchmarkFitClassifier(b *testing.B) {
	const n = 100_000
	tbl := benchTable(b, n, true)
	defer tbl.Release()
	est, _ := NewClassifier(nil)
	benchFit(b, est, tbl, n)
}

// BenchmarkFitRegressor grows a regression tree of depth 10 on 100,000
// rows × 10.
func BenchmarkFitRegressor(b *testing.B) {
	const n = 100_000
	tbl := benchTable(b, n, false)
	defer tbl.Release()
	est, _ := NewRegressor(map[string]any{"max_depth": 10})
	benchFit(b, est, tbl, n)
}
