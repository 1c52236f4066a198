package polynomialexpansion

import (
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/vectest"
)

func TestParams(t *testing.T) {
	s, err := New(nil)
	if err != nil || Degree.Get(s.Params()) != 2 {
		t.Fatal(err)
	}
	for _, bad := range []map[string]any{{"degree": 0}, {"degree": 1.5}, {"degree": "2"}} {
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), Kind) || !strings.Contains(err.Error(), `"degree"`) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func TestOutputDim(t *testing.T) {
	for _, c := range []struct{ d, deg, want int }{{2, 2, 5}, {3, 1, 3}, {10, 2, 65}, {5, 3, 55}, {1, 4, 4}, {0, 3, 0}} {
		if got, err := OutputDim(c.d, c.deg); err != nil || got != c.want {
			t.Errorf("OutputDim(%d, %d) = %d, %v; want %d", c.d, c.deg, got, err, c.want)
		}
	}
	if _, err := OutputDim(1000, 5); err == nil {
		t.Error("huge output accepted")
	}
}

func TestSmall(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := vectest.Features(t, mem, "f", [][]float64{{2, 3}, nil, {-1, 0.5}}, 0)
	defer tbl.Release()
	for _, c := range []struct {
		degree int
		want   [][]float64
	}{
		// x0, x1, x0², x0x1, x1²
		{2, [][]float64{{2, 3, 4, 6, 9}, nil, {-1, 0.5, 1, -0.5, 0.25}}},
		// ... then x0³, x0²x1, x0x1², x1³
		{3, [][]float64{{2, 3, 4, 6, 9, 8, 12, 18, 27}, nil, {-1, 0.5, 1, -0.5, 0.25, -1, 0.5, -0.25, 0.125}}},
		{1, [][]float64{{2, 3}, nil, {-1, 0.5}}},
	} {
		s, _ := New(map[string]any{"input_col": "f", "output_col": "p", "degree": c.degree})
		out := vectest.Transform(t, mem, s, tbl)
		got := vectest.DenseRows(t, out, "p")
		if got[1] != nil {
			t.Errorf("null row gave %v", got[1])
		}
		vectest.AssertRows(t, [][]float64{got[0], got[2]}, [][]float64{c.want[0], c.want[2]}, 0)
		schema, err := s.OutputSchema(tbl.Schema())
		if err != nil || !schema.Equal(out.Schema()) {
			t.Errorf("OutputSchema %v (%v), output %v", schema, err, out.Schema())
		}
		out.Release()
	}
	// Sparse input: accepted by Transform, not by OutputSchema.
	rec, err := table.Build(mem, table.SparseCol("f", []table.SparseVector{{Size: 3, Indices: []int32{1}, Values: []float64{2}}}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	s, _ := New(map[string]any{"input_col": "f", "output_col": "p"})
	if _, err := s.OutputSchema(rec.Schema()); err == nil {
		t.Error("sparse OutputSchema accepted")
	}
	out, err := s.Transform(pipeline.WithAllocator(t.Context(), mem), rec)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	tb, _ := table.New(out.Schema(), out)
	defer tb.Release()
	vectest.AssertRows(t, vectest.DenseRows(t, tb, "p"), [][]float64{{0, 2, 0, 0, 0, 0, 4, 0, 0}}, 0)
}

// TestSklearn compares with scikit-learn's PolynomialFeatures
// (testdata/gen_expected.py): bit for bit.
func TestSklearn(t *testing.T) {
	for _, c := range []struct {
		name, ds, drop string
		cols, degree   int
	}{{"diabetes_degree2", "diabetes", "target", 10, 2}, {"wine_degree3", "wine", "label", 5, 3}} {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			_, rows := vectest.Dataset(t, c.ds, c.drop)
			rows = rows[:100]
			for i := range rows {
				rows[i] = rows[i][:c.cols]
			}
			_, want := vectest.ReadCSV(t, "testdata/expected_"+c.name+".csv.gz")
			tbl := vectest.Features(t, mem, "features", rows, 30)
			defer tbl.Release()
			s, _ := New(map[string]any{"input_col": "features", "output_col": "poly", "degree": c.degree})
			out := vectest.Transform(t, mem, s, tbl)
			defer out.Release()
			vectest.AssertRows(t, vectest.DenseRows(t, out, "poly"), want, 0)
		})
	}
}

func BenchmarkTransform(b *testing.B) {
	const n, dim = 1 << 20, 4
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = make([]float64, dim)
		for j := range rows[i] {
			rows[i][j] = float64(i%97 + j)
		}
	}
	mem := memory.NewGoAllocator()
	tbl := vectest.Features(b, mem, "f", rows, 1<<16)
	defer tbl.Release()
	s, _ := New(map[string]any{"input_col": "f", "output_col": "o", "degree": 2})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := vectest.Transform(b, mem, s, tbl)
		out.Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
