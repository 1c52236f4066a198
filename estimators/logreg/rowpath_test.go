package logreg

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
)

// rowModel returns a model of k classes (binomial when k is 2) over dim
// features with random coefficients.
func rowModel(t *testing.T, mem memory.Allocator, rng *rand.Rand, k, dim int, params map[string]any) *Model {
	t.Helper()
	nvec := k
	if k == 2 {
		nvec = 1
	}
	coefs := make([][]float64, nvec)
	intercepts := make([]float64, nvec)
	for v := range coefs {
		coefs[v] = make([]float64, dim)
		for j := range coefs[v] {
			coefs[v][j] = rng.NormFloat64()
		}
		intercepts[v] = rng.NormFloat64()
	}
	labels := make([]float64, k)
	for c := range labels {
		labels[c] = float64(c * 3)
	}
	recs, err := ModelDataRecords(mem, coefs, intercepts, labels)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(params)
	if err != nil {
		t.Fatal(err)
	}
	err = m.SetModelData(recs...)
	for _, r := range recs {
		r.Release()
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRowFuncMatchesTransform(t *testing.T) {
	for _, tc := range []struct {
		name string
		k    int
		nan  bool
	}{{"binomial", 2, false}, {"multinomial", 4, false}, {"binomial NaN", 2, true}, {"multinomial NaN", 3, true}} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			ctx := pipeline.WithAllocator(context.Background(), mem)
			rng := rand.New(rand.NewPCG(uint64(tc.k), 9))
			const dim, n = 20, 400
			m := rowModel(t, mem, rng, tc.k, dim, nil)
			x := make([][]float64, n)
			other := make([]float64, n)
			for i := range x {
				x[i] = make([]float64, dim)
				for j := range x[i] {
					x[i][j] = rng.NormFloat64() * 3
				}
				if tc.nan && i%7 == 0 {
					x[i][i%dim] = math.NaN()
				}
				other[i] = rng.Float64()
			}
			rec, err := table.Build(mem, table.Col("other", other), table.DenseCol("features", dim, x))
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

func TestRowFuncModelData(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(1, 1))
	in := arrow.NewSchema([]arrow.Field{{Name: "features", Type: table.DenseVectorType(3)}}, nil)
	// No row path without data, or with model_version_col set.
	empty, _ := NewModel(nil)
	if _, err := empty.RowFunc(in); !errors.Is(err, pipeline.ErrNoModelData) {
		t.Errorf("no data: got %v, want ErrNoModelData", err)
	}
	mv := rowModel(t, mem, rng, 2, 3, map[string]any{"model_version_col": "v"})
	if _, err := mv.RowFunc(in); !errors.Is(err, pipeline.ErrNoRowPath) {
		t.Errorf("model_version_col: got %v, want ErrNoRowPath", err)
	}
	// New data of the same shape is used by the next call; data of
	// another class count fails the row.
	m := rowModel(t, mem, rng, 2, 3, nil)
	fn, err := m.RowFunc(in)
	if err != nil {
		t.Fatal(err)
	}
	row := pipeline.Row{{1, 2, 3}}
	var sc pipeline.RowScratch
	score := func() (float64, error) {
		sc.Reset()
		out, err := fn(row, &sc)
		if err != nil {
			return 0, err
		}
		return out[2][1], nil
	}
	before, err := score()
	if err != nil {
		t.Fatal(err)
	}
	swap := func(coefs [][]float64, intercepts, labels []float64) {
		recs, err := ModelDataRecords(mem, coefs, intercepts, labels)
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			for _, r := range recs {
				r.Release()
			}
		}()
		if err := m.SetModelData(recs...); err != nil {
			t.Fatal(err)
		}
	}
	swap([][]float64{{0, 0, 0}}, []float64{5}, []float64{0, 1})
	after, err := score()
	if err != nil || after != 5 || after == before {
		t.Errorf("after new data: raw margin %v (%v), want 5", after, err)
	}
	swap([][]float64{{0, 0, 0}, {1, 1, 1}, {2, 2, 2}}, []float64{0, 0, 0}, []float64{0, 1, 2})
	if _, err := score(); err == nil {
		t.Error("data of 3 classes for a 2-class row function: no error")
	}
	if _, err := fn(pipeline.Row{{1, 2}}, &sc); err == nil {
		t.Error("2 features for 3 coefficients: no error")
	}
}
