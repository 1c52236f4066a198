package imputer

import (
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
	if Strategy.Get(s.Params()) != Mean || FillValue.Get(s.Params()) != 0 {
		t.Errorf("defaults %v", s.Params().Values())
	}
	for _, bad := range []map[string]any{
		{"strategy": "mode"}, {"fill_value": math.Inf(1)},
		{"input_cols": []string{"a", "b"}, "output_cols": []string{"c"}},
	} {
		if _, err := New(bad); err == nil || !strings.Contains(err.Error(), Kind) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func scalarTable(t *testing.T, mem memory.Allocator, header []string, rows [][]float64) *table.Table {
	t.Helper()
	cols := make([]table.Column, len(header))
	for j, h := range header {
		v := make([]float64, len(rows))
		for i := range rows {
			v[i] = rows[i][j]
		}
		if j == 0 { // an int64 column with nulls where the value is NaN
			iv := make([]int64, len(v))
			valid := make([]bool, len(v))
			for i, x := range v {
				valid[i] = !math.IsNaN(x)
				if valid[i] {
					iv[i] = int64(x)
				}
			}
			cols[j] = table.NullableCol(h, iv, valid)
			continue
		}
		cols[j] = table.Col(h, v)
	}
	rec, err := table.Build(mem, cols...)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	tbl, err := table.New(rec.Schema(), rec)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

func TestSmall(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	nan := math.NaN()
	tbl := scalarTable(t, mem, []string{"a", "b"}, [][]float64{{1, 2}, {nan, nan}, {3, 2}, {3, 7}, {nan, 4}})
	defer tbl.Release()
	for _, c := range []struct {
		strategy string
		a, b     float64
	}{
		{Mean, 7.0 / 3, 15.0 / 4}, {Median, 3, 3}, {MostFrequent, 3, 2}, {Constant, 9, 9},
	} {
		t.Run(c.strategy, func(t *testing.T) {
			est, _ := New(map[string]any{"input_cols": []string{"a", "b"}, "output_cols": []string{"a2", "b2"},
				"strategy": c.strategy, "fill_value": 9, "model_version_col": "v"})
			m := vectest.Fit(t, mem, est, tbl)
			out := vectest.Transform(t, mem, m, tbl)
			defer out.Release()
			rows := table.Rows(out.Batch(0))
			if rows[1]["a2"] != c.a || rows[1]["b2"] != c.b || rows[4]["a2"] != c.a || rows[0]["a2"] != 1.0 || rows[3]["b2"] != 7.0 {
				t.Errorf("got %v", rows)
			}
			if rows[0]["v"] != int64(0) {
				t.Errorf("version column %v", rows[0]["v"])
			}
		})
	}
	est, _ := New(map[string]any{"input_cols": []string{"a"}, "output_cols": []string{"a"}})
	m := vectest.Fit(t, mem, est, tbl)
	if _, err := m.OutputSchema(tbl.Schema()); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate output: %v", err)
	}
}

func TestSklearnDiabetes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	header, rows := vectest.Dataset(t, "diabetes", "target")
	for i := range rows {
		for j := range rows[i] {
			if (3*i+j)%7 == 0 {
				rows[i][j] = math.NaN()
			}
		}
	}
	tbl := scalarTable(t, mem, header, rows)
	defer tbl.Release()
	outs := make([]string, len(header))
	for j, h := range header {
		outs[j] = h + "_imp"
	}
	for _, s := range []string{Mean, Median, MostFrequent, Constant} {
		t.Run(s, func(t *testing.T) {
			_, want := vectest.ReadCSV(t, "testdata/expected_"+s+".csv.gz")
			est, _ := New(map[string]any{"input_cols": header, "output_cols": outs, "strategy": s, "fill_value": -1})
			m := vectest.Fit(t, mem, est, tbl)
			check := func(tr pipeline.Transformer) {
				out := vectest.Transform(t, mem, tr, tbl)
				defer out.Release()
				got := make([][]float64, 0, len(rows))
				for _, r := range table.Rows(out.Batch(0)) {
					row := make([]float64, len(outs))
					for j, o := range outs {
						row[j] = r[o].(float64)
					}
					got = append(got, row)
				}
				vectest.AssertRows(t, got, want, 1e-9)
			}
			check(m)
			for _, l := range vectest.RoundTrip(t, m) {
				check(l.(pipeline.Transformer))
			}
		})
	}
}

func BenchmarkTransform(b *testing.B) {
	const n = 1 << 20
	mem := memory.NewGoAllocator()
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(i % 13)
		if i%5 == 0 {
			xs[i] = math.NaN()
		}
	}
	rec, _ := table.Build(mem, table.Col("x", xs))
	tbl, _ := table.New(rec.Schema(), rec)
	rec.Release()
	defer tbl.Release()
	est, _ := New(map[string]any{"input_cols": []string{"x"}, "output_cols": []string{"y"}})
	m := vectest.Fit(b, mem, est, tbl)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		vectest.Transform(b, mem, m, tbl).Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
