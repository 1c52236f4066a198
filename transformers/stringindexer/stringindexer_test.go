package stringindexer

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/connectors/csv"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

func fit(t *testing.T, ctx context.Context, s *StringIndexer, recs ...arrow.Record) *Model {
	t.Helper()
	tbl, err := table.New(recs[0].Schema(), recs...)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	r := tbl.Reader()
	defer r.Release()
	m, err := s.Fit(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*Model)
}

func column(t *testing.T, rec arrow.Record, name string) []any {
	t.Helper()
	i, err := table.FieldIndex(rec.Schema(), name)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]any, rec.NumRows())
	for r := range out {
		out[r] = table.Value(rec.Column(i), r)
	}
	return out
}

func TestParams(t *testing.T) {
	s, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.HandleInvalid() != param.HandleError || s.StringOrderType() != "frequencyDesc" {
		t.Errorf("defaults: handle_invalid=%q string_order_type=%q", s.HandleInvalid(), s.StringOrderType())
	}
	for _, bad := range []map[string]any{
		{"string_order_type": "random"},
		{"handle_invalid": "ignore"},
		{"input_cols": []string{"a", "a"}},
		{"nope": 1},
	} {
		_, err := New(bad)
		var pe *param.Error
		if !errors.As(err, &pe) || pe.Kind != Kind {
			t.Errorf("New(%v): error %v does not name the stage", bad, err)
			continue
		}
		for name := range bad {
			if !strings.Contains(err.Error(), strconv.Quote(name)) {
				t.Errorf("New(%v): error %q does not name the param", bad, err)
			}
		}
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := table.Build(mem, table.Col("c", []string{"a"}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	for _, p := range []map[string]any{nil, {"input_cols": []string{"c"}}, {"input_cols": []string{"x"}, "output_cols": []string{"y"}}} {
		s, _ := New(p)
		r := tbl.Reader()
		_, err := s.Fit(context.Background(), r)
		r.Release()
		if err == nil {
			t.Errorf("Fit with %v: no error", p)
		}
	}
}

func TestFitTransform(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rec, err := table.Build(mem,
		table.Col("color", []string{"red", "blue", "red", "green", "blue", "red"}),
		table.Col("size", []int64{3, 1, 3, 2, 2, 3}),
		table.Col("w", []float64{0.5, 2, 2, 0.5, 1.5, 2}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	tests := []struct {
		order string
		want  [][]any // per column
	}{
		// red 3, blue 2, green 1 | 3:3, 2:2, 1:1 | 2:3, 0.5:2, 1.5:1
		{"frequencyDesc", [][]any{{0.0, 1.0, 0.0, 2.0, 1.0, 0.0}, {0.0, 2.0, 0.0, 1.0, 1.0, 0.0}, {1.0, 0.0, 0.0, 1.0, 2.0, 0.0}}},
		// green, blue, red | 1, 2, 3 | 1.5, 0.5, 2
		{"frequencyAsc", [][]any{{2.0, 1.0, 2.0, 0.0, 1.0, 2.0}, {2.0, 0.0, 2.0, 1.0, 1.0, 2.0}, {1.0, 2.0, 2.0, 1.0, 0.0, 2.0}}},
		// blue, green, red | "1","2","3" | "0.5","1.5","2"
		{"alphabetAsc", [][]any{{2.0, 0.0, 2.0, 1.0, 0.0, 2.0}, {2.0, 0.0, 2.0, 1.0, 1.0, 2.0}, {0.0, 2.0, 2.0, 0.0, 1.0, 2.0}}},
		{"alphabetDesc", [][]any{{0.0, 2.0, 0.0, 1.0, 2.0, 0.0}, {0.0, 2.0, 0.0, 1.0, 1.0, 0.0}, {2.0, 0.0, 0.0, 2.0, 1.0, 0.0}}},
	}
	for _, tt := range tests {
		t.Run(tt.order, func(t *testing.T) {
			s, err := New(map[string]any{"input_cols": []string{"color", "size", "w"},
				"output_cols": []string{"ci", "si", "wi"}, "string_order_type": tt.order})
			if err != nil {
				t.Fatal(err)
			}
			m := fit(t, ctx, s, rec)
			out, err := m.Transform(ctx, rec)
			if err != nil {
				t.Fatal(err)
			}
			defer out.Release()
			schema, err := m.OutputSchema(rec.Schema())
			if err != nil {
				t.Fatal(err)
			}
			if !out.Schema().Equal(schema) {
				t.Errorf("schema %s, OutputSchema %s", out.Schema(), schema)
			}
			for j, name := range []string{"ci", "si", "wi"} {
				if got := column(t, out, name); !reflect.DeepEqual(got, tt.want[j]) {
					t.Errorf("%s: got %v, want %v", name, got, tt.want[j])
				}
			}
		})
	}
}

func TestHandleInvalid(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	train, err := table.Build(mem, table.Col("c", []string{"a", "b", "a"}))
	if err != nil {
		t.Fatal(err)
	}
	defer train.Release()
	test, err := table.Build(mem,
		table.NullableCol("c", []string{"b", "zz", "a", ""}, []bool{true, true, true, false}),
		table.Col("id", []int64{0, 1, 2, 3}))
	if err != nil {
		t.Fatal(err)
	}
	defer test.Release()
	s, _ := New(map[string]any{"input_cols": []string{"c"}, "output_cols": []string{"ci"}})
	m := fit(t, ctx, s, train)

	_, err = m.Transform(ctx, test)
	if err == nil || !strings.Contains(err.Error(), `column "c" row 1: value zz: unseen label`) {
		t.Errorf("error policy: got %v", err)
	}
	if err := m.SetHandleInvalid(param.HandleKeep); err != nil {
		t.Fatal(err)
	}
	out, err := m.Transform(ctx, test)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := column(t, out, "ci"), []any{1.0, 2.0, 0.0, 2.0}; !reflect.DeepEqual(got, want) {
		t.Errorf("keep: got %v, want %v", got, want)
	}
	out.Release()
	sl := test.NewSlice(1, 4)
	part, err := m.Transform(ctx, sl)
	sl.Release()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := column(t, part, "ci"), []any{2.0, 0.0, 2.0}; !reflect.DeepEqual(got, want) {
		t.Errorf("keep, sliced input: got %v, want %v", got, want)
	}
	part.Release()
	if err := m.SetHandleInvalid(param.HandleSkip); err != nil {
		t.Fatal(err)
	}
	out, err = m.Transform(ctx, test)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if got, want := column(t, out, "id"), []any{int64(0), int64(2)}; !reflect.DeepEqual(got, want) {
		t.Errorf("skip ids: got %v, want %v", got, want)
	}
	if got, want := column(t, out, "ci"), []any{1.0, 0.0}; !reflect.DeepEqual(got, want) {
		t.Errorf("skip: got %v, want %v", got, want)
	}
}

func TestSaveLoad(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rec, err := table.Build(mem, table.Col("c", []string{"x", "y", "y", "q"}), table.Col("n", []int32{7, 7, 8, 9}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	s, _ := New(map[string]any{"input_cols": []string{"c", "n"}, "output_cols": []string{"ci", "ni"},
		"handle_invalid": "keep"})
	m := fit(t, ctx, s, rec)
	if got, want := m.Labels(), [][]string{{"y", "q", "x"}, {"7", "8", "9"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("labels %v, want %v", got, want)
	}
	want, err := m.Transform(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer want.Release()
	dir := t.TempDir()
	for _, path := range []string{filepath.Join(dir, "m"), filepath.Join(dir, "m.tar")} {
		if err := modelio.Save(m, path, &modelio.Options{Allocator: mem}); err != nil {
			t.Fatal(err)
		}
		st, err := modelio.Load(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.(pipeline.Transformer).Transform(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(table.Rows(got), table.Rows(want)) || st.Params().Values()["handle_invalid"] != "keep" {
			t.Errorf("%s: loaded model differs", path)
		}
		got.Release()
	}
	// Model data swapped in while the model runs.
	data := m.ModelData()
	defer data[0].Release()
	m2, _ := NewModel(map[string]any{"input_cols": []string{"c", "n"}, "output_cols": []string{"ci", "ni"}})
	if err := m2.SetModelData(data...); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m2.Labels(), m.Labels()) {
		t.Error("SetModelData from ModelData lost labels")
	}
	if err := m2.SetModelData(); err == nil {
		t.Error("SetModelData with no record: no error")
	}
}

func datasetPath(t testing.TB, name string) string {
	p := filepath.Join("..", "..", "..", "shared", "datasets", name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("dataset missing under CI: %v", err)
		}
		t.Skipf("no dataset: %v", err)
	}
	return p
}

var adultCats = []string{"workclass", "education", "marital_status", "occupation", "relationship", "race", "sex", "native_country"}

func readAdult(t testing.TB, mem memory.Allocator) *table.Table {
	r, err := csv.Open(context.Background(), datasetPath(t, "adult_train.csv.gz"),
		csv.Options{ReadOptions: connectors.ReadOptions{Allocator: mem, BatchSize: 8192}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	tbl, err := table.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// TestAdultMatchesSklearn compares the indices with scikit-learn's
// OrdinalEncoder given the categories in frequencyDesc order
// (testdata/gen_expected.py), missing values in the keep bucket.
func TestAdultMatchesSklearn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	tbl := readAdult(t, mem)
	defer tbl.Release()
	outs := make([]string, len(adultCats))
	for j, c := range adultCats {
		outs[j] = c + "_idx"
	}
	s, _ := New(map[string]any{"input_cols": adultCats, "output_cols": outs, "handle_invalid": "keep"})
	r := tbl.Reader()
	model, err := s.Fit(ctx, r)
	r.Release()
	if err != nil {
		t.Fatal(err)
	}
	res, err := pipeline.TransformTable(ctx, model.(pipeline.Transformer), tbl)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()

	f, err := os.Open("testdata/adult_ordinal.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(gz)
	sc.Scan() // header
	row := 0
	for b := 0; b < res.NumBatches(); b++ {
		rec := res.Batch(b)
		cols := make([][]float64, len(outs))
		for j, o := range outs {
			i, _ := table.FieldIndex(rec.Schema(), o)
			cols[j], err = table.Float64s(rec.Column(i))
			if err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			if !sc.Scan() {
				t.Fatalf("expected file ends at row %d", row)
			}
			for j, field := range strings.Split(sc.Text(), ",") {
				want, _ := strconv.ParseFloat(field, 64)
				if cols[j][i] != want {
					t.Fatalf("row %d column %s: got %v, sklearn %v", row, adultCats[j], cols[j][i], want)
				}
			}
			row++
		}
	}
	if row != 32561 || sc.Scan() {
		t.Errorf("compared %d rows; expected file has more: %v", row, sc.Text())
	}
}

func BenchmarkTransform(b *testing.B) {
	mem := memory.NewGoAllocator()
	ctx := pipeline.WithAllocator(context.Background(), mem)
	const n = 1 << 20
	vals := make([]string, n)
	nums := make([]int64, n)
	for i := range vals {
		vals[i] = "cat" + strconv.Itoa(i%97)
		nums[i] = int64(i % 13)
	}
	rec, err := table.Build(mem, table.Col("s", vals), table.Col("n", nums))
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	s, _ := New(map[string]any{"input_cols": []string{"s", "n"}, "output_cols": []string{"si", "ni"}})
	r := tbl.Reader()
	m, err := s.Fit(ctx, r)
	r.Release()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		out, err := m.Transform(ctx, rec)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestFitTransformMatchesFitThenTransform checks that FitTransform gives
// the model Fit gives and the table TransformTable gives with it, for
// every handle_invalid policy, with nulls, sliced and empty batches, and
// numeric columns (the fallback path).
func TestFitTransformMatchesFitThenTransform(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	b1, err := table.Build(mem,
		table.NullableCol("c", []string{"b", "zz", "a", "", "b", "a"}, []bool{true, true, true, false, true, true}),
		table.Col("d", []string{"x", "", "y", "x", "abcdefghijk", "x"}),
		table.Col("n", []int64{3, 1, 3, 2, 2, 3}))
	if err != nil {
		t.Fatal(err)
	}
	defer b1.Release()
	b2 := b1.NewSlice(2, 5)
	defer b2.Release()
	empty := b1.NewSlice(0, 0)
	defer empty.Release()
	tbl, err := table.New(b1.Schema(), b1, empty, b2)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	for _, tc := range []struct {
		cols   []string
		params map[string]any
		err    string
	}{
		{[]string{"c", "d"}, map[string]any{"handle_invalid": "keep"}, ""},
		{[]string{"c", "d"}, map[string]any{"handle_invalid": "skip", "string_order_type": "alphabetDesc"}, ""},
		{[]string{"d", "c"}, map[string]any{"handle_invalid": "error"}, `batch 0: column "c" row 3: null value: null or NaN value (handle_invalid=error)`},
		{[]string{"d"}, map[string]any{"handle_invalid": "error"}, ""},
		{[]string{"d", "n"}, map[string]any{"handle_invalid": "keep"}, ""},
	} {
		params := map[string]any{"input_cols": tc.cols, "output_cols": []string{"o1", "o2"}[:len(tc.cols)]}
		for k, v := range tc.params {
			params[k] = v
		}
		s, err := New(params)
		if err != nil {
			t.Fatal(err)
		}
		m, got, err := s.FitTransform(ctx, tbl)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: error %v, want %q", params, err, tc.err)
			}
			if got != nil {
				got.Release()
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", params, err)
		}
		want := fit(t, ctx, s, b1, empty, b2)
		if !reflect.DeepEqual(m.(*Model).Labels(), want.Labels()) {
			t.Errorf("%v: labels %v, want %v", params, m.(*Model).Labels(), want.Labels())
		}
		wantTbl, err := pipeline.TransformTable(ctx, want, tbl)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Schema().Equal(wantTbl.Schema()) || got.NumBatches() != wantTbl.NumBatches() || got.NumRows() != wantTbl.NumRows() {
			t.Fatalf("%v: got %d rows in %d batches %s, want %d in %d %s", params, got.NumRows(), got.NumBatches(), got.Schema(),
				wantTbl.NumRows(), wantTbl.NumBatches(), wantTbl.Schema())
		}
		for b := 0; b < got.NumBatches(); b++ {
			for c := 0; c < int(got.Batch(b).NumCols()); c++ {
				if !array.Equal(got.Batch(b).Column(c), wantTbl.Batch(b).Column(c)) {
					t.Errorf("%v: batch %d column %d: got %v, want %v", params, b, c, got.Batch(b).Column(c), wantTbl.Batch(b).Column(c))
				}
			}
		}
		got.Release()
		wantTbl.Release()
	}
}
