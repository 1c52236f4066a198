package vectorassembler_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/vectorassembler"
)

// rowPathRecord has float64 columns a, b, a 3-vector v and an int64
// column i; every nanEvery-th value of a is NaN (never when 0).
func rowPathRecord(t *testing.T, mem memory.Allocator, n, nanEvery int) arrow.Record {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	a, b := make([]float64, n), make([]float64, n)
	v := make([][]float64, n)
	for i := range n {
		a[i], b[i] = rng.NormFloat64()*1e3, rng.Float64()
		if nanEvery > 0 && i%nanEvery == 0 {
			a[i] = math.NaN()
		}
		v[i] = []float64{rng.NormFloat64(), rng.ExpFloat64(), -rng.Float64()}
	}
	rec, err := table.Build(mem, table.Col("a", a), table.Col("b", b), table.DenseCol("v", 3, v))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestRowFuncMatchesTransform(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cols     []string
		invalid  string
		nanEvery int
	}{
		{"scalars", []string{"a", "b"}, "error", 0},
		{"scalars and vector", []string{"v", "a", "b"}, "error", 0},
		{"NaN error", []string{"a", "v"}, "error", 5},
		{"NaN keep", []string{"b", "a", "v"}, "keep", 3},
		{"NaN skip", []string{"a", "b"}, "skip", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			ctx := pipeline.WithAllocator(context.Background(), mem)
			rec := rowPathRecord(t, mem, 300, tc.nanEvery)
			defer rec.Release()
			va, err := vectorassembler.New(map[string]any{"input_cols": tc.cols, "output_col": "features", "handle_invalid": tc.invalid})
			if err != nil {
				t.Fatal(err)
			}
			if err := pipeline.CheckRowFunc(ctx, va, rec); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRowFuncUncovered(t *testing.T) {
	va, err := vectorassembler.New(map[string]any{"input_cols": []string{"a", "i"}, "output_col": "features"})
	if err != nil {
		t.Fatal(err)
	}
	in := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Float64}, {Name: "i", Type: arrow.PrimitiveTypes.Int64}}, nil)
	if _, err := va.RowFunc(in); !errors.Is(err, pipeline.ErrNoRowPath) {
		t.Errorf("int64 input: got %v, want ErrNoRowPath", err)
	}
	missing := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Float64}}, nil)
	_, err = va.RowFunc(missing)
	_, want := va.OutputSchema(missing)
	if err == nil || want == nil || err.Error() != want.Error() {
		t.Errorf("missing input: got %v, want OutputSchema's %v", err, want)
	}
}
