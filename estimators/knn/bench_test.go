package knn

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/blobs"
	"github.com/eddyml/eddy/pipeline/table"
)

// BenchmarkTransform scores 1,000 rows against a 20,000-row training set
// (20 features) of the peers' blobs set; Fit only stores the rows.
func BenchmarkTransform(b *testing.B) {
	const n, q = 20_000, 1_000
	x, a := blobs.Rows(42, n+q)
	rows := make([][]float64, n+q)
	y := make([]float64, n+q)
	for i := range rows {
		rows[i] = x[i*blobs.Dim : (i+1)*blobs.Dim]
		y[i] = float64(a[i])
	}
	mem := memory.NewGoAllocator()
	train, _ := table.Build(mem, table.DenseCol("features", blobs.Dim, rows[:n]), table.Col("label", y[:n]))
	defer train.Release()
	query, _ := table.Build(mem, table.DenseCol("features", blobs.Dim, rows[n:]))
	defer query.Release()
	tbl, _ := table.New(train.Schema(), train)
	defer tbl.Release()
	est, _ := New(nil)
	r := tbl.Reader()
	m, err := est.Fit(context.Background(), r)
	r.Release()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		out, err := m.Transform(context.Background(), query)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
	b.ReportMetric(float64(q)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkFit stores 200,000 rows.
func BenchmarkFit(b *testing.B) {
	const n = 200_000
	x, a := blobs.Rows(42, n)
	rows := make([][]float64, n)
	y := make([]float64, n)
	for i := range rows {
		rows[i] = x[i*blobs.Dim : (i+1)*blobs.Dim]
		y[i] = float64(a[i])
	}
	rec, _ := table.Build(memory.NewGoAllocator(), table.DenseCol("features", blobs.Dim, rows), table.Col("label", y))
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	est, _ := New(nil)
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
