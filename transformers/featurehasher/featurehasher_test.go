package featurehasher

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/connectors/csv"
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
	if s.NumFeatures() != 262144 || s.CategoricalCols() != nil {
		t.Errorf("defaults: %d %v", s.NumFeatures(), s.CategoricalCols())
	}
	for _, bad := range []map[string]any{{"num_features": 0}, {"num_features": 1.5}, {"categorical_cols": []string{"a", "a"}}} {
		_, err := New(bad)
		var pe *param.Error
		if !errors.As(err, &pe) || pe.Kind != Kind {
			t.Errorf("New(%v): %v", bad, err)
		}
	}
	s, _ = New(map[string]any{"input_cols": []string{"a"}, "categorical_cols": []string{"b"}})
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, _ := table.Build(mem, table.Col("a", []float64{1}))
	defer rec.Release()
	if _, err := s.OutputSchema(rec.Schema()); err == nil || !strings.Contains(err.Error(), "categorical_cols") {
		t.Errorf("categorical col not in input: %v", err)
	}
}

// Buckets from scikit-learn's murmurhash3_32(key, seed=42) % 16:
// s=x 12, s=y 11, n 4, n=3 8, n=2.5 15, n=0 4, b=true 5, b=false 14.
func TestTransform(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rec, err := table.Build(mem,
		table.NullableCol("s", []string{"x", "y", ""}, []bool{true, true, false}),
		table.Col("n", []float64{3, 2.5, 0}),
		table.Col("b", []bool{true, false, true}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	tests := []struct {
		cats []string
		want []string
	}{
		{nil, []string{"[4 5 12] [3 1 1]", "[4 11 14] [2.5 1 1]", "[5] [1]"}},
		{[]string{"n"}, []string{"[5 8 12] [1 1 1]", "[11 14 15] [1 1 1]", "[4 5] [1 1]"}}, // n=0 hashes "n=0" to 4
	}
	for _, tt := range tests {
		s, err := New(map[string]any{"input_cols": []string{"s", "n", "b"}, "output_col": "f", "num_features": 16, "categorical_cols": tt.cats})
		if err != nil {
			t.Fatal(err)
		}
		out, err := s.Transform(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		if sc, _ := s.OutputSchema(rec.Schema()); !sc.Equal(out.Schema()) {
			t.Error("schema mismatch")
		}
		for i, w := range tt.want {
			v := table.Value(out.Column(3), i).(table.SparseVector)
			if got := fmt.Sprint(v.Indices, " ", v.Values); got != w || v.Size != 16 {
				t.Errorf("cats %v row %d: got %s (size %d), want %s", tt.cats, i, got, v.Size, w)
			}
		}
		out.Release()
	}
}

func TestSaveLoad(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rec, _ := table.Build(mem, table.Col("s", []string{"p", "q"}), table.Col("n", []int64{4, 5}))
	defer rec.Release()
	s, _ := New(map[string]any{"input_cols": []string{"s", "n"}, "output_col": "f", "num_features": 32, "categorical_cols": []string{"n"}})
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

// TestAdultMatchesReference compares with testdata/adult_hashed.csv.gz,
// computed with scikit-learn's murmurhash3_32 (testdata/gen_expected.py).
func TestAdultMatchesReference(t *testing.T) {
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
	r, err := csv.Open(ctx, p, csv.Options{ReadOptions: connectors.ReadOptions{Allocator: mem, BatchSize: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	var feats []string
	for _, f := range r.Schema().Fields() {
		if f.Name != "label" {
			feats = append(feats, f.Name)
		}
	}
	s, _ := New(map[string]any{"input_cols": feats, "output_col": "hashed", "num_features": 1024})
	f, err := os.Open("testdata/adult_hashed.csv.gz")
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
	for row < 5000 && r.Next() {
		out, err := s.Transform(ctx, r.Record())
		if err != nil {
			t.Fatal(err)
		}
		col := out.Column(out.Schema().NumFields() - 1)
		for i := 0; i < int(out.NumRows()) && row < 5000; i++ {
			v := table.Value(col, i).(table.SparseVector)
			parts := make([]string, len(v.Indices))
			for k, ix := range v.Indices {
				parts[k] = strconv.Itoa(int(ix)) + ":" + strconv.FormatFloat(v.Values[k], 'f', 1, 64)
			}
			if !sc.Scan() {
				t.Fatalf("reference ends at row %d", row)
			}
			if got := strings.Join(parts, " "); got != sc.Text() || v.Size != 1024 {
				out.Release()
				t.Fatalf("row %d: got %q, want %q", row, got, sc.Text())
			}
			row++
		}
		out.Release()
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if row != 5000 {
		t.Errorf("compared %d rows", row)
	}
}

func BenchmarkTransform(b *testing.B) {
	mem := memory.NewGoAllocator()
	ctx := pipeline.WithAllocator(context.Background(), mem)
	const n = 1 << 20
	strs := make([]string, n)
	nums := make([]float64, n)
	for i := range strs {
		strs[i] = "v" + strconv.Itoa(i%1000)
		nums[i] = float64(i)
	}
	rec, _ := table.Build(mem, table.Col("s", strs), table.Col("n", nums))
	defer rec.Release()
	s, _ := New(map[string]any{"input_cols": []string{"s", "n"}, "output_col": "f"})
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
