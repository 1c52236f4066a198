package scaler

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// BenchmarkUpdate: 4 dense features, 4096-row batches.
func BenchmarkUpdate(b *testing.B) {
	recs := data(b, memory.NewGoAllocator(), 100_000, 4096)
	defer release(recs)
	s, _ := New(nil)
	for range b.N {
		for _, r := range recs {
			if err := s.Update(context.Background(), r); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "samples/s")
}
