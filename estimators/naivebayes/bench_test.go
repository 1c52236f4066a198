package naivebayes

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/blobs"
	"github.com/eddyml/eddy/pipeline/table"
)

// benchTable is 200,000 rows of the peers' blobs set (20 features, the
// generating cluster as label); multinomial and Bernoulli see |x|.
func benchTable(b *testing.B, abs bool) (*table.Table, int) {
	const n = 200_000
	x, a := blobs.Rows(42, n)
	rows := make([][]float64, n)
	y := make([]float64, n)
	for i := range rows {
		rows[i] = x[i*blobs.Dim : (i+1)*blobs.Dim]
		if abs {
			for j, v := range rows[i] {
				if v < 0 {
					rows[i][j] = -v
				}
			}
		}
		y[i] = float64(a[i])
	}
	rec, err := table.Build(memory.NewGoAllocator(), table.DenseCol("features", blobs.Dim, rows), table.Col("label", y))
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	return tbl, n
}

func benchFit(b *testing.B, kind string) {
	tbl, n := benchTable(b, kind == MultinomialKind)
	defer tbl.Release()
	est, _ := newEstimator(kind, nil)
	b.ResetTimer()
	for range b.N {
		r := tbl.Reader()
		_, err := est.Fit(context.Background(), r)
		r.Release()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkFitGaussian(b *testing.B)    { benchFit(b, GaussianKind) }
func BenchmarkFitMultinomial(b *testing.B) { benchFit(b, MultinomialKind) }
func BenchmarkFitBernoulli(b *testing.B)   { benchFit(b, BernoulliKind) }

func BenchmarkTransformGaussian(b *testing.B) {
	tbl, n := benchTable(b, false)
	defer tbl.Release()
	est, _ := NewGaussian(nil)
	r := tbl.Reader()
	m, err := est.Fit(context.Background(), r)
	r.Release()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		out, err := m.Transform(context.Background(), tbl.Batch(0))
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
