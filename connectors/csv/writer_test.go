package csv

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
)

func roundTripSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "v, vec", Type: arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Float64), Nullable: true},
	}, nil)
}

func buildRoundTrip(mem memory.Allocator) arrow.Record {
	b := array.NewRecordBuilder(mem, roundTripSchema())
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, math.MinInt64, 0, 7}, []bool{true, true, false, true})
	b.Field(1).(*array.Float64Builder).AppendValues([]float64{0.1, 1.0 / 3, 0, math.Inf(-1)}, []bool{true, true, false, true})
	b.Field(2).(*array.BooleanBuilder).AppendValues([]bool{true, false, false, true}, []bool{true, true, false, true})
	b.Field(3).(*array.StringBuilder).AppendValues([]string{"plain", "a,\"b\"\nc", "", "NA"}, []bool{true, true, false, true})
	// Row 3's string is the empty string, not null.
	vb := b.Field(4).(*array.FixedSizeListBuilder)
	fb := vb.ValueBuilder().(*array.Float64Builder)
	for _, v := range [][]float64{{1, 2}, {0.5, -1e-300}, nil, {3, 4}} {
		if v == nil {
			vb.AppendNull()
			continue
		}
		vb.Append(true)
		fb.AppendValues(v, nil)
	}
	return b.NewRecord()
}

func TestWriterText(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := buildRoundTrip(mem)
	defer rec.Release()
	var out bytes.Buffer
	w, err := NewWriter(&out, rec.Schema(), WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := "i,f,b,s,\"v, vec\"\n" +
		"1,0.1,true,plain,\"1 2\"\n" +
		"-9223372036854775808,0.3333333333333333,false,\"a,\"\"b\"\"\nc\",\"0.5 -1e-300\"\n" +
		",,,,\n" +
		"7,-Inf,true,\"NA\",\"3 4\"\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := buildRoundTrip(mem)
	defer rec.Release()
	dir := t.TempDir()
	for _, name := range []string{"rt.csv", "rt.csv.gz", "rt.tsv.gz"} {
		path := filepath.Join(dir, name)
		w, err := connectors.Create(path, rec.Schema(), connectors.WriteOptions{Allocator: mem})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		part := rec.NewSlice(1, 3)
		err = w.Write(part)
		part.Release()
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		raw, _ := os.ReadFile(path)
		if gz := strings.HasSuffix(name, ".gz"); gz != bytes.HasPrefix(raw, []byte{0x1f, 0x8b}) {
			t.Errorf("%s: gzip %v, magic %x", name, gz, raw[:2])
		}
		r, err := Open(context.Background(), path, Options{ReadOptions: connectors.ReadOptions{Allocator: mem, Schema: roundTripSchema()}})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Schema().Equal(rec.Schema()) {
			t.Errorf("%s: schema %s", name, r.Schema())
		}
		got, _ := drain(t, r)
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		r.Release()
		want := []string{
			`1|0.1|true|"plain"|[1 2]`,
			`-9223372036854775808|0.3333333333333333|false|"a,\"b\"\nc"|[0.5 -1e-300]`,
			`∅|∅|∅|∅|∅`,
			`7|-Inf|true|"NA"|[3 4]`,
			`-9223372036854775808|0.3333333333333333|false|"a,\"b\"\nc"|[0.5 -1e-300]`,
			`∅|∅|∅|∅|∅`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: rows\n%s\nwant\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

func TestWriterErrors(t *testing.T) {
	dir := t.TempDir()
	bad := arrow.NewSchema([]arrow.Field{{Name: "t", Type: arrow.FixedWidthTypes.Date32}}, nil)
	if _, err := Create(filepath.Join(dir, "x.csv"), bad, WriterOptions{}); err == nil ||
		!strings.Contains(err.Error(), `column "t": type date32 cannot be written as csv`) {
		t.Errorf("error %v", err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := buildRoundTrip(mem)
	defer rec.Release()
	path := filepath.Join(dir, "y.csv")
	w, err := Create(path, intSchema("i"), WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err == nil {
		t.Error("writing a record of another schema: no error")
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("aborted file exists: %v", err)
	}
}
