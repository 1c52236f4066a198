package kmeans

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/connectors/generate"
)

// BenchmarkUpdate: k = 10 in 3 dimensions, 4096-row batches.
func BenchmarkUpdate(b *testing.B) {
	recs, src := blobs(b, memory.NewGoAllocator(), 10, 100_000, 4096, generate.Drift{})
	defer src.Release()
	defer release(recs)
	m := mustNew(b, map[string]any{"k": 10, "decay_factor": 0.9})
	for range b.N {
		for _, r := range recs {
			if err := m.Update(context.Background(), r); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "samples/s")
}
