package naivebayes

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// BenchmarkUpdate: Gaussian, 3 classes, 4 dense features, 500-row batches.
func BenchmarkUpdate(b *testing.B) {
	recs := gaussianData(b, memory.NewGoAllocator(), 100_000, 500)
	defer release(recs)
	l, _ := NewGaussian(nil)
	for range b.N {
		for _, r := range recs {
			if err := l.Update(context.Background(), r); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "samples/s")
}
