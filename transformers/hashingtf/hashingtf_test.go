package hashingtf

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

// tokens builds a record with one List<string> column "tok"; a nil row is
// null.
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
	if s.NumFeatures() != 1<<18 || s.Binary() {
		t.Errorf("defaults %d %v", s.NumFeatures(), s.Binary())
	}
	for _, bad := range []map[string]any{{"num_features": -3}, {"binary": 1}} {
		_, err := New(bad)
		var pe *param.Error
		if !errors.As(err, &pe) || pe.Kind != Kind {
			t.Errorf("New(%v): %v", bad, err)
		}
	}
}

// Buckets mod 16 from scikit-learn's murmurhash3_32(term, seed=42) % 16:
// a 3, b 5, c 8.
func TestTransform(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rec := tokens(t, mem, [][]string{{"a", "b", "a", "c", "a"}, {}, nil, {"c"}})
	defer rec.Release()
	for _, tt := range []struct {
		binary bool
		want   []string
	}{
		{false, []string{"{16 [3 5 8] [3 1 1]}", "{16 [] []}", "<nil>", "{16 [8] [1]}"}},
		{true, []string{"{16 [3 5 8] [1 1 1]}", "{16 [] []}", "<nil>", "{16 [8] [1]}"}},
	} {
		s, _ := New(map[string]any{"input_col": "tok", "output_col": "tf", "num_features": 16, "binary": tt.binary})
		out, err := s.Transform(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range tt.want {
			if got := fmt.Sprint(table.Value(out.Column(1), i)); got != w {
				t.Errorf("binary=%v row %d: got %s, want %s", tt.binary, i, got, w)
			}
		}
		if sc, _ := s.OutputSchema(rec.Schema()); !sc.Equal(out.Schema()) {
			t.Error("schema mismatch")
		}
		out.Release()
	}
	dir := t.TempDir()
	s, _ := New(map[string]any{"input_col": "tok", "output_col": "tf", "num_features": 16})
	want, _ := s.Transform(ctx, rec)
	defer want.Release()
	// A sliced batch (non-zero offsets) gives the rows of the whole one.
	sl := rec.NewSlice(1, 4)
	defer sl.Release()
	part, err := s.Transform(ctx, sl)
	if err != nil {
		t.Fatal(err)
	}
	defer part.Release()
	if !reflect.DeepEqual(table.Rows(part), table.Rows(want)[1:4]) {
		t.Errorf("sliced input: %v, want %v", table.Rows(part), table.Rows(want)[1:4])
	}
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

// TestAdultMatchesReference compares with testdata/adult_tf.csv.gz
// (testdata/gen_expected.py, scikit-learn's analyzer and murmurhash3_32).
func TestAdultMatchesReference(t *testing.T) {
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
	s, _ := New(map[string]any{"input_col": "tok", "output_col": "tf", "num_features": 64})
	out, err := s.Transform(ctx, toks)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	f, err := os.Open("testdata/adult_tf.csv.gz")
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
		v := table.Value(out.Column(2), i).(table.SparseVector)
		parts := make([]string, len(v.Indices))
		for k, ix := range v.Indices {
			parts[k] = fmt.Sprintf("%d:%g", ix, v.Values[k])
		}
		if got := strings.Join(parts, " "); got != sc.Text() || v.Size != 64 {
			t.Fatalf("row %d: got %q, want %q", i, got, sc.Text())
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
	s, _ := New(map[string]any{"input_col": "tok", "output_col": "tf"})
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
