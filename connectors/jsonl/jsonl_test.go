package jsonl_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/connectors/internal/conntest"
	"github.com/eddyml/eddy/connectors/jsonl"
	"github.com/eddyml/eddy/pipeline/table"
)

// testSchema is what inference finds in the files the writer makes from
// it (all nullable; vectors FixedSizeList<float64>), plus field metadata
// to check that an explicit schema's metadata is kept: the file
// connectors' shared test schema.
var testSchema = conntest.Schema

func makeRecord(mem memory.Allocator, from, n int) arrow.Record {
	b := array.NewRecordBuilder(mem, testSchema)
	defer b.Release()
	vb := b.Field(4).(*array.FixedSizeListBuilder)
	vv := vb.ValueBuilder().(*array.Float64Builder)
	for r := from; r < from+n; r++ {
		if r%7 == 3 {
			for c := 0; c < 5; c++ {
				b.Field(c).AppendNull()
			}
			continue
		}
		b.Field(0).(*array.BooleanBuilder).Append(r%2 == 0)
		b.Field(1).(*array.Int64Builder).Append(int64(r*r) - 1000)
		f := float64(r)/3 + 1e-300*float64(r%5)
		if r%11 == 5 {
			f = 1e300 * float64(r)
		}
		b.Field(2).(*array.Float64Builder).Append(f)
		b.Field(3).(*array.StringBuilder).Append(fmt.Sprintf("row %d \"é\"\n\t\\ \x01", r))
		vb.Append(true)
		vv.AppendValues([]float64{float64(r), -float64(r) / 7, 0.1}, nil)
	}
	return b.NewRecord()
}

func render(rec arrow.Record) []string {
	out := make([]string, rec.NumRows())
	for i := range out {
		var sb strings.Builder
		for c := 0; c < int(rec.NumCols()); c++ {
			sb.WriteString(rec.Column(c).ValueStr(i))
			sb.WriteByte('|')
		}
		out[i] = sb.String()
	}
	return out
}

func wantRows(from, n int) []string {
	rec := makeRecord(memory.NewGoAllocator(), from, n)
	defer rec.Release()
	return render(rec)
}

func rows(t *testing.T, r table.Reader, batch int) []string {
	t.Helper()
	var out []string
	for r.Next() {
		rec := r.Record()
		if rec.NumRows() == 0 || int(rec.NumRows()) > batch {
			t.Fatalf("batch of %d rows, want 1..%d", rec.NumRows(), batch)
		}
		out = append(out, render(rec)...)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func equalRows(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("row %d: got %s, want %s", i, got[i], want[i])
		}
	}
}

func writeFile(t *testing.T, mem memory.Allocator, path string, total, batch int) {
	t.Helper()
	w, err := jsonl.Create(path, testSchema, jsonl.WriterOptions{Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	for from := 0; from < total; from += batch {
		rec := makeRecord(mem, from, min(batch, total-from))
		err := w.Write(rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRoundTrip(t *testing.T) {
	for i, tc := range []struct {
		name     string
		total    int
		readSize int
		explicit bool
	}{
		{"a.jsonl", 1000, 128, false},
		{"a.ndjson", 1000, 1000, true},
		{"a.jsonl.gz", 600, 7, false},
		{"a.jsonl", 1, 1, false},
	} {
		t.Run(fmt.Sprintf("%d_%s", i, tc.name), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			path := filepath.Join(t.TempDir(), tc.name)
			writeFile(t, mem, path, tc.total, 300)
			opts := connectors.ReadOptions{Allocator: mem, BatchSize: tc.readSize}
			if tc.explicit {
				opts.Schema = testSchema
			}
			src, err := connectors.Open(context.Background(), path, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Release()
			// Inference finds the same types; only an explicit schema
			// carries field metadata.
			want := testSchema
			if !tc.explicit {
				fields := testSchema.Fields()
				for k := range fields {
					fields[k].Metadata = arrow.Metadata{}
				}
				want = arrow.NewSchema(fields, nil)
			}
			if !src.Schema().Equal(want) {
				t.Fatalf("schema\n%v\nwant\n%v", src.Schema(), want)
			}
			equalRows(t, rows(t, src, tc.readSize), wantRows(0, tc.total))
			if got := src.(table.Seeker).Offset(); got != int64(tc.total) {
				t.Errorf("offset %d at end, want %d", got, tc.total)
			}
		})
	}
}

func TestInference(t *testing.T) {
	in := `{"a": 1, "b": 1.5, "c": "x", "d": true, "v": [1, 2], "w": [1], "o": {"k": [1, "z"]}, "n": null}

{"a": -2, "b": 3, "c": null, "d": false, "v": [3.5, null], "w": [1, 2, 3], "o": [1, "z"], "n": null, "later": 1}
`
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r, err := jsonl.NewReader("in", strings.NewReader(in), jsonl.Options{ReadOptions: connectors.ReadOptions{Allocator: mem}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	want := []string{
		"a: type=int64, nullable", "b: type=float64, nullable", "c: type=utf8, nullable",
		"d: type=bool, nullable", "v: type=fixed_size_list<item: float64, nullable>[2], nullable",
		"w: type=list<item: float64, nullable>, nullable", "o: type=utf8, nullable",
		"n: type=utf8, nullable", "later: type=int64, nullable",
	}
	for i, f := range r.Schema().Fields() {
		if i >= len(want) || f.String() != want[i] {
			t.Fatalf("field %d: %s, want %v", i, f, want)
		}
	}
	got := rows(t, r, 1<<20)
	equalRows(t, got, []string{
		`1|1.5|x|true|[1,2]|[1]|{"k": [1, "z"]}|(null)|(null)|`,
		`-2|3|(null)|false|[3.5,null]|[1,2,3]|[1, "z"]|(null)|1|`,
	})
	if r.Offset() != 2 {
		t.Fatalf("offset %d", r.Offset())
	}
}

func TestInferenceConflict(t *testing.T) {
	in := "{\"a\": 1}\n{\"a\": \"x\"}\n"
	_, err := jsonl.NewReader("in.jsonl", strings.NewReader(in), jsonl.Options{})
	if err == nil || !strings.Contains(err.Error(), `key "a" is a integer on line 1 but a string on line 2`) {
		t.Fatalf("got %v", err)
	}
}

func TestBadRows(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "small", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "u", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
		{Name: "vec", Type: arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Float64), Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	for i, tc := range []struct {
		line   string
		column string
		value  string
		msg    string
	}{
		{`{"id": 1, "x": "abc"}`, "x", `"abc"`, "want a number"},
		{`{"id": 1, "small": 300}`, "small", "300", "does not fit int8"},
		{`{"id": 1, "small": 1.5}`, "small", "1.5", "not an integer"},
		{`{"id": 1, "u": -1}`, "u", "-1", "negative value"},
		{`{"id": 1, "x": 1e400}`, "x", "1e400", "does not fit float64"},
		{`{"id": 1, "vec": [1, 2, 3]}`, "vec", "[1, 2, 3]", "vector of 3 values, want 2"},
		{`{"id": 1, "vec": [1, "a"]}`, "vec", `[1, "a"]`, "want an array of numbers"},
		{`{"id": 1, "s": 5}`, "s", "5", "want a string"},
		{`{"id": 1, "zzz": 5}`, "zzz", "5", "not a column"},
		{`{"id": 1, "id": 2}`, "id", "2", "duplicate key"},
		{`{"x": 1}`, "id", "", "missing value for a non-nullable column"},
		{`{"id": null}`, "id", "null", "null in a non-nullable column"},
		{`{"id": 1,`, "", `{"id": 1,`, "invalid JSON"},
		{`[1, 2]`, "", `[1, 2]`, "not a JSON object"},
		{`{"id": 1} {"id": 2}`, "", `{"id": 1} {"id": 2}`, "data after the object"},
		{`{"id": 9999999999999999999}`, "id", "9999999999999999999", "does not fit int64"},
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			in := "{\"id\": 0}\n\n" + tc.line + "\n{\"id\": 3}\n"
			r, err := jsonl.NewReader("data.jsonl", strings.NewReader(in), jsonl.Options{
				ReadOptions: connectors.ReadOptions{Allocator: mem, Schema: schema, BatchSize: 10}})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Release()
			for r.Next() {
			}
			var re *connectors.RowError
			if !errors.As(r.Err(), &re) {
				t.Fatalf("got %v, want a *RowError", r.Err())
			}
			if re.File != "data.jsonl" || re.Line != 3 || re.Column != tc.column || re.Value != tc.value || !strings.Contains(re.Error(), tc.msg) {
				t.Fatalf("got %#v (%v), want line 3 column %q value %q: %s", re, re, tc.column, tc.value, tc.msg)
			}
			if !strings.HasPrefix(re.Error(), "data.jsonl:line 3") {
				t.Fatalf("message %q", re.Error())
			}

			// Under Skip the bad line goes to the dead letter and the
			// others are read.
			var dead bytes.Buffer
			r2, err := jsonl.NewReader("data.jsonl", strings.NewReader(in), jsonl.Options{
				ReadOptions: connectors.ReadOptions{Allocator: mem, Schema: schema, OnError: connectors.Skip, DeadLetter: &dead}})
			if err != nil {
				t.Fatal(err)
			}
			defer r2.Release()
			var ids []string
			for r2.Next() {
				for k := 0; k < int(r2.Record().NumRows()); k++ {
					ids = append(ids, r2.Record().Column(0).ValueStr(k))
				}
			}
			if r2.Err() != nil || strings.Join(ids, ",") != "0,3" || r2.Skipped() != 1 || dead.String() != tc.line+"\n" {
				t.Fatalf("skip: ids %v skipped %d dead %q err %v", ids, r2.Skipped(), dead.String(), r2.Err())
			}
		})
	}
}

func TestIgnoreUnknownAndLongLines(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int32, Nullable: true}}, nil)
	in := "{\"a\": 1, \"b\": 2}\r\n{\"a\": 2, \"pad\": \"" + strings.Repeat("x", 200) + "\"}\n{\"a\": 3}"
	r, err := jsonl.NewReader("", strings.NewReader(in), jsonl.Options{
		ReadOptions:   connectors.ReadOptions{Allocator: mem, Schema: schema, OnError: connectors.Skip},
		IgnoreUnknown: true, MaxLineBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	equalRows(t, rows(t, r, 1<<20), []string{"1|", "3|"})
	if r.Skipped() != 1 {
		t.Fatalf("skipped %d, want the long line", r.Skipped())
	}
}

func TestSeekRow(t *testing.T) {
	const total = 1000
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	path := filepath.Join(t.TempDir(), "s.jsonl.gz")
	writeFile(t, mem, path, total, 1000)
	r, err := jsonl.Open(context.Background(), path, jsonl.Options{ReadOptions: connectors.ReadOptions{Allocator: mem, BatchSize: 128}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	for _, off := range []int64{0, 301, 1, 299, 999, 600, 1000, 5000, 0, 42} {
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
}

func TestSeekRowSkipsOnce(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	in := "{\"a\": 1}\n{\"a\": x}\n{\"a\": 2}\n{\"a\": 3}\n"
	var dead bytes.Buffer
	r, err := jsonl.NewReader("", strings.NewReader(in), jsonl.Options{
		ReadOptions: connectors.ReadOptions{Allocator: mem, OnError: connectors.Skip, DeadLetter: &dead}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	equalRows(t, rows(t, r, 100), []string{"1|", "2|", "3|"})
	if err := r.SeekRow(1); err != nil {
		t.Fatal(err)
	}
	equalRows(t, rows(t, r, 100), []string{"2|", "3|"})
	if r.Skipped() != 1 || dead.String() != "{\"a\": x}\n" {
		t.Fatalf("skipped %d, dead %q", r.Skipped(), dead.String())
	}
}

func TestWriterErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64}}, nil)
	for _, v := range []float64{math.NaN(), math.Inf(1)} {
		dir := t.TempDir()
		path := filepath.Join(dir, "x.jsonl")
		w, err := jsonl.Create(path, schema, jsonl.WriterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		b := array.NewFloat64Builder(mem)
		b.AppendValues([]float64{1, 2, v}, nil)
		col := b.NewArray()
		b.Release()
		rec := array.NewRecord(schema, []arrow.Array{col}, 3)
		col.Release()
		err = w.Write(rec)
		rec.Release()
		if err == nil || !strings.Contains(err.Error(), "row 2, column x") {
			t.Fatalf("got %v, want an error naming row 2, column x", err)
		}
		if cerr := w.Close(); cerr == nil {
			t.Fatal("close after a failed write: no error")
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Fatalf("files left: %v", ents)
		}
	}
	bad := arrow.NewSchema([]arrow.Field{{Name: "t", Type: arrow.FixedWidthTypes.Date32}}, nil)
	if _, err := jsonl.NewWriter(io_discard{}, bad, jsonl.WriterOptions{}); err == nil {
		t.Fatal("unsupported type: no error")
	}
}

type io_discard struct{}

func (io_discard) Write(p []byte) (int, error) { return len(p), nil }

func TestWriterFormat(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "k\"ey", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.Float64Builder).AppendValues([]float64{3, 0.1, 1e-9, 1e21, math.Copysign(0, -1)}, nil)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"a", "\xff", "<>", "", "\u2028"}, []bool{true, true, true, false, true})
	lb := b.Field(2).(*array.ListBuilder)
	for i := 0; i < 5; i++ {
		lb.Append(i != 1)
		lb.ValueBuilder().(*array.Int32Builder).AppendValues([]int32{int32(i), -1}[:i%3], nil)
	}
	rec := b.NewRecord()
	defer rec.Release()
	var out bytes.Buffer
	w, err := jsonl.NewWriter(&out, schema, jsonl.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := `{"f":3.0,"k\"ey":"a","l":[]}
{"f":0.1,"k\"ey":"\ufffd","l":null}
{"f":1e-09,"k\"ey":"<>","l":[2,-1]}
{"f":1e+21,"k\"ey":null,"l":[]}
{"f":-0.0,"k\"ey":"` + "\u2028" + `","l":[4]}
`
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// FuzzReader: any bytes give records or an error, never a panic; a file
// the writer made from what was read reads back the same.
func FuzzReader(f *testing.F) {
	f.Add([]byte("{\"a\": 1, \"b\": [1, 2], \"c\": \"x\"}\n{\"a\": 2.5, \"b\": [3, 4]}\n"))
	f.Add([]byte("{\"o\": {\"k\": 1}, \"n\": null, \"t\": true}\r\n\n{}\n"))
	f.Add([]byte("{\"a\": 1e400}\n{\"a\": -0}\n[1]\n\"x\"\n{\"a\":"))
	f.Add([]byte("{\"v\": [1, null], \"w\": []}\n{\"v\": [2], \"w\": [1]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		for _, policy := range []connectors.ErrorPolicy{connectors.Fail, connectors.Skip} {
			r, err := jsonl.NewReader("fuzz", bytes.NewReader(data), jsonl.Options{
				ReadOptions: connectors.ReadOptions{Allocator: mem, BatchSize: 3, OnError: policy, DeadLetter: io_discard{}}})
			if err != nil {
				continue
			}
			var first []string
			var out bytes.Buffer
			w, werr := jsonl.NewWriter(&out, r.Schema(), jsonl.WriterOptions{})
			for r.Next() {
				first = append(first, render(r.Record())...)
				if werr == nil {
					werr = w.Write(r.Record())
				}
			}
			readErr := r.Err()
			r.SeekRow(1)
			r.Next()
			r.Release()
			if werr != nil || readErr != nil || w.Close() != nil || r.Schema().NumFields() == 0 {
				continue
			}
			// Round trip under the same schema.
			r2, err := jsonl.NewReader("again", bytes.NewReader(out.Bytes()), jsonl.Options{
				ReadOptions: connectors.ReadOptions{Allocator: mem, Schema: r.Schema()}})
			if err != nil {
				t.Fatalf("reread: %v", err)
			}
			var again []string
			for r2.Next() {
				again = append(again, render(r2.Record())...)
			}
			if r2.Err() != nil {
				t.Fatalf("reread: %v\n%s", r2.Err(), out.String())
			}
			r2.Release()
			if strings.Join(first, "\n") != strings.Join(again, "\n") {
				t.Fatalf("round trip differs:\n%q\n%q", first, again)
			}
		}
	})
}

func genFloats(mem memory.Allocator, rows, cols int) arrow.Record {
	fields := make([]arrow.Field, cols)
	for c := range fields {
		fields[c] = arrow.Field{Name: fmt.Sprintf("x%d", c), Type: arrow.PrimitiveTypes.Float64, Nullable: true}
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

func writeBench(b *testing.B, path string, rec arrow.Record) {
	w, err := jsonl.Create(path, rec.Schema(), jsonl.WriterOptions{})
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
	path := filepath.Join(b.TempDir(), "bench.jsonl")
	b.SetBytes(benchRows * benchCols * 8)
	b.ResetTimer()
	for range b.N {
		writeBench(b, path, rec)
	}
}

// BenchmarkReader reads 1M rows x 20 float64 columns with an explicit
// schema.
func BenchmarkReader(b *testing.B) {
	rec := genFloats(memory.DefaultAllocator, benchRows, benchCols)
	path := filepath.Join(b.TempDir(), "bench.jsonl")
	writeBench(b, path, rec)
	schema := rec.Schema()
	rec.Release()
	b.SetBytes(benchRows * benchCols * 8)
	b.ResetTimer()
	for range b.N {
		r, err := jsonl.Open(context.Background(), path, jsonl.Options{ReadOptions: connectors.ReadOptions{BatchSize: benchBatch, Schema: schema}})
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
