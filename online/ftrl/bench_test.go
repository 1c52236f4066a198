package ftrl

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/online/internal/ctrdata"
)

// BenchmarkUpdatePredictCTR is test-then-train FTRL on the peers' hashed
// CTR stream (20 fields, 2^20 features), 4096-row sparse batches; the
// samples/s metric is comparable with peers/go/cmd/ftrl.
func BenchmarkUpdatePredictCTR(b *testing.B) {
	const rows = 200_000
	d := ctrdata.Generate(ctrdata.Seed, rows)
	recs, err := ctrdata.Records(memory.NewGoAllocator(), d, 4096)
	if err != nil {
		b.Fatal(err)
	}
	defer release(recs)
	ctx := context.Background()
	var dst []float64
	f, err := New(map[string]any{"alpha": 0.2, "num_features": 1 << ctrdata.HashBits})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		for _, r := range recs {
			if dst, err = f.UpdatePredict(ctx, r, dst); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "samples/s")
}

func release(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}
