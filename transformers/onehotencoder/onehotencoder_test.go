package onehotencoder

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/connectors/csv"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/stringindexer"
)

func fitTable(t testing.TB, ctx context.Context, e pipeline.Estimator, tbl *table.Table) pipeline.Model {
	t.Helper()
	r := tbl.Reader()
	defer r.Release()
	m, err := e.Fit(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func fit(t testing.TB, ctx context.Context, e pipeline.Estimator, rec arrow.Record) pipeline.Model {
	t.Helper()
	tbl, err := table.New(rec.Schema(), rec)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	return fitTable(t, ctx, e, tbl)
}

// vec renders a sparse vector row as "size:[i...]" (values are all 1).
func vec(arr arrow.Array, i int) string {
	v := table.Value(arr, i)
	if v == nil {
		return "null"
	}
	sv := v.(table.SparseVector)
	for _, x := range sv.Values {
		if x != 1 {
			return fmt.Sprintf("bad value %v", sv)
		}
	}
	return fmt.Sprintf("%d:%v", sv.Size, sv.Indices)
}

func colStrings(t *testing.T, rec arrow.Record, name string) []string {
	i, err := table.FieldIndex(rec.Schema(), name)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, rec.NumRows())
	for r := range out {
		out[r] = vec(rec.Column(i), r)
	}
	return out
}

func TestParams(t *testing.T) {
	s, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !s.DropLast() || s.HandleInvalid() != "error" {
		t.Errorf("defaults: drop_last=%v handle_invalid=%q", s.DropLast(), s.HandleInvalid())
	}
	for _, bad := range []map[string]any{{"drop_last": "yes"}, {"handle_invalid": "drop"}} {
		_, err := New(bad)
		var pe *param.Error
		if !errors.As(err, &pe) || pe.Kind != Kind {
			t.Errorf("New(%v): %v", bad, err)
		}
	}
	_, err = NewModel(map[string]any{"drop_last": 1})
	var pe *param.Error
	if !errors.As(err, &pe) || pe.Kind != KindModel || pe.Param != "drop_last" {
		t.Errorf("NewModel: %v", err)
	}
}

func TestFitTransform(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	train, err := table.Build(mem, table.Col("a", []float64{0, 2, 1}), table.Col("b", []int32{1, 0, 1}))
	if err != nil {
		t.Fatal(err)
	}
	defer train.Release()
	test, err := table.Build(mem,
		table.NullableCol("a", []float64{2, 0, 3, 1.5, 0}, []bool{true, true, true, true, false}),
		table.Col("b", []int32{0, 1, 1, 0, -1}),
		table.Col("id", []int64{0, 1, 2, 3, 4}))
	if err != nil {
		t.Fatal(err)
	}
	defer test.Release()
	tests := []struct {
		dropLast bool
		policy   string
		a, b     []string
		ids      []int64
		err      string
	}{
		{dropLast: true, policy: "keep", a: []string{"3:[2]", "3:[0]", "3:[]", "3:[]", "3:[]"}, b: []string{"2:[0]", "2:[1]", "2:[1]", "2:[0]", "2:[]"}},
		{dropLast: false, policy: "keep", a: []string{"4:[2]", "4:[0]", "4:[3]", "4:[3]", "4:[3]"}, b: []string{"3:[0]", "3:[1]", "3:[1]", "3:[0]", "3:[2]"}},
		{dropLast: true, policy: "skip", a: []string{"2:[]", "2:[0]"}, b: []string{"1:[0]", "1:[]"}, ids: []int64{0, 1}},
		{dropLast: false, policy: "skip", a: []string{"3:[2]", "3:[0]"}, b: []string{"2:[0]", "2:[1]"}, ids: []int64{0, 1}},
		{dropLast: true, policy: "error", err: `column "a" row 2: value 3: not a category index in [0, 3)`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.dropLast, tt.policy), func(t *testing.T) {
			e, err := New(map[string]any{"input_cols": []string{"a", "b"}, "output_cols": []string{"av", "bv"},
				"drop_last": tt.dropLast, "handle_invalid": tt.policy})
			if err != nil {
				t.Fatal(err)
			}
			m := fit(t, ctx, e, train).(*Model)
			if got := m.NumCategories(); !reflect.DeepEqual(got, []int32{3, 2}) {
				t.Fatalf("num categories %v", got)
			}
			out, err := m.Transform(ctx, test)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer out.Release()
			schema, _ := m.OutputSchema(test.Schema())
			if !schema.Equal(out.Schema()) {
				t.Errorf("schema mismatch")
			}
			if got := colStrings(t, out, "av"); !reflect.DeepEqual(got, tt.a) {
				t.Errorf("a: got %v, want %v", got, tt.a)
			}
			if got := colStrings(t, out, "bv"); !reflect.DeepEqual(got, tt.b) {
				t.Errorf("b: got %v, want %v", got, tt.b)
			}
			if tt.policy == "keep" {
				sl := test.NewSlice(2, 5)
				part, err := m.Transform(ctx, sl)
				sl.Release()
				if err != nil {
					t.Fatal(err)
				}
				if got := colStrings(t, part, "av"); !reflect.DeepEqual(got, tt.a[2:]) {
					t.Errorf("sliced a: got %v, want %v", got, tt.a[2:])
				}
				part.Release()
			}
			if tt.ids != nil {
				ids, _ := table.Int64s(out.Column(2))
				if !reflect.DeepEqual(ids, tt.ids) {
					t.Errorf("ids %v, want %v", ids, tt.ids)
				}
			}
		})
	}
	bad, _ := table.Build(mem, table.Col("a", []float64{0, -1}), table.Col("b", []int32{0, 0}))
	defer bad.Release()
	tbl, _ := table.New(bad.Schema(), bad)
	defer tbl.Release()
	e, _ := New(map[string]any{"input_cols": []string{"a", "b"}, "output_cols": []string{"av", "bv"}})
	r := tbl.Reader()
	_, err = e.Fit(ctx, r)
	r.Release()
	if err == nil || !strings.Contains(err.Error(), `column "a" row 1`) {
		t.Errorf("fit on negative index: %v", err)
	}
}

func TestSaveLoad(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rec, err := table.Build(mem, table.Col("a", []int64{0, 4, 2}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	e, _ := New(map[string]any{"input_cols": []string{"a"}, "output_cols": []string{"av"}, "drop_last": false})
	m := fit(t, ctx, e, rec)
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
		if !reflect.DeepEqual(table.Rows(got), table.Rows(want)) {
			t.Errorf("%s: loaded model differs", path)
		}
		got.Release()
	}
	// Replace the model data while the model is in use.
	nd := ModelData(mem, []int32{2})
	defer nd.Release()
	mm := m.(*Model)
	if err := mm.SetModelData(nd); err != nil {
		t.Fatal(err)
	}
	if err := mm.SetHandleInvalid("keep"); err != nil {
		t.Fatal(err)
	}
	out, err := mm.Transform(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if got, want := colStrings(t, out, "av"), []string{"3:[0]", "3:[2]", "3:[2]"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after SetModelData: %v, want %v", got, want)
	}
}

var adultCats = []string{"workclass", "education", "marital_status", "occupation", "relationship", "race", "sex", "native_country"}

// TestAdultMatchesSklearn indexes adult_train's categorical columns with
// string_indexer (handle_invalid=keep), one-hot encodes them, and compares
// the concatenated encoding with scikit-learn's OneHotEncoder given the
// categories in the same order (testdata/gen_expected.py), with
// drop_last=false against drop=None and drop_last=true against dropping
// each column's last category.
func TestAdultMatchesSklearn(t *testing.T) {
	p := filepath.Join("..", "..", "..", "shared", "datasets", "adult_train.csv.gz")
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("dataset missing under CI: %v", err)
		}
		t.Skipf("no dataset: %v", err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	r, err := csv.Open(ctx, p, csv.Options{ReadOptions: connectors.ReadOptions{Allocator: mem, BatchSize: 10000}})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := table.ReadAll(r)
	r.Release()
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Release()
	idxCols, vecCols := make([]string, len(adultCats)), make([]string, len(adultCats))
	for j, c := range adultCats {
		idxCols[j], vecCols[j] = c+"_idx", c+"_vec"
	}
	si, _ := stringindexer.New(map[string]any{"input_cols": adultCats, "output_cols": idxCols, "handle_invalid": "keep"})
	indexed, err := pipeline.TransformTable(ctx, fitTable(t, ctx, si, raw), raw)
	if err != nil {
		t.Fatal(err)
	}
	defer indexed.Release()
	for _, tc := range []struct {
		dropLast bool
		file     string
	}{{false, "adult_onehot_none.csv.gz"}, {true, "adult_onehot_droplast.csv.gz"}} {
		e, _ := New(map[string]any{"input_cols": idxCols, "output_cols": vecCols, "drop_last": tc.dropLast})
		enc, err := pipeline.TransformTable(ctx, fitTable(t, ctx, e, indexed), indexed)
		if err != nil {
			t.Fatal(err)
		}
		compareSklearn(t, enc, vecCols, filepath.Join("testdata", tc.file))
		enc.Release()
	}
}

func compareSklearn(t *testing.T, enc *table.Table, vecCols []string, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(gz)
	row := 0
	for b := 0; b < enc.NumBatches(); b++ {
		rec := enc.Batch(b)
		views := make([]table.SparseVectors, len(vecCols))
		for j, c := range vecCols {
			i, _ := table.FieldIndex(rec.Schema(), c)
			if views[j], err = table.NewSparseVectors(rec.Column(i)); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			var got []string
			offset := 0
			for j := range views {
				size, idx, vals := views[j].At(i)
				for k, x := range idx {
					if vals[k] != 1 {
						t.Fatalf("row %d column %s: value %v", row, vecCols[j], vals[k])
					}
					got = append(got, fmt.Sprint(offset+int(x)))
				}
				offset += size
			}
			if !sc.Scan() {
				t.Fatalf("%s ends at row %d", path, row)
			}
			if g := strings.Join(got, " "); g != sc.Text() {
				t.Fatalf("%s row %d: got %q, sklearn %q", path, row, g, sc.Text())
			}
			row++
		}
	}
	if row != 32561 || sc.Scan() {
		t.Errorf("%s: compared %d rows, file has more", path, row)
	}
}

func BenchmarkTransform(b *testing.B) {
	mem := memory.NewGoAllocator()
	ctx := pipeline.WithAllocator(context.Background(), mem)
	const n = 1 << 20
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = float64(i % 50)
	}
	rec, err := table.Build(mem, table.Col("a", vals))
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Release()
	e, _ := New(map[string]any{"input_cols": []string{"a"}, "output_cols": []string{"av"}})
	m := fit(b, ctx, e, rec)
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
