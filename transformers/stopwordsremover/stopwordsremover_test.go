package stopwordsremover

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/catutil"
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
	words := s.StopWords()
	if len(words) != 153 || words[0] != "i" || words[152] != "wouldn" || s.CaseSensitive() {
		t.Errorf("defaults: %d words, first %q, case_sensitive %v", len(words), words[0], s.CaseSensitive())
	}
	words[0] = "changed"
	if EnglishStopWords()[0] != "i" || s.StopWords()[0] != "i" {
		t.Error("the default list is shared with callers")
	}
	_, err = New(map[string]any{"stop_words": "the"})
	var pe *param.Error
	if !errors.As(err, &pe) || pe.Kind != Kind || pe.Param != "stop_words" {
		t.Errorf("bad stop_words: %v", err)
	}
}

func TestTransform(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rec := tokens(t, mem, [][]string{{"The", "cat", "sat", "ON", "the", "mat"}, {}, nil, {"Über", "über", "a"}})
	defer rec.Release()
	tests := []struct {
		params map[string]any
		want   []any
	}{
		{nil, []any{[]any{"cat", "sat", "mat"}, []any{}, nil, []any{"Über", "über"}}},
		{map[string]any{"case_sensitive": true}, []any{[]any{"The", "cat", "sat", "ON", "mat"}, []any{}, nil, []any{"Über", "über"}}},
		{map[string]any{"stop_words": []string{"ÜBER", "Cat"}}, []any{[]any{"The", "sat", "ON", "the", "mat"}, []any{}, nil, []any{"a"}}},
		{map[string]any{"stop_words": []string{"über"}, "case_sensitive": true}, []any{[]any{"The", "cat", "sat", "ON", "the", "mat"}, []any{}, nil, []any{"Über", "a"}}},
	}
	for _, tt := range tests {
		p := map[string]any{"input_col": "tok", "output_col": "clean"}
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
				t.Errorf("%v row %d: %#v, want %#v", tt.params, i, got, w)
			}
		}
		if sc, _ := s.OutputSchema(rec.Schema()); !sc.Equal(out.Schema()) {
			t.Error("schema mismatch")
		}
		out.Release()
	}
	s, _ := New(map[string]any{"input_col": "tok", "output_col": "clean", "stop_words": []string{"cat"}})
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

func BenchmarkTransform(b *testing.B) {
	mem := memory.NewGoAllocator()
	ctx := pipeline.WithAllocator(context.Background(), mem)
	const n = 1 << 20
	rows := make([][]string, n)
	words := []string{"The", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog"}
	for i := range rows {
		rows[i] = words
	}
	rec := tokens(b, mem, rows)
	defer rec.Release()
	s, _ := New(map[string]any{"input_col": "tok", "output_col": "clean"})
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
