package indextostring

import (
	"context"
	"errors"
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
	"github.com/eddyml/eddy/transformers/stringindexer"
)

func col(rec arrow.Record, i int) []any {
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
	if s.HandleInvalid() != "error" || s.Labels() != nil {
		t.Errorf("defaults: %v %v", s.HandleInvalid(), s.Labels())
	}
	_, err = New(map[string]any{"labels": "a"})
	var pe *param.Error
	if !errors.As(err, &pe) || pe.Kind != Kind || pe.Param != "labels" {
		t.Errorf("bad labels: %v", err)
	}
}

func TestTransform(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rec, err := table.Build(mem,
		table.NullableCol("i", []float64{2, 0, 3, 0.5, 1}, []bool{true, true, true, true, false}),
		table.Col("n", []int32{1, 1, 0, 2, 2}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	s, _ := New(map[string]any{"input_col": "i", "output_col": "s", "labels": []string{"a", "b", "c"}})
	_, err = s.Transform(ctx, rec)
	if err == nil || !strings.Contains(err.Error(), `column "i" row 2: value 3`) {
		t.Errorf("error policy: %v", err)
	}
	for _, tt := range []struct {
		policy string
		want   []any
	}{
		{"keep", []any{"c", "a", nil, nil, nil}},
		{"skip", []any{"c", "a"}},
	} {
		s.SetHandleInvalid(tt.policy)
		out, err := s.Transform(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		if got := col(out, 2); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.policy, got, tt.want)
		}
		if sc, _ := s.OutputSchema(rec.Schema()); !sc.Equal(out.Schema()) {
			t.Errorf("schema mismatch")
		}
		out.Release()
	}
	// Integer column, no invalid values.
	s2, _ := New(map[string]any{"input_col": "n", "output_col": "s", "labels": []string{"x", "y", "z"}})
	out, err := s2.Transform(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if got, want := col(out, 2), []any{"y", "y", "x", "z", "z"}; !reflect.DeepEqual(got, want) {
		t.Errorf("int column: got %v, want %v", got, want)
	}
}

// Labels from a fitted string_indexer_model invert its indexing, and the
// stage round-trips through save/load.
func TestInvertsStringIndexer(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rec, err := table.Build(mem, table.Col("c", []string{"u", "v", "v", "w", "u", "v"}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	si, _ := stringindexer.New(map[string]any{"input_cols": []string{"c"}, "output_cols": []string{"ci"}})
	r := tbl.Reader()
	m, err := si.Fit(ctx, r)
	r.Release()
	if err != nil {
		t.Fatal(err)
	}
	indexed, err := m.Transform(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer indexed.Release()
	s, _ := New(map[string]any{"input_col": "ci", "output_col": "back", "labels": m.(*stringindexer.Model).Labels()[0]})
	dir := t.TempDir()
	for _, path := range []string{filepath.Join(dir, "s"), filepath.Join(dir, "s.tar")} {
		if err := modelio.Save(s, path, &modelio.Options{Allocator: mem}); err != nil {
			t.Fatal(err)
		}
		st, err := modelio.Load(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		out, err := st.(pipeline.Transformer).Transform(ctx, indexed)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := col(out, 2), col(rec, 0); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", path, got, want)
		}
		out.Release()
	}
}

func BenchmarkTransform(b *testing.B) {
	mem := memory.NewGoAllocator()
	ctx := pipeline.WithAllocator(context.Background(), mem)
	const n = 1 << 20
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = float64(i % 20)
	}
	labels := make([]string, 20)
	for i := range labels {
		labels[i] = "label" + string(rune('a'+i))
	}
	rec, _ := table.Build(mem, table.Col("i", vals))
	defer rec.Release()
	s, _ := New(map[string]any{"input_col": "i", "output_col": "s", "labels": labels})
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
