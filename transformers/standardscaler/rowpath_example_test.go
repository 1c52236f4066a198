package standardscaler_test

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/transformers/standardscaler"
	"github.com/eddyml/eddy/transformers/vectorassembler"
)

// A fitted vector_assembler + standard_scaler pipeline scores one row
// without Arrow batches.
func ExampleModel_RowFunc() {
	va, _ := vectorassembler.New(map[string]any{"input_cols": []string{"a", "b"}, "output_col": "raw"})
	ss, _ := standardscaler.NewModel(map[string]any{"input_col": "raw", "output_col": "scaled"})
	data, _ := standardscaler.ModelDataRecord(memory.NewGoAllocator(), []float64{1, 10}, []float64{2, 5})
	ss.SetModelData(data)
	data.Release()
	pm, _ := pipeline.NewPipelineModel(va, ss)

	in := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Float64},
		{Name: "b", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	score, err := pm.RowFunc(in)
	if err != nil {
		fmt.Println(err)
		return
	}
	var sc pipeline.RowScratch // reused from row to row
	for _, row := range []pipeline.Row{{{3}, {20}}, {{0}, {10}}} {
		sc.Reset()
		out, err := score(row, &sc)
		fmt.Println(out, err)
	}
	// Output:
	// [[3] [20] [3 20] [1 2]] <nil>
	// [[0] [10] [0 10] [-0.5 0]] <nil>
}
