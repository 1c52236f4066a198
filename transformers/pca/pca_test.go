package pca

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/vectest"
)

func TestParams(t *testing.T) {
	s, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if K.Get(s.Params()) != 2 || s.InputCol() != "input" {
		t.Errorf("defaults: %v", s.Params().Values())
	}
	for _, bad := range []map[string]any{{"k": 0}, {"k": 1.5}, {"k": "two"}, {"output_col": ""}} {
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), Kind) {
			t.Errorf("%v: error %v does not name the stage", bad, err)
		}
	}
	if _, err := NewModel(map[string]any{"k": -1}); err == nil || !strings.Contains(err.Error(), `"k"`) {
		t.Errorf("model: %v", err)
	}
}

func TestSmall(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// Points on the diagonal: mean (2, 2); the centered rows (-2,-2),
	// (-1,-1), (3,3) make U's largest entry the third, hence positive
	// projections for it.
	tbl := vectest.Features(t, mem, "f", [][]float64{{0, 0}, {1, 1}, {5, 5}}, 2)
	defer tbl.Release()
	est, _ := New(map[string]any{"input_col": "f", "output_col": "p", "k": 1})
	m := vectest.Fit(t, mem, est, tbl).(*Model)
	r := math.Sqrt2
	vectest.AssertRows(t, m.Components(), [][]float64{{r / 2, r / 2}}, 1e-15)
	vectest.AssertRows(t, [][]float64{m.Mean(), m.ExplainedVariance()}, [][]float64{{2, 2}, {14}}, 1e-14)
	out := vectest.Transform(t, mem, m, tbl)
	defer out.Release()
	vectest.AssertRows(t, vectest.DenseRows(t, out, "p"), [][]float64{{-2 * r}, {-r}, {3 * r}}, 1e-14)

	_ = est.SetK(3)
	r2 := tbl.Reader()
	defer r2.Release()
	if _, err := est.Fit(pipeline.WithAllocator(context.Background(), mem), r2); err == nil || !strings.Contains(err.Error(), `"k"`) {
		t.Errorf("k > dimension: %v", err)
	}
}

func TestSparseAndNulls(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := table.Build(mem, table.NullableSparseCol("f", []table.SparseVector{
		{Size: 2}, {}, {Size: 2, Indices: []int32{0, 1}, Values: []float64{1, 1}}, {Size: 2, Indices: []int32{0, 1}, Values: []float64{5, 5}},
	}, []bool{true, false, true, true}))
	if err != nil {
		t.Fatal(err)
	}
	tbl, _ := table.New(rec.Schema(), rec)
	rec.Release()
	defer tbl.Release()
	est, _ := New(map[string]any{"input_col": "f", "output_col": "p", "k": 1})
	m := vectest.Fit(t, mem, est, tbl)
	out := vectest.Transform(t, mem, m, tbl)
	defer out.Release()
	got := vectest.DenseRows(t, out, "p")
	r := math.Sqrt2
	if got[1] != nil {
		t.Fatalf("null row gave %v", got[1])
	}
	vectest.AssertRows(t, [][]float64{got[0], got[2], got[3]}, [][]float64{{-2 * r}, {-r}, {3 * r}}, 1e-14)
}

func TestErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := vectest.Features(t, mem, "f", [][]float64{{1, 2}}, 0)
	defer tbl.Release()
	m, _ := NewModel(map[string]any{"input_col": "f"})
	ctx := pipeline.WithAllocator(context.Background(), mem)
	if _, err := m.Transform(ctx, tbl.Batch(0)); !errors.Is(err, pipeline.ErrNoModelData) {
		t.Errorf("no data: %v", err)
	}
	rec, _ := ModelDataRecord(mem, []float64{0, 0, 0}, [][]float64{{1, 0, 0}}, []float64{1})
	defer rec.Release()
	if err := m.SetModelData(rec); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Transform(ctx, tbl.Batch(0)); err == nil || !strings.Contains(err.Error(), "dimension 2") {
		t.Errorf("dimension mismatch: %v", err)
	}
	if _, err := ModelDataRecord(mem, []float64{0}, [][]float64{{1, 0}}, []float64{1}); err == nil {
		t.Error("component of the wrong dimension accepted")
	}
	noPC, _ := table.Build(mem, table.Col("mean", []float64{0}), table.Col("explained_variance", []float64{0}))
	defer noPC.Release()
	if err := m.SetModelData(noPC); err == nil || !strings.Contains(err.Error(), "pc_0") {
		t.Errorf("model data without components: %v", err)
	}
}

// TestSklearn compares with scikit-learn's PCA(svd_solver="full") on
// wine (all 13 components) and diabetes (4), components and projections
// (testdata/gen_expected.py), then saves and loads the wine model.
func TestSklearn(t *testing.T) {
	for _, c := range []struct {
		ds, drop string
		k        int
	}{{"wine", "label", 13}, {"diabetes", "target", 4}} {
		t.Run(c.ds, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			_, rows := vectest.Dataset(t, c.ds, c.drop)
			_, wantComps := vectest.ReadCSV(t, "testdata/expected_"+c.ds+"_components.csv.gz")
			_, want := vectest.ReadCSV(t, "testdata/expected_"+c.ds+"_transform.csv.gz")
			tbl := vectest.Features(t, mem, "features", rows, 50)
			defer tbl.Release()
			est, _ := New(map[string]any{"input_col": "features", "output_col": "pcs", "k": c.k, "model_version_col": "v"})
			m := vectest.Fit(t, mem, est, tbl).(*Model)
			vectest.AssertRows(t, m.Components(), wantComps, 1e-9)
			out := vectest.Transform(t, mem, m, tbl)
			defer out.Release()
			vectest.AssertRows(t, vectest.DenseRows(t, out, "pcs"), want, 1e-9)
			for _, l := range vectest.RoundTrip(t, m) {
				vectest.AssertSameOutput(t, mem, m, l.(pipeline.Transformer), tbl, "pcs")
			}
		})
	}
}

func BenchmarkTransform(b *testing.B) {
	const n, dim = 1 << 20, 8
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = make([]float64, dim)
		for j := range rows[i] {
			rows[i][j] = float64((i*(j+3))%97 + j)
		}
	}
	mem := memory.NewGoAllocator()
	tbl := vectest.Features(b, mem, "f", rows, 1<<16)
	defer tbl.Release()
	small := vectest.Features(b, mem, "f", rows[:4096], 0)
	defer small.Release()
	est, _ := New(map[string]any{"input_col": "f", "output_col": "o", "k": 3})
	m := vectest.Fit(b, mem, est, small)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := vectest.Transform(b, mem, m, tbl)
		out.Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestSetModelDataWhileTransforming swaps model data (same shape,
// version 7) while another goroutine transforms: each batch sees one
// model whole.
func TestSetModelDataWhileTransforming(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := vectest.Features(t, mem, "f", [][]float64{{0, 0}, {1, 1}, {5, 5}}, 1)
	defer tbl.Release()
	est, _ := New(map[string]any{"input_col": "f", "output_col": "p", "k": 1, "model_version_col": "v"})
	m := vectest.Fit(t, mem, est, tbl).(*Model)
	other, err := ModelDataRecord(mem, []float64{0, 0}, [][]float64{{1, 0}}, []float64{1})
	if err != nil {
		t.Fatal(err)
	}
	v7 := pipeline.WithModelVersion(other, 7)
	other.Release()
	defer v7.Release()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 50; i++ {
			if err := m.SetModelData(v7); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	ctx := pipeline.WithAllocator(context.Background(), mem)
	for i := 0; i < 50; i++ {
		out, err := m.Transform(ctx, tbl.Batch(2))
		if err != nil {
			t.Fatal(err)
		}
		row := table.Rows(out)[0]
		p, v := row["p"].([]float64)[0], row["v"].(int64)
		if (v == 7) != (p == 5) {
			t.Errorf("version %d with projection %v", v, p)
		}
		out.Release()
	}
	<-done
}
