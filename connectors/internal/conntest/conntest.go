// Package conntest holds the round-trip helpers the file connectors' tests
// share: a deterministic record with nulls, NaN, infinities, vectors and
// field metadata, and row rendering to compare what a reader gives back.
package conntest

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/pipeline/table"
)

// Schema is the test schema: every column type the file connectors
// share, with nulls and field metadata.
var Schema = arrow.NewSchema([]arrow.Field{
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true,
		Metadata: arrow.NewMetadata([]string{"eddy.role"}, []string{"label"})},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "vec", Type: arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Float64), Nullable: true,
		Metadata: arrow.NewMetadata([]string{"eddy.role"}, []string{"features"})},
}, nil)

// MakeRecord builds rows [from, from+n) of a deterministic table with
// nulls, NaN and infinities.
func MakeRecord(mem memory.Allocator, from, n int) arrow.Record {
	b := array.NewRecordBuilder(mem, Schema)
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
		f := float64(r) / 3
		switch r % 11 {
		case 5:
			f = math.NaN()
		case 6:
			f = math.Inf(-1)
		}
		b.Field(2).(*array.Float64Builder).Append(f)
		b.Field(3).(*array.StringBuilder).Append(fmt.Sprintf("row %d é", r))
		vb.Append(true)
		vv.AppendValues([]float64{float64(r), -float64(r), 0.5}, nil)
	}
	return b.NewRecord()
}

// Rows renders every cell of a reader's batches, checking batch sizes.
func Rows(t testing.TB, r table.Reader, maxBatch int) []string {
	t.Helper()
	var out []string
	for r.Next() {
		rec := r.Record()
		if rec.NumRows() == 0 || int(rec.NumRows()) > maxBatch {
			t.Fatalf("batch of %d rows, want 1..%d", rec.NumRows(), maxBatch)
		}
		out = append(out, Render(rec)...)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Render prints each row of rec as its cells joined by "|".
func Render(rec arrow.Record) []string {
	if rec.NumCols() == 0 {
		return nil // a corrupt file can claim any number of empty rows
	}
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

// WantRows is Render of MakeRecord rows [from, from+n).
func WantRows(from, n int) []string {
	rec := MakeRecord(memory.NewGoAllocator(), from, n)
	defer rec.Release()
	return Render(rec)
}

// WriteFile writes rows [0, total) of MakeRecord in batches of batch rows
// with the writer create returns, and closes it.
func WriteFile(t testing.TB, mem memory.Allocator, create func() (connectors.Writer, error), total, batch int) {
	t.Helper()
	w, err := create()
	if err != nil {
		t.Fatal(err)
	}
	for from := 0; from < total; from += batch {
		rec := MakeRecord(mem, from, min(batch, total-from))
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

// EqualRows fails t at the first row where got and want differ.
func EqualRows(t testing.TB, got, want []string) {
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
