package arrowipc_test

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
	"github.com/eddyml/eddy/connectors/arrowipc"
	"github.com/eddyml/eddy/connectors/internal/conntest"
	"github.com/eddyml/eddy/pipeline/table"
)

// The shared round-trip helpers, under the names these tests use.
var (
	testSchema = conntest.Schema
	makeRecord = conntest.MakeRecord
	wantRows   = conntest.WantRows
	render     = conntest.Render
)

func rows(t *testing.T, r table.Reader, maxBatch int) []string {
	return conntest.Rows(t, r, maxBatch)
}

func equalRows(t *testing.T, got, want []string) { t.Helper(); conntest.EqualRows(t, got, want) }

func writeFile(t *testing.T, mem memory.Allocator, path string, opts arrowipc.WriterOptions, total, batch int) {
	t.Helper()
	opts.Allocator = mem
	conntest.WriteFile(t, mem, func() (connectors.Writer, error) { return arrowipc.Create(path, testSchema, opts) }, total, batch)
}

func TestRoundTrip(t *testing.T) {
	for i, tc := range []struct {
		name      string
		opts      arrowipc.WriterOptions
		total     int
		writeSize int
		readSize  int
	}{
		{"a.arrow", arrowipc.WriterOptions{}, 1000, 300, 128},
		{"a.feather", arrowipc.WriterOptions{}, 1000, 1000, 1000},
		{"a.ipc", arrowipc.WriterOptions{Compression: arrowipc.Zstd}, 257, 100, 1},
		{"a.arrows", arrowipc.WriterOptions{}, 1000, 300, 4096},
		{"a.arrow", arrowipc.WriterOptions{Stream: true, Compression: arrowipc.LZ4}, 500, 7, 64},
		{"a.arrow.gz", arrowipc.WriterOptions{}, 600, 250, 100},
		{"a.arrows.gz", arrowipc.WriterOptions{}, 600, 250, 100},
		{"empty.arrow", arrowipc.WriterOptions{}, 0, 1, 10},
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
				t.Fatalf("schema %v, want %v", src.Schema(), testSchema)
			}
			equalRows(t, rows(t, src, tc.readSize), wantRows(0, tc.total))
			if got := src.(table.Seeker).Offset(); got != int64(tc.total) {
				t.Errorf("offset %d at end, want %d", got, tc.total)
			}
		})
	}
}

func TestSeekRow(t *testing.T) {
	const total = 1000
	for _, name := range []string{"s.arrow", "s.arrows"} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		path := filepath.Join(t.TempDir(), name)
		writeFile(t, mem, path, arrowipc.WriterOptions{}, total, 300)
		r, err := arrowipc.Open(context.Background(), path, connectors.ReadOptions{Allocator: mem, BatchSize: 128})
		if err != nil {
			t.Fatal(err)
		}
		// Offsets in an order that moves forwards and backwards, across
		// and inside the file's batches of 300.
		for _, off := range []int64{0, 301, 1, 299, 300, 999, 600, 1000, 5000, 0, 42} {
			if err := r.SeekRow(off); err != nil {
				t.Fatalf("%s: seek %d: %v", name, off, err)
			}
			want := min(off, total)
			if r.Offset() != want {
				t.Fatalf("%s: offset %d after seek %d, want %d", name, r.Offset(), off, want)
			}
			// Read two batches, then check the position.
			var got []string
			for k := 0; k < 2 && r.Next(); k++ {
				got = append(got, render(r.Record())...)
			}
			if err := r.Err(); err != nil {
				t.Fatal(err)
			}
			n := len(got)
			if (n == 0) != (want == total) {
				t.Fatalf("%s: read %d rows after seek %d", name, n, off)
			}
			equalRows(t, got, wantRows(int(want), n))
			if r.Offset() != want+int64(n) {
				t.Fatalf("%s: offset %d after reading from %d, want %d", name, r.Offset(), off, want+int64(n))
			}
		}
		r.Release()
		mem.AssertSize(t, 0)
	}
}

func TestCorrupt(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.arrow")
	writeFile(t, mem, good, arrowipc.WriterOptions{}, 1000, 300)
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	goodStream := filepath.Join(dir, "good.arrows")
	writeFile(t, mem, goodStream, arrowipc.WriterOptions{}, 1000, 300)
	sdata, err := os.ReadFile(goodStream)
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		name string
		data []byte
	}{
		{"empty.arrow", nil},
		{"garbage.arrow", []byte("this is not arrow at all, just text\n")},
		{"truncated.arrow", data[:len(data)/2]},
		{"nofooter.arrow", data[:len(data)-10]},
		{"magic-only.arrow", []byte("ARROW1\x00\x00")},
		{"truncated-stream.arrows", sdata[:len(sdata)/2]},
	} {
		t.Run(fmt.Sprintf("%d_%s", i, tc.name), func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := arrowipc.Open(context.Background(), path, connectors.ReadOptions{Allocator: mem})
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
	path := filepath.Join(t.TempDir(), "x.arrow")
	other := arrow.NewSchema([]arrow.Field{{Name: "z", Type: arrow.PrimitiveTypes.Int64}}, nil)
	w, err := arrowipc.Create(path, other, arrowipc.WriterOptions{Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	rec := makeRecord(mem, 0, 3)
	defer rec.Release()
	err = w.Write(rec)
	if err == nil || !strings.Contains(err.Error(), "schema mismatch") {
		t.Fatalf("got %v, want a schema mismatch", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := arrowipc.Create(filepath.Join(t.TempDir(), "no", "such", "dir.arrow"), testSchema, arrowipc.WriterOptions{}); err == nil {
		t.Fatal("create in a missing directory: no error")
	}
}

func TestAtomicCreate(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	path := filepath.Join(dir, "x.arrow")
	w, err := arrowipc.Create(path, testSchema, arrowipc.WriterOptions{Allocator: mem})
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
	if _, err := os.Stat(path); err != nil {
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
	for _, stream := range []bool{false, true} {
		var buf bytes.Buffer
		w, err := arrowipc.NewWriter(&buf, testSchema, arrowipc.WriterOptions{Allocator: mem, Stream: stream})
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
		opts := connectors.ReadOptions{Allocator: mem, BatchSize: 20}
		var r *arrowipc.Reader
		if stream {
			r, err = arrowipc.NewStreamReader("mem", bytes.NewReader(buf.Bytes()), opts)
		} else {
			r, err = arrowipc.NewFileReader("mem", bytes.NewReader(buf.Bytes()), opts)
		}
		if err != nil {
			t.Fatal(err)
		}
		equalRows(t, rows(t, r, 20), wantRows(0, 50))
		if err := r.SeekRow(45); err != nil {
			t.Fatal(err)
		}
		equalRows(t, rows(t, r, 20), wantRows(45, 5))
		r.Release()
	}
}

// FuzzReader feeds arbitrary bytes to both layouts: records or an error,
// never a panic.
func FuzzReader(f *testing.F) {
	for _, stream := range []bool{false, true} {
		var buf bytes.Buffer
		w, _ := arrowipc.NewWriter(&buf, testSchema, arrowipc.WriterOptions{Stream: stream})
		rec := makeRecord(memory.NewGoAllocator(), 0, 9)
		w.Write(rec)
		rec.Release()
		w.Close()
		f.Add(buf.Bytes())
	}
	f.Add([]byte("ARROW1\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		opts := connectors.ReadOptions{Allocator: mem, BatchSize: 4}
		for _, stream := range []bool{false, true} {
			var r *arrowipc.Reader
			var err error
			if stream {
				r, err = arrowipc.NewStreamReader("fuzz", bytes.NewReader(data), opts)
			} else {
				r, err = arrowipc.NewFileReader("fuzz", bytes.NewReader(data), opts)
			}
			if err != nil {
				continue
			}
			for r.Next() {
				_ = render(r.Record())
			}
			r.SeekRow(3)
			r.Next()
			r.Release()
		}
	})
}

func genFloats(mem memory.Allocator, rows, cols int) (*arrow.Schema, arrow.Record) {
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
	return schema, rec
}

const benchRows, benchCols, benchBatch = 1_000_000, 20, 64 * 1024

func writeBench(b *testing.B, path string, rec arrow.Record) {
	w, err := arrowipc.Create(path, rec.Schema(), arrowipc.WriterOptions{})
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
	_, rec := genFloats(memory.DefaultAllocator, benchRows, benchCols)
	defer rec.Release()
	path := filepath.Join(b.TempDir(), "bench.arrow")
	b.SetBytes(benchRows * benchCols * 8)
	b.ResetTimer()
	for range b.N {
		writeBench(b, path, rec)
	}
}

// BenchmarkReader reads 1M rows x 20 float64 columns.
func BenchmarkReader(b *testing.B) {
	_, rec := genFloats(memory.DefaultAllocator, benchRows, benchCols)
	path := filepath.Join(b.TempDir(), "bench.arrow")
	writeBench(b, path, rec)
	rec.Release()
	b.SetBytes(benchRows * benchCols * 8)
	b.ResetTimer()
	for range b.N {
		r, err := arrowipc.Open(context.Background(), path, connectors.ReadOptions{BatchSize: benchBatch})
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
