// Package vectest holds test helpers shared by the numeric transformer
// tests: reading the shared datasets and scikit-learn expectations,
// building feature records, comparing with tolerances and save/load round
// trips. It is imported by _test files only.
package vectest

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/table"
)

// DatasetDir is the shared datasets directory relative to a package
// directory transformers/<name>.
const DatasetDir = "../../../shared/datasets"

// ReadCSV reads a gzipped CSV of numbers with a header line. Empty cells
// and "nan" read as NaN.
func ReadCSV(t testing.TB, path string) (header []string, rows [][]float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	recs, err := csv.NewReader(zr).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: empty", path)
	}
	for _, r := range recs[1:] {
		row := make([]float64, len(r))
		for j, s := range r {
			if s == "" || s == "nan" || s == "NaN" {
				row[j] = math.NaN()
				continue
			}
			if row[j], err = strconv.ParseFloat(s, 64); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		rows = append(rows, row)
	}
	return recs[0], rows
}

// Dataset reads /work/shared/datasets/<name>.csv.gz and returns its
// columns except drop. It skips the test when the file is missing, unless
// CI=true.
func Dataset(t testing.TB, name string, drop ...string) (header []string, rows [][]float64) {
	t.Helper()
	path := filepath.Join(DatasetDir, name+".csv.gz")
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("dataset %s missing: %v", path, err)
		}
		t.Skipf("dataset %s missing: %v", path, err)
	}
	h, all := ReadCSV(t, path)
	keep := []int{}
	for j, c := range h {
		dropped := false
		for _, d := range drop {
			dropped = dropped || c == d
		}
		if !dropped {
			keep = append(keep, j)
			header = append(header, c)
		}
	}
	for _, r := range all {
		row := make([]float64, len(keep))
		for k, j := range keep {
			row[k] = r[j]
		}
		rows = append(rows, row)
	}
	return header, rows
}

// Features returns a record with one dense vector column name holding
// rows, cut into batches of at most batch rows (batch <= 0: one batch).
func Features(t testing.TB, mem memory.Allocator, name string, rows [][]float64, batch int) *table.Table {
	t.Helper()
	if batch <= 0 {
		batch = len(rows)
	}
	dim := len(rows[0])
	var recs []arrow.Record
	for lo := 0; lo < len(rows); lo += batch {
		hi := min(lo+batch, len(rows))
		r, err := table.Build(mem, table.DenseCol(name, dim, rows[lo:hi]))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	tbl, err := table.New(recs[0].Schema(), recs...)
	for _, r := range recs {
		r.Release()
	}
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// DenseRows returns the dense vector column name of tbl as rows; null rows
// are nil.
func DenseRows(t testing.TB, tbl *table.Table, name string) [][]float64 {
	t.Helper()
	var out [][]float64
	for b := 0; b < tbl.NumBatches(); b++ {
		rec := tbl.Batch(b)
		i, err := table.FieldIndex(rec.Schema(), name)
		if err != nil {
			t.Fatal(err)
		}
		vals, dim, err := table.DenseVectors(rec.Column(i))
		if err != nil {
			t.Fatal(err)
		}
		for r := 0; r < int(rec.NumRows()); r++ {
			if rec.Column(i).IsNull(r) {
				out = append(out, nil)
				continue
			}
			out = append(out, append([]float64(nil), vals[r*dim:(r+1)*dim]...))
		}
	}
	return out
}

// Close reports whether a and b are equal within tol, absolute or
// relative (NaNs equal each other).
func Close(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if a == b {
		return true
	}
	d := math.Abs(a - b)
	return d <= tol || d <= tol*math.Max(math.Abs(a), math.Abs(b))
}

// AssertRows fails t at the first (up to 5) mismatches of got and want.
func AssertRows(t testing.TB, got, want [][]float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
	bad := 0
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("row %d: got %d values, want %d", i, len(got[i]), len(want[i]))
		}
		for j := range want[i] {
			if !Close(got[i][j], want[i][j], tol) {
				t.Errorf("row %d col %d: got %.17g, want %.17g", i, j, got[i][j], want[i][j])
				if bad++; bad >= 5 {
					t.FailNow()
				}
			}
		}
	}
}

// Transform applies tr to every batch of tbl under a context carrying mem.
// The caller releases the result.
func Transform(t testing.TB, mem memory.Allocator, tr pipeline.Transformer, tbl *table.Table) *table.Table {
	t.Helper()
	out, err := pipeline.TransformTable(pipeline.WithAllocator(context.Background(), mem), tr, tbl)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Fit fits e on tbl under a context carrying mem.
func Fit(t testing.TB, mem memory.Allocator, e pipeline.Estimator, tbl *table.Table) pipeline.Model {
	t.Helper()
	r := tbl.Reader()
	defer r.Release()
	m, err := e.Fit(pipeline.WithAllocator(context.Background(), mem), r)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// RoundTrip saves s as a directory and as a .tar file, loads both back and
// returns them.
func RoundTrip(t testing.TB, s pipeline.Stage) []pipeline.Stage {
	t.Helper()
	var out []pipeline.Stage
	for _, name := range []string{"model", "model.tar"} {
		p := filepath.Join(t.TempDir(), name)
		if err := modelio.Save(s, p, nil); err != nil {
			t.Fatalf("save %s: %v", name, err)
		}
		l, err := modelio.Load(p, nil)
		if err != nil {
			t.Fatalf("load %s: %v", name, err)
		}
		if l.Kind() != s.Kind() {
			t.Fatalf("loaded kind %q, want %q", l.Kind(), s.Kind())
		}
		out = append(out, l)
	}
	return out
}

// AssertSameOutput checks that a and b transform tbl to the same values
// of the dense column col.
func AssertSameOutput(t testing.TB, mem memory.Allocator, a, b pipeline.Transformer, tbl *table.Table, col string) {
	t.Helper()
	oa := Transform(t, mem, a, tbl)
	defer oa.Release()
	ob := Transform(t, mem, b, tbl)
	defer ob.Release()
	AssertRows(t, DenseRows(t, ob, col), DenseRows(t, oa, col), 0)
}

// Scalars returns a table with one float64 column per name, column j
// holding rows[i][j] (NaN stays NaN), cut into batches of at most batch
// rows (batch <= 0: one batch).
func Scalars(t testing.TB, mem memory.Allocator, names []string, rows [][]float64, batch int) *table.Table {
	t.Helper()
	if batch <= 0 {
		batch = len(rows)
	}
	var recs []arrow.Record
	for lo := 0; lo < len(rows); lo += batch {
		hi := min(lo+batch, len(rows))
		cols := make([]table.Column, len(names))
		for j, name := range names {
			vals := make([]float64, hi-lo)
			for i := lo; i < hi; i++ {
				vals[i-lo] = rows[i][j]
			}
			cols[j] = table.Col(name, vals)
		}
		r, err := table.Build(mem, cols...)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	tbl, err := table.New(recs[0].Schema(), recs...)
	for _, r := range recs {
		r.Release()
	}
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// ScalarRows returns the float64 columns names of tbl as rows (row i,
// value j is column names[j] at row i); nulls read as NaN.
func ScalarRows(t testing.TB, tbl *table.Table, names ...string) [][]float64 {
	t.Helper()
	var out [][]float64
	for b := 0; b < tbl.NumBatches(); b++ {
		rec := tbl.Batch(b)
		base := len(out)
		for r := 0; r < int(rec.NumRows()); r++ {
			out = append(out, make([]float64, len(names)))
		}
		for j, name := range names {
			i, err := table.FieldIndex(rec.Schema(), name)
			if err != nil {
				t.Fatal(err)
			}
			vals, err := table.Float64s(rec.Column(i))
			if err != nil {
				t.Fatalf("column %q: %v", name, err)
			}
			for r, v := range vals {
				if rec.Column(i).IsNull(r) {
					v = math.NaN()
				}
				out[base+r][j] = v
			}
		}
	}
	return out
}

// AdultCategoricals are the categorical columns of the adult dataset that
// AdultDocs joins into text.
var AdultCategoricals = []string{"workclass", "education", "marital_status", "occupation", "relationship", "race", "sex", "native_country"}

// AdultDocs returns a one-column record "doc" of the first n rows of
// adult_train: each row's non-empty AdultCategoricals values joined by
// spaces, the text the text transformers' reference tests share. It skips
// the test when the dataset is missing, unless CI=true.
func AdultDocs(t testing.TB, mem memory.Allocator, n int) arrow.Record {
	t.Helper()
	path := filepath.Join(DatasetDir, "adult_train.csv.gz")
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("dataset missing under CI: %v", err)
		}
		t.Skipf("no dataset: %v", err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	r := csv.NewReader(zr)
	header, err := r.Read()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var idx []int
	for _, c := range AdultCategoricals {
		i := slices.Index(header, c)
		if i < 0 {
			t.Fatalf("%s: no column %q", path, c)
		}
		idx = append(idx, i)
	}
	docs := make([]string, n)
	for i := range docs {
		rec, err := r.Read()
		if err != nil {
			t.Fatalf("%s: row %d: %v", path, i+1, err)
		}
		var parts []string
		for _, c := range idx {
			if rec[c] != "" {
				parts = append(parts, rec[c])
			}
		}
		docs[i] = strings.Join(parts, " ")
	}
	out, err := table.Build(mem, table.Col("doc", docs))
	if err != nil {
		t.Fatal(err)
	}
	return out
}
