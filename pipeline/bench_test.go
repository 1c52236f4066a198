package pipeline_test

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/internal/toystage"
	"github.com/eddyml/eddy/pipeline/table"
)

// BenchmarkPipelineModelTransform measures the chaining overhead of a
// four-stage pipeline model on a 64Ki-row batch (the stages do one add per
// row each).
func BenchmarkPipelineModelTransform(b *testing.B) {
	mem := memory.NewGoAllocator()
	ctx := pipeline.WithAllocator(context.Background(), mem)
	x := make([]float64, 1<<16)
	for i := range x {
		x[i] = float64(i % 97)
	}
	rec, err := table.Build(mem, table.Col("x", x))
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Release()
	m := must(toystage.NewMeanCenterModel(map[string]any{"input_col": "b", "output_col": "c", "model_version_col": "v"}))
	data := must(toystage.MeanData(mem, 3, 1))
	defer data.Release()
	if err := m.SetModelData(data); err != nil {
		b.Fatal(err)
	}
	pm := must(pipeline.NewPipelineModel(
		must(toystage.NewAddConstant(map[string]any{"input_col": "x", "output_col": "a"})),
		must(toystage.NewAddConstant(map[string]any{"input_col": "a", "output_col": "b"})),
		m,
		must(toystage.NewAddConstant(map[string]any{"input_col": "c", "output_col": "d"})),
	))
	b.SetBytes(int64(len(x)) * 8)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := pm.Transform(ctx, rec)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}

// BenchmarkSetModelData measures replacing a small model's data.
func BenchmarkSetModelData(b *testing.B) {
	mem := memory.NewGoAllocator()
	m := must(toystage.NewMeanCenterModel(nil))
	data := must(toystage.MeanData(mem, 3, 1))
	defer data.Release()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := m.SetModelData(data); err != nil {
			b.Fatal(err)
		}
	}
}
