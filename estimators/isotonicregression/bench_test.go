package isotonicregression

import (
	"context"
	"math"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

const benchRows = 1_000_000

// benchTable is y = log(1+x) plus deterministic noise over 1M rows with
// about 100k distinct x values (so ties are merged).
func benchTable(b *testing.B) *table.Table {
	x := make([]float64, benchRows)
	y := make([]float64, benchRows)
	s := uint64(1)
	for i := range x {
		s = s*6364136223846793005 + 1442695040888963407
		x[i] = float64((s>>33)%100_000) / 100
		y[i] = math.Log1p(x[i]) + float64((s>>20)%1000)/1000 - 0.5
	}
	return newTable(b, memory.NewGoAllocator(), table.Col("features", x), table.Col("label", y))
}

func BenchmarkFit(b *testing.B) {
	tbl := benchTable(b)
	defer tbl.Release()
	est, _ := New(nil)
	b.ResetTimer()
	for range b.N {
		r := tbl.Reader()
		_, err := est.Fit(context.Background(), r)
		r.Release()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkTransform(b *testing.B) {
	tbl := benchTable(b)
	defer tbl.Release()
	est, _ := New(nil)
	r := tbl.Reader()
	m, err := est.Fit(context.Background(), r)
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
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
