package kmeans

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/blobs"
	"github.com/eddyml/eddy/pipeline/table"
)

// blobsTable holds the first EDDY_BLOBS_ROWS (default 200,000) rows of the
// peers' blobs set; scripts/bench_kmeans.sh sets 1,000,000 to compare
// with shared/peers/bench_kmeans.py (scikit-learn KMeans on the same rows).
func blobsTable(b *testing.B) (*table.Table, int) {
	n := 200_000
	if s := os.Getenv("EDDY_BLOBS_ROWS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	x, _ := blobs.Rows(42, n)
	tbl := featureTable(b, memory.NewGoAllocator(), rowsOf(x, blobs.Dim))
	return tbl, n
}

func benchFit(b *testing.B, est fitter) {
	tbl, n := blobsTable(b)
	defer tbl.Release()
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
	b.ReportMetric(rep.Inertia, "inertia")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkFitBlobs is KMeans(k=10, k-means++, n_init=1).
func BenchmarkFitBlobs(b *testing.B) {
	est, _ := New(map[string]any{"k": 10})
	benchFit(b, est)
}

// BenchmarkFitBlobsNInit10 is KMeans(k=10, n_init=10).
func BenchmarkFitBlobsNInit10(b *testing.B) {
	est, _ := New(map[string]any{"k": 10, "n_init": 10})
	benchFit(b, est)
}

// BenchmarkFitBlobsMiniBatch is MiniBatchKMeans(k=10, batch_size=2048).
func BenchmarkFitBlobsMiniBatch(b *testing.B) {
	est, _ := NewMiniBatch(map[string]any{"k": 10, "batch_size": 2048})
	benchFit(b, est)
}

// BenchmarkTransform scores the blobs rows.
func BenchmarkTransform(b *testing.B) {
	tbl, n := blobsTable(b)
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
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
