package linearsvc

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/blobs"
	"github.com/eddyml/eddy/pipeline/table"
)

// BenchmarkFitBlobs fits 200,000 rows × 20 of the peers' blobs set, the
// label being whether the generating cluster is below 5 (binary).
func BenchmarkFitBlobs(b *testing.B) {
	const n = 200_000
	x, a := blobs.Rows(42, n)
	rows := make([][]float64, n)
	y := make([]float64, n)
	for i := range rows {
		rows[i] = x[i*blobs.Dim : (i+1)*blobs.Dim]
		if a[i] < 5 {
			y[i] = 1
		}
	}
	rec, err := table.Build(memory.NewGoAllocator(), table.DenseCol("features", blobs.Dim, rows), table.Col("label", y))
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	est, _ := New(nil)
	b.ResetTimer()
	var iters int
	for range b.N {
		r := tbl.Reader()
		_, res, err := est.FitReport(context.Background(), r)
		r.Release()
		if err != nil {
			b.Fatal(err)
		}
		iters = res[0].Iter
	}
	b.ReportMetric(float64(iters), "iters")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
