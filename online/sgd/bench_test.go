package sgd

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/online/internal/ctrdata"
)

// BenchmarkUpdatePredictCTR is test-then-train on the peers' hashed CTR
// stream (200k rows, 2^20 features, 4096-row sparse batches) per optimizer.
func BenchmarkUpdatePredictCTR(b *testing.B) {
	const rows = 200_000
	recs, err := ctrdata.Records(memory.NewGoAllocator(), ctrdata.Generate(ctrdata.Seed, rows), 4096)
	if err != nil {
		b.Fatal(err)
	}
	defer releaseAll(recs)
	for _, opt := range []string{SGD, AdaGrad, RMSProp, Adam} {
		b.Run(opt, func(b *testing.B) {
			l, err := NewLogistic(map[string]any{"optimizer": opt, "learning_rate": 0.02, "num_features": 1 << ctrdata.HashBits})
			if err != nil {
				b.Fatal(err)
			}
			var dst []float64
			for range b.N {
				for _, r := range recs {
					if dst, err = l.UpdatePredict(context.Background(), r, dst); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
