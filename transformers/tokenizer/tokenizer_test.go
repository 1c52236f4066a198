package tokenizer

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

func TestParams(t *testing.T) {
	s, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.InputCol() != "input" || s.OutputCol() != "output" {
		t.Errorf("defaults %q %q", s.InputCol(), s.OutputCol())
	}
	_, err = New(map[string]any{"output_col": ""})
	var pe *param.Error
	if !errors.As(err, &pe) || pe.Kind != Kind || pe.Param != "output_col" {
		t.Errorf("empty output_col: %v", err)
	}
	_, err = New(map[string]any{"pattern": "x"})
	if !errors.As(err, &pe) || pe.Param != "pattern" {
		t.Errorf("unknown param: %v", err)
	}
}

func TestTransform(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rec, err := table.Build(mem,
		table.NullableCol("text", []string{"Hello  World", " Ünïcode\tÉTÉ\n", "", "x", "none"}, []bool{true, true, true, true, false}),
		table.Col("n", []int64{1, 2, 3, 4, 5}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	s, _ := New(map[string]any{"input_col": "text", "output_col": "tokens"})
	out, err := s.Transform(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	want := []any{[]any{"hello", "world"}, []any{"ünïcode", "été"}, []any{}, []any{"x"}, nil}
	for i, w := range want {
		if got := table.Value(out.Column(2), i); !reflect.DeepEqual(got, w) {
			t.Errorf("row %d: got %#v, want %#v", i, got, w)
		}
	}
	if sc, _ := s.OutputSchema(rec.Schema()); !sc.Equal(out.Schema()) {
		t.Error("schema mismatch")
	}
	bad, _ := New(map[string]any{"input_col": "n"})
	if _, err := bad.Transform(ctx, rec); err == nil || !strings.Contains(err.Error(), `column "n" has type int64`) {
		t.Errorf("int column: %v", err)
	}
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
		if !reflect.DeepEqual(table.Rows(got), table.Rows(out)) {
			t.Errorf("%s: loaded stage differs", path)
		}
		got.Release()
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
	s, _ := New(map[string]any{"input_col": "text", "output_col": "tokens"})
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
