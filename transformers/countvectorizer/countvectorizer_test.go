package countvectorizer

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/catutil"
	"github.com/eddyml/eddy/transformers/internal/vectest"
	"github.com/eddyml/eddy/transformers/regextokenizer"
)

func tokens(t testing.TB, mem memory.Allocator, rows [][]string) arrow.Record {
	var o catutil.StringListOutput
	for _, r := range rows {
		if r == nil {
			o.AppendNull()
			continue
		}
		for _, tok := range r {
			o.AppendToken(tok)
		}
		o.EndRow()
	}
	arr, err := o.NewArray(mem)
	if err != nil {
		t.Fatal(err)
	}
	defer arr.Release()
	rec, err := table.NewRecord(arrow.NewSchema([]arrow.Field{catutil.StringListField("tok")}, nil), arr)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func fit(t testing.TB, ctx context.Context, e pipeline.Estimator, rec arrow.Record) pipeline.Model {
	t.Helper()
	tbl, err := table.New(rec.Schema(), rec)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	r := tbl.Reader()
	defer r.Release()
	m, err := e.Fit(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestParams(t *testing.T) {
	s, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	v := s.Params().Values()
	if v["vocab_size"] != 1<<18 || v["min_df"] != 1.0 || v["min_tf"] != 1.0 || v["binary"] != false {
		t.Errorf("defaults %v", v)
	}
	for _, bad := range []map[string]any{{"vocab_size": 0}, {"min_df": -1}, {"max_df": "x"}, {"min_tf": -0.5}} {
		_, err := New(bad)
		var pe *param.Error
		if !errors.As(err, &pe) || pe.Kind != Kind {
			t.Errorf("New(%v): %v", bad, err)
		}
	}
}

func TestFitTransform(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rec := tokens(t, mem, [][]string{
		{"a", "b", "c", "a"},
		{"a", "b", "b", "d"},
		nil,
		{"a", "e", "e", "e"},
	})
	defer rec.Release()
	// counts: a 4 (df 3), b 3 (df 2), e 3 (df 1), c 1, d 1.
	tests := []struct {
		params map[string]any
		vocab  []string
		rows   []string
	}{
		{nil, []string{"a", "b", "e", "c", "d"},
			[]string{"{5 [0 1 3] [2 1 1]}", "{5 [0 1 4] [1 2 1]}", "<nil>", "{5 [0 2] [1 3]}"}},
		{map[string]any{"vocab_size": 2}, []string{"a", "b"},
			[]string{"{2 [0 1] [2 1]}", "{2 [0 1] [1 2]}", "<nil>", "{2 [0] [1]}"}},
		{map[string]any{"min_df": 2}, []string{"a", "b"}, nil},
		{map[string]any{"max_df": 0.9}, []string{"b", "e", "c", "d"}, nil}, // 0.9*3 docs = 2.7
		{map[string]any{"min_tf": 2}, []string{"a", "b", "e", "c", "d"},
			[]string{"{5 [0] [2]}", "{5 [1] [2]}", "<nil>", "{5 [2] [3]}"}},
		{map[string]any{"min_tf": 0.5, "binary": true}, []string{"a", "b", "e", "c", "d"},
			[]string{"{5 [0] [1]}", "{5 [1] [1]}", "<nil>", "{5 [2] [1]}"}},
	}
	for _, tt := range tests {
		p := map[string]any{"input_col": "tok", "output_col": "cv"}
		for k, v := range tt.params {
			p[k] = v
		}
		e, err := New(p)
		if err != nil {
			t.Fatal(err)
		}
		m := fit(t, ctx, e, rec).(*Model)
		if got := m.Vocabulary(); !slices.Equal(got, tt.vocab) {
			t.Errorf("%v: vocab %v, want %v", tt.params, got, tt.vocab)
		}
		out, err := m.Transform(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range tt.rows {
			if got := fmt.Sprint(table.Value(out.Column(1), i)); got != w {
				t.Errorf("%v row %d: %s, want %s", tt.params, i, got, w)
			}
		}
		if sc, _ := m.OutputSchema(rec.Schema()); !sc.Equal(out.Schema()) {
			t.Error("schema mismatch")
		}
		out.Release()
	}
}

func TestSaveLoad(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rec := tokens(t, mem, [][]string{{"x", "y", "x"}, {"z"}})
	defer rec.Release()
	e, _ := New(map[string]any{"input_col": "tok", "output_col": "cv", "binary": true})
	m := fit(t, ctx, e, rec).(*Model)
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
	nd, _ := ModelData(mem, []string{"z", "q"})
	defer nd.Release()
	if err := m.SetModelData(nd); err != nil {
		t.Fatal(err)
	}
	out, err := m.Transform(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if got := fmt.Sprint(table.Value(out.Column(1), 1)); got != "{2 [0] [1]}" {
		t.Errorf("after SetModelData: %s", got)
	}
}

// TestAdultMatchesSklearn compares vocabulary and counts with
// scikit-learn's CountVectorizer(min_df=5, max_df=0.5)
// (testdata/gen_expected.py) term by term: sklearn's vocabulary is
// alphabetical, Eddy's by frequency.
func TestAdultMatchesSklearn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	docs := vectest.AdultDocs(t, mem, 2000)
	defer docs.Release()
	tok, _ := regextokenizer.New(map[string]any{"input_col": "doc", "output_col": "tok", "pattern": `\b\w\w+\b`, "gaps": false})
	toks, err := tok.Transform(ctx, docs)
	if err != nil {
		t.Fatal(err)
	}
	defer toks.Release()
	e, _ := New(map[string]any{"input_col": "tok", "output_col": "cv", "min_df": 5, "max_df": 0.5})
	m := fit(t, ctx, e, toks).(*Model)
	out, err := m.Transform(ctx, toks)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	vocab := m.Vocabulary()

	f, err := os.Open("testdata/adult_counts.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(gz)
	sc.Scan()
	sorted := slices.Clone(vocab)
	slices.Sort(sorted)
	if got := strings.Join(sorted, " "); got != sc.Text() {
		t.Fatalf("vocabulary (sorted)\n%s\nsklearn\n%s", got, sc.Text())
	}
	for i := 0; i < 2000; i++ {
		if !sc.Scan() {
			t.Fatalf("reference ends at row %d", i)
		}
		v := table.Value(out.Column(2), i).(table.SparseVector)
		pairs := make([]string, len(v.Indices))
		for k, j := range v.Indices {
			pairs[k] = fmt.Sprintf("%s:%g", vocab[j], v.Values[k])
		}
		slices.Sort(pairs)
		if got := strings.Join(pairs, " "); got != sc.Text() {
			t.Fatalf("row %d: %q, sklearn %q", i, got, sc.Text())
		}
	}
}

func BenchmarkTransform(b *testing.B) {
	mem := memory.NewGoAllocator()
	ctx := pipeline.WithAllocator(context.Background(), mem)
	const n = 1 << 20
	rows := make([][]string, n)
	words := []string{"the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog"}
	for i := range rows {
		rows[i] = words
	}
	rec := tokens(b, mem, rows)
	defer rec.Release()
	e, _ := New(map[string]any{"input_col": "tok", "output_col": "cv"})
	small := tokens(b, mem, [][]string{words})
	m := fit(b, ctx, e, small)
	small.Release()
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
