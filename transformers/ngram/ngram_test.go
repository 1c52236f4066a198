package ngram

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

func TestParams(t *testing.T) {
	s, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.N() != 2 {
		t.Errorf("default n %d", s.N())
	}
	_, err = New(map[string]any{"n": 0})
	var pe *param.Error
	if !errors.As(err, &pe) || pe.Kind != Kind || pe.Param != "n" {
		t.Errorf("n=0: %v", err)
	}
}

func TestTransform(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rec := tokens(t, mem, [][]string{{"a", "b", "c", "d"}, {"x"}, nil, {}})
	defer rec.Release()
	for _, tt := range []struct {
		n    int
		want []any
	}{
		{1, []any{[]any{"a", "b", "c", "d"}, []any{"x"}, nil, []any{}}},
		{2, []any{[]any{"a b", "b c", "c d"}, []any{}, nil, []any{}}},
		{3, []any{[]any{"a b c", "b c d"}, []any{}, nil, []any{}}},
		{4, []any{[]any{"a b c d"}, []any{}, nil, []any{}}},
		{5, []any{[]any{}, []any{}, nil, []any{}}},
	} {
		s, _ := New(map[string]any{"input_col": "tok", "output_col": "grams", "n": tt.n})
		out, err := s.Transform(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range tt.want {
			if got := table.Value(out.Column(1), i); !reflect.DeepEqual(got, w) {
				t.Errorf("n=%d row %d: %#v, want %#v", tt.n, i, got, w)
			}
		}
		if sc, _ := s.OutputSchema(rec.Schema()); !sc.Equal(out.Schema()) {
			t.Error("schema mismatch")
		}
		out.Release()
	}
	s, _ := New(map[string]any{"input_col": "tok", "output_col": "grams", "n": 3})
	want, _ := s.Transform(ctx, rec)
	defer want.Release()
	dir := t.TempDir()
	for _, path := range []string{filepath.Join(dir, "s"), filepath.Join(dir, "s.tar")} {
		if err := modelio.Save(s, path, &modelio.Options{Allocator: mem}); err != nil {
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
			t.Errorf("%s: loaded stage differs", path)
		}
		got.Release()
	}
}

// TestAdultMatchesSklearn compares bigrams with scikit-learn's analyzer
// (testdata/gen_expected.py).
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
	s, _ := New(map[string]any{"input_col": "tok", "output_col": "grams"})
	out, err := s.Transform(ctx, toks)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	f, err := os.Open("testdata/adult_bigrams.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(gz)
	for i := 0; i < 2000; i++ {
		if !sc.Scan() {
			t.Fatalf("reference ends at row %d", i)
		}
		grams := table.Value(out.Column(2), i).([]any)
		parts := make([]string, len(grams))
		for k, g := range grams {
			parts[k] = fmt.Sprint(g)
		}
		if got := strings.Join(parts, "|"); got != sc.Text() {
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
	s, _ := New(map[string]any{"input_col": "tok", "output_col": "grams"})
	b.ResetTimer()
	for range b.N {
		out, err := s.Transform(ctx, rec)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
