package pyudf_test

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/stageop"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/pyudf"
)

// BenchmarkRowUDFStream runs def f(row): return {"z": row["x"]*2 + row["y"]}
// through the stream engine (stageop, parallelism 1) over 100k rows in
// batches of 1024 and reports rows/s.
func BenchmarkRowUDFStream(b *testing.B) {
	const rows, batch = 100_000, 1024
	mem := memory.NewGoAllocator()
	var recs []arrow.Record
	for start := 0; start < rows; start += batch {
		n := min(batch, rows-start)
		x, y := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i], y[i] = float64(start+i)*0.5, float64((start+i)%7)
		}
		rec, err := table.Build(mem, table.Col("x", x), table.Col("y", y))
		if err != nil {
			b.Fatal(err)
		}
		recs = append(recs, rec)
	}
	u, err := pyudf.New(pyudf.KindRow, map[string]any{"code": "def f(row):\n    return {\"z\": row[\"x\"] * 2 + row[\"y\"]}\n",
		"output_schema": "z:float", "workers": 1})
	if err != nil {
		b.Fatal(err)
	}
	defer u.Close()
	b.ResetTimer()
	for range b.N {
		for _, r := range recs {
			r.Retain()
		}
		job := stream.NewJob("bench", stream.WithAllocator(mem))
		src := stream.FromSource(job, "in", stream.FromRecords(recs...), 1)
		out := stageop.TransformStream(src, u, "udf").Collect()
		if err := job.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
		if n := out.NumRows(); n != rows {
			b.Fatalf("the engine delivered %d rows, want %d", n, rows)
		}
		out.Release()
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
