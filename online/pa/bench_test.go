package pa

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/online/internal/ctrdata"
	"github.com/eddyml/eddy/online/internal/olearn"
)

// BenchmarkUpdatePredictCTR is the PA-I classifier test-then-train on the
// peers' hashed CTR stream (200k rows, 4096-row sparse batches).
func BenchmarkUpdatePredictCTR(b *testing.B) {
	const rows = 200_000
	recs, err := ctrdata.Records(memory.NewGoAllocator(), ctrdata.Generate(ctrdata.Seed, rows), 4096)
	if err != nil {
		b.Fatal(err)
	}
	defer olearn.Release(recs)
	c, err := NewClassifier(map[string]any{"num_features": 1 << ctrdata.HashBits})
	if err != nil {
		b.Fatal(err)
	}
	var dst []float64
	for range b.N {
		for _, r := range recs {
			if dst, err = c.UpdatePredict(context.Background(), r, dst); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "samples/s")
}
