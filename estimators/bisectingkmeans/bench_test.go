package bisectingkmeans

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/blobs"
	"github.com/eddyml/eddy/pipeline/table"
)

const benchRows = 200_000

func blobsTable(b *testing.B) *table.Table {
	x, _ := blobs.Rows(42, benchRows)
	return featureTable(b, memory.NewGoAllocator(), rowsOf(x, blobs.Dim))
}

// BenchmarkFitBlobs is BisectingKMeans(k=10) on 200k blobs rows (20
// features).
func BenchmarkFitBlobs(b *testing.B) {
	tbl := blobsTable(b)
	defer tbl.Release()
	est, _ := New(map[string]any{"k": 10})
	b.ResetTimer()
	var rep Report
	for range b.N {
		r := tbl.Reader()
		var err error
		_, rep, err = est.FitReport(context.Background(), r)
		r.Release()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(rep.Inertia, "inertia")
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkTransform scores the blobs rows.
func BenchmarkTransform(b *testing.B) {
	tbl := blobsTable(b)
	defer tbl.Release()
	est, _ := New(map[string]any{"k": 10})
	r := tbl.Reader()
	m, _, err := est.FitReport(context.Background(), r)
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
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
