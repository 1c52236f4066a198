package parquet_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
	pqconn "github.com/eddyml/eddy/connectors/parquet"
	"github.com/eddyml/eddy/pipeline/table"
)

func TestRoundTrip(t *testing.T) {
	for i, tc := range []struct {
		name      string
		opts      pqconn.WriterOptions
		total     int
		writeSize int
		readSize  int
	}{
		{"a.parquet", pqconn.WriterOptions{}, 1000, 300, 128},
		{"a.parquet", pqconn.WriterOptions{RowGroupRows: 100}, 1000, 333, 64},
		{"a.parquet", pqconn.WriterOptions{RowGroupRows: 250, Compression: pqconn.Zstd}, 1000, 1000, 1000},
		{"a.parquet", pqconn.WriterOptions{Compression: pqconn.Uncompressed}, 257, 10, 1},
		{"a.parquet", pqconn.WriterOptions{RowGroupRows: 64}, 500, 7, 4096},
		{"a.parquet", pqconn.WriterOptions{RowGroupRows: 64, NoDictionary: true}, 500, 70, 30},
		{"a.parquet.gz", pqconn.WriterOptions{}, 600, 250, 100},
		{"empty.parquet", pqconn.WriterOptions{}, 0, 1, 10},
	} {
		t.Run(fmt.Sprintf("%d_%s", i, tc.name), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			path := filepath.Join(t.TempDir(), tc.name)
			writeFile(t, mem, path, tc.opts, tc.total, tc.writeSize)
			src, err := connectors.Open(context.Background(), path, connectors.ReadOptions{Allocator: mem, BatchSize: tc.readSize})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Release()
			if !src.Schema().Equal(testSchema) {
				t.Fatalf("schema\n%v\nwant\n%v", src.Schema(), testSchema)
			}
			got := rows(t, src, tc.readSize)
			equalRows(t, got, wantRows(0, tc.total))
			if got := src.(table.Seeker).Offset(); got != int64(tc.total) {
				t.Errorf("offset %d at end, want %d", got, tc.total)
			}
		})
	}
}

// TestBatchSizes checks that batches are exactly BatchSize rows across row
// group boundaries.
func TestBatchSizes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	path := filepath.Join(t.TempDir(), "b.parquet")
	writeFile(t, mem, path, pqconn.WriterOptions{RowGroupRows: 100}, 1000, 1000)
	r, err := pqconn.Open(context.Background(), path, connectors.ReadOptions{Allocator: mem, BatchSize: 128})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	var sizes []int64
	for r.Next() {
		sizes = append(sizes, r.Record().NumRows())
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	want := []int64{128, 128, 128, 128, 128, 128, 128, 104}
	if fmt.Sprint(sizes) != fmt.Sprint(want) {
		t.Fatalf("batch sizes %v, want %v", sizes, want)
	}
	if r.NumRows() != 1000 {
		t.Fatalf("NumRows %d", r.NumRows())
	}
}

func TestSeekRow(t *testing.T) {
	const total = 1000
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	path := filepath.Join(t.TempDir(), "s.parquet")
	writeFile(t, mem, path, pqconn.WriterOptions{RowGroupRows: 300}, total, 1000)
	r, err := pqconn.Open(context.Background(), path, connectors.ReadOptions{Allocator: mem, BatchSize: 128})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	for _, off := range []int64{0, 301, 1, 299, 300, 999, 600, 1000, 5000, 0, 42, 900} {
		if err := r.SeekRow(off); err != nil {
			t.Fatalf("seek %d: %v", off, err)
		}
		want := min(off, total)
		if r.Offset() != want {
			t.Fatalf("offset %d after seek %d, want %d", r.Offset(), off, want)
		}
		var got []string
		for k := 0; k < 2 && r.Next(); k++ {
			got = append(got, render(r.Record())...)
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		n := min(256, total-int(want))
		equalRows(t, got, wantRows(int(want), n))
		if r.Offset() != want+int64(n) {
			t.Fatalf("offset %d after reading from %d, want %d", r.Offset(), off, want+int64(n))
		}
	}
	if err := r.SeekRow(-1); err == nil {
		t.Fatal("negative seek: no error")
	}
}

func TestCorrupt(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.parquet")
	// Snappy pages: a scrambled page fails to decompress. (Uncompressed
	// pages have no checksum in parquet-go v17, so junk there reads as
	// junk values.)
	writeFile(t, mem, good, pqconn.WriterOptions{RowGroupRows: 300}, 1000, 1000)
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	// Overwrite the middle of the first column chunks' data with junk,
	// keeping the footer intact.
	scrambled := append([]byte(nil), data...)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 4; i < len(scrambled)/2; i++ {
		scrambled[i] = byte(rng.IntN(256))
	}
	for i, tc := range []struct {
		name string
		data []byte
	}{
		{"empty.parquet", nil},
		{"garbage.parquet", []byte("this is not parquet at all, just some text\n")},
		{"truncated.parquet", data[:len(data)/2]},
		{"nofooter.parquet", data[:len(data)-10]},
		{"magic-only.parquet", []byte("PAR1PAR1")},
		{"scrambled.parquet", scrambled},
	} {
		t.Run(fmt.Sprintf("%d_%s", i, tc.name), func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := pqconn.Open(context.Background(), path, connectors.ReadOptions{Allocator: mem})
			if err == nil {
				for r.Next() {
				}
				err = r.Err()
				r.Release()
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	path := filepath.Join(dir, "x.parquet")
	other := arrow.NewSchema([]arrow.Field{{Name: "z", Type: arrow.PrimitiveTypes.Int64}}, nil)
	w, err := pqconn.Create(path, other, pqconn.WriterOptions{Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	rec := makeRecord(mem, 0, 3)
	defer rec.Release()
	if err := w.Write(rec); err == nil || !strings.Contains(err.Error(), "schema mismatch") {
		t.Fatalf("got %v, want a schema mismatch", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := pqconn.Create(path, testSchema, pqconn.WriterOptions{Compression: 99}); err == nil {
		t.Fatal("unknown compression: no error")
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestAtomicCreate(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	path := filepath.Join(dir, "x.parquet")
	w, err := pqconn.Create(path, testSchema, pqconn.WriterOptions{Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	rec := makeRecord(mem, 0, 10)
	defer rec.Release()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("file visible before close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("%d files in dir, want 1", len(ents))
	}
}

func TestNewWriterReader(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var buf bytes.Buffer
	w, err := pqconn.NewWriter(&buf, testSchema, pqconn.WriterOptions{Allocator: mem, RowGroupRows: 16})
	if err != nil {
		t.Fatal(err)
	}
	rec := makeRecord(mem, 0, 50)
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	rec.Release()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := pqconn.NewReader("mem", bytes.NewReader(buf.Bytes()), connectors.ReadOptions{Allocator: mem, BatchSize: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	equalRows(t, rows(t, r, 20), wantRows(0, 50))
	if err := r.SeekRow(45); err != nil {
		t.Fatal(err)
	}
	equalRows(t, rows(t, r, 20), wantRows(45, 5))
}

// FuzzReader: any bytes give records or an error, never a panic.
//
// The seed has no dictionary pages: parquet-go v17 allocates as many
// dictionary entries as a corrupt index in a data page names (up to 2^31)
// before failing, an out-of-memory this package cannot intercept; see the
// package documentation.
func FuzzReader(f *testing.F) {
	var buf bytes.Buffer
	w, _ := pqconn.NewWriter(&buf, testSchema, pqconn.WriterOptions{RowGroupRows: 4, Compression: pqconn.Uncompressed, NoDictionary: true})
	rec := makeRecord(memory.NewGoAllocator(), 0, 9)
	w.Write(rec)
	rec.Release()
	w.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("PAR1PAR1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		r, err := pqconn.NewReader("fuzz", bytes.NewReader(data), connectors.ReadOptions{Allocator: mem, BatchSize: 4})
		if err != nil {
			return
		}
		for r.Next() {
			_ = render(r.Record())
		}
		r.SeekRow(5)
		r.Next()
		r.Release()
	})
}

func genFloats(mem memory.Allocator, rows, cols int) arrow.Record {
	fields := make([]arrow.Field, cols)
	for c := range fields {
		fields[c] = arrow.Field{Name: fmt.Sprintf("x%d", c), Type: arrow.PrimitiveTypes.Float64}
	}
	schema := arrow.NewSchema(fields, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	arrs := make([]arrow.Array, cols)
	vals := make([]float64, rows)
	for c := range arrs {
		b := array.NewFloat64Builder(mem)
		for i := range vals {
			vals[i] = rng.NormFloat64()
		}
		b.AppendValues(vals, nil)
		arrs[c] = b.NewArray()
		b.Release()
	}
	rec := array.NewRecord(schema, arrs, int64(rows))
	for _, a := range arrs {
		a.Release()
	}
	return rec
}

const benchRows, benchCols, benchBatch = 1_000_000, 20, 64 * 1024

func writeBench(b *testing.B, path string, rec arrow.Record, opts pqconn.WriterOptions) {
	w, err := pqconn.Create(path, rec.Schema(), opts)
	if err != nil {
		b.Fatal(err)
	}
	for from := int64(0); from < rec.NumRows(); from += benchBatch {
		s := rec.NewSlice(from, min(from+benchBatch, rec.NumRows()))
		err := w.Write(s)
		s.Release()
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkWriter writes 1M rows x 20 float64 columns.
func BenchmarkWriter(b *testing.B) {
	rec := genFloats(memory.DefaultAllocator, benchRows, benchCols)
	defer rec.Release()
	for _, bc := range []struct {
		name string
		opts pqconn.WriterOptions
	}{{"snappy", pqconn.WriterOptions{}}, {"zstd", pqconn.WriterOptions{Compression: pqconn.Zstd}}} {
		b.Run(bc.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "bench.parquet")
			b.SetBytes(benchRows * benchCols * 8)
			for range b.N {
				writeBench(b, path, rec, bc.opts)
			}
		})
	}
}

// BenchmarkReader reads 1M rows x 20 float64 columns.
func BenchmarkReader(b *testing.B) {
	rec := genFloats(memory.DefaultAllocator, benchRows, benchCols)
	path := filepath.Join(b.TempDir(), "bench.parquet")
	writeBench(b, path, rec, pqconn.WriterOptions{})
	rec.Release()
	b.SetBytes(benchRows * benchCols * 8)
	b.ResetTimer()
	for range b.N {
		r, err := pqconn.Open(context.Background(), path, connectors.ReadOptions{BatchSize: benchBatch})
		if err != nil {
			b.Fatal(err)
		}
		n := int64(0)
		for r.Next() {
			n += r.Record().NumRows()
		}
		if r.Err() != nil || n != benchRows {
			b.Fatalf("read %d rows: %v", n, r.Err())
		}
		r.Release()
	}
}
