package softmax

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// BenchmarkUpdatePredict: 5 classes, 4 dense features, 4096-row batches.
func BenchmarkUpdatePredict(b *testing.B) {
	recs := blobs(b, memory.NewGoAllocator(), 5, 100_000, 4096, 2)
	defer release(recs)
	s := mustNew(b, map[string]any{"labels": []float64{0, 1, 2, 3, 4}})
	var dst []float64
	var err error
	for range b.N {
		for _, r := range recs {
			if dst, err = s.UpdatePredict(context.Background(), r, dst); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "samples/s")
}
