package regextokenizer

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

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/vectest"
)

func TestParams(t *testing.T) {
	s, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Pattern() != `\s+` || !s.Gaps() || s.MinTokenLength() != 1 || !s.ToLowercase() {
		t.Errorf("defaults: %q %v %d %v", s.Pattern(), s.Gaps(), s.MinTokenLength(), s.ToLowercase())
	}
	for _, bad := range []map[string]any{{"pattern": "("}, {"min_token_length": -1}, {"gaps": "no"}} {
		_, err := New(bad)
		var pe *param.Error
		if !errors.As(err, &pe) || pe.Kind != Kind {
			t.Errorf("New(%v): %v", bad, err)
		}
	}
}

func TestTransform(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rec, err := table.Build(mem, table.NullableCol("text",
		[]string{" The cat, SAT on a mat. ", "a-b--cc", "", "x"}, []bool{true, true, true, false}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	tests := []struct {
		params map[string]any
		want   []any
	}{
		{nil, []any{[]any{"the", "cat,", "sat", "on", "a", "mat."}, []any{"a-b--cc"}, []any{}, nil}},
		{map[string]any{"min_token_length": 3}, []any{[]any{"the", "cat,", "sat", "mat."}, []any{"a-b--cc"}, []any{}, nil}},
		{map[string]any{"pattern": `\w+`, "gaps": false, "to_lowercase": false},
			[]any{[]any{"The", "cat", "SAT", "on", "a", "mat"}, []any{"a", "b", "cc"}, []any{}, nil}},
		{map[string]any{"pattern": `-+`}, []any{[]any{" the cat, sat on a mat. "}, []any{"a", "b", "cc"}, []any{}, nil}},
	}
	for _, tt := range tests {
		p := map[string]any{"input_col": "text", "output_col": "tok"}
		for k, v := range tt.params {
			p[k] = v
		}
		s, err := New(p)
		if err != nil {
			t.Fatal(err)
		}
		out, err := s.Transform(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range tt.want {
			if got := table.Value(out.Column(1), i); !reflect.DeepEqual(got, w) {
				t.Errorf("%v row %d: got %#v, want %#v", tt.params, i, got, w)
			}
		}
		if sc, _ := s.OutputSchema(rec.Schema()); !sc.Equal(out.Schema()) {
			t.Error("schema mismatch")
		}
		out.Release()
	}
}

func TestSaveLoad(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rec, _ := table.Build(mem, table.Col("text", []string{"ab1cd22ef", "X9y"}))
	defer rec.Release()
	s, _ := New(map[string]any{"input_col": "text", "output_col": "tok", "pattern": `\d+`, "to_lowercase": false})
	want, err := s.Transform(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
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

// adultDocs returns a "doc" string column made of the first n rows of
// adult_train: each row's categorical values, nulls left out, joined by
// spaces (as testdata/gen_expected.py builds it).
// TestAdultMatchesSklearn compares with scikit-learn's CountVectorizer
// analyzer (testdata/gen_expected.py).
func TestAdultMatchesSklearn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	docs := vectest.AdultDocs(t, mem, 2000)
	defer docs.Release()
	s, _ := New(map[string]any{"input_col": "doc", "output_col": "tok", "pattern": `\b\w\w+\b`, "gaps": false})
	out, err := s.Transform(ctx, docs)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	f, err := os.Open("testdata/adult_tokens.csv.gz")
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
		toks := table.Value(out.Column(1), i).([]any)
		got := strings.TrimSpace(fmt.Sprintln(toks...))
		if got != sc.Text() {
			t.Fatalf("row %d: got %q, sklearn %q", i, got, sc.Text())
		}
	}
}

func BenchmarkTransform(b *testing.B) {
	mem := memory.NewGoAllocator()
	ctx := pipeline.WithAllocator(context.Background(), mem)
	const n = 1 << 20
	texts := make([]string, n)
	for i := range texts {
		texts[i] = "The Quick brown fox jumps over the lazy dog"
	}
	rec, _ := table.Build(mem, table.Col("text", texts))
	defer rec.Release()
	s, _ := New(map[string]any{"input_col": "text", "output_col": "tok"})
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
