package hoeffding

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// BenchmarkUpdatePredict: the tree-shaped concept (2 numeric and 2 nominal
// features), 1000-row batches, a fresh tree per pass.
func BenchmarkUpdatePredict(b *testing.B) {
	recs := concept(b, memory.NewGoAllocator(), 100_000, 1000)
	defer release(recs)
	var dst []float64
	var err error
	for range b.N {
		tr := mustNew(b, map[string]any{"nominal_features": []int{2, 3}})
		for _, r := range recs {
			if dst, err = tr.UpdatePredict(context.Background(), r, dst); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "samples/s")
}
