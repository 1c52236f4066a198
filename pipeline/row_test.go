package pipeline_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/internal/toystage"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

// scaleStage appends column "in"*factor as column "out"; its row
// function adds skew, which a correct stage leaves at 0.
type scaleStage struct {
	in, out string
	factor  float64
	skew    float64
}

func (s *scaleStage) Kind() string       { return "scale" }
func (s *scaleStage) Params() *param.Set { return param.NewSet("scale") }

func (s *scaleStage) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if _, err := table.FieldIndex(in, s.in); err != nil {
		return nil, err
	}
	return pipeline.AppendField(in, arrow.Field{Name: s.out, Type: arrow.PrimitiveTypes.Float64})
}

func (s *scaleStage) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	schema, err := s.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	x := rec.Column(schema.FieldIndices(s.in)[0]).(*array.Float64)
	b := array.NewFloat64Builder(pipeline.Allocator(ctx))
	defer b.Release()
	for _, v := range x.Float64Values() {
		b.Append(v * s.factor)
	}
	col := b.NewArray()
	defer col.Release()
	return array.NewRecord(schema, append(rec.Columns()[:rec.NumCols():rec.NumCols()], col), rec.NumRows()), nil
}

func (s *scaleStage) RowFunc(in *arrow.Schema) (pipeline.RowFunc, error) {
	if _, err := s.OutputSchema(in); err != nil {
		return nil, err
	}
	if err := pipeline.CheckRowSchema(in); err != nil {
		return nil, err
	}
	i := in.FieldIndices(s.in)[0]
	return func(row pipeline.Row, sc *pipeline.RowScratch) (pipeline.Row, error) {
		v := sc.Floats(1)
		v[0] = row[i][0]*s.factor + s.skew
		return pipeline.AppendRow(sc, row, v), nil
	}, nil
}

func xRecord(t *testing.T, mem memory.Allocator, n int) arrow.Record {
	t.Helper()
	x := make([]float64, n)
	vecs := make([][]float64, n)
	for i := range x {
		x[i] = float64(i*i)/7 - 3
		vecs[i] = []float64{float64(i), -x[i]}
	}
	rec, err := table.Build(mem, table.Col("x", x), table.DenseCol("v", 2, vecs))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestPipelineModelRowFunc(t *testing.T) {
	mem, ctx := newMem(t)
	defer mem.AssertSize(t, 0)
	rec := xRecord(t, mem, 50)
	defer rec.Release()
	good, err := pipeline.NewPipelineModel(&scaleStage{in: "x", out: "y", factor: 3}, &scaleStage{in: "y", out: "z", factor: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if err := pipeline.CheckRowFunc(ctx, good, rec); err != nil {
		t.Errorf("correct stages: %v", err)
	}
	// A row path that is slightly off in the second stage is caught.
	bad, _ := pipeline.NewPipelineModel(&scaleStage{in: "x", out: "y", factor: 3}, &scaleStage{in: "y", out: "z", factor: 0.1, skew: 1e-9})
	err = pipeline.CheckRowFunc(ctx, bad, rec)
	if err == nil || !strings.Contains(err.Error(), `column "z"`) {
		t.Errorf("skewed stage: got %v, want a difference in column z", err)
	}
	// A stage without a row path, or a column a Row cannot hold.
	add, err := toystage.NewAddConstant(map[string]any{"input_col": "x", "output_col": "y"})
	if err != nil {
		t.Fatal(err)
	}
	mixed, _ := pipeline.NewPipelineModel(&scaleStage{in: "x", out: "y", factor: 3}, add)
	if _, err := mixed.RowFunc(rec.Schema()); !errors.Is(err, pipeline.ErrNoRowPath) {
		t.Errorf("stage without a row path: got %v, want ErrNoRowPath", err)
	}
	ints := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	if _, err := good.RowFunc(ints); !errors.Is(err, pipeline.ErrNoRowPath) {
		t.Errorf("int64 column: got %v, want ErrNoRowPath", err)
	}
	// Schema errors are OutputSchema's, naming the stage.
	missing := arrow.NewSchema([]arrow.Field{{Name: "w", Type: arrow.PrimitiveTypes.Float64}}, nil)
	if _, err := good.RowFunc(missing); err == nil || errors.Is(err, pipeline.ErrNoRowPath) || !strings.Contains(err.Error(), "stage 0") {
		t.Errorf("missing column: got %v", err)
	}
}

func TestRowFuncAllocations(t *testing.T) {
	mem, _ := newMem(t)
	defer mem.AssertSize(t, 0)
	rec := xRecord(t, mem, 1)
	defer rec.Release()
	pm, _ := pipeline.NewPipelineModel(&scaleStage{in: "x", out: "y", factor: 3}, &scaleStage{in: "y", out: "z", factor: 2})
	fn, err := pm.RowFunc(rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	row := pipeline.Row{{1.5}, {1, 2}}
	var sc pipeline.RowScratch
	var out pipeline.Row
	allocs := testing.AllocsPerRun(100, func() {
		sc.Reset()
		if out, err = fn(row, &sc); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per row, want 0", allocs)
	}
	if len(out) != 4 || out[2][0] != 4.5 || out[3][0] != 9 || &out[1][0] != &row[1][0] {
		t.Errorf("got %v, want [[1.5] [1 2] [4.5] [9]] sharing the input's columns", out)
	}
	// A row with room for the added columns is extended in place.
	sc.Reset()
	roomy := append(sc.Row(0, 4), row...)
	if out, err = fn(roomy, &sc); err != nil || len(out) != 4 || &out[0] != &roomy[0] || out[3][0] != 9 {
		t.Errorf("roomy row: got %v (%v), want [[1.5] [1 2] [4.5] [9]] in the input's backing array", out, err)
	}
}

func TestRowScratchGrowth(t *testing.T) {
	var sc pipeline.RowScratch
	var got [][]float64
	// Slices handed out before the scratch grows keep their values.
	for i := range 200 {
		v := sc.Floats(i%7 + 1)
		for k := range v {
			v[k] = float64(i)
		}
		got = append(got, v)
		r := sc.Row(i%3, 2)
		if len(r) != i%3 || cap(r) != i%3+2 {
			t.Fatalf("Row(%d, 2): len %d cap %d", i%3, len(r), cap(r))
		}
	}
	for i, v := range got {
		for _, x := range v {
			if x != float64(i) {
				t.Fatalf("slice %d was overwritten: %v", i, v)
			}
		}
	}
	// A slice cannot be appended into its neighbour.
	a := sc.Floats(1)
	b := sc.Floats(1)
	b[0] = 7
	_ = append(a, 1)
	if b[0] != 7 || math.IsNaN(b[0]) {
		t.Errorf("append to one slice overwrote the next")
	}
}
