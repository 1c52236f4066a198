package idf

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/hashingtf"
	"github.com/eddyml/eddy/transformers/internal/catutil"
	"github.com/eddyml/eddy/transformers/internal/vectest"
	"github.com/eddyml/eddy/transformers/regextokenizer"
)

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
	if s.MinDocFreq() != 0 {
		t.Errorf("default min_doc_freq %d", s.MinDocFreq())
	}
	_, err = New(map[string]any{"min_doc_freq": -1})
	var pe *param.Error
	if !errors.As(err, &pe) || pe.Kind != Kind || pe.Param != "min_doc_freq" {
		t.Errorf("bad min_doc_freq: %v", err)
	}
}

func TestFitTransform(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	dense := [][]float64{{1, 0, 2}, {0, 0, 1}, nil, {3, 0, 4}}
	sparse := []table.SparseVector{
		{Size: 3, Indices: []int32{0, 2}, Values: []float64{1, 2}},
		{Size: 3, Indices: []int32{2}, Values: []float64{1}},
		{},
		{Size: 3, Indices: []int32{0, 1, 2}, Values: []float64{3, 0, 4}}, // explicit zero
	}
	rec, err := table.Build(mem, table.DenseCol("d", 3, dense),
		table.NullableSparseCol("s", sparse, []bool{true, true, false, true}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	// m = 3 documents; df = [2, 0, 3].
	l := func(df float64) float64 { return math.Log(4 / (df + 1)) }
	for _, tt := range []struct {
		minDF int
		idf   []float64
	}{
		{0, []float64{l(2), l(0), l(3)}},
		{3, []float64{0, 0, l(3)}},
	} {
		for _, col := range []string{"d", "s"} {
			e, _ := New(map[string]any{"input_col": col, "output_col": "o", "min_doc_freq": tt.minDF})
			m := fit(t, ctx, e, rec).(*Model)
			if got := m.IDF(); !reflect.DeepEqual(got, tt.idf) {
				t.Errorf("%s min_doc_freq=%d: idf %v, want %v", col, tt.minDF, got, tt.idf)
			}
			if got := m.DocFreq(); !reflect.DeepEqual(got, []int64{2, 0, 3}) {
				t.Errorf("%s: doc freq %v", col, got)
			}
			out, err := m.Transform(ctx, rec)
			if err != nil {
				t.Fatal(err)
			}
			if sc, _ := m.OutputSchema(rec.Schema()); !sc.Equal(out.Schema()) {
				t.Errorf("schema mismatch")
			}
			got := table.Value(out.Column(2), 0)
			want0 := []float64{1 * tt.idf[0], 0, 2 * tt.idf[2]}
			if col == "d" {
				if !reflect.DeepEqual(got, want0) {
					t.Errorf("dense row 0: %v, want %v", got, want0)
				}
			} else {
				sv := got.(table.SparseVector)
				if !reflect.DeepEqual(sv.Values, []float64{want0[0], want0[2]}) || !reflect.DeepEqual(sv.Indices, []int32{0, 2}) {
					t.Errorf("sparse row 0: %v, want %v", sv, want0)
				}
			}
			if table.Value(out.Column(2), 2) != nil {
				t.Errorf("%s: null row not null", col)
			}
			out.Release()
		}
	}
	other, _ := table.Build(mem, table.DenseCol("d", 2, [][]float64{{1, 2}}))
	defer other.Release()
	e, _ := New(map[string]any{"input_col": "d", "output_col": "o"})
	m := fit(t, ctx, e, rec)
	if _, err := m.Transform(ctx, other); err == nil || !strings.Contains(err.Error(), "dimension") {
		t.Errorf("dimension mismatch: %v", err)
	}
}

func TestSaveLoad(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rec, _ := table.Build(mem, table.DenseCol("d", 2, [][]float64{{1, 0}, {1, 5}, {0, 0}}))
	defer rec.Release()
	e, _ := New(map[string]any{"input_col": "d", "output_col": "o"})
	m := fit(t, ctx, e, rec).(*Model)
	if err := m.SetModelVersionCol("v"); err != nil {
		t.Fatal(err)
	}
	want, err := m.Transform(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer want.Release()
	if sc, _ := m.OutputSchema(rec.Schema()); !sc.Equal(want.Schema()) {
		t.Errorf("schema mismatch with version column: %s", want.Schema())
	}
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
	nd, _ := ModelData(mem, []float64{2, 3}, []int64{1, 1})
	v7 := pipeline.WithModelVersion(nd, 7)
	nd.Release()
	defer v7.Release()
	if err := m.SetModelData(v7); err != nil {
		t.Fatal(err)
	}
	out, err := m.Transform(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if got := table.Value(out.Column(1), 1); !reflect.DeepEqual(got, []float64{2, 15}) {
		t.Errorf("after SetModelData: %v", got)
	}
	if got := table.Value(out.Column(2), 0); got != int64(7) {
		t.Errorf("version column %v, want 7", got)
	}
}

// TestAdultMatchesSklearn fits idf on hashed term frequencies (2^18
// buckets, no collisions among the 133 terms) of text made from
// adult_train and compares each term's idf with scikit-learn's idf_ - 1
// (testdata/gen_expected.py), 1e-9 relative.
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
	htf, _ := hashingtf.New(map[string]any{"input_col": "tok", "output_col": "tf"})
	tf, err := htf.Transform(ctx, toks)
	if err != nil {
		t.Fatal(err)
	}
	defer tf.Release()
	e, _ := New(map[string]any{"input_col": "tf", "output_col": "tfidf"})
	m := fit(t, ctx, e, tf).(*Model)
	idf := m.IDF()

	f, err := os.Open("testdata/adult_idf.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(gz)
	seen := map[int]string{}
	terms := 0
	for sc.Scan() {
		term, val, _ := strings.Cut(sc.Text(), ",")
		sk, err := strconv.ParseFloat(val, 64)
		if err != nil {
			t.Fatal(err)
		}
		j := catutil.HashIndex(term, 1<<18)
		if other, dup := seen[j]; dup {
			t.Fatalf("terms %q and %q collide", term, other)
		}
		seen[j] = term
		if want := sk - 1; math.Abs(idf[j]-want) > 1e-9*math.Abs(want) {
			t.Errorf("term %q: idf %v, sklearn-1 %v", term, idf[j], want)
		}
		terms++
	}
	if terms != 133 {
		t.Errorf("compared %d terms, want 133", terms)
	}
}

func BenchmarkTransform(b *testing.B) {
	mem := memory.NewGoAllocator()
	ctx := pipeline.WithAllocator(context.Background(), mem)
	const n = 1 << 20
	vecs := make([]table.SparseVector, n)
	for i := range vecs {
		vecs[i] = table.SparseVector{Size: 1000, Indices: []int32{int32(i % 10), int32(100 + i%50), 999}, Values: []float64{1, 2, 3}}
	}
	rec, err := table.Build(mem, table.SparseCol("tf", vecs))
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Release()
	e, _ := New(map[string]any{"input_col": "tf", "output_col": "o"})
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
