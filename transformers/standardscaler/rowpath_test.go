package standardscaler_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/standardscaler"
)

var _ pipeline.RowTransformer = (*standardscaler.Model)(nil)

func TestRowFuncMatchesTransform(t *testing.T) {
	const dim, n = 6, 300
	rng := rand.New(rand.NewPCG(3, 4))
	mean, std := make([]float64, dim), make([]float64, dim)
	for j := range dim {
		mean[j], std[j] = rng.NormFloat64()*10, rng.ExpFloat64()
	}
	std[2] = 0 // a constant feature: scaled by 1
	x, y := make([][]float64, n), make([]float64, n)
	for i := range x {
		y[i] = float64(i)
		x[i] = make([]float64, dim)
		for j := range x[i] {
			x[i][j] = mean[j] + rng.NormFloat64()*std[j]
		}
		if i%11 == 0 {
			x[i][i%dim] = math.Inf(1)
		}
	}
	for _, withMean := range []bool{true, false} {
		for _, withStd := range []bool{true, false} {
			t.Run(fmt.Sprintf("mean=%v std=%v", withMean, withStd), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				ctx := pipeline.WithAllocator(context.Background(), mem)
				m, err := standardscaler.NewModel(map[string]any{"input_col": "x", "output_col": "scaled", "with_mean": withMean, "with_std": withStd})
				if err != nil {
					t.Fatal(err)
				}
				data, err := standardscaler.ModelDataRecord(mem, mean, std)
				if err != nil {
					t.Fatal(err)
				}
				err = m.SetModelData(data)
				data.Release()
				if err != nil {
					t.Fatal(err)
				}
				rec, err := table.Build(mem, table.DenseCol("x", dim, x), table.Col("y", y))
				if err != nil {
					t.Fatal(err)
				}
				defer rec.Release()
				if err := pipeline.CheckRowFunc(ctx, m, rec); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func TestRowFuncModelData(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	set := func(m *standardscaler.Model, mean, std []float64) {
		t.Helper()
		data, err := standardscaler.ModelDataRecord(mem, mean, std)
		if err != nil {
			t.Fatal(err)
		}
		defer data.Release()
		if err := m.SetModelData(data); err != nil {
			t.Fatal(err)
		}
	}
	in := arrow.NewSchema([]arrow.Field{{Name: "x", Type: table.DenseVectorType(2)}}, nil)
	m, err := standardscaler.NewModel(map[string]any{"input_col": "x", "output_col": "s"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.RowFunc(in); !errors.Is(err, pipeline.ErrNoModelData) {
		t.Errorf("no data: got %v, want ErrNoModelData", err)
	}
	set(m, []float64{1, 1}, []float64{2, 2})
	fn, err := m.RowFunc(in)
	if err != nil {
		t.Fatal(err)
	}
	var sc pipeline.RowScratch
	row := pipeline.Row{{3, 5}}
	out, err := fn(row, &sc)
	if err != nil || out[1][0] != 1 || out[1][1] != 2 {
		t.Fatalf("got %v, %v; want [1 2]", out, err)
	}
	// The next call reads new data, without allocating once its mapper
	// is built.
	set(m, []float64{0, 0}, []float64{1, 4})
	sc.Reset()
	if out, err = fn(row, &sc); err != nil || out[1][0] != 3 || out[1][1] != 1.25 {
		t.Fatalf("after new data: got %v, %v; want [3 1.25]", out, err)
	}
	if a := testing.AllocsPerRun(50, func() { sc.Reset(); fn(row, &sc) }); a != 0 {
		t.Errorf("%v allocations per row, want 0", a)
	}
	set(m, []float64{0, 0, 0}, []float64{1, 1, 1})
	if _, err := fn(pipeline.Row{{1, 2, 3}}, &sc); err == nil {
		t.Error("data of dimension 3 for a row function of dimension 2: no error")
	}
	mv, _ := standardscaler.NewModel(map[string]any{"input_col": "x", "output_col": "s", "model_version_col": "v"})
	set(mv, []float64{0, 0}, []float64{1, 1})
	if _, err := mv.RowFunc(in); !errors.Is(err, pipeline.ErrNoRowPath) {
		t.Errorf("model_version_col: got %v, want ErrNoRowPath", err)
	}
}
