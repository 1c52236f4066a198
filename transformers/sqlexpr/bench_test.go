package sqlexpr

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// BenchmarkSelect evaluates an arithmetic select list with a filter over
// 1M rows in batches of 64Ki.
func BenchmarkSelect(b *testing.B) {
	mem := memory.NewGoAllocator()
	ctx := pipeline.WithAllocator(context.Background(), mem)
	const n, batch = 1 << 20, 1 << 16
	var recs []arrow.Record
	for off := 0; off < n; off += batch {
		x := make([]float64, batch)
		y := make([]int64, batch)
		for i := range x {
			x[i] = float64(off+i) * 0.001
			y[i] = int64((off + i) % 100)
		}
		rec, err := table.Build(mem, table.Col("x", x), table.Col("y", y))
		if err != nil {
			b.Fatal(err)
		}
		defer rec.Release()
		recs = append(recs, rec)
	}
	s, err := NewSelect(map[string]any{
		"select": []string{"x", "x * 2 + y AS z", "CASE WHEN y > 50 THEN sqrt(x) ELSE -x END AS w"},
		"where":  "y % 10 != 3 AND x >= 0",
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, r := range recs {
			out, err := s.Transform(ctx, r)
			if err != nil {
				b.Fatal(err)
			}
			out.Release()
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
