package gaussianmixture

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/blobs"
	"github.com/eddyml/eddy/pipeline/table"
)

const benchRows = 100_000

func blobsTable(b *testing.B) *table.Table {
	x, _ := blobs.Rows(42, benchRows)
	return featureTable(b, memory.NewGoAllocator(), rows(x, blobs.Dim))
}

func benchFit(b *testing.B, typ string) {
	tbl := blobsTable(b)
	defer tbl.Release()
	est, _ := New(map[string]any{"k": 10, "covariance_type": typ})
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
	b.ReportMetric(float64(rep.Iter), "iters")
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkFitFull is GaussianMixture(k=10, full) on 100k blobs rows
// (20 features).
func BenchmarkFitFull(b *testing.B) { benchFit(b, Full) }

// BenchmarkFitDiag is GaussianMixture(k=10, diag).
func BenchmarkFitDiag(b *testing.B) { benchFit(b, Diag) }

// BenchmarkTransform scores the blobs rows with a full-covariance model.
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
